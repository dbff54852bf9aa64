"""Near-duplicate detection (the algorithms of the `near_dedup` steps): MinHash LSH over word
shingles for posts (each Han or kana character a word, as `text.words` counts them), over
character shingles of normalised text for segments (short texts defeat word shingles).

Texts are normalised (case-folded, digit runs read as `0`, punctuation and symbols read as
spaces) so that a repost with a changed date, an added emoji or other punctuation hashes
like its first copy. Signatures are one-permutation MinHash (`builder.filters.hashing`),
computed for a whole batch with array operations; LSH bands find candidate pairs and the
estimated Jaccard similarity of the full signatures confirms them.

- Posts (`PostClusters`): all signatures are gathered first (compact keys, 4 bytes a bin),
  then clustered once: which copy of a cluster is kept (first, later or longer) needs every
  copy. The kept copy takes the split of the cluster's first copy.
- Segments (`SegmentIndex`): a streaming index in input order; a segment that matches any
  earlier segment is a near-duplicate of the earliest it matches (the first copy wins, so the
  kept copy is always the first copy and its split the first copy's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from builder.config import NearDedupPostsConfig, NearDedupSegmentsConfig
from builder.filters.hashing import (
    UINT32_MAX,
    SpanHasher,
    band_keys,
    mix64,
    normalise_lines,
    oph_signatures,
    similarity,
)
from builder.filters.key_index import KeyIndex
from builder.filters.polarity import (
    TextStore,
    TokenCache,
    opposed_pairs,
    opposed_texts,
    tokenise,
)
from builder.filters.report_numbers import PostNumbers, number_hashes
from builder.text.words import IDEOGRAPHIC_RANGES, count_words

SEED = 0x5EED


@dataclass(frozen=True)
class Shingles:
    """Shingle hashes of a batch of texts, and the text each belongs to."""

    doc_of: np.ndarray
    hashes: np.ndarray
    words: np.ndarray  # words per text

    @classmethod
    def of(cls, texts: list[str], *, words: int = 0, chars: int = 0,
           count: bool = True) -> Shingles:
        """Word n-grams (`words`) or character n-grams (`chars`) of the normalised texts.
        A text shorter than one shingle is one shingle; lines of a text are joined. `count`:
        count each text's words too (character n-grams do not need them; `words` is then
        empty). A character n-gram across a break between texts belongs to none: its text is
        `len(texts)` (`oph_signatures` gives it a row of its own, which is dropped)."""
        codes, breaks = normalise_lines(texts, digits_to_zero=True, inner_newlines=False)
        n = len(texts)
        if not words and not count:
            return cls(*_char_shingles(codes, breaks, n, chars), np.zeros(0, dtype=np.int64))
        is_sep = codes <= 32  # a newline or a space (normalised text holds no other below 48)
        alone = _ideographs(codes)  # Han and kana: each character a word (`text.words`)
        cut = is_sep if alone is None else is_sep | alone  # a word ends after these
        starts_word = np.concatenate(([True], cut[:-1]))
        if alone is not None:
            starts_word |= alone
        w_start = np.flatnonzero(~is_sep & starts_word)
        n_words = np.diff(np.searchsorted(w_start, breaks),
                          prepend=0, append=len(w_start))  # words between the breaks
        if words:
            ends_word = np.concatenate((cut[1:], [True]))
            if alone is not None:
                ends_word |= alone
            w_end = np.flatnonzero(~is_sep & ends_word) + 1
            k = words
            # every k-gram (a word with k - 1 more of its text after it), plus the whole
            # text when it has fewer than k words (from its first word to its last)
            stop = np.cumsum(n_words)  # each text's words end here
            keep = np.ones(len(w_start), dtype=bool)
            for j in range(1, k):
                at = stop - j
                keep[at[at >= stop - n_words]] = False
            short = np.flatnonzero((n_words > 0) & (n_words < k))
            keep[(stop - n_words)[short]] = True
            first = np.flatnonzero(keep)
            last = first + (k - 1)
            if len(short):
                last[np.searchsorted(first, (stop - n_words)[short])] = stop[short] - 1
            doc = np.repeat(np.arange(n, dtype=np.int64), n_words)[first]
            return cls(doc, SpanHasher(codes).spans(w_start[first], w_end[last], SEED),
                       n_words)
        return cls(*_char_shingles(codes, breaks, n, chars), n_words)


def _ideographs(codes: np.ndarray) -> np.ndarray | None:
    """Where the code points are Han or kana characters; None when none is (most texts)."""
    if not len(codes) or codes.max() < IDEOGRAPHIC_RANGES[0][0]:
        return None
    mask = np.zeros(len(codes), dtype=bool)
    for low, high in IDEOGRAPHIC_RANGES:
        mask |= (codes >= low) & (codes <= high)
    return mask if mask.any() else None


def _char_shingles(codes: np.ndarray, breaks: np.ndarray, n: int,
                   q: int) -> tuple[np.ndarray, np.ndarray]:
    """(text, hash) of every window of q characters of the `n` texts (`codes`: one text a
    line; `breaks`: where its newlines are), and of each whole text shorter than q. A window across a break between texts gets
    text `n`. Up to 4 characters (16 bits each, folded) are packed into 64 bits and mixed:
    the packed windows are read from one big-endian copy of the folded characters, a window
    a step of 2 bytes (no span sums, no pass per character of the window)."""
    t_start = np.concatenate(([0], breaks + 1))
    length = np.concatenate((breaks, [len(codes)])) - t_start
    m = max(len(codes) - q + 1, 0)
    doc = np.repeat(np.arange(n, dtype=np.int64), length + 1)[:m]  # a text and its break
    for j in range(q):  # the windows that hold a break
        at = breaks - j
        doc[at[(at >= 0) & (at < m)]] = n
    if not m:
        hashes = np.zeros(0, dtype=np.uint64)
    elif q <= 4:
        folded = np.zeros(m + 3, dtype=">u2")
        folded[: len(codes)] = codes ^ (codes >> np.uint32(16))  # the low 16 bits are kept
        window = np.ndarray((m,), dtype=">u8", buffer=folded, strides=(2,))
        packed = window.astype(np.uint64)
        if q < 4:
            packed >>= np.uint64(16 * (4 - q))
        hashes = mix64(packed, SEED)
    else:
        starts = np.arange(m)
        hashes = SpanHasher(codes).spans(starts, starts + q, SEED)
    short = np.flatnonzero((length > 0) & (length < q))
    if not len(short):
        return doc, hashes
    # each short text hashed whole, from a copy of the short texts alone (a span's hash
    # does not depend on where the span lies)
    pieces = [codes[a : a + k] for a, k in zip(t_start[short].tolist(),
                                                length[short].tolist(), strict=True)]
    ends = np.cumsum(length[short])
    whole = SpanHasher(np.concatenate(pieces)).spans(ends - length[short], ends, SEED)
    return np.concatenate((doc, short)), np.concatenate((hashes, whole))


@dataclass(frozen=True)
class Sketcher:
    """Signatures of a batch of texts."""

    words: int = 0  # word n-grams (posts)
    chars: int = 0  # character n-grams (segments)
    bins: int = 64
    bands: int = 8

    def signatures(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(signatures, words per text)."""
        sh = Shingles.of(texts, words=self.words, chars=self.chars)
        return self._oph(sh, len(texts)), sh.words

    def sketch(self, texts: list[str]) -> np.ndarray:
        """The signatures alone (no word counts)."""
        sh = Shingles.of(texts, words=self.words, chars=self.chars, count=False)
        return self._oph(sh, len(texts))

    def _oph(self, sh: Shingles, n: int) -> np.ndarray:
        # character n-grams across texts belong to a row `n` of their own
        return oph_signatures(sh.doc_of, sh.hashes, n + bool(self.chars), self.bins)[:n]

    def keys(self, sig: np.ndarray) -> np.ndarray:
        return band_keys(sig, self.bands, SEED)


