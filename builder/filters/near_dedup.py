"""Near-duplicate removal, two pipeline steps (the algorithms are in `filters/minhash.py`).

- `PostNearDedup` (two passes): signatures of every post first, then clusters of reposts
  (a changed date, a fixed typo, an added emoji or line); posts that report other numbers
  (a daily report's template, `filters/report_numbers.py`) are no reposts. The copy kept is the first, the
  later or the longer one (`near_dedup.posts.keep`); it takes the split of the cluster's
  first copy, so near-duplicates never straddle train and test, and a release that replaces a
  post by its corrected repost keeps it in the same split.
- `SegmentNearDedup` (order-dependent, after exact dedup): a segment of `min_words` words or
  more (counted per script, as the length filters count them) that near-duplicates an earlier
  kept segment is dropped; the first copy is kept. A pair that says opposite things (one
  negation more, `for`/`against`, `виновным`/`невиновным`: `filters/polarity.py`) is not a
  near-duplicate.

Every drop is counted and written to `rejects.jsonl` with `duplicate_of`: the id of the copy
kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter

import numpy as np

from builder.config import NearDedupPostsConfig, NearDedupSegmentsConfig
from builder.filters.minhash import (
    POST_BANDS,
    POST_BINS,
    SEGMENT_BANDS,
    SEGMENT_BINS,
    PostClusters,
    SegmentIndex,
    post_sketcher,
    segment_sketcher,
)
from builder.filters.report_numbers import PostNumbers, number_hashes
from builder.pipeline.step import OrderedStep, TwoPassStep
from builder.records import Doc, Rejected, evolve, make
from builder.text.words import count_words

REASON = "near_duplicate"
_SEGMENT_BITS = 32  # a segment's tag: post number << 32 | segment index
_TEXT, _INDEX = attrgetter("text"), attrgetter("segment_index")


@dataclass(frozen=True)
class _Signatures:
    """What `observe` gives for a batch: positions, post ids, signatures, text lengths."""

    positions: list[int]
    post_ids: list[str]
    sig: np.ndarray
    lengths: list[int]
    numbers: tuple[np.ndarray, np.ndarray]  # each post's numbers (`report_numbers`)


@dataclass(frozen=True)
class _Fate:
    keep: bool
    kept_id: str  # the copy kept
    first_id: str  # the cluster's first copy


class PostNearDedup(TwoPassStep):
    name = "near_duplicate_posts"
    stage = "dedup"

    def __init__(self, config: NearDedupPostsConfig):
        super().__init__()
        self.config = config
        self.clusters = PostClusters(post_sketcher(config), config.threshold, config.keep)
        self.numbers = PostNumbers()
        self.ids: list[str] = []
        self.positions: list[int] = []
        self.fates: dict[int, _Fate] = {}  # post position -> fate, for posts in a cluster
        self.clusters_found = 0  # decided in the driver (not a counter: workers add those)

    def params(self) -> dict:
        return {"shingle_words": self.config.shingle_words, "threshold": self.config.threshold,
                "keep": self.config.keep, "changed_numbers": self.config.changed_numbers,
                "minhash": {"bins": POST_BINS, "bands": POST_BANDS},
                "split": "first copy"}

    def observe(self, batch: list[Doc]) -> _Signatures:
        live = [doc.post for doc in batch if not doc.dropped]
        texts = [p.text for p in live]
        sig = self.clusters.sketcher.sketch(texts)
        numbers = (number_hashes(texts) if self.config.changed_numbers
                   else (np.zeros(0, np.uint32), np.zeros(len(texts), np.int32)))
        return _Signatures([p.position for p in live], [p.post_id for p in live], sig,
                           [len(t) for t in texts], numbers)

    def absorb(self, partial: _Signatures) -> None:
        self.clusters.add(partial.sig, partial.lengths)
        self.numbers.add(*partial.numbers)
        self.ids += partial.post_ids
        self.positions += partial.positions

    def prepare(self) -> None:
        apart = self.numbers.apart(self.config.changed_numbers)
        for ordinal, verdict in self.clusters.decide(apart).items():
            self.fates[self.positions[ordinal]] = _Fate(
                verdict.keep, self.ids[verdict.winner], self.ids[verdict.first])
        self.clusters, self.ids, self.positions = None, [], []
        self.numbers = PostNumbers()
        self.clusters_found = len({f.first_id for f in self.fates.values()})

    def apply(self, doc: Doc) -> Doc:
        fate = self.fates.get(doc.post.position)
        if fate is None:
            return doc
        if not fate.keep:
            self.drops[REASON] += 1
            post = doc.post
            rec = Rejected(self.stage, REASON, post.post_id, post.text, duplicate_of=fate.kept_id)
            return evolve(doc, dropped=True, rejects=(*doc.rejects, rec))
        if fate.first_id != doc.post.post_id:
            self.counts["kept_later_copy"] += 1
            return evolve(doc, split_of=fate.first_id)
        return doc

    def manifest_counts(self) -> dict[str, dict]:
        return {"near_duplicates": {"post_clusters": self.clusters_found,
                                    "posts_dropped": self.drops[REASON],
                                    "later_copies_kept": self.counts["kept_later_copy"]}}

    def card_rows(self) -> list[dict]:
        """Always listed (zeros too), so the step shows in the card's table where it runs."""
        return [{"stage": self.stage, "step": "clusters of near-duplicate posts",
                 "count": self.clusters_found},
                {"stage": self.stage, "step": "dropped: near-duplicate posts",
                 "count": self.drops[REASON]},
                {"stage": self.stage, "step": "near-duplicate posts: a later copy kept",
                 "count": self.counts["kept_later_copy"]}]


