"""Bead costs (lower is better), vectorised over blocks of the band: bead-type priors, Gale-Church
length agreement, and how much of each sentence the other side of the bead explains.

Every bead pays -log of its type's prior and the Gale-Church length cost. A skipped sentence
pays its prior and a length term: its characters count as a length error against a bead of the
mean sentence length, so short sentences are cheap to skip and long ones dear. With lexical
matches (see `lexical.py`), every sentence in a bead also pays `lexical_weight / 2` times the
share of it that the other side does not explain, relative to a calibration (the typical share
explained in a 1-1 bead of these documents). A sentence nothing explains thus costs as much in
a bead as a skip's prior, and a bead cannot hide a stray sentence behind a well-matched one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from builder.align.lexical import BandMatrix

BeadType = tuple[int, int]

# Gale & Church (1993): 1-1 0.89, 1-0 + 0-1 0.0099, 2-1 + 1-2 0.089, 2-2 0.011; each further
# sentence on the "many" side divides the prior by ten (1-3 0.005, 1-4 0.0005).
PRIORS: dict[BeadType, float] = {
    (1, 1): 0.89, (1, 0): 0.0099 / 2, (0, 1): 0.0099 / 2, (2, 1): 0.089 / 2, (1, 2): 0.089 / 2,
    (2, 2): 0.011, (3, 1): 0.005, (1, 3): 0.005, (4, 1): 0.0005, (1, 4): 0.0005,
}
VARIANCE = 6.8  # Gale & Church's s^2: variance of target characters per source character
LEXICAL_WEIGHT = 6.0  # cost of a sentence that the other side of its bead does not explain, x2
# A skipped sentence's characters count as a length error of this many standard deviations per
# mean sentence (tuned once: 0.5 beats 1.0 and no length term on the dev document, each half of
# it, its variants with sentences deleted or inserted, and our EN-RU gold set).
SKIP_LENGTH_SCALE = 0.5


def log_two_tail(z: np.ndarray) -> np.ndarray:
    """log P(|Z| >= z) for a standard normal Z (Abramowitz & Stegun 7.1.26 for erfc, in log
    space so that large z stay finite)."""
    x = np.abs(z) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                          + t * 1.061405429))))
    return np.log(np.maximum(poly, 1e-300)) - x * x


@dataclass(frozen=True)
class Params:
    priors: Mapping[BeadType, float] = field(default_factory=lambda: dict(PRIORS))
    variance: float = VARIANCE
    lexical_weight: float = LEXICAL_WEIGHT
    skip_length_scale: float = SKIP_LENGTH_SCALE

    @property
    def max_sizes(self) -> tuple[int, int]:
        return max(a for a, _ in self.priors), max(b for _, b in self.priors)


@dataclass(frozen=True)
class LengthScale:
    """Target characters per source character, and the mean source sentence length, over all
    the documents aligned together; a little text says little, so both start from a prior
    worth PRIOR_CHARS characters (ratio 1, sentences of PRIOR_MEAN characters)."""

    ratio: float
    mean: float

    PRIOR_CHARS = 1000.0
    PRIOR_MEAN = 80.0

    @classmethod
    def of(cls, src_lengths: Sequence[np.ndarray], tgt_lengths: Sequence[np.ndarray],
           aligned: tuple[float, float] | None = None) -> LengthScale:
        """From all sentences, or with `aligned` (source and target characters in the beads
        of a previous pass that have both sides) the ratio from those alone, so untranslated
        text does not stretch it."""
        s = float(sum(x.sum() for x in src_lengths))
        t = float(sum(x.sum() for x in tgt_lengths))
        k = float(sum(len(x) for x in src_lengths))
        prior = cls.PRIOR_CHARS
        rs, rt = aligned or (s, t)
        return cls((rt + prior) / (rs + prior), (s + prior) / (k + prior / cls.PRIOR_MEAN))


class LengthCosts:
    """A `dp.CostModel` from sentence lengths (characters) and bead priors alone."""

    def __init__(self, src_len: np.ndarray, tgt_len: np.ndarray, params: Params,
                 scale: LengthScale | None = None):
        self.n, self.m = len(src_len), len(tgt_len)
        self.params = params
        self.types = tuple(t for t in params.priors if t[0] and t[1])
        self.src_len = np.asarray(src_len, dtype=np.float64)
        self.tgt_len = np.asarray(tgt_len, dtype=np.float64)
        scale = scale or LengthScale.of([self.src_len], [self.tgt_len])
        self.ratio, self.mean_len = scale.ratio, scale.mean
        self.src_cum = np.concatenate(([0.0], np.cumsum(self.src_len)))
        self.tgt_cum = np.concatenate(([0.0], np.cumsum(self.tgt_len)))
        self.prior_cost = {t: -math.log(p) for t, p in params.priors.items()}

    def length_cost(self, ls: np.ndarray, lt: np.ndarray) -> np.ndarray:
        mean = np.maximum((ls + lt / self.ratio) / 2, 1.0)
        z = (lt - ls * self.ratio) / np.sqrt(mean * self.params.variance)
        return -log_two_tail(z)

    def _skip(self, kind: BeadType, chars: np.ndarray) -> np.ndarray:
        z = self.params.skip_length_scale * chars / np.sqrt(self.mean_len * self.params.variance)
        return self.prior_cost[kind] - log_two_tail(z)

    def skip_src(self) -> np.ndarray:
        return self._skip((1, 0), self.src_len * self.ratio)

    def skip_tgt(self) -> np.ndarray:
        return self._skip((0, 1), self.tgt_len)

    def grid(self, i0: int, i1: int, lo: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Row and column indices (broadcastable) of a block of the band, columns clipped
        to the grid."""
        rows = np.arange(i0, i1)[:, None]
        cols = np.minimum(lo[i0:i1][:, None] + np.arange(width)[None, :], self.m)
        return rows, cols

    def bead_length_cost(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        ls = self.src_cum[rows] - self.src_cum[np.maximum(rows - a, 0)]
        lt = self.tgt_cum[cols] - self.tgt_cum[np.maximum(cols - b, 0)]
        return self.length_cost(ls, lt)

    def evidence_costs(self, rows: np.ndarray, cols: np.ndarray) -> dict[BeadType, np.ndarray]:
        """What the bead's content adds to its cost, per type (nothing here)."""
        return {}

    def block_costs(self, i0: int, i1: int, lo: np.ndarray,
                    width: int) -> dict[BeadType, np.ndarray]:
        rows, cols = self.grid(i0, i1, lo, width)
        extra = self.evidence_costs(rows, cols)
        out = {}
        for a, b in self.types:
            cost = self.prior_cost[(a, b)] + self.bead_length_cost(a, b, rows, cols)
            out[(a, b)] = cost + extra[(a, b)] if (a, b) in extra else cost
        return out

    def bead_scores(self, a: int, b: int, ends: np.ndarray) -> np.ndarray:
        """0..1 for chosen beads of type (a, b) ending at `ends` (pairs i, j): how well their
        evidence agrees (here: 1 when the lengths are as expected)."""
        lc = self.bead_length_cost(a, b, ends[:, :1], ends[:, 1:])[:, 0]
        return np.exp(-lc / 4)


class LexicalCosts(LengthCosts):
    """Length costs plus the lexical evidence of `matches` (a `BandMatrix` of match masses
    covering the band the DP will search) against each sentence's own `mass`."""

    def __init__(self, src_len: np.ndarray, tgt_len: np.ndarray, src_mass: np.ndarray,
                 tgt_mass: np.ndarray, matches: BandMatrix, calibration: float,
                 params: Params, scale: LengthScale | None = None,
                 baselines: tuple[np.ndarray, np.ndarray] | None = None):
        super().__init__(src_len, tgt_len, params, scale)
        if baselines is None:
            baselines = (np.zeros(len(src_len)), np.zeros(len(tgt_len)))
        self.src_base = np.append(baselines[0], 0.0)
        self.tgt_base = np.append(baselines[1], 0.0)
        self.src_mass = np.append(np.asarray(src_mass, dtype=np.float64), 0.0)
        self.tgt_mass = np.append(np.asarray(tgt_mass, dtype=np.float64), 0.0)
        self.matches = matches
        self.calibration = calibration

    def _unexplained(self, matched: np.ndarray, own: np.ndarray) -> np.ndarray:
        """1 - matched share / calibration, clipped to 0..1; 1 for a sentence with no words."""
        share = np.maximum(matched, 0.0) / np.maximum(own * self.calibration, 1e-12)
        return np.where(own > 0, 1 - np.minimum(share, 1.0), 1.0)

    def unexplained(self, rows: np.ndarray, cols: np.ndarray,
                    types: tuple[BeadType, ...] | None = None) -> dict[BeadType, np.ndarray]:
        """Per bead type: the sum over the bead's sentences of the share of each that the
        other side of the bead does not explain."""
        src: dict[tuple[int, int], np.ndarray] = {}  # (d, b): source sentence i-d against j-b..j-1
        tgt: dict[tuple[int, int], np.ndarray] = {}  # (a, k): target sentence j-k against i-a..i-1
        colsum: dict[tuple[int, int], np.ndarray] = {}

        def src_part(d: int, b: int) -> np.ndarray:
            if (d, b) not in src:
                r = np.maximum(rows - d, 0)
                matched = (self.matches.row_sums(r, np.maximum(cols - b, 0), cols)
                           - b * self.src_base[r])
                src[(d, b)] = self._unexplained(matched, self.src_mass[r])
            return src[(d, b)]

        def col(a: int, k: int) -> np.ndarray:
            if (a, k) not in colsum:
                c = np.maximum(cols - k, 0)
                part = self.matches.at(np.maximum(rows - a, 0), c)
                colsum[(a, k)] = part if a == 1 else col(a - 1, k) + part
            return colsum[(a, k)]

        def tgt_part(a: int, k: int) -> np.ndarray:
            if (a, k) not in tgt:
                c = np.maximum(cols - k, 0)
                tgt[(a, k)] = self._unexplained(col(a, k) - a * self.tgt_base[c],
                                                self.tgt_mass[c])
            return tgt[(a, k)]

        return {(a, b): sum(src_part(d, b) for d in range(1, a + 1))
                + sum(tgt_part(a, k) for k in range(1, b + 1)) for a, b in types or self.types}

    def evidence_costs(self, rows: np.ndarray, cols: np.ndarray) -> dict[BeadType, np.ndarray]:
        half = self.params.lexical_weight / 2
        return {t: half * u for t, u in self.unexplained(rows, cols).items()}

    def bead_scores(self, a: int, b: int, ends: np.ndarray) -> np.ndarray:
        """Half length agreement, half the share of the bead's sentences explained."""
        u = self.unexplained(ends[:, :1], ends[:, 1:], ((a, b),))[(a, b)][:, 0]
        return 0.5 * super().bead_scores(a, b, ends) + 0.5 * (1 - u / (a + b))
