"""A worker's finished chunk in compact form: the rows it hands the driver to write.

A worker process turns the posts it finished into Arrow record batches of the `posts` and
`segments` rows, the rejects file's lines (already encoded) and the few values per kept post
that the driver's ordered work reads (post id, the post whose split it takes, its text only
where the split assigner reads texts). The driver then unpickles a few buffers instead of
every record object, assigns splits in input order and writes (`Corpus.add_chunk`, which
writes what `Corpus.add_doc` writes for the same posts: tested).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from builder.output.parquet import (
    post_row,
    post_values,
    posts_features,
    reject_line,
    segment_row,
    segment_values,
    segments_features,
)
from builder.output.splits import hash_position
from builder.pipeline.step import rejects_in_order
from builder.records import Doc, Post

# Metadata of the kept posts, counted in the manifest and the card (key: card wording).
METADATA_COUNTS = {
    "dates_utc": "dates in UTC",
    "dates_local": "dates marked local (no time zone in the source)",
    "dates_missing": "posts without a date",
    "reactions": "reactions read",
    "posts_with_reactions": "posts with reactions",
}


def metadata_counts(post: Post) -> dict[str, int]:
    date = "dates_local" if post.date_is_local else "dates_utc" if post.date else "dates_missing"
    return {date: 1, "reactions": len(post.reactions), "posts_with_reactions": int(bool(post.reactions))}


@dataclass(frozen=True)
class FinishedChunk:
    """Every post of a chunk, finished: what the driver writes, in input order."""

    posts_read: int
    rejects: str  # the rejects file's lines of the chunk, in order
    rejects_rows: int
    post_ids: list[str]  # the kept posts
    same_as: list[str]  # per kept post: the post whose split it takes ("" if none)
    positions: list[float] | None  # per kept post: `hash_position` of its split's post
    texts: list[str] | None  # per kept post, only where the split assigner reads texts
    segment_counts: list[int]  # kept segments per kept post
    posts: object  # pyarrow RecordBatch of the `posts` rows
    segments: object  # pyarrow RecordBatch of the `segments` rows
    post_langs: Counter
    metadata: Counter
    example_post: dict | None  # the chunk's first kept post as a row
    example_segment: dict | None  # the first kept segment of the chunk as a row
    align_posts: list | None  # per kept post its `AlignPost` (split unset), where the build aligns


@dataclass(frozen=True)
class Finisher:
    """Makes a `FinishedChunk` of a chunk's `Doc`s, on the worker that finished them."""

    texts: bool = False  # the split assigner reads post texts (a previous release)
    align: bool = False  # the build aligns: keep an `AlignPost` per kept post
    salt: str | None = None  # the splits' salt: each kept post's `hash_position` made here

    def __call__(self, docs: list[Doc]) -> FinishedChunk:
        import pyarrow as pa  # noqa: PLC0415

        rejects: list[str] = []
        post_rows: list[tuple] = []
        segment_rows: list[tuple] = []
        ids, same_as, texts, counts = [], [], [], []
        langs: Counter = Counter()
        metadata: Counter = Counter()
        example_post = example_segment = None
        align = [] if self.align else None
        for doc in docs:
            if doc.rejects:
                rejects += map(reject_line, rejects_in_order(doc))
            if doc.dropped:
                continue
            post = doc.post
            ids.append(post.post_id)
            same_as.append(doc.split_of)
            texts.append(post.text)
            counts.append(len(doc.segments))
            if doc.segments and example_segment is None:
                example_segment = segment_row(doc.segments[0])
            segment_rows += map(segment_values, doc.segments)
            post_rows.append(post_values(post))
            if example_post is None:
                example_post = post_row(post)
            langs[post.lang] += 1
            metadata.update(metadata_counts(post))
            if align is not None:
                from builder.align.posts import AlignPost  # noqa: PLC0415

                align.append(AlignPost.of(post, doc.lines, doc.sentences))
        positions = None
        if self.salt is not None:
            salt = self.salt
            positions = [hash_position(same or post_id, salt)
                         for post_id, same in zip(ids, same_as, strict=True)]
        return FinishedChunk(
            len(docs), "".join(rejects), len(rejects), ids, same_as, positions,
            texts if self.texts else None, counts,
            _batch(pa, _schema("posts"), post_rows), _batch(pa, _schema("segments"), segment_rows),
            langs, metadata, example_post, example_segment, align)


@functools.cache
def _schema(config: str):
    return (posts_features() if config == "posts" else segments_features()).arrow_schema


def _batch(pa, schema, rows: list[tuple]):
    """Rows (tuples in column order) as a record batch of `schema`."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = [pa.array(column, type=field.type) for column, field in zip(columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
