"""A bilingual word lexicon learned from the documents being aligned (Hunalign's idea: no
dictionary to download): word pairs that keep co-occurring in the confident 1-1 beads of a
first alignment, scored by Dice over those beads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from builder.align.lexical import Tokens

MIN_PAIRS = 30  # fewer confident beads than this: nothing is learned
MIN_COUNT = 2  # a word pair must co-occur in at least this many beads
MIN_DICE = 0.3
PER_WORD = 3  # translations kept per source word


@dataclass(frozen=True)
class Lexicon:
    pairs: dict[tuple[str, str], float]  # (source word, target word) -> strength in (0, 1]
    links: int  # how many sentence pairs it was learned from

    def __len__(self) -> int:
        return len(self.pairs)

    @cached_property
    def _index(self) -> tuple[dict[str, list[tuple[str, float]]], ...]:
        index: tuple[dict[str, list[tuple[str, float]]], ...] = ({}, {})
        for (a, b), s in sorted(self.pairs.items()):
            index[0].setdefault(a, []).append((f"{a}\t{b}", s))
            index[1].setdefault(b, []).append((f"{a}\t{b}", s))
        return index

    def concepts(self, t: Tokens, weights: Mapping[str, float], side: int) -> dict[str, float]:
        """The pairs a sentence's words take part in (side 0: as source words, 1: as target
        words), each weighted by its strength times the word's weight."""
        out: dict[str, float] = {}
        for w in set(t.words):
            for key, strength in self._index[side].get(w, ()):
                out[key] = max(out.get(key, 0.0), strength * weights[w])
        return out

    def keys(self) -> set[str]:
        return {f"{a}\t{b}" for a, b in self.pairs}


def learn(src: Sequence[Tokens], tgt: Sequence[Tokens], links: Sequence[tuple[int, int]],
          min_pairs: int = MIN_PAIRS, min_count: int = MIN_COUNT,
          min_dice: float = MIN_DICE) -> Lexicon:
    """Dice coefficients of source and target words over the linked sentence pairs."""
    if len(links) < min_pairs:
        return Lexicon({}, len(links))
    ids_s: dict[str, int] = {}
    ids_t: dict[str, int] = {}
    sets = [(np.array(sorted({ids_s.setdefault(w, len(ids_s)) for w in src[i].words}), dtype=np.int64),
             np.array(sorted({ids_t.setdefault(w, len(ids_t)) for w in tgt[j].words}), dtype=np.int64))
            for i, j in links]
    count_s = np.bincount(np.concatenate([s for s, _ in sets] + [np.zeros(0, np.int64)]),
                          minlength=len(ids_s))
    count_t = np.bincount(np.concatenate([t for _, t in sets] + [np.zeros(0, np.int64)]),
                          minlength=len(ids_t))
    width = max(len(ids_t), 1)
    codes = np.concatenate([(s[:, None] * width + t[None, :]).ravel() for s, t in sets]
                           + [np.zeros(0, np.int64)])
    pairs, joint = np.unique(codes, return_counts=True)
    keep = joint >= min_count
    pairs, joint = pairs[keep], joint[keep]
    a, b = pairs // width, pairs % width
    dice = 2 * joint / (count_s[a] + count_t[b])
    keep = dice >= min_dice
    words_s, words_t = list(ids_s), list(ids_t)
    scored: dict[str, list[tuple[float, str]]] = {}
    for x, y, d in zip(a[keep], b[keep], dice[keep], strict=True):
        scored.setdefault(words_s[x], []).append((float(d), words_t[y]))
    out = {}
    for word, options in sorted(scored.items()):
        for d, translation in sorted(options, key=lambda o: (-o[0], o[1]))[:PER_WORD]:
            out[(word, translation)] = round(d, 6)
    return Lexicon(out, len(links))


def _model1(sets: list[tuple[np.ndarray, np.ndarray]], n_s: int, n_t: int,
            iterations: int) -> tuple[np.ndarray, np.ndarray]:
    """IBM Model 1 translation probabilities p(t | s) by EM over sentence pairs given as
    arrays of word ids; source word n_s is NULL (in every pair). Returns the (s, t) codes
    s * n_t + t that co-occur, and their probabilities."""
    sizes = np.array([(len(s) + 1) * len(t) for s, t in sets], dtype=np.int64)
    pair = np.repeat(np.arange(len(sets)), sizes)
    src = np.concatenate([np.repeat(np.append(s, n_s), len(t)) for s, t in sets]
                         + [np.zeros(0, np.int64)])
    tgt = np.concatenate([np.tile(t, len(s) + 1) for s, t in sets] + [np.zeros(0, np.int64)])
    codes, entry = np.unique(src * n_t + tgt, return_inverse=True)
    _, group = np.unique(pair * n_t + tgt, return_inverse=True)  # one target word of a pair
    del pair, src, tgt
    owner = codes // n_t
    prob = np.full(len(codes), 1.0 / max(n_t, 1))
    for _ in range(iterations):
        p = prob[entry]
        p /= np.bincount(group, weights=p)[group]
        count = np.bincount(entry, weights=p, minlength=len(codes))
        prob = count / np.bincount(owner, weights=count, minlength=n_s + 1)[owner]
    return codes, prob
