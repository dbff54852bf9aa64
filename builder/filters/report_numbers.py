"""Posts that report other numbers are not reposts: the check of a near-duplicate post pair.

Post signatures read every digit run as `0`, so that a repost with a changed date is found.
A daily report (losses, exchange rates, the weather) is the same template with other numbers
every day, and each day's post is a post of its own. A candidate pair of posts (their
signatures agree) is checked on its numbers: the numbers each has more often than the other
(a number: a run of ASCII digits and the separators `.,:/-`, `05.03.2024`, `10:30`, `1,234`) are counted
both ways, and the smaller count is how many numbers were replaced. At `changed` or more the
two posts are kept apart; fewer (a changed date, a date and a time) and they are reposts. A
line added to a repost adds numbers to one side only: no number was replaced.

Each post's numbers are kept as 32-bit hashes (CRC-32 of the number's text) in one flat array
with each post's count: a few bytes a post.
"""

from __future__ import annotations

import zlib
from collections import Counter

import numpy as np

_SEPARATORS = b".,:/-"
# UTF-8 bytes: ASCII digits and the separators stay, every other byte becomes a space
_NUMBER_BYTES = bytes(b if b in b"0123456789" + _SEPARATORS else 0x20 for b in range(256))


def numbers_of(text: str) -> list[bytes]:
    """A text's numbers: the runs of ASCII digits and the separators `.,:/-` between them
    (`05.03.2024`, `10:30`, `1,234`), separators at either end trimmed (one translation of the
    text's bytes and a split: four times cheaper than a regex scan)."""
    runs = text.encode("utf-8", "surrogatepass").translate(_NUMBER_BYTES).split()
    return [n for n in (r.strip(_SEPARATORS) for r in runs) if n]


def number_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every text's numbers as hashes, in one flat array, and how many each text has."""
    flat: list[int] = []
    counts = np.zeros(len(texts), dtype=np.int32)
    for i, text in enumerate(texts):
        found = numbers_of(text)
        counts[i] = len(found)
        flat += map(zlib.crc32, found)
    return np.asarray(flat, dtype=np.uint32), counts


def replaced(a: np.ndarray | list[int], b: np.ndarray | list[int]) -> int:
    """How many numbers of `a` were replaced in `b`: the smaller of the two one-sided
    multiset differences."""
    ca, cb = Counter(list(a)), Counter(list(b))
    return min((ca - cb).total(), (cb - ca).total())


class PostNumbers:
    """The numbers of every post, in input order (`add` batches in order; `of` after)."""

    def __init__(self) -> None:
        self._flat: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []
        self._offsets: np.ndarray | None = None
        self._all: np.ndarray | None = None

    def add(self, flat: np.ndarray, counts: np.ndarray) -> None:
        self._flat.append(flat)
        self._counts.append(counts)
        self._offsets = None

    def of(self, ordinal: int) -> np.ndarray:
        if self._offsets is None:
            counts = np.concatenate(self._counts) if self._counts else np.zeros(0, np.int32)
            self._offsets = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
            self._all = np.concatenate(self._flat) if self._flat else np.zeros(0, np.uint32)
            self._flat, self._counts = [self._all], [counts]
        return self._all[self._offsets[ordinal] : self._offsets[ordinal + 1]]

    def apart(self, changed: int):
        """A test of two ordinals: do their posts report other numbers (`changed` or more
        replaced)? None when the check is off (`changed` 0)."""
        if changed <= 0:
            return None
        return lambda a, b: replaced(self.of(a), self.of(b)) >= changed