POST_BINS, POST_BANDS = 64, 16  # LSH: 16 bands of 4 rows
SEGMENT_BINS, SEGMENT_BANDS = 32, 6  # 6 bands of 5 rows


def post_sketcher(config: NearDedupPostsConfig) -> Sketcher:
    return Sketcher(words=config.shingle_words, bins=POST_BINS, bands=POST_BANDS)


def segment_sketcher(config: NearDedupSegmentsConfig) -> Sketcher:
    return Sketcher(chars=config.shingle_chars, bins=SEGMENT_BINS, bands=SEGMENT_BANDS)


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the root is the earliest member


@dataclass(frozen=True)
class Verdict:
    """What became of a post that has near-duplicates."""

    keep: bool
    winner: int  # ordinal of the copy kept
    first: int  # ordinal of the cluster's first copy (whose split the kept copy takes)


class PostClusters:
    """Signatures of every post in input order; `decide` clusters them once.

    `add` takes a batch's signatures and lengths (mergeable: add partial results in input
    order). Only the signatures are kept: `bins` × 4 bytes a post.
    """

    def __init__(self, sketcher: Sketcher, threshold: float, keep: str):
        self.sketcher = sketcher
        self.threshold = threshold
        self.policy = keep
        self._sigs: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []

    def add(self, sig: np.ndarray, lengths: np.ndarray) -> None:
        self._sigs.append(sig)
        self._lengths.append(np.asarray(lengths, dtype=np.int64))

    def decide(self, apart: Callable[[int, int], bool] | None = None) -> dict[int, Verdict]:
        """Ordinal -> verdict, for every post in a cluster of two or more. `apart(a, b)`:
        a check of a candidate pair whose signatures agree (True keeps the two apart)."""
        if not self._sigs:
            return {}
        sig = np.concatenate(self._sigs)
        lengths = np.concatenate(self._lengths)
        self._sigs, self._lengths = [sig], [lengths]
        pairs = candidate_pairs(self.sketcher.keys(sig), valid=sig[:, 0] != UINT32_MAX)
        if len(pairs) == 0:
            return {}
        sims = similarity(sig[pairs[:, 0]], sig[pairs[:, 1]])
        uf = _UnionFind(len(sig))
        for a, b in pairs[sims >= self.threshold].tolist():
            if apart is None or not apart(a, b):
                uf.union(a, b)
        members: dict[int, list[int]] = {}
        for i in np.unique(pairs).tolist():
            members.setdefault(uf.find(i), []).append(i)
        verdicts: dict[int, Verdict] = {}
        for first, group in members.items():
            if len(group) < 2:
                continue
            winner = self._winner(sorted(group), lengths)
            for i in group:
                verdicts[i] = Verdict(i == winner, winner, first)
        return verdicts

    def _winner(self, group: list[int], lengths: np.ndarray) -> int:
        if self.policy == "later":
            return group[-1]
        if self.policy == "longer":
            return max(group, key=lambda i: (lengths[i], -i))  # ties: the earlier copy
        return group[0]


