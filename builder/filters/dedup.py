"""Order-dependent deduplication: exact segment text (normalised) and post ids; the first
occurrence in input order wins."""

from __future__ import annotations

import hashlib
import unicodedata

from builder.pipeline.step import OrderedStep
from builder.records import Doc

NORMALISATION = "nfkc-casefold-ws"  # what `normalise` does, as the manifest names it


def normalise(text: str) -> str:
    """The dedup key's text: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalised_bytes(text: str) -> bytes:
    """`normalise(text)` in UTF-8. Printable ASCII text (no whitespace but the space) with
    no space at either end and no two in a row is its own collapsed form: it is not split
    into words and joined again."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if (folded.isascii() and folded.isprintable() and "  " not in folded
            and folded[:1] != " " and folded[-1:] != " "):
        return folded.encode("ascii")
    return " ".join(folded.split()).encode("utf-8")


class ExactDedup:
    """Keeps 8-byte digests of the normalised texts seen (about 70 bytes a segment in memory)."""

    name = "exact_dedup"

    def __init__(self) -> None:
        self._seen: set[bytes] = set()

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.blake2b(normalised_bytes(text), digest_size=8).digest()

    def admit(self, key: bytes) -> bool:
        """True the first time a key is seen."""
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def admit_all(self, keys: list[bytes]) -> list[bool]:
        """`admit` of each key in order (one comprehension: the ordered pass runs in the
        driver, whose time all workers wait on)."""
        seen, add = self._seen, self._seen.add
        return [key not in seen and not add(key) for key in keys]  # add() is None

    def is_new(self, text: str) -> bool:
        return self.admit(self.key(text))


class ExactDedupStep(OrderedStep):
    """Drops a segment whose normalised text an earlier segment had (order-dependent: the
    keys are 8-byte digests; the seen set lives where the ordered pass runs)."""

    name = "exact_dedup"
    stage = "dedup"

    def __init__(self) -> None:
        super().__init__()
        self.seen = ExactDedup()

    def params(self) -> dict:
        return {"normalise": NORMALISATION}

    def keys(self, doc: Doc) -> list[bytes]:
        return [ExactDedup.key(s.text) for s in doc.segments]

    def admit(self, keys: list[bytes]) -> list[bool]:
        return self.seen.admit_all(keys)

    def admit_batch(self, keys: list) -> list:
        admit_all = self.seen.admit_all
        return [None if k is None else admit_all(k) for k in keys]

    def settle(self, doc: Doc, answer: list[bool]) -> Doc:
        return self.drop_segments(doc, [None if new else "duplicate" for new in answer])


class UniquePostIds(OrderedStep):
    """Drops a post whose id an earlier post had (order-dependent: the first one wins)."""

    name = "unique_post_id"
    stage = "clean"

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def keys(self, doc: Doc) -> str:
        return doc.post.post_id

    def admit(self, post_id: str) -> bool:
        if post_id in self.seen:
            return False
        self.seen.add(post_id)
        return True

    def settle(self, doc: Doc, answer: bool) -> Doc:
        return doc if answer else self.drop_post(doc, "duplicate_post")
