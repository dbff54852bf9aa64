"""Vectorised, seeded 64-bit hashes of text spans and one-permutation MinHash (numpy).

Python-level hashing costs about a microsecond per item; a batch of posts holds millions of
words. Here a batch is one `bytes` buffer: a polynomial prefix sum gives the hash of any span
in O(1) (`span_hashes`), so word and character shingles, whole lines and whole texts are all
hashed with a few array operations. Everything is a pure function of the bytes and the seed:
the same text gets the same hash in every process and on every run.
"""

from __future__ import annotations

import numpy as np

_BASE = np.uint64(0x100000001B3)  # odd, so invertible modulo 2**64
_BASE_INV = np.uint64(pow(0x100000001B3, -1, 2**64))
_U64 = np.uint64
UINT32_MAX = np.uint32(0xFFFFFFFF)
_SPACE, _NEWLINE, _ZERO = 32, 10, 48
_ASCII = np.array([ord(chr(c).lower()) if chr(c).isalnum() else _SPACE for c in range(128)],
                  dtype=np.uint32)
_ASCII[_NEWLINE] = _NEWLINE


def _other(c: int) -> int:
    ch = chr(c)
    if not ch.isalnum():
        return _SPACE
    low = ch.lower()
    return ord(low) if len(low) == 1 else c


def codes_of(text: str) -> np.ndarray:
    """The text's code points (UTF-32)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def as_text(codes: np.ndarray) -> str:
    return codes.astype(np.uint32).tobytes().decode("utf-32-le")


class _CodeTable:
    """Each code point's normalised form (its lower case where that is one code point, a
    space where it is no letter or digit; a newline stays unless `newline` says otherwise;
    with `zero`, every ASCII digit is `0`), one gather for a whole batch: a table over every
    code point, filled for the ASCII range at once and for any other code point the first
    time a batch holds it. Every value is a newline, a space or a code point of `0` or
    above."""

    UNKNOWN = np.uint32(0xFFFFFFFF)

    def __init__(self, zero: bool = False, newline: int = _NEWLINE) -> None:
        self.table: np.ndarray | None = None
        self.ascii = _ASCII.copy()
        self.ascii[_NEWLINE] = newline
        if zero:
            self.ascii[_ZERO : _ZERO + 10] = _ZERO

    def map(self, codes: np.ndarray) -> np.ndarray:
        if self.table is None:
            self.table = np.full(0x110000, self.UNKNOWN, dtype=np.uint32)
            self.table[:128] = self.ascii
        out = np.take(self.table, codes)  # (a faster gather than `self.table[codes]`)
        unknown = out == self.UNKNOWN
        if unknown.any():
            new = np.unique(codes[unknown])
            self.table[new] = np.array([_other(c) for c in new.tolist()], dtype=np.uint32)
            out[unknown] = self.table[codes[unknown]]
        return out


_TABLES: dict[tuple[bool, bool], _CodeTable] = {}


def normalise(texts: list[str], *, digits_to_zero: bool = False,
              inner_newlines: bool = True) -> np.ndarray:
    """The texts in lower case, every run of characters that are not letters or digits read as
    one space (none at either end of a text), one text a line, as code points;
    `digits_to_zero` reads every run of ASCII digits as `0`. A newline inside a text ends a
    line too, unless `inner_newlines` is False: then it is a space (one line a text)."""
    return normalise_lines(texts, digits_to_zero=digits_to_zero,
                           inner_newlines=inner_newlines)[0]


def normalise_lines(texts: list[str], *, digits_to_zero: bool = False,
                    inner_newlines: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """`normalise`'s code points, and where its newlines are (the line breaks, found on the
    way: callers need not scan the code points again)."""
    mode = (digits_to_zero, inner_newlines)
    if mode not in _TABLES:
        _TABLES[mode] = _CodeTable(digits_to_zero, _NEWLINE if inner_newlines else _SPACE)
    out = _TABLES[mode].map(codes_of("\n".join(texts)))
    if not inner_newlines and len(texts) > 1:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts) - 1)
        out[np.cumsum(lengths + 1) - 1] = _NEWLINE  # the text ends
    space = out == _SPACE
    drop = np.empty_like(space)
    drop[:1] = space[:1]
    np.logical_and(space[1:], out[:-1] <= _SPACE, out=drop[1:])  # runs, after a line start
    if digits_to_zero:
        digit = out == _ZERO
        drop[1:] |= digit[1:] & digit[:-1]  # a digit after a digit (no space between)
    out = out[~drop]
    before = np.flatnonzero(out[1:] == _NEWLINE)  # a space before a line end goes
    trailing = out[before] == _SPACE
    breaks = before + 1 - np.cumsum(trailing)  # where the newlines are once those went
    if len(out) and out[0] == _NEWLINE:  # (the first text empty)
        breaks = np.concatenate(([0], breaks))
    trailing = before[trailing]
    if len(out) and out[-1] == _SPACE:
        trailing = np.append(trailing, len(out) - 1)
    return (np.delete(out, trailing) if len(trailing) else out), breaks


class _Powers:
    """BASE**i and BASE**-i modulo 2**64, grown on demand."""

    def __init__(self) -> None:
        self.pos = np.ones(1, dtype=np.uint64)
        self.neg = np.ones(1, dtype=np.uint64)

    def get(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.pos) < n:
            size = max(n, 2 * len(self.pos))
            with np.errstate(over="ignore"):
                self.pos = np.cumprod(np.full(size, _BASE, dtype=np.uint64)) * _BASE_INV
                self.neg = np.cumprod(np.full(size, _BASE_INV, dtype=np.uint64)) * _BASE
        return self.pos[:n], self.neg[:n]


_POWERS = _Powers()


_S30, _S27, _S31 = _U64(30), _U64(27), _U64(31)
_M1, _M2 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)
MIX_BLOCK = 1 << 15  # values a block: its steps run while it is in a core's cache


def mix64(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit. Computed in place
    on a copy of `x` (uint64, any shape), a block of `MIX_BLOCK` values at a time: a long
    array passes through memory once, not once a step."""
    out = np.bitwise_xor(x, _U64(seed & 0xFFFFFFFFFFFFFFFF))
    flat = out.reshape(-1)
    tmp = np.empty(min(len(flat), MIX_BLOCK), dtype=np.uint64)
    for at in range(0, len(flat), MIX_BLOCK):
        v = flat[at : at + MIX_BLOCK]
        t = tmp[: len(v)]
        np.right_shift(v, _S30, out=t)
        np.bitwise_xor(v, t, out=v)
        np.multiply(v, _M1, out=v)
        np.right_shift(v, _S27, out=t)
        np.bitwise_xor(v, t, out=v)
        np.multiply(v, _M2, out=v)
        np.right_shift(v, _S31, out=t)
        np.bitwise_xor(v, t, out=v)
    return out


