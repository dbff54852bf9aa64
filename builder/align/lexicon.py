"""A bilingual word lexicon learned from the documents being aligned (Hunalign's idea: no
dictionary to download): word pairs that keep co-occurring in the confident 1-1 beads of a
first alignment, chosen by Dice over those beads and weighted by IBM Model 1 as well."""

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
MODEL1_ITERATIONS = 5
KEY_BITS = 62  # a Model 1 entry's code and target occurrence packed in one int64 key


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
    """Word pairs whose Dice coefficient over the linked sentence pairs reaches `min_dice`,
    each with the strength sqrt(Dice x sqrt(p(t|s) p(s|t))): IBM Model 1's translation
    probabilities both ways explain away a co-occurrence that a word's real translation already
    accounts for (a word seen beside a frequent pair's words gets little from them), where Dice
    alone counts every co-occurrence alike."""
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
    a, b, dice = a[keep], b[keep], dice[keep]
    forward = _probabilities(_model1(sets, len(ids_s), len(ids_t), MODEL1_ITERATIONS),
                             a * len(ids_t) + b)
    backward = _probabilities(_model1([(t, s) for s, t in sets], len(ids_t), len(ids_s),
                                      MODEL1_ITERATIONS), b * len(ids_s) + a)
    strength = np.sqrt(dice * np.sqrt(forward * backward))
    words_s, words_t = list(ids_s), list(ids_t)
    scored: dict[str, list[tuple[float, str]]] = {}
    for x, y, d in zip(a, b, strength, strict=True):
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
    s * n_t + t that co-occur, and their probabilities.

    Every (source word, target word) entry of a pair is one int64 key, its code above the
    index of its target word occurrence, sorted once: the code's rank and the occurrence come
    out as two int32 arrays (no hashing, no searching: 16 bytes an entry)."""
    offsets = np.cumsum([0] + [len(t) for _, t in sets])
    shift = max(int(offsets[-1]).bit_length(), 1)
    if ((n_s + 1) * max(n_t, 1)).bit_length() + shift > KEY_BITS:
        return _model1_unpacked(sets, n_s, n_t, iterations)
    keys = np.concatenate([((np.append(s, n_s)[:, None] * n_t + t[None, :]) << shift
                            | np.arange(o, o + len(t))[None, :]).ravel()
                           for (s, t), o in zip(sets, offsets, strict=False)]
                          + [np.zeros(0, np.int64)])
    keys.sort()
    code = keys >> shift
    new = np.concatenate(([True], code[1:] != code[:-1]))[:len(code)]
    codes = code[new]
    entry = (np.cumsum(new) - 1).astype(np.int32)
    group = (keys & ((1 << shift) - 1)).astype(np.int32)  # one target word of a pair
    del keys, code, new
    return codes, _em(codes, entry, group, n_s, n_t, iterations)


def _model1_unpacked(sets, n_s: int, n_t: int, iterations: int) -> tuple[np.ndarray, np.ndarray]:
    """`_model1` for vocabularies too large to pack a code and an occurrence in KEY_BITS."""
    offsets = np.cumsum([0] + [len(t) for _, t in sets])
    codes, entry = np.unique(np.concatenate(
        [(np.append(s, n_s)[:, None] * n_t + t[None, :]).ravel() for s, t in sets]
        + [np.zeros(0, np.int64)]), return_inverse=True)
    group = np.concatenate([np.tile(np.arange(o, o + len(t)), len(s) + 1)
                            for (s, t), o in zip(sets, offsets, strict=False)]
                           + [np.zeros(0, np.int64)])
    return codes, _em(codes, entry, group, n_s, n_t, iterations)


def _em(codes: np.ndarray, entry: np.ndarray, group: np.ndarray, n_s: int, n_t: int,
        iterations: int) -> np.ndarray:
    """EM for IBM Model 1: `entry` is each entry's code index, `group` its target word
    occurrence (whose alignment probabilities over the pair's source words sum to 1)."""
    owner = codes // max(n_t, 1)
    prob = np.full(len(codes), 1.0 / max(n_t, 1))
    for _ in range(iterations):
        p = prob[entry]
        p /= np.bincount(group, weights=p)[group]
        count = np.bincount(entry, weights=p, minlength=len(codes))
        prob = count / np.bincount(owner, weights=count, minlength=n_s + 1)[owner]
    return prob


def _probabilities(model: tuple[np.ndarray, np.ndarray], codes: np.ndarray) -> np.ndarray:
    """`_model1`'s probabilities at `codes` (pairs that co-occur, so all of them are known)."""
    known, prob = model
    at = np.minimum(np.searchsorted(known, codes), len(known) - 1)
    return np.where(known[at] == codes, prob[at], 0.0)
