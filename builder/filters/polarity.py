"""Opposite statements are not near-duplicates: the check of a near-duplicate candidate pair.

`The court found the defendant guilty.` and `... not guilty.` share most character shingles,
so MinHash finds them alike; they say the opposite. A candidate pair (its signatures agree)
is verified on its words: two texts whose word difference (the words one has more often than
the other, both ways) holds a negation, or both poles of a polarity pair, are not
near-duplicates.

Only candidate pairs are tokenised (`opposed_texts`): an index keeps the texts it may be asked
about (`TextStore`: their UTF-8 bytes and 8 bytes a text). Each text of a pair is reduced to a
multiset of 16-bit word tokens (`Words.of`: normalised words, digits ignored):

- a negation marker (`NEGATIONS`: en, ru, uk, de, fr, es, it, pt, pl) is the token `NEG`, so
  that `not` for `never` is no change but one negation more or less is;
- a word of a polarity pair (`POLES`: for/against, guilty/innocent, за/против, ...) is its
  pair's token with the word's pole;
- a word of 4 letters or more is itself with pole 0, and when it opens with a negating prefix
  (`PREFIXES`: un-, in-, im-, il-, ir-, dis-, non-, не-, des-) before a stem of 4 letters or
  more, it is also that stem with pole 1: `unsuccessful` carries `successful`/1, which
  opposes `successful`/0 (`невиновным` and `виновным` the same).

Two texts are opposed (`opposed`) when a `NEG` token is in their difference, or one pole of a
word or pair is in what the first has more and the other pole in what the second has more. A
16-bit token is 15 bits of a word's hash and its pole: two words of a difference agree by
chance one time in 32,768. Texts are judged pair by pair, so the verdicts do not depend on
batching or order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from builder.filters.hashing import SpanHasher, normalise

SEED = 0x9A1E
MIN_STEM = 4  # letters of a word kept as a token, and of a stem after a prefix

NEGATIONS = (
    "not no never nor without none nobody nothing neither cannot t "  # en (`don't`: `don t`)
    "не ни нет без никогда ничего никто нельзя "  # ru
    "ні немає ніколи нічого ніхто "  # uk (не, без: above)
    "nicht kein keine keinen keinem keiner keines nie niemals ohne "  # de
    "ne pas jamais sans aucun aucune "  # fr
    "nunca sin ningún ninguna ninguno tampoco "  # es (no: above)
    "non mai senza nessuno nessuna "  # it
    "não nem sem nenhum nenhuma "  # pt
    "nie bez żaden żadna"  # pl
).split()
POLES = (("for", "against"), ("guilty", "innocent"), ("за", "против"), ("für", "gegen"),
         ("pour", "contre"), ("favor", "contra"), ("yes", "no"), ("да", "нет"))
PREFIXES = ("dis", "non", "des", "un", "in", "im", "il", "ir", "не")  # longest first

NEG = 1  # the token of every negation marker: neutral 0, pole 1


def _hashes(words) -> np.ndarray:
    codes = normalise(list(words))
    return SpanHasher(codes).lines(SEED)[0]


def _neutral(h: np.ndarray) -> np.ndarray:
    """15 bits of a hash, never 0 (0 is the negations')."""
    return (h % np.uint64(32767)).astype(np.uint16) + np.uint16(1)


_NEG_HASHES = np.unique(_hashes(NEGATIONS))
_POLE_HASHES = _hashes([w for pair in POLES for w in pair])
_POLE_NEUTRAL = _neutral(_POLE_HASHES[0::2])  # a pair's token: its first pole's word
# every pole word (a negation too: `no`, `нет`) -> its pair's token with its pole
_POLE_TOKEN = {int(h): int(_POLE_NEUTRAL[k // 2]) << 1 | k % 2
               for k, h in enumerate(_POLE_HASHES.tolist())}
_POLE_SORTED = np.sort(_POLE_HASHES)
_PREFIX_CODES = [np.array([ord(c) for c in p], dtype=np.uint32) for p in PREFIXES]


def _among(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """`np.isin(values, sorted_set)` for a sorted, non-empty set (a binary search each)."""
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


@dataclass(frozen=True)
class Words:
    """The tokens of a batch of texts: text i's are `tokens[ends[i-1]:ends[i]]`."""

    tokens: np.ndarray  # uint16
    ends: np.ndarray  # int64, one a text

    @classmethod
    def of(cls, texts: list[str]) -> Words:
        n = len(texts)
        if not n:
            return cls(np.zeros(0, dtype=np.uint16), np.zeros(0, dtype=np.int64))
        codes = normalise(texts, digits_to_zero=True, inner_newlines=False)
        sep = codes <= 32
        prev_sep = np.concatenate(([True], sep[:-1]))
        next_sep = np.concatenate((sep[1:], [True]))
        starts = np.flatnonzero(~sep & prev_sep)
        ends = np.flatnonzero(~sep & next_sep) + 1
        doc = np.searchsorted(np.flatnonzero(codes == 10), starts)
        letters = codes[starts] != ord("0")  # a number is read as `0`: not a word
        starts, ends, doc = starts[letters], ends[letters], doc[letters]
        hasher = SpanHasher(codes)
        h = hasher.spans(starts, ends, SEED)
        length = ends - starts
        docs, toks = [], []
        neg = _among(h, _NEG_HASHES)
        pole = _among(h, _POLE_SORTED)
        docs.append(doc[neg])
        toks.append(np.full(int(neg.sum()), NEG, dtype=np.uint16))
        at = np.flatnonzero(pole)
        docs.append(doc[at])
        toks.append(np.array([_POLE_TOKEN[int(x)] for x in h[at].tolist()], dtype=np.uint16))
        plain = (length >= MIN_STEM) & ~neg & ~pole
        docs.append(doc[plain])
        toks.append(_neutral(h[plain]) << np.uint16(1))
        open_ = plain.copy()  # words that may still take a prefix
        for prefix in _PREFIX_CODES:
            k = len(prefix)
            cand = np.flatnonzero(open_ & (length >= k + MIN_STEM))
            for j in range(k):
                cand = cand[codes[starts[cand] + j] == prefix[j]]
            open_[cand] = False
            docs.append(doc[cand])
            stems = hasher.spans(starts[cand] + k, ends[cand], SEED)
            toks.append((_neutral(stems) << np.uint16(1)) | np.uint16(1))
        doc_all, tok_all = np.concatenate(docs), np.concatenate(toks)
        order = np.argsort(doc_all, kind="stable")
        return cls(tok_all[order], np.cumsum(np.bincount(doc_all, minlength=n)))

    def row(self, i: int) -> np.ndarray:
        return self.tokens[(self.ends[i - 1] if i else 0) : self.ends[i]]


class TextStore:
    """Texts added over time (the kept segments of an index), UTF-8 in one buffer: the
    candidate pairs found later are verified on them."""

    def __init__(self) -> None:
        self._blob = bytearray()
        self._ends = np.zeros(1024, dtype=np.int64)
        self._rows = 0

    def __len__(self) -> int:
        return self._rows

    def extend(self, texts: list[str]) -> None:
        data = [t.encode("utf-8") for t in texts]
        need = self._rows + len(data)
        if need > len(self._ends):
            self._ends = np.resize(self._ends, max(need, 2 * len(self._ends)))
        self._ends[self._rows : need] = len(self._blob) + np.cumsum([len(d) for d in data],
                                                                    dtype=np.int64)
        self._blob += b"".join(data)
        self._rows = need

    def get(self, i: int) -> str:
        begin = int(self._ends[i - 1]) if i else 0
        return self._blob[begin : int(self._ends[i])].decode("utf-8")


def opposed(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two texts' tokens (`Words.row`) say opposite things (see the module)."""
    ca, cb = Counter(a.tolist()), Counter(b.tolist())
    more_a, more_b = ca - cb, cb - ca
    if NEG in more_a or NEG in more_b:
        return True
    return any(t ^ 1 in more_a for t in more_b)  # the same word or pair, the other pole


def opposed_rows(words: Words, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`opposed(words.row(a[k]), words.row(b[k]))` for every k, all pairs at once: each
    pair's token counts are summed as (pair, token) keys, +1 a token of `a`'s row and -1 of
    `b`'s; a pair is opposed where `NEG` has a non-zero sum, or a token with a negative sum
    has its other pole (`token ^ 1`) with a positive one."""
    n = len(a)
    firsts = np.concatenate(([0], words.ends[:-1]))

    def entries(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lengths = words.ends[rows] - firsts[rows]
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths,
                                                             lengths)
        tokens = words.tokens[np.repeat(firsts[rows], lengths) + offsets]
        return np.repeat(np.arange(n, dtype=np.int64), lengths) << 16 | tokens, lengths

    key_a, len_a = entries(np.asarray(a, dtype=np.int64))
    key_b, len_b = entries(np.asarray(b, dtype=np.int64))
    keys, inverse = np.unique(np.concatenate((key_a, key_b)), return_inverse=True)
    sign = np.concatenate((np.ones(len(key_a)), -np.ones(len(key_b))))
    diff = np.bincount(inverse.reshape(-1), weights=sign, minlength=len(keys))
    out = np.zeros(n, dtype=bool)
    out[keys[((keys & 0xFFFF) == NEG) & (diff != 0)] >> 16] = True
    other_pole = keys[diff < 0] ^ 1  # (pair, token ^ 1)
    more_a = keys[diff > 0]  # sorted, as `keys` is
    if len(more_a):
        out[other_pole[_among(other_pole, more_a)] >> 16] = True
    return out


def opposed_texts(a: list[str], b: list[str]) -> np.ndarray:
    """`opposed` of each pair of texts (a[i], b[i]): for candidate pairs (few), tokenised
    together."""
    n = len(a)
    if not n:
        return np.zeros(0, dtype=bool)
    words = Words.of([*a, *b])
    return opposed_rows(words, np.arange(n), np.arange(n, 2 * n))
