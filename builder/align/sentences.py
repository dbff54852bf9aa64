"""Sentence alignment inside a pair of posts: dynamic programming over 0-1, 1-0, 1-1, 1-2,
2-1 and 2-2 beads, scoring length (Gale-Church) and anchors (numbers, named entities,
end punctuation). Works with no model; an optional `similarity(src_text, tgt_sentences)`
(MT-bridged, see align_bridge.py) adds to the anchors."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from builder.align.anchors import end_punct, entities, numbers, overlap

# Gale & Church (1993) priors for bead types
PRIORS = {(1, 1): 0.89, (1, 0): 0.0099 / 2, (0, 1): 0.0099 / 2, (2, 1): 0.089 / 2,
          (1, 2): 0.089 / 2, (2, 2): 0.011}
VARIANCE = 6.8
ANCHOR_WEIGHT = 6.0
SKIP_COST = 0.0  # added to a skip bead on top of its prior
NEUTRAL = 0.5  # anchor evidence when neither side has numbers or names
BRIDGED_SKIP_PRIOR = 0.05


@dataclass(frozen=True)
class Bead:
    src: tuple[int, ...]  # indices into the source sentences
    tgt: tuple[int, ...]
    score: float  # 0..1: how well the bead's lengths and anchors agree

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"


def _norm_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def length_cost(l1: int, l2: int, ratio: float) -> float:
    """-log P(match | lengths): Gale-Church's delta under a normal model."""
    if l1 == 0 and l2 == 0:
        return 0.0
    mean = (l1 + l2 / ratio) / 2
    delta = (l2 - l1 * ratio) / math.sqrt(max(mean, 1.0) * VARIANCE)
    p = 2 * (1 - _norm_cdf(abs(delta)))
    return -math.log(max(p, 1e-12))


@dataclass(frozen=True)
class _Features:
    length: int
    numbers: Counter
    entities: Counter
    punct: str


def _features(sentence: str) -> _Features:
    return _Features(len(sentence), numbers(sentence), entities(sentence), end_punct(sentence))


def _join(feats: list[_Features]) -> _Features:
    nums, ents = Counter(), Counter()
    for f in feats:
        nums.update(f.numbers)
        ents.update(f.entities)
    return _Features(sum(f.length for f in feats) + len(feats) - 1, nums, ents, feats[-1].punct)


class SentenceAligner:
    def __init__(self, similarity: Callable[[str, list[str]], float] | None = None,
                 anchor_weight: float = ANCHOR_WEIGHT, skip_cost: float = SKIP_COST):
        self.similarity = similarity
        self.anchor_weight = anchor_weight
        self.skip_cost = skip_cost
        # with a similarity model an unmatched sentence shows itself; without one, a skip
        # needs strong evidence (Gale-Church's priors)
        self.priors = dict(PRIORS)
        if similarity is not None:
            self.priors.update({(1, 0): BRIDGED_SKIP_PRIOR, (0, 1): BRIDGED_SKIP_PRIOR})

    def _anchor(self, a: _Features, b: _Features, src: str, tgt: list[str]) -> float:
        parts = [overlap(a.numbers, b.numbers), overlap(a.entities, b.entities)]
        if self.similarity is not None:
            parts.append(self.similarity(src, tgt))
        known = [p for p in parts if p is not None]
        evidence = sum(known) / len(known) if known else NEUTRAL
        return 0.8 * evidence + 0.2 * (1.0 if a.punct == b.punct else 0.0)

    def align(self, src: list[str], tgt: list[str]) -> list[Bead]:
        n, m = len(src), len(tgt)
        fs, ft = [_features(s) for s in src], [_features(t) for t in tgt]
        ratio = (sum(f.length for f in ft) or 1) / (sum(f.length for f in fs) or 1)
        inf = float("inf")
        cost = [[inf] * (m + 1) for _ in range(n + 1)]
        back: list[list[tuple[int, int, float] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
        cost[0][0] = 0.0
        for i in range(n + 1):
            for j in range(m + 1):
                if cost[i][j] == inf:
                    continue
                for (di, dj), prior in self.priors.items():
                    a, b = i + di, j + dj
                    if a > n or b > m:
                        continue
                    c = -math.log(prior)
                    if di and dj:
                        sa, sb = _join(fs[i:a]), _join(ft[j:b])
                        lc = length_cost(sa.length, sb.length, ratio)
                        anchor = self._anchor(sa, sb, " ".join(src[i:a]), tgt[j:b])
                        # anchors weigh per sentence, so a big bead cannot hide a stray one
                        c += lc + self.anchor_weight * (1 - anchor) * (di + dj) / 2
                        score = 0.5 * math.exp(-lc / 4) + 0.5 * anchor
                    else:
                        c += self.skip_cost
                        score = 0.0
                    if cost[i][j] + c < cost[a][b]:
                        cost[a][b] = cost[i][j] + c
                        back[a][b] = (i, j, score)
        beads: list[Bead] = []
        i, j = n, m
        while i or j:
            pi, pj, score = back[i][j]
            beads.append(Bead(tuple(range(pi, i)), tuple(range(pj, j)),
                              round(min(max(score, 0.0), 1.0), 4)))
            i, j = pi, pj
        beads.reverse()
        return beads
