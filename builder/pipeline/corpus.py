"""The kept corpus: finished posts written as dataset rows, in input order, and what the
corpus steps (translation, alignment) read back and add."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from builder.config import BuildConfig
from builder.errors import InputError
from builder.output.layout import WORK_DIR
from builder.output.parquet import (
    DatasetWriter,
    post_row,
    post_values,
    segment_row,
    segment_values,
)
from builder.output.splits import SplitAssigner, with_moves
from builder.pipeline.finished import METADATA_COUNTS, FinishedChunk, Finisher, metadata_counts
from builder.pipeline.spill import SegmentSpill
from builder.pipeline.step import rejects_in_order
from builder.records import Doc, Rejected

if TYPE_CHECKING:  # (translation and alignment are imported where a build does them)
    from builder.align.posts import AlignPost
    from builder.mt.stage import SegmentRef


class Corpus:
    """Receives each finished `Doc` in input order: writes its post and kept segments to
    their split, its rejects to the rejects file, and keeps what corpus steps need."""

    def __init__(self, config: BuildConfig, writer: DatasetWriter, splits: SplitAssigner, *,
                 keep_segments: bool, keep_align_posts: bool, work: Path | None = None):
        self.config = config
        self.writer = writer
        self.splits = splits
        self.counts: Counter = Counter()
        self.post_langs: Counter = Counter()
        self.metadata: Counter = Counter({key: 0 for key in METADATA_COUNTS})
        self.examples: dict[str, dict | None] = {"segments": None, "posts": None}
        # kept segments for translation: spilled to the work folder, not held in memory
        self.kept: SegmentSpill | None = (
            SegmentSpill((work or writer.root / WORK_DIR) / "kept-segments.parquet")
            if keep_segments else None)
        self.align_posts: list[AlignPost] | None = [] if keep_align_posts else None
        if keep_segments:
            from builder.mt.stage import SegmentRef  # noqa: PLC0415

            self._segment_ref = SegmentRef
        if keep_align_posts:
            from builder.align.posts import AlignPost  # noqa: PLC0415

            self._align_post = AlignPost

    def add_doc(self, doc: Doc) -> None:
        self.counts["posts_read"] += 1
        for rec in rejects_in_order(doc):
            self.writer.reject(rec)
        if doc.dropped:
            return
        post = doc.post
        split = self.splits.assign(post.post_id, post.text, same_as=doc.split_of)
        self.post_langs[post.lang] += 1
        add = self.writer.add_values
        if doc.segments and self.examples["segments"] is None:
            self.examples["segments"] = segment_row(doc.segments[0])
        for seg in doc.segments:
            add("segments", split, segment_values(seg))
            if self.kept is not None:
                self.kept.add(self._segment_ref(seg.id, seg.post_id, seg.segment_index,
                                                seg.text, split))
            self.counts["segments_kept"] += 1
        if self.align_posts is not None:
            self.align_posts.append(self._align_post.of(post, doc.lines, doc.sentences, split))
        if self.examples["posts"] is None:
            self.examples["posts"] = post_row(post)
        add("posts", split, post_values(post))
        self.counts["posts_kept"] += 1
        self.metadata.update(metadata_counts(post))

    def finisher(self) -> Finisher:
        """What a worker makes of its finished chunks for `add_chunk`."""
        return Finisher(texts=self.splits.previous is not None,
                        align=self.align_posts is not None, salt=self.splits.config.salt)

    def add(self, finished: list[Doc] | FinishedChunk) -> None:
        """A finished chunk: its `Doc`s (in-process) or a worker's compact form."""
        if isinstance(finished, FinishedChunk):
            self.add_chunk(finished)
        else:
            for doc in finished:
                self.add_doc(doc)

    def add_chunk(self, chunk: FinishedChunk) -> None:
        """What `add_doc` does for each post of the chunk, from its compact form: splits
        assigned in input order, rows routed to their split's file."""
        self.counts["posts_read"] += chunk.posts_read
        if chunk.rejects_rows:
            self.writer.reject_lines(chunk.rejects, chunk.rejects_rows)
        if not chunk.post_ids:
            return
        assign = self.splits.assign
        texts = chunk.texts if chunk.texts is not None else [""] * len(chunk.post_ids)
        positions = (chunk.positions if chunk.positions is not None
                     else [None] * len(chunk.post_ids))
        splits = list(map(assign, chunk.post_ids, texts, chunk.same_as, positions))
        segment_splits = [split for split, n in zip(splits, chunk.segment_counts, strict=True)
                          for _ in range(n)]
        if self.examples["segments"] is None and chunk.example_segment is not None:
            self.examples["segments"] = chunk.example_segment
        if self.examples["posts"] is None:
            self.examples["posts"] = chunk.example_post
        self.writer.add_batch("segments", chunk.segments, segment_splits)
        if self.kept is not None:
            self.kept.add_batch(chunk.segments, segment_splits)
        if self.align_posts is not None:
            for align_post, split in zip(chunk.align_posts, splits, strict=True):
                align_post.split = split
                self.align_posts.append(align_post)
        self.writer.add_batch("posts", chunk.posts, splits)
        self.post_langs.update(chunk.post_langs)
        self.metadata.update(chunk.metadata)
        self.counts["segments_kept"] += len(segment_splits)
        self.counts["posts_kept"] += len(splits)

    def check_kept(self, names: str, drops: dict[str, int]) -> None:
        """A build that keeps no post or no segment is an input error (there is nothing to
        load): one line with how many posts were read and why all were dropped."""
        read, posts = self.counts["posts_read"], self.counts["posts_kept"]
        if read == 0:
            raise InputError(f"{names}: no posts found in the input")
        why = ", ".join(f"{reason} {n}" for reason, n in sorted(drops.items()))
        read_text = f"{read} post{'s' if read != 1 else ''} read"
        if posts == 0:
            raise InputError(f"{names}: {read_text}, all dropped ({why}); nothing to build")
        if self.counts["segments_kept"] == 0:
            raise InputError(f"{names}: {read_text}, {posts} kept, but every segment was dropped "
                             f"({why}); nothing to build")

    def balance_splits(self) -> None:
        """After the last post: fill an empty validation/test split of a small build."""
        moves = self.splits.balance()
        self.writer.move_posts({m.post_id: (m.from_split, m.to_split) for m in moves})
        if self.kept is not None:
            self.kept.moves.update({m.post_id: m.to_split for m in moves})
        if self.align_posts is not None:
            self.align_posts = with_moves(self.align_posts, moves)

    def add_row(self, config: str, split: str, row: dict) -> None:
        self.writer.add(config, split, row)
        if self.examples.get(config) is None:
            self.examples[config] = row

    def reject(self, rec: Rejected) -> None:
        self.writer.reject(rec)

    def kept_chunks(self) -> Iterator[list[SegmentRef]]:
        """The kept segments in input order, in chunks (read back from the spill)."""
        return self.kept.chunks() if self.kept is not None else iter(())

    def kept_segments(self) -> Iterator[SegmentRef]:
        return iter(self.kept) if self.kept is not None else iter(())

    def manifest_counts(self) -> dict[str, dict]:
        return {
            "posts": {"read": self.counts["posts_read"], "kept": self.counts["posts_kept"]},
            "segments": {"kept": self.counts["segments_kept"]},
            "post_languages": dict(sorted(self.post_langs.items())),
            "metadata": dict(self.metadata),
        }

    def metadata_rows(self) -> list[dict]:
        return [{"stage": "read", "step": METADATA_COUNTS[k], "count": c}
                for k, c in self.metadata.items()]

    def card_rows(self) -> list[dict]:
        return [{"stage": "package", "step": "segments kept",
                 "count": self.counts["segments_kept"]}]
