"""The Parquet writer's fast paths give the bytes of the plain ones: column buffers against
`Table.from_pylist` of row dicts, rejects lines against `json.dumps`."""

import json
import random

import pyarrow as pa
import pyarrow.parquet as pq

from builder.output import parquet
from builder.output.parquet import (
    DatasetWriter,
    post_row,
    post_values,
    posts_features,
    reject_line,
    segment_row,
    segment_values,
    segments_features,
)
from builder.records import Post, Reaction, Rejected, Segment

ODD = ["", "a", "é", "\"", "\\", "\n", "\t", "\x00", "\x1f", "\u2028", "\u2029", "🙂", "Ж", "</script>",
       "\ud800"]


def _text(rng):
    return "".join(rng.choice(ODD + ["word", " "]) for _ in range(rng.randint(0, 6)))


def test_reject_lines_equal_json_dumps():
    rng = random.Random(5)
    for _ in range(5000):
        rec = Rejected(_text(rng), _text(rng), _text(rng), _text(rng), rng.randint(-1, 3),
                       rng.choice(["", _text(rng)]))
        line = {"stage": rec.stage, "reason": rec.reason, "id": rec.id, "text": rec.text}
        if rec.duplicate_of:
            line["duplicate_of"] = rec.duplicate_of
        assert reject_line(rec) == json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"


def test_reject_line_of_a_non_string_field_falls_back_to_json():
    rec = Rejected("filter", "too_short", 7, "text")
    assert reject_line(rec) == '{"id": 7, "reason": "too_short", "stage": "filter", "text": "text"}\n'


def _rows(n):
    rng = random.Random(9)
    segs, posts = [], []
    for i in range(n):
        date = rng.choice([None, "2024-01-01T00:00:00Z"])
        segs.append(Segment(f"p{i}", i % 5, _text(rng).replace("\ud800", ""), 0, 9, "c", date,
                            rng.choice(["en", ""]), rng.random(), rng.random() < 0.5))
        posts.append(Post(f"p{i}", i, "c", date, "text", tuple(rng.choice([[], ["a", "b"]])), (),
                          tuple(Reaction("👍", k) for k in range(rng.randint(0, 2))),
                          "en", 0.5, False))
    return segs, posts


def test_values_are_the_rows_in_column_order():
    segs, posts = _rows(50)
    for seg in segs:
        assert tuple(segment_row(seg).values()) == segment_values(seg)
        assert list(segment_row(seg)) == list(segments_features())
    for post in posts:
        assert list(post_row(post)) == list(posts_features())
        assert tuple(post_row(post).values()) == post_values(post)


def test_column_buffers_write_the_bytes_of_from_pylist(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 30)  # several row groups
    segs, posts = _rows(95)
    writer = DatasetWriter(tmp_path / "new")
    writer.add_config("segments", segments_features())
    writer.add_config("posts", posts_features())
    for seg, post in zip(segs, posts, strict=True):
        writer.add_values("segments", "train", segment_values(seg))
        writer.add("posts", "train", post_row(post))  # the dict path
    writer.close()
    for config, rows in (("segments", [segment_row(s) for s in segs]),
                         ("posts", [post_row(p) for p in posts])):
        schema = writer.features[config].arrow_schema
        path = tmp_path / f"old-{config}.parquet"
        with pq.ParquetWriter(path, schema, compression="zstd") as old:
            for i in range(0, len(rows), 30):
                old.write_table(pa.Table.from_pylist(rows[i:i + 30], schema=schema))
        new = tmp_path / "new" / parquet.data_path(config, "train")
        assert new.read_bytes() == path.read_bytes()