def candidate_pairs(keys: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """(earlier, later) ordinal pairs that share an LSH band: each member of a bucket is
    paired with the bucket's previous member (a chain per bucket, so linear in size)."""
    n, bands = keys.shape
    out = []
    ordinals = np.nonzero(valid)[0]
    for b in range(bands):
        col = keys[ordinals, b]
        order = np.argsort(col, kind="stable")
        sorted_keys = col[order]
        same = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
        if len(same):
            out.append(np.stack((ordinals[order[same]], ordinals[order[same + 1]]), axis=1))
    if not out:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(out)
    code = np.unique(pairs[:, 0] * n + pairs[:, 1])  # the rows sorted, each once
    return np.stack((code // n, code % n), axis=1)


class _Rows:
    """A growing 2-D array (capacity doubles)."""

    def __init__(self, width: int, dtype):
        self.data = np.zeros((1024, width), dtype=dtype)
        self.size = 0

    def extend(self, rows: np.ndarray) -> None:
        need = self.size + len(rows)
        if need > len(self.data):
            grown = np.zeros((max(need, 2 * len(self.data)), self.data.shape[1]), self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : need] = rows
        self.size = need


class SegmentIndex:
    """The kept segments so far, in input order; `check` a batch of segment texts (or
    `sketch` them anywhere and `admit` the sketches in order).

    A segment is a near-duplicate when its signature agrees with a kept earlier segment's on at least `threshold` of the bins; it
    is then dropped and not indexed (it points at the earliest kept segment it matches),
    otherwise it is kept and indexed. Decisions follow input order exactly, however the
    segments are batched. A candidate whose signature agrees is verified on the two texts
    (`filters.polarity`: opposite statements are not near-duplicates). Memory: `bands` × 12 +
    `bins` + 16 bytes a kept segment (the low byte of each bin is enough to compare
    signatures), and its text's UTF-8 bytes.
    """

    def __init__(self, sketcher: Sketcher, threshold: float, per_key: int = 16):
        self.sketcher = sketcher
        self.threshold = threshold
        self.index = KeyIndex(per_key)
        self._sigs = _Rows(sketcher.bins, np.uint8)
        self._tags = _Rows(1, np.int64)
        self.texts = TextStore()  # of the kept segments: candidate pairs are verified on them
        self.tokens = TokenCache(self.texts.get)  # of the kept segments that were candidates

    def __len__(self) -> int:
        return self._sigs.size

    def sketch(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows with a shingle, their band keys, the low byte of their bins): a pure
        function of the texts, computed wherever they are."""
        if not texts:
            return (np.zeros(0, dtype=np.int64), np.zeros((0, self.sketcher.bands), np.uint64),
                    np.zeros((0, self.sketcher.bins), np.uint8))
        sig = self.sketcher.sketch(texts)
        rows = np.flatnonzero(sig[:, 0] != UINT32_MAX)
        return (rows, self.sketcher.keys(sig[rows]),
                (sig[rows] & np.uint32(0xFF)).astype(np.uint8))

    def check(self, texts: list[str], tags: np.ndarray) -> np.ndarray:
        """For each text: the tag of the kept segment it near-duplicates, or -1. The texts
        kept are indexed under their tags."""
        result = np.full(len(texts), -1, dtype=np.int64)
        rows, keys, small = self.sketch(texts)
        result[rows] = self.admit(keys, small, np.asarray(tags, dtype=np.int64)[rows],
                                  [texts[r] for r in rows.tolist()])
        return result

    def admit(self, keys: np.ndarray, small: np.ndarray, tags: np.ndarray,
              texts: list[str]) -> np.ndarray:
        """The ordered pass over sketched segments in input order: for each, the tag of the
        kept segment it near-duplicates, or -1 (it is kept and indexed under its tag). A
        candidate whose signature agrees is verified on the two texts: opposite statements
        (`filters.polarity`) are not near-duplicates."""
        n = len(keys)
        if not n:
            return np.zeros(0, dtype=np.int64)
        bands = self.sketcher.bands
        match = np.full(n, -1, dtype=np.int64)  # ordinal in the index
        query, found = self.index.lookup(keys.ravel())
        held = np.bincount(query, minlength=keys.size).reshape(keys.shape)  # values per key
        query //= bands
        ok = agree(take_rows(small, query), take_rows(self._sigs.data, found), self.threshold)
        check = np.flatnonzero(ok)
        # the batch's own candidate pairs (rows sharing a band key), whatever the index
        # finds: every text a batch needs checked is tokenised at once
        pairs = bucket_pairs(keys)
        agreeing = agree(take_rows(small, pairs[0]), take_rows(small, pairs[1]),
                         self.threshold)
        batch_tokens = TokenCache(texts.__getitem__)
        tokenise((batch_tokens, query[check]), (self.tokens, found[check]),
                 (batch_tokens, pairs[0][agreeing]), (batch_tokens, pairs[1][agreeing]))
        if len(check):
            ok[check] = ~opposed_pairs(query[check], found[check], batch_tokens, self.tokens)
            best = np.full(n, np.iinfo(np.int64).max)
            np.minimum.at(best, query[ok], found[ok].astype(np.int64))
            match = np.where(best < np.iinfo(np.int64).max, best, -1)
        kept = self._within_batch(keys, pairs, agreeing, match, held, batch_tokens)
        ordinals = np.full(n, -1, dtype=np.int64)
        ordinals[kept] = len(self) + np.arange(len(kept))
        local = match <= -2
        match[local] = ordinals[-2 - match[local]]
        self.index.add(keys[kept].ravel(), np.repeat(ordinals[kept], bands), held[kept].ravel())
        self._sigs.extend(small[kept])
        self._tags.extend(np.asarray(tags, dtype=np.int64)[kept][:, None])
        self.texts.extend(list(map(texts.__getitem__, kept.tolist())))
        out = np.full(n, -1, dtype=np.int64)
        dup = match >= 0
        out[dup] = self._tags.data[match[dup], 0]
        return out

    def _within_batch(self, keys, pairs, agreeing, match, held,
                      tokens: TokenCache) -> np.ndarray:
        """Rows of the batch kept, in order: those matched neither by the index nor by an
        earlier kept row of the batch (`pairs`: the batch's rows sharing a band key, and
        whose signatures agree). A batch row `a` matched sets `match` to `-2 - a`
        (`check` turns it into `a`'s ordinal). Follows `KeyIndex`'s cap on values per key
        exactly, so that decisions do not depend on how segments were batched."""
        pending = match < 0
        a, b, band = pairs
        among = pending[a] & pending[b]  # pairs of rows the index did not match
        pending = np.flatnonzero(pending)
        if not among.any():
            return pending
        involved = np.unique(np.concatenate((a[among], b[among])))  # sharing a key
        sel = among & agreeing
        a, b, band = a[sel], b[sel], band[sel]
        ok = ~opposed_pairs(a, b, tokens, tokens)
        a, b, band = a[ok], b[ok], band[ok]
        if not len(a):
            return pending
        later = later_copies(keys, held, involved, a, b, band, self.index.per_key)
        if not later:
            return pending
        dropped = np.fromiter(later, dtype=np.int64, count=len(later))
        match[dropped] = -2 - np.fromiter(later.values(), dtype=np.int64, count=len(later))
        return pending[match[pending] == -1]


def later_copies(keys: np.ndarray, held: np.ndarray, involved: np.ndarray, a: np.ndarray,
                 b: np.ndarray, band: np.ndarray, per_key: int) -> dict[int, int]:
    """The batch's rows dropped as near-duplicates of earlier rows of the batch: row -> the
    earliest kept row it matches. `involved`: the pending rows (ascending) that share a band
    key with another pending row; their entries go into the index row by row (a row's bands
    in order), a key taking at most `per_key` values (`held`: how many it holds already).
    `(a, b, band)`: the pairs whose signatures agree and that are not opposed; `b` matches
    `a` when `a` is kept and its entry for `band` went in.

    An entry of a kept row goes in when fewer than `per_key` values of its key are held
    before it: the index's, and those of the entries before it whose rows are kept. Each
    entry's place if no row were dropped is counted at once (`held` + its rank among the
    entries of its key); only a place at or past `per_key` is corrected for the rows dropped
    before it (few: dropping needs an earlier copy). So the rows with an earlier copy are the
    only ones visited one by one."""
    bands = keys.shape[1]
    flat = keys[involved].ravel()
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    rank = np.empty(len(flat), dtype=np.int64)
    rank[order] = np.arange(len(flat)) - np.repeat(starts, np.diff(np.append(starts, len(flat))))
    place = (held[involved].ravel() + rank).tolist()
    entry = (np.searchsorted(involved, a) * bands + band).tolist()
    earlier: dict[int, list[tuple[int, int]]] = {}
    for x, y, e in zip(a.tolist(), b.tolist(), entry, strict=True):
        earlier.setdefault(y, []).append((x, e))
    found: dict[int, int] = {}
    for row in sorted(earlier):
        hits = [x for x, e in earlier[row]
                if x not in found and (place[e] < per_key
                                       or _place_kept(keys, found, x, e, place[e]) < per_key)]
        if hits:
            found[row] = min(hits)
    return found


def _place_kept(keys: np.ndarray, dropped: dict[int, int], row: int, entry: int,
                place: int) -> int:
    """`place` of the entry `entry` (of `row`) less the entries with its key of the rows
    dropped before `row`."""
    key = keys[row, entry % keys.shape[1]]
    return place - sum(int(np.count_nonzero(keys[d] == key)) for d in dropped if d < row)


def agree(a: np.ndarray, b: np.ndarray, threshold: float) -> np.ndarray:
    """Whether signature rows agree on at least `threshold` of their bins (counted as
    integers: the bins are a power of two, so `count >= threshold * bins` is exact). Rows of
    a multiple of 8 one-byte bins are counted 8 bins at a time (the bytes of the equality
    mask, each 0 or 1, summed as 64-bit words)."""
    width = a.shape[1]
    if a.dtype != np.uint8 or width % 8 or width > 255:
        return np.count_nonzero(a == b, axis=1) >= threshold * width
    words = (a == b).view(np.uint64)
    total = words[:, 0].copy()
    for k in range(1, width // 8):
        total += words[:, k]  # each byte holds at most width / 8: no carry
    with np.errstate(over="ignore"):
        count = (total * np.uint64(0x0101010101010101)) >> np.uint64(56)
    return count >= threshold * width


def take_rows(rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    """`rows[at]` for a C-contiguous 2-D array, a row moved as one item (several times
    faster than numpy's element-wise gather for rows of a few dozen bytes)."""
    rows = np.ascontiguousarray(rows)
    item = np.dtype((np.void, rows.shape[1] * rows.itemsize))
    return rows.view(item).reshape(len(rows))[at].view(rows.dtype).reshape(len(at), rows.shape[1])


def bucket_pairs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (a, b, band) with a < b whose keys agree on that band (in no set order). All
    bands are sorted as one array, and only the keys held more than once are paired."""
    rows, bands = keys.shape
    flat = keys.ravel()  # row * bands + band
    order = np.argsort(flat, kind="stable")  # equal keys: in row order
    col = flat[order]
    same = col[1:] == col[:-1]
    if not same.any():
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    shared = np.concatenate((same, [False]))
    shared[1:] |= same
    order, col = order[shared], col[shared]
    starts = np.flatnonzero(np.concatenate(([True], col[1:] != col[:-1])))
    ends = np.append(starts[1:], len(col))
    after = np.repeat(ends, ends - starts) - np.arange(len(col)) - 1  # later members
    total = int(after.sum())
    pos = np.repeat(np.arange(len(col)), after)
    step = np.arange(total) - np.repeat(np.cumsum(after) - after, after) + 1
    first, second = order[pos], order[pos + step]
    band = first % bands
    same_band = band == second % bands  # (a key is a hash of its band too)
    return first[same_band] // bands, second[same_band] // bands, band[same_band]


def pair_verdicts(sketcher: Sketcher, threshold: float, a: list[str], b: list[str],
                  min_words: int = 0, verify: bool = False,
                  changed_numbers: int = 0) -> np.ndarray:
    """For each pair (a[i], b[i]), both of `min_words` words or more: would one be found a
    near-duplicate of the other? (They share an LSH band, their signatures agree on
    `threshold` of the bins, with `verify` they do not say opposite things, and with
    `changed_numbers` fewer of their numbers were replaced.) For evaluation; the build uses
    `PostClusters` (which checks numbers) and `SegmentIndex` (which verifies), which decide
    the same."""
    sig, _ = sketcher.signatures([*a, *b])
    keys = sketcher.keys(sig)
    n = len(a)
    shared = (keys[:n] == keys[n:]).any(axis=1)
    words = np.array([count_words(t) for t in [*a, *b]])
    valid = (sig[:, 0] != UINT32_MAX) & (words >= min_words)
    found = shared & valid[:n] & valid[n:] & (similarity(sig[:n], sig[n:]) >= threshold)
    if verify:
        check = np.flatnonzero(found)
        found[check] = ~opposed_texts([a[i] for i in check.tolist()],
                                      [b[i] for i in check.tolist()])
    if changed_numbers > 0:
        numbers = PostNumbers()
        numbers.add(*number_hashes([*a, *b]))
        apart = numbers.apart(changed_numbers)
        for i in np.flatnonzero(found).tolist():
            found[i] = not apart(i, n + i)
    return found
