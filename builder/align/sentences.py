"""Sentence alignment of document pairs (one channel post and its sister post, or two whole
documents), in passes:

0. lengths and bead priors only (Gale-Church), in a band around the length diagonal;
1. plus lexical evidence that needs no model: numbers, punctuation marks and cognates (see
   `lexical.py`);
2. plus a lexicon learned from the 1-1 beads of pass 1 over all the document pairs
   given together (see `lexicon.py`), unless too little is learned.

An MT bridge (target sentences machine-translated into the source language) adds same-language
word matches to passes 1 and 2. Each pass searches a band around the previous one's path
(`search.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from builder.align import lexicon as lexicon_mod
from builder.align.costs import LengthCosts, LengthScale, LexicalCosts, Params
from builder.align.dp import Band, Span, path_of
from builder.align.lexical import Bags, BandMatrix, Tokens, identity_concepts, idf, mass, tokenize
from builder.align.search import FIRST_WIDTH, REFINE_WIDTH, best_path, diagonal

log = logging.getLogger(__name__)

# The calibration (typical share of a sentence matched in a 1-1 bead) is the median share over
# the previous pass's 1-1 beads, shrunk towards PRIOR_SHARE as if PRIOR_WEIGHT more shares had
# that value, so that a short document does not calibrate on two or three sentences.
PRIOR_SHARE = 0.25
PRIOR_WEIGHT = 10
MIN_CALIBRATION = 0.05
# With a model that shows an untranslated sentence for what it is (an MT bridge, embeddings), a
# skip needs less evidence than Gale-Church's prior asks for without one.
MODEL_SKIP_PRIOR = 0.05
# A sentence's chance match is its mean match against the sentences of the other side this
# far (either side) from the previous pass's path: the first band a pass searches.
NEIGHBOURS = REFINE_WIDTH


@dataclass(frozen=True)
class Bead:
    src: tuple[int, ...]  # indices into the source sentences
    tgt: tuple[int, ...]
    score: float  # 0..1: how well the bead's lengths and words agree

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass
class _Doc:
    """One document pair as the passes see it."""

    src: list[Tokens]
    tgt: list[Tokens]
    src_len: np.ndarray
    tgt_len: np.ndarray
    src_mass: np.ndarray | None = None
    tgt_mass: np.ndarray | None = None
    beads: list[Span] | None = None  # the latest pass's

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.src), len(self.tgt)

    def path(self) -> list[tuple[int, int]]:
        return path_of(self.beads) if self.beads is not None else diagonal(*self.shape)

    def ones(self) -> list[tuple[int, int]]:
        return [(i0, j0) for i0, i1, j0, j1 in self.beads if i1 - i0 == 1 and j1 - j0 == 1]


class SentenceAligner:
    """`align(src, tgt)` for one pair; `align_many(pairs)` shares word weights and the
    learned lexicon across many pairs (a channel's posts).

    `bridge`: a function from target sentences to their machine translations into the source
    language (MT-bridged mode). `embedder`: an `embeddings.Embedder` (embedding mode: the
    model's cosines replace the lexical passes).
    """

    def __init__(self, params: Params | None = None, *, learn_lexicon: bool = True,
                 bridge: Callable[[list[str]], list[str]] | None = None, embedder=None):
        self.params = params or Params()
        self.embedder = embedder
        if (bridge is not None or embedder is not None) and params is None:
            priors = {**self.params.priors, (1, 0): MODEL_SKIP_PRIOR, (0, 1): MODEL_SKIP_PRIOR}
            self.params = Params(priors=priors)
        self.learn_lexicon = learn_lexicon
        self.bridge = bridge
        self.lexicon: lexicon_mod.Lexicon | None = None
        self.calibration: list[float] = []

    def align(self, src: Sequence[str], tgt: Sequence[str]) -> list[Bead]:
        return self.align_many([(src, tgt)])[0]

    def align_many(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[list[Bead]]:
        docs = [_Doc([tokenize(s) for s in src], [tokenize(t) for t in tgt],
                     np.array([len(s) for s in src], dtype=np.float64),
                     np.array([len(t) for t in tgt], dtype=np.float64)) for src, tgt in pairs]
        self.scale = LengthScale.of([d.src_len for d in docs], [d.tgt_len for d in docs])
        for d in docs:  # pass 0
            if all(d.shape):
                d.beads = self._solve(d, lambda band, d=d: LengthCosts(
                    d.src_len, d.tgt_len, self.params, self.scale), FIRST_WIDTH)
        if self.embedder is not None:
            return self._embedding_pass(pairs, docs)
        w_src = idf([t for d in docs for t in d.src])
        w_tgt = idf([t for d in docs for t in d.tgt])
        for d in docs:
            d.src_mass, d.tgt_mass = mass(d.src, w_src), mass(d.tgt, w_tgt)
        bags_src = [[identity_concepts(t, w_src) for t in d.src] for d in docs]
        bags_tgt = [[identity_concepts(t, w_tgt) for t in d.tgt] for d in docs]
        if self.bridge is not None:
            self._add_bridge(pairs, docs, bags_src, bags_tgt, w_src)
        make = self._lexical(docs, bags_src, bags_tgt)  # pass 1
        self.lexicon = None
        if self.learn_lexicon:
            links_src = [d.src[i] for d in docs if d.beads for i, _ in d.ones()]
            links_tgt = [d.tgt[j] for d in docs if d.beads for _, j in d.ones()]
            lexicon = lexicon_mod.learn(links_src, links_tgt,
                                        [(k, k) for k in range(len(links_src))])
            if len(lexicon):  # pass 2
                self.lexicon = lexicon
                for k, d in enumerate(docs):
                    for b, t in zip(bags_src[k], d.src, strict=True):
                        b.update(lexicon.concepts(t, w_src, 0))
                    for b, t in zip(bags_tgt[k], d.tgt, strict=True):
                        b.update(lexicon.concepts(t, w_tgt, 1))
                make = self._lexical(docs, bags_src, bags_tgt)
            else:
                log.debug("lexicon: nothing learned from %d sentence pairs", len(links_src))
        return [self._result(d, lambda band, k=k: make(k, band)) for k, d in enumerate(docs)]

    def _embedding_pass(self, pairs, docs: list[_Doc]) -> list[list[Bead]]:
        from builder.align.embeddings import EmbeddingCosts, embed_documents  # noqa: PLC0415

        vectors, samples = embed_documents(self.embedder, pairs, self.params.max_sizes)
        self.scale = self._aligned_scale(docs)

        def make(k: int) -> EmbeddingCosts:
            d = docs[k]
            return EmbeddingCosts(d.src_len, d.tgt_len, *vectors[k], samples, self.params,
                                  self.scale)

        models = {k: make(k) for k, d in enumerate(docs) if all(d.shape)}
        for k, d in enumerate(docs):
            if all(d.shape):
                d.beads = self._solve(d, lambda band, k=k: models[k], REFINE_WIDTH)
        return [self._result(d, lambda band, k=k: models.get(k)) for k, d in enumerate(docs)]

    def _aligned_scale(self, docs: list[_Doc]) -> LengthScale:
        """The length scale, its ratio from the latest pass's beads with both sides."""
        aligned = [0.0, 0.0]
        for d in docs:
            for i0, i1, j0, j1 in d.beads or ():
                if i1 > i0 and j1 > j0:
                    aligned[0] += d.src_len[i0:i1].sum()
                    aligned[1] += d.tgt_len[j0:j1].sum()
        return LengthScale.of([d.src_len for d in docs], [d.tgt_len for d in docs],
                              (aligned[0], aligned[1]))

    def _solve(self, d: _Doc, make_model, width: int):
        beads, _ = best_path(make_model, *d.shape, d.path(), width)
        return beads

    def _lexical(self, docs: list[_Doc], bags_src, bags_tgt):
        """Calibrate on the previous pass's beads, then run a pass; returns the model factory
        of that pass."""
        self.scale = self._aligned_scale(docs)
        shared = set().union(*(b for bags in bags_src for b in bags)) & set().union(
            *(b for bags in bags_tgt for b in bags))
        vocab = {key: k for k, key in enumerate(sorted(shared))}  # concepts both sides have
        sides = [(Bags.build(bags_src[k], vocab), Bags.build(bags_tgt[k], vocab))
                 for k in range(len(docs))]
        shares = []
        bases = {}
        for k, d in enumerate(docs):
            if d.beads:
                bases[k] = self._baselines(d, sides[k])
                band = Band.around(d.path(), *d.shape, 0)
                bm = BandMatrix.for_band(band.lo, band.hi, self.params.max_sizes, *sides[k],
                                         d.shape[1])
                ones = np.array(d.ones(), dtype=np.int64).reshape(-1, 2)
                match = bm.row_sums(ones[:, 0], ones[:, 1], ones[:, 1] + 1)
                for own, base in ((d.src_mass[ones[:, 0]], bases[k][0][ones[:, 0]]),
                                  (d.tgt_mass[ones[:, 1]], bases[k][1][ones[:, 1]])):
                    shares += list(np.maximum(match - base, 0)[own > 0] / own[own > 0])
        median = float(np.median(np.minimum(shares, 1.0))) if shares else PRIOR_SHARE
        rho = max((median * len(shares) + PRIOR_SHARE * PRIOR_WEIGHT) / (len(shares) + PRIOR_WEIGHT),
                  MIN_CALIBRATION)
        self.calibration.append(rho)
        def make(k: int, band: Band) -> LexicalCosts:
            d = docs[k]
            bm = BandMatrix.for_band(band.lo, band.hi, self.params.max_sizes, *sides[k],
                                     d.shape[1])
            return LexicalCosts(d.src_len, d.tgt_len, d.src_mass, d.tgt_mass, bm, rho,
                                self.params, self.scale, bases.get(k))

        for k, d in enumerate(docs):
            if all(d.shape):
                d.beads = self._solve(d, lambda band, k=k: make(k, band), REFINE_WIDTH)
        return make

    @staticmethod
    def _baselines(d: _Doc, sides: tuple[Bags, Bags]) -> tuple[np.ndarray, np.ndarray]:
        """What each sentence matches by chance: its mean match mass against the sentences of
        the other side within NEIGHBOURS of the previous pass's path (the ones a bead could
        pair it with). A bead subtracts it once per sentence on the other side, so a sentence
        that matches everything (a frequent anchor) earns little from any of them, and a
        larger bead must earn each sentence it adds (Vecalign normalises its cosines against
        random sentences for the same reason)."""
        band = Band.around(d.path(), *d.shape, NEIGHBOURS)
        bm = BandMatrix.for_band(band.lo, band.hi, (1, 1), *sides, d.shape[1])
        return bm.row_means(), bm.col_means(d.shape[1])

    def _add_bridge(self, pairs, docs, bags_src, bags_tgt, w_src) -> None:
        """Same-language word matches between the source sentences and the machine
        translations of the target sentences; a target sentence then weighs what its
        translation weighs in the source language."""
        unseen = max(w_src.values(), default=1.0)
        for k, (_, tgt) in enumerate(pairs):
            mt = [tokenize(x) for x in self.bridge(list(tgt))] if len(tgt) else []
            for bag, t in zip(bags_src[k], docs[k].src, strict=True):
                bag.update({"=" + w: w_src[w] for w in t.words})
            for bag, t in zip(bags_tgt[k], mt, strict=True):
                bag.update({"=" + w: w_src.get(w, unseen) for w in t.words})
            docs[k].tgt_mass = mass(mt, w_src, unseen)

    def _result(self, d: _Doc, make_model) -> list[Bead]:
        n, m = d.shape
        if not n or not m:
            return ([Bead((i,), (), 0.0) for i in range(n)] + [Bead((), (j,), 0.0) for j in range(m)])
        model = make_model(Band.around(d.path(), n, m, 0))
        scores = [0.0] * len(d.beads)
        kinds: dict[tuple[int, int], list[int]] = {}
        for k, (i0, i1, j0, j1) in enumerate(d.beads):
            if i1 > i0 and j1 > j0:
                kinds.setdefault((i1 - i0, j1 - j0), []).append(k)
        for (a, b), ks in kinds.items():
            ends = np.array([(d.beads[k].i1, d.beads[k].j1) for k in ks], dtype=np.int64)
            for k, v in zip(ks, model.bead_scores(a, b, ends), strict=True):
                scores[k] = round(min(max(float(v), 0.0), 1.0), 4)
        return [Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), score)
                for (i0, i1, j0, j1), score in zip(d.beads, scores, strict=True)]
