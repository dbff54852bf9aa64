"""Which earlier post an edited post comes from: word-level similarity (difflib ratio) of
cleaned posts, with candidates found through an index of their longer words so that a large release
is not compared post by post. `diff` and the split assignment pair posts with the same rule."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable
from difflib import SequenceMatcher

SIMILAR = 0.6  # word-level difflib ratio at or above which two posts are one post, edited
LONG_WORD = 7  # an indexed text keeps its words of at least this many characters
KEEP_ALL_BELOW = 12  # ... unless it has fewer of them than this: then all its words
CANDIDATES = 4  # texts compared in full per query, most shared words first
POSTINGS = 1024  # index entries a query reads at most (or its rarest word's), rarest words first
SURE = 0.98  # a candidate this similar ends the search


def similarity(a: str, b: str, at_least: float = SIMILAR) -> float | None:
    """difflib's ratio of a's and b's words when it is at least `at_least` (cheap bounds
    first). Words, not characters: on posts of thousands of characters a character-level
    ratio takes seconds per pair, a word-level one milliseconds."""
    m = SequenceMatcher(None, a.split(), b.split(), autojunk=False)
    if m.real_quick_ratio() < at_least or m.quick_ratio() < at_least:
        return None
    ratio = m.ratio()
    return ratio if ratio >= at_least else None


def index_words(text: str) -> set[str]:
    """The words a text is indexed under: its distinct longer words (rarer, so they find
    candidates), or all its distinct words when it has few of those."""
    words = set(text.lower().split())
    long = {w for w in words if len(w) >= LONG_WORD}
    return long if len(long) >= KEEP_ALL_BELOW else words


class EditIndex:
    """Texts under keys; `match(text)` finds the most similar one (at least SIMILAR)."""

    def __init__(self, text_of: Callable[[int], str]):
        self._text_of = text_of  # row -> text, so texts can stay in Arrow, not in Python
        self._rows: dict[str, list[int]] = {}
        self._keys: list[str] = []

    def add(self, key: str, text: str) -> None:
        row = len(self._keys)
        self._keys.append(key)
        for word in index_words(text):
            self._rows.setdefault(word, []).append(row)

    def __len__(self) -> int:
        return len(self._keys)

    def candidates(self, text: str) -> list[int]:
        """The indexed texts sharing most of the query's words (any of its words: an edit
        may have changed the indexed ones), the rarest words read first until `POSTINGS`
        index entries would be passed: an edit keeps most of a post's rarer words, and a
        query reads at most `POSTINGS` entries (or its rarest word's), whatever the release's size (every
        word of every new post read through a 100,000-post release took over 15 minutes)."""
        common = max(64, len(self._keys) // 20)  # words in most texts say nothing
        rows_of = self._rows
        lists = sorted((len(rows), word) for word in set(text.lower().split())
                       if 0 < len(rows := rows_of.get(word, ())) <= common)
        shared: Counter = Counter()
        read = 0
        for size, word in lists:
            if read and read + size > POSTINGS:
                break
            shared.update(rows_of[word])
            read += size
        best = heapq.nsmallest(CANDIDATES, shared.items(), key=lambda kv: (-kv[1], kv[0]))
        return [row for row, _ in best]

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
                if ratio >= SURE:
                    break
        return best