@dataclass(frozen=True)
class _Sketches:
    """A chunk's keys for the ordered pass, one row a segment of `min_words` words or more
    with a shingle, in input order: the post it is in (an index into the chunk), its index in
    the post, its band keys and signature bytes; and the ids of the posts with a row."""

    size: int  # posts in the chunk
    doc_of: np.ndarray  # int64, ascending
    indices: np.ndarray  # int64
    keys: np.ndarray
    small: np.ndarray
    post_ids: list[str]  # of each post with a row, in order
    texts: list[str]  # of each row (candidate pairs are verified on them)


class SegmentNearDedup(OrderedStep):
    """Order-dependent: signatures are computed where the posts are (`keys_batch`), the
    index is consulted and grown in input order in the driver (`admit_batch`), and each
    post drops its near-duplicate segments (`settle`)."""

    name = "near_duplicate_segments"
    stage = "dedup"

    def __init__(self, config: NearDedupSegmentsConfig):
        super().__init__()
        self.config = config
        self.index = SegmentIndex(segment_sketcher(config), config.threshold)
        self.post_ids: list[str] = []  # of posts admitted with a segment to check

    def params(self) -> dict:
        return {"shingle_chars": self.config.shingle_chars, "threshold": self.config.threshold,
                "min_words": self.config.min_words, "keep": "first",
                "minhash": {"bins": SEGMENT_BINS, "bands": SEGMENT_BANDS}}

    def keys_batch(self, docs: list[Doc]) -> _Sketches:
        live = [(i, doc.segments) for i, doc in enumerate(docs) if not doc.dropped]
        segments = [seg for _, segs in live for seg in segs]
        owner = np.repeat(np.array([i for i, _ in live], dtype=np.int64),
                          [len(segs) for _, segs in live])
        texts = list(map(_TEXT, segments))
        least = self.config.min_words
        # segments of `least` words or more, counted per script (`text.words`: Chinese has
        # no spaces); spaces first, which cleaning collapsed and a segment has none at its
        # ends (counted by `str.count` over the list: no Python frame a segment)
        enough = np.fromiter(map(str.count, texts, repeat(" ")), dtype=np.int64,
                             count=len(texts)) >= least - 1
        for k in np.flatnonzero(~enough).tolist():
            text = texts[k]
            enough[k] = not text.isascii() and count_words(text) >= least
        chosen = np.flatnonzero(enough).tolist()
        rows, keys, small = self.index.sketch(list(map(texts.__getitem__, chosen)))
        rows = np.asarray(chosen, dtype=np.int64)[rows]  # in order: one run of rows a doc
        doc_of = owner[rows]
        picked = rows.tolist()
        indices = np.fromiter(map(_INDEX, map(segments.__getitem__, picked)), dtype=np.int64,
                              count=len(picked))
        with_rows = np.unique(doc_of).tolist()
        return _Sketches(len(docs), doc_of, indices, keys, small,
                         [docs[i].post.post_id for i in with_rows],
                         list(map(texts.__getitem__, picked)))

    def admit_batch(self, keys: _Sketches) -> list[dict[int, str] | None]:
        """For each post: its near-duplicate segments (index -> id of the copy kept)."""
        answers: list[dict[int, str] | None] = [None] * keys.size
        if not len(keys.doc_of):
            return answers
        first = len(self.post_ids)
        self.post_ids += keys.post_ids
        new_post = np.concatenate(([True], keys.doc_of[1:] != keys.doc_of[:-1]))
        post_no = first - 1 + np.cumsum(new_post)
        found = self.index.admit(keys.keys, keys.small,
                                 (post_no << _SEGMENT_BITS) + keys.indices, keys.texts)
        low = (1 << _SEGMENT_BITS) - 1
        for row in np.flatnonzero(found >= 0).tolist():
            tag = int(found[row])
            n = int(keys.doc_of[row])
            if answers[n] is None:
                answers[n] = {}
            answers[n][int(keys.indices[row])] = (
                f"{self.post_ids[tag >> _SEGMENT_BITS]}:{tag & low}")
        return answers

    def settle(self, doc: Doc, answer: dict[int, str]) -> Doc:
        kept, rejects = [], list(doc.rejects)
        for seg in doc.segments:
            of = answer.get(seg.segment_index)
            if of is None:
                kept.append(seg)
                continue
            self.drops[REASON] += 1
            rejects.append(make(Rejected, stage=self.stage, reason=REASON, id=seg.id,
                                text=seg.text, segment_index=seg.segment_index,
                                duplicate_of=of))
        return evolve(doc, segments=tuple(kept), rejects=tuple(rejects))

    def run(self, batch: list[Doc]) -> list[Doc]:
        answers = self.admit_batch(self.keys_batch(batch))
        return [doc if answer is None else self.settle(doc, answer)
                for doc, answer in zip(batch, answers, strict=True)]

    def manifest_counts(self) -> dict[str, dict]:
        return {"near_duplicates": {"segments_dropped": self.drops[REASON]}}

    def card_rows(self) -> list[dict]:
        return [{"stage": self.stage, "step": "dropped: near-duplicate segments",
                 "count": self.drops[REASON]}]
