"""Which earlier post an edited post comes from: text similarity (difflib ratio) of cleaned
posts, with candidates found through a sampled word-shingle index so that a large release is
not compared post by post. `diff` and the split assignment pair posts with the same rule."""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from difflib import SequenceMatcher

SIMILAR = 0.6  # difflib ratio at or above which two posts are one post, edited
SHINGLE_WORDS = 3
SAMPLE_EVERY = 4  # an indexed text keeps the shingles whose hash is 0 modulo this
KEEP_ALL_BELOW = 16  # ... unless it has fewer shingles than this: then all of them
CANDIDATES = 8  # texts compared in full per query, most shared shingles first


def similarity(a: str, b: str, at_least: float = SIMILAR) -> float | None:
    """difflib's ratio of a and b when it is at least `at_least` (cheap bounds first)."""
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < at_least or m.quick_ratio() < at_least:
        return None
    ratio = m.ratio()
    return ratio if ratio >= at_least else None


def shingles(text: str) -> set[int]:
    """Stable hashes (crc32, not Python's salted hash) of the text's word 3-grams."""
    words = text.lower().split()
    if len(words) < SHINGLE_WORDS:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {zlib.crc32(" ".join(words[i:i + SHINGLE_WORDS]).encode())
            for i in range(len(words) - SHINGLE_WORDS + 1)}


class EditIndex:
    """Texts under keys; `match(text)` finds the most similar one (at least SIMILAR)."""

    def __init__(self, text_of: Callable[[int], str]):
        self._text_of = text_of  # row -> text, so texts can stay in Arrow, not in Python
        self._rows: dict[int, list[int]] = {}
        self._keys: list[str] = []

    def add(self, key: str, text: str) -> None:
        row = len(self._keys)
        self._keys.append(key)
        found = shingles(text)
        kept = found if len(found) < KEEP_ALL_BELOW else {h for h in found if h % SAMPLE_EVERY == 0}
        for h in kept or found:
            self._rows.setdefault(h, []).append(row)

    def __len__(self) -> int:
        return len(self._keys)

    def candidates(self, text: str) -> list[int]:
        shared: Counter = Counter()
        for h in shingles(text):
            shared.update(self._rows.get(h, ()))
        return [row for row, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES]]

    def match(self, text: str, exclude: set[str] | frozenset = frozenset()) -> tuple[str, float] | None:
        """(key, ratio) of the most similar indexed text; ties go to the earliest added."""
        best: tuple[str, float] | None = None
        for row in sorted(self.candidates(text)):
            key = self._keys[row]
            if key in exclude:
                continue
            ratio = similarity(self._text_of(row), text, best[1] if best else SIMILAR)
            if ratio is not None and (best is None or ratio > best[1]):
                best = (key, ratio)
        return best