class SpanHasher:
    """Hashes of spans `[start, end)` of one array of code points (or bytes)."""

    def __init__(self, codes: np.ndarray):
        self.codes = codes
        pos, self._neg = _POWERS.get(len(codes) + 1)
        terms = codes.astype(np.uint64)
        self._prefix = np.empty(len(codes) + 1, dtype=np.uint64)
        self._prefix[0] = 0
        with np.errstate(over="ignore"):
            terms += _U64(1)
            terms *= pos[: len(codes)]
            np.cumsum(terms, out=self._prefix[1:])

    def spans(self, starts: np.ndarray, ends: np.ndarray, seed: int = 0) -> np.ndarray:
        with np.errstate(over="ignore"):
            raw = (self._prefix[ends] - self._prefix[starts]) * self._neg[starts]
            return mix64(raw + (ends - starts).astype(np.uint64), seed)



def line_hashes(codes: np.ndarray, seed: int = 0,
                breaks: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hash, start, end) of each line of `codes` (`breaks`: where its newlines are, if
    known): each line's `SpanHasher` span hash, without the prefix sums: a line's terms are
    summed by one `np.add.reduceat` over the lines' starts (which sums each line with the
    newline after it; the newline's term is taken off again), cheaper than a running sum
    over every code point."""
    if breaks is None:
        breaks = np.flatnonzero(codes == _NEWLINE)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(codes)]))
    pos, neg = _POWERS.get(len(codes) + 1)
    terms = np.empty(len(codes) + 1, dtype=np.uint64)
    terms[:-1] = codes
    terms[-1] = _NEWLINE  # after the last line
    with np.errstate(over="ignore"):
        terms += _U64(1)
        terms *= pos
        sums = np.add.reduceat(terms, starts)
        sums -= terms[ends]
        sums *= neg[starts]
        return mix64(sums + (ends - starts).astype(np.uint64), seed), starts, ends


def text_hashes(texts: list[str], seed: int = 0) -> np.ndarray:
    """One 64-bit hash per text, as written (texts must not contain `\\n`)."""
    if not texts:
        return np.zeros(0, dtype=np.uint64)
    return line_hashes(codes_of("\n".join(texts)), seed)[0]


def oph_signatures(doc_of: np.ndarray, hashes: np.ndarray, n_docs: int, bins: int) -> np.ndarray:
    """One-permutation MinHash: `bins` (a power of two) minima per document, densified.

    `hashes` are the (well mixed) shingle hashes and `doc_of` the document of each. The top
    bits of a hash pick its bin, the low 32 bits are its value; a bin no shingle fell into
    takes the value of the next filled bin to its right (circularly) plus an offset by
    distance (Shrivastava's rotation), so that two documents agree on a bin with probability
    their Jaccard similarity. A document without shingles gets all `UINT32_MAX`.
    """
    shift = _U64(64 - (bins.bit_length() - 1))
    sig = np.full((n_docs, bins), UINT32_MAX, dtype=np.uint32)
    if len(hashes):
        flat = (hashes >> shift).view(np.int64)
        flat += doc_of.astype(np.int64, copy=False) * bins
        np.minimum.at(sig.reshape(-1), flat, hashes.astype(np.uint32))  # the low 32 bits
    empty = sig == UINT32_MAX
    rows = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))  # only these densify
    if not len(rows):
        return sig
    part, gap = sig[rows], empty[rows]
    # the next filled bin to the right of each bin (over two turns, in 16-bit columns: the
    # running minimum reads a quarter of the bytes), gathered by its flat position
    cols = np.arange(2 * bins, dtype=np.int16)
    filled = np.where(np.concatenate((~gap, ~gap), axis=1), cols, np.int16(2 * bins))
    nxt = np.minimum.accumulate(filled[:, ::-1], axis=1)[:, ::-1][:, :bins]
    dist = (nxt - cols[:bins]).astype(np.uint32)
    at = (nxt & np.int16(bins - 1)).astype(np.intp)
    at += np.arange(0, len(rows) * bins, bins)[:, None]
    with np.errstate(over="ignore"):
        dense = part.reshape(-1)[at] + dist * np.uint32(0x9E3779B1)
    sig[rows] = np.where(gap, dense, part)
    return sig


def band_keys(sig: np.ndarray, bands: int, seed: int = 0) -> np.ndarray:
    """LSH band keys: (documents, bands) uint64, one hash of each band's rows."""
    n, width = sig.shape
    rows = width // bands
    parts = sig[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    key = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            key = mix64(key ^ parts[:, :, r], seed + r)
        return mix64(key + np.arange(bands, dtype=np.uint64), seed)


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of signature rows: the share of equal bins."""
    return (a == b).mean(axis=-1)
