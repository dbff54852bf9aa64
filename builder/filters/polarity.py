"""Opposite statements are not near-duplicates: the check of a near-duplicate candidate pair.

`The court found the defendant guilty.` and `... not guilty.` share most character shingles,
so MinHash finds them alike; they say the opposite. A candidate pair (its signatures agree)
is verified on its words: two texts whose word difference (the words one has more often than
the other, both ways) holds a negation, or both poles of a polarity pair, are not
near-duplicates.

Only candidate pairs are tokenised (`opposed_texts`): an index keeps the texts it may be asked
about (`TextStore`: their UTF-8 bytes and 8 bytes a text), and the tokens of those it was
asked about (`TokenCache`: a kept segment is a candidate for many later ones, and is tokenised
once). Each text of a pair is reduced to a
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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from builder.filters.hashing import SpanHasher, line_hashes, normalise, normalise_lines

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
    return line_hashes(codes, SEED)[0]


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
_POLE_TOKENS = np.array([_POLE_TOKEN[h] for h in _POLE_SORTED.tolist()], dtype=np.uint16)
_CODE_BITS = 21  # a code point's bits: up to 3 characters packed in 64 bits


def _packed(codes: np.ndarray, starts: np.ndarray, k: int) -> np.ndarray:
    """The k characters (k <= 3) from each of `starts` packed in one integer."""
    key = np.zeros(len(starts), dtype=np.uint64)
    for j in range(k):
        key = (key << np.uint64(_CODE_BITS)) | codes[starts + j]
    return key


# the prefixes by length, longest first (as `PREFIXES` lists them): a word takes its longest
# prefix that leaves a stem of `MIN_STEM` letters; each length's prefixes packed and sorted
_PREFIX_GROUPS = [(k, np.unique(np.concatenate(
    [_packed(np.array([ord(c) for c in p], dtype=np.uint32), np.zeros(1, np.int64), k)
     for p in PREFIXES if len(p) == k])))
    for k in sorted({len(p) for p in PREFIXES}, reverse=True)]
if max(len(p) for p in PREFIXES) > 3 or list(PREFIXES) != sorted(PREFIXES, key=len,
                                                                   reverse=True):
    raise ValueError("PREFIXES: 3 letters at most, listed longest first")


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
        codes, breaks = normalise_lines(texts, digits_to_zero=True, inner_newlines=False)
        sep = codes <= 32
        prev_sep = np.concatenate(([True], sep[:-1]))
        next_sep = np.concatenate((sep[1:], [True]))
        starts = np.flatnonzero(~sep & prev_sep)
        ends = np.flatnonzero(~sep & next_sep) + 1
        words = np.diff(np.searchsorted(starts, breaks), prepend=0,
                        append=len(starts))  # between the breaks
        doc = np.repeat(np.arange(n, dtype=np.int64), words)
        letters = codes[starts] != ord("0")  # a number is read as `0`: not a word
        starts, ends, doc = starts[letters], ends[letters], doc[letters]
        hasher = SpanHasher(codes)
        h = hasher.spans(starts, ends, SEED)
        length = ends - starts
        # up to two tokens a word: `first` (NEG, a pole's token, or a plain word's) and
        # `second` (a pole's token for a negation that is also a pole, or a prefixed stem's)
        neg = _among(h, _NEG_HASHES)
        pole_at = np.minimum(np.searchsorted(_POLE_SORTED, h), len(_POLE_SORTED) - 1)
        pole = _POLE_SORTED[pole_at] == h
        plain = (length >= MIN_STEM) & ~neg & ~pole
        first = np.zeros(len(h), dtype=np.uint16)
        first[plain] = _neutral(h[plain]) << np.uint16(1)
        first[pole] = _POLE_TOKENS[pole_at[pole]]
        first[neg] = NEG
        has_first = neg | pole | plain
        second = np.zeros(len(h), dtype=np.uint16)
        has_second = neg & pole
        second[has_second] = _POLE_TOKENS[pole_at[has_second]]
        prefix = np.zeros(len(h), dtype=np.int64)  # the length of a word's prefix
        for k, packed in _PREFIX_GROUPS:
            cand = np.flatnonzero(plain & (prefix == 0) & (length >= k + MIN_STEM))
            prefix[cand[_among(_packed(codes, starts[cand], k), packed)]] = k
        at = np.flatnonzero(prefix)
        stems = hasher.spans(starts[at] + prefix[at], ends[at], SEED)
        second[at] = (_neutral(stems) << np.uint16(1)) | np.uint16(1)
        has_second[at] = True
        # a word's tokens after the word before it's: the texts' tokens in text order
        tokens = np.stack((first, second), axis=1).reshape(-1)
        held = np.stack((has_first, has_second), axis=1).reshape(-1)
        counts = (np.bincount(doc[has_first], minlength=n)
                  + np.bincount(doc[has_second], minlength=n))
        return cls(tokens[held], np.cumsum(counts))

    def row(self, i: int) -> np.ndarray:
        return self.tokens[(self.ends[i - 1] if i else 0) : self.ends[i]]

    def lengths(self) -> np.ndarray:
        return np.diff(self.ends, prepend=0)


def _spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions of the spans `[starts[k], starts[k] + lengths[k])`, one after another."""
    total = int(lengths.sum())
    return np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)


