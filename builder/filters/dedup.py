"""Order-dependent deduplication: exact segment text (normalised) and post ids; the first
occurrence in input order wins."""

from __future__ import annotations

import hashlib
import unicodedata

from builder.pipeline.step import BatchStep
from builder.records import Doc

NORMALISATION = "nfkc-casefold-ws"  # what `normalise` does, as the manifest names it


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


class ExactDedupStep(BatchStep):
    """Drops a segment whose normalised text an earlier segment had (order-dependent)."""

    name = "exact_dedup"
    stage = "dedup"
    ordered = True

    def __init__(self) -> None:
        super().__init__()
        self.seen = ExactDedup()

    def params(self) -> dict:
        return {"normalise": NORMALISATION}

    def apply(self, doc: Doc) -> Doc:
        return self.drop_segments(
            doc, [None if self.seen.is_new(s.text) else "duplicate" for s in doc.segments])


class UniquePostIds(BatchStep):
    """Drops a post whose id an earlier post had (order-dependent: the first one wins)."""

    name = "unique_post_id"
    stage = "clean"
    ordered = True

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def apply(self, doc: Doc) -> Doc:
        post_id = doc.post.post_id
        if post_id in self.seen:
            return self.drop_post(doc, "duplicate_post")
        self.seen.add(post_id)
        return doc
