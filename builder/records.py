"""The record types that flow between stages: one frozen dataclass per stage."""

from __future__ import annotations

import operator
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Reaction:
    emoji: str
    count: int


@dataclass(frozen=True)
class RawPost:
    """A post as a reader found it: raw lines plus whatever metadata the format carries."""

    source: str  # input file name (no directory)
    position: int  # order in the whole input, from 0
    lines: tuple[str, ...]
    message_id: str | None = None
    channel: str | None = None
    date: str | None = None  # ISO-8601: UTC (`Z`), or local time when `date_is_local`
    date_is_local: bool = False  # the source gave no time zone
    reactions: tuple[Reaction, ...] = ()
    hashtags: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    format: str = ""  # the reader's format name (cleaning rules may depend on it)


@dataclass(frozen=True)
class Post:
    """A cleaned post: `text` is its kept lines joined by newlines."""

    post_id: str
    position: int
    channel: str
    date: str | None
    text: str
    hashtags: tuple[str, ...]
    urls: tuple[str, ...]
    reactions: tuple[Reaction, ...]
    lang: str = ""
    lang_score: float = 0.0
    date_is_local: bool = False


@dataclass(frozen=True)
class Segment:
    """A sentence of a post, with character offsets into the post's cleaned text."""

    post_id: str
    segment_index: int
    text: str
    char_start: int
    char_end: int
    channel: str
    date: str | None
    lang: str = ""
    lang_score: float = 0.0
    date_is_local: bool = False

    @property
    def id(self) -> str:
        return f"{self.post_id}:{self.segment_index}"


@dataclass(frozen=True)
class Rejected:
    """A record a step dropped, with the reason (written to the rejects file)."""

    stage: str
    reason: str
    id: str
    text: str
    segment_index: int = -1  # the dropped segment's place in its post; -1: the whole post
    duplicate_of: str = ""  # a near-duplicate's kept copy (post or segment id)


@dataclass(frozen=True)
class Doc:
    """One post on its way through the per-post steps of the pipeline (`builder/pipeline`).

    `raw` until cleaning made `post`; `sentences` are every segment the segmenter cut (what
    alignment reads; kept only when a build aligns), `segments` those still kept; `rejects` what steps dropped, post or
    segments; `dropped` once a step dropped the whole post (later steps pass it through).
    """

    raw: RawPost | None
    post: Post | None = None
    lines: tuple[str, ...] = ()  # the raw lines, kept only where alignment needs them
    sentences: tuple[Segment, ...] = ()
    segments: tuple[Segment, ...] = ()
    rejects: tuple[Rejected, ...] = ()
    dropped: bool = False
    split_of: str = ""  # the post whose split this one takes (a near-duplicate's first copy)


_new = object.__new__


def evolve(record, **changes):
    """A copy of a frozen record with `changes` (`dataclasses.replace` without re-running
    `__init__`: the per-post steps make millions of these, so no global name is looked up)."""
    new = _new(record.__class__)
    state = new.__dict__
    state.update(record.__dict__)
    state.update(changes)
    return new


def make(cls, **values):
    """What `cls(**values)` makes (defaults filled in), without running the frozen
    `__init__` (a setattr per field): for the records made once per post or segment."""
    new = _new(cls)
    state = new.__dict__
    state.update(cls._DEFAULTS)
    state.update(values)
    return new


def _rebuild(cls, values: tuple):
    record = object.__new__(cls)
    record.__dict__.update(zip(cls._FIELDS, values, strict=True))
    return record


def _compact_pickle(cls):
    """Pickle a record as its class and a tuple of its field values (smaller and faster to
    load than a dict per record: finished posts cross process boundaries in chunks)."""
    cls._FIELDS = tuple(f.name for f in fields(cls))
    # every field in order (`make` overwrites the required ones, marked MISSING here)
    cls._DEFAULTS = {f.name: f.default for f in fields(cls)}
    values = operator.itemgetter(*cls._FIELDS)  # the field values as a tuple, in C
    cls.__reduce__ = lambda self: (_rebuild, (cls, values(self.__dict__)))
    return cls


for _cls in (Reaction, RawPost, Post, Segment, Rejected, Doc):
    _compact_pickle(_cls)