class TokenCache:
    """The tokens (`Words.of`) of texts given by number (`text(i)`), each computed the first
    time it is asked for and kept: the kept segments of an index are candidates for many
    later segments. 12 bytes a text up to the highest number asked for, and 2 bytes a token
    of the texts tokenised."""

    def __init__(self, text: Callable[[int], str]):
        self.text = text
        self._start = np.full(0, -1, dtype=np.int64)  # -1: not tokenised yet
        self._length = np.zeros(0, dtype=np.int32)
        self._tokens = np.zeros(1024, dtype=np.uint16)
        self._size = 0

    def _missing(self, ids: np.ndarray) -> np.ndarray:
        """Which of the texts `ids` (distinct numbers) are not tokenised yet."""
        if len(ids) and ids.max() >= len(self._start):
            grow = max(int(ids.max()) + 1, 2 * len(self._start)) - len(self._start)
            self._start = np.concatenate((self._start, np.full(grow, -1, dtype=np.int64)))
            self._length = np.concatenate((self._length, np.zeros(grow, dtype=np.int32)))
        return ids[self._start[ids] < 0]

    def _put(self, ids: np.ndarray, tokens: np.ndarray, lengths: np.ndarray) -> None:
        need = self._size + len(tokens)
        if need > len(self._tokens):
            self._tokens = np.resize(self._tokens, max(need, 2 * len(self._tokens)))
        self._tokens[self._size : need] = tokens
        self._start[ids] = self._size + np.cumsum(lengths) - lengths
        self._length[ids] = lengths
        self._size = need

    def words(self, ids: np.ndarray) -> Words:
        """The tokens of the texts `ids` (distinct numbers): row k is text `ids[k]`'s."""
        ids = np.asarray(ids, dtype=np.int64)
        tokenise((self, ids))
        lengths = self._length[ids].astype(np.int64)
        return Words(self._tokens[_spans(self._start[ids], lengths)], np.cumsum(lengths))


def tokenise(*wanted: tuple[TokenCache, np.ndarray]) -> None:
    """Tokenise, in one `Words.of` (whose fixed cost outweighs a few texts'), the texts each
    cache is asked for (`(cache, ids)`, numbers in any order and repeated) and lacks."""
    merged: dict[int, tuple[TokenCache, list[np.ndarray]]] = {}
    for cache, ids in wanted:
        merged.setdefault(id(cache), (cache, []))[1].append(np.asarray(ids, dtype=np.int64))
    missing = [(cache, cache._missing(np.unique(np.concatenate(parts))))
               for cache, parts in merged.values()]
    texts = [cache.text(i) for cache, ids in missing for i in ids.tolist()]
    if not texts:
        return
    new = Words.of(texts)
    lengths, at = new.lengths(), 0
    for cache, ids in missing:
        part = lengths[at : at + len(ids)]
        first = int(new.ends[at - 1]) if at else 0
        cache._put(ids, new.tokens[first : first + int(part.sum())], part)
        at += len(ids)


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
        data = list(map(str.encode, texts))  # UTF-8
        need = self._rows + len(data)
        if need > len(self._ends):
            self._ends = np.resize(self._ends, max(need, 2 * len(self._ends)))
        self._ends[self._rows : need] = len(self._blob) + np.cumsum(
            np.fromiter(map(len, data), dtype=np.int64, count=len(data)))
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
        tokens = words.tokens[_spans(firsts[rows], lengths)]
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


def opposed_pairs(a: np.ndarray, b: np.ndarray, tokens_a: TokenCache,
                  tokens_b: TokenCache) -> np.ndarray:
    """`opposed` of the pairs of texts (a[k] of `tokens_a`, b[k] of `tokens_b`), each
    distinct pair judged once (a pair of near-duplicates is a candidate in every band they
    share, a kept segment a candidate for many later ones)."""
    if not len(a):
        return np.zeros(0, dtype=bool)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    width = int(b.max()) + 1
    pairs, inverse = np.unique(a * width + b, return_inverse=True)
    left, ia = np.unique(pairs // width, return_inverse=True)
    right, ib = np.unique(pairs % width, return_inverse=True)
    wa, wb = tokens_a.words(left), tokens_b.words(right)
    both = Words(np.concatenate((wa.tokens, wb.tokens)),
                 np.concatenate((wa.ends, (wa.ends[-1] if len(wa.ends) else 0) + wb.ends)))
    verdicts = opposed_rows(both, ia.reshape(-1), len(left) + ib.reshape(-1))
    return verdicts[inverse.reshape(-1)]


def opposed_texts(a: list[str], b: list[str]) -> np.ndarray:
    """`opposed` of each pair of texts (a[i], b[i]): for candidate pairs (few), tokenised
    together."""
    n = len(a)
    if not n:
        return np.zeros(0, dtype=bool)
    words = Words.of([*a, *b])
    return opposed_rows(words, np.arange(n), np.arange(n, 2 * n))
