"""The step interface: what every entry of the pipeline's one ordered list provides.

A `Step` has a name, a stage, a version, its parameters (these feed the manifest and the
signature), counters, and `run` over a batch of `Doc`s (one per post, in input order). Most
steps are pure functions of each post and may run in any process. A step that must see every
post in input order (first occurrence wins) is an `OrderedStep`: it splits its work into
`keys` (per post, wherever the post is), `admit` (the single ordered pass, in the driver,
over compact keys only) and `settle` (per post again, with the answer). A step that must see
every post before it changes any is a `TwoPassStep` (observe all, then run). A `CorpusStep`
(translation, alignment) runs once over the whole kept corpus after the per-post steps.

`BatchStep` is the base the built-in steps share: it passes dropped posts through, records
drops in the post's `Doc` and counts them.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from builder.records import Doc, Rejected, Segment, evolve

if TYPE_CHECKING:
    from builder.pipeline.corpus import Corpus


@runtime_checkable
class Step(Protocol):
    """A per-post step of the pipeline."""

    name: str
    stage: str
    version: str  # of the library that does the work ("" for the builder's own code)
    ordered: bool  # needs every post in input order (an order-dependent step)
    counts: Counter  # the step's own counters (what it removed, labelled, produced)
    drops: Counter  # drop reason -> records dropped

    def params(self) -> dict: ...

    def describe(self) -> list[dict]: ...

    def run(self, batch: list[Doc]) -> list[Doc]: ...

    def manifest_counts(self) -> dict[str, dict]: ...

    def card_rows(self) -> list[dict]: ...


class CorpusStep(Protocol):
    """A step over the whole kept corpus (translation, alignment), after the per-post steps."""

    name: str
    stage: str
    version: str
    counts: Counter
    drops: Counter

    def params(self) -> dict: ...

    def describe(self) -> list[dict]: ...

    def run(self, corpus: Corpus) -> None: ...

    def manifest_counts(self) -> dict[str, dict]: ...

    def card_rows(self) -> list[dict]: ...


class StepBase:
    """Name, stage, version, params and counters, and how they are reported."""

    name = ""
    stage = ""
    version = ""
    ordered = False
    count_labels: dict[str, str] = {}  # counter -> its label in the card's step table
    preload: tuple[str, ...] = ()  # libraries a worker process should import before it starts

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.drops: Counter = Counter()

    def params(self) -> dict:
        return {}

    def describe(self) -> list[dict]:
        """The step's entries in the manifest's `steps` (and so in the signature)."""
        entry = {"stage": self.stage, "name": self.name, "params": self.params()}
        if self.version:
            entry["version"] = self.version
        if self.ordered:
            entry["ordered"] = True
        return [entry]

    def manifest_counts(self) -> dict[str, dict]:
        """Sections merged into the manifest's `counts` (drops are gathered apart)."""
        return {}

    def card_rows(self) -> list[dict]:
        """The step's rows in the card's step table: its counters, then its drops."""
        rows = [{"stage": self.stage, "step": label, "count": self.counts[key]}
                for key, label in self.count_labels.items()]
        rows += [{"stage": self.stage, "step": f"dropped: {reason}", "count": n}
                 for reason, n in sorted(self.drops.items())]
        return rows


class BatchStep(StepBase):
    """A per-post step: `apply` each live post's `Doc`; dropped posts pass through."""

    def run(self, batch: list[Doc]) -> list[Doc]:
        return [doc if doc.dropped else self.apply(doc) for doc in batch]

    def apply(self, doc: Doc) -> Doc:
        raise NotImplementedError

    def drop_post(self, doc: Doc, reason: str, text: str | None = None) -> Doc:
        """Drop the whole post; the rejects file gets `text` (default: the cleaned text)."""
        self.drops[reason] += 1
        post = doc.post
        rec = Rejected(self.stage, reason, post.post_id, post.text if text is None else text)
        return evolve(doc, dropped=True, rejects=(*doc.rejects, rec))

    def drop_segments(self, doc: Doc, reasons: list[str | None]) -> Doc:
        """Keep the segments whose reason is None; reject the others with theirs."""
        if not any(reasons):
            return doc
        kept, rejects = [], list(doc.rejects)
        for seg, reason in zip(doc.segments, reasons, strict=True):
            if reason is None:
                kept.append(seg)
                continue
            self.drops[reason] += 1
            rejects.append(Rejected(self.stage, reason, seg.id, seg.text, seg.segment_index))
        return evolve(doc, segments=tuple(kept), rejects=tuple(rejects))


class OrderedStep(BatchStep):
    """An order-dependent step: `admit` keeps state across posts and must see every post's
    keys in input order; `keys` and `settle` are per post and run wherever the post is."""

    ordered = True

    def keys(self, doc: Doc):
        """Compact keys of a live post (what `admit` needs, nothing more)."""
        raise NotImplementedError

    def admit(self, keys):
        """The ordered pass: the answer for one post's keys, given every earlier post's."""
        raise NotImplementedError

    def settle(self, doc: Doc, answer) -> Doc:
        """The post with the answer applied (drops recorded and counted here)."""
        raise NotImplementedError

    def keys_batch(self, docs: list[Doc]) -> list:
        """`keys` of each post of a chunk (None for a dropped one); a step may compute them
        for the whole chunk at once."""
        return [None if doc.dropped else self.keys(doc) for doc in docs]

    def admit_batch(self, keys: list) -> list:
        """`admit` for a chunk's keys in input order (None stays None)."""
        return [None if k is None else self.admit(k) for k in keys]

    def apply(self, doc: Doc) -> Doc:
        return self.settle(doc, self.admit(self.keys(doc)))


class TwoPassStep(BatchStep):
    """A step that must see every post before it changes any (a channel-wide line count, the
    clusters of near-duplicate posts). The executor runs the steps before it over all posts
    first; each worker `observe`s the chunks it made and holds them (`pipeline/two_pass.py`),
    the driver `absorb`s the partial results in input order, calls `prepare()` once, and the
    rest of the list, this step first, runs over the chunks held: a prepared step travels to
    the workers with its state. (So `observe` must not change the step, and `prepare` keeps
    what it finds in attributes of its own, not in `counts` or `drops`, which the workers'
    copies report back and the driver adds up.)"""

    two_pass = True

    def observe(self, batch: list[Doc]) -> object:
        raise NotImplementedError

    def absorb(self, partial: object) -> None:
        raise NotImplementedError

    def prepare(self) -> None:
        raise NotImplementedError

    def describe(self) -> list[dict]:
        return [{**entry, "passes": 2} for entry in super().describe()]


class SegmentFilter(Protocol):
    """An OpusFilter-style filter: `score()` measures a segment, `keep()` decides."""

    name: str

    def score(self, seg: Segment) -> object: ...

    def keep(self, score) -> str | None: ...


def rejects_in_order(doc: Doc) -> list[Rejected]:
    """A post's rejects as one pass would meet them: the post, then segment by segment."""
    return sorted(doc.rejects, key=lambda r: r.segment_index)
