"""Exact deduplication of segments across the corpus: the first occurrence in input order wins."""

from __future__ import annotations

import hashlib
import unicodedata


def normalise(text: str) -> str:
    """The dedup key's text: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class ExactDedup:
    """Keeps 8-byte digests of the normalised texts seen (about 70 bytes a segment in memory)."""

    name = "exact_dedup"

    def __init__(self) -> None:
        self._seen: set[bytes] = set()

    def is_new(self, text: str) -> bool:
        key = hashlib.blake2b(normalise(text).encode("utf-8"), digest_size=8).digest()
        if key in self._seen:
            return False
        self._seen.add(key)
        return True
