"""Packaging: features of each config, streaming Parquet writers per config and split."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from json.encoder import encode_basestring as _json_str  # ensure_ascii=False's
from pathlib import Path

from builder.output.features import Features, List, Translation, Value
from builder.output.layout import REJECTS_FILE, data_path
from builder.output.splits import SPLITS
from builder.records import Post, Rejected, Segment
from builder.step_log import logged_step

log = logging.getLogger(__name__)
ROW_GROUP_ROWS = 20_000


def segments_features() -> Features:
    return Features(
        {
            "id": Value("string"),
            "post_id": Value("string"),
            "segment_index": Value("int32"),
            "text": Value("string"),
            "char_start": Value("int32"),
            "char_end": Value("int32"),
            "lang": Value("string"),
            "lang_score": Value("float32"),
            "channel": Value("string"),
            "date": Value("string"),
            "date_is_local": Value("bool"),
        }
    )


def posts_features() -> Features:
    return Features(
        {
            "post_id": Value("string"),
            "position": Value("int32"),
            "channel": Value("string"),
            "date": Value("string"),
            "date_is_local": Value("bool"),
            "text": Value("string"),
            "hashtags": List(Value("string")),
            "urls": List(Value("string")),
            "reactions": List({"emoji": Value("string"), "count": Value("int32")}),
            "lang": Value("string"),
        }
    )


def pair_features(src: str, tgt: str) -> Features:
    return Features(
        {
            "id": Value("string"),
            "post_id": Value("string"),
            "segment_index": Value("int32"),
            "translation": Translation(languages=[src, tgt]),
            "mt_model": Value("string"),
            "mt_score": Value("float32"),
            "qa_flags": List(Value("string")),
        }
    )


def multiway_features(langs: list[str]) -> Features:
    return Features(
        {
            "id": Value("string"),
            "post_id": Value("string"),
            "segment_index": Value("int32"),
            "translation": Translation(languages=langs),
        }
    )


def aligned_features(src: str, tgt: str) -> Features:
    return Features(
        {
            "id": Value("string"),
            "post_id": Value("string"),
            f"{tgt}_post_id": Value("string"),
            "translation": Translation(languages=[src, tgt]),
            "bead": Value("string"),
            "align_score": Value("float32"),
            "src_segment_indices": List(Value("int32")),
            "tgt_segment_indices": List(Value("int32")),
            "src_char_start": Value("int32"),
            "src_char_end": Value("int32"),
            "tgt_char_start": Value("int32"),
            "tgt_char_end": Value("int32"),
        }
    )


def pair_row(pair, src: str, tgt: str) -> dict:
    return {
        "id": pair.id,
        "post_id": pair.post_id,
        "segment_index": pair.segment_index,
        "translation": {src: pair.source, tgt: pair.target},
        "mt_model": pair.mt_model,
        "mt_score": pair.mt_score,
        "qa_flags": list(pair.qa_flags),
    }


def reject_line(rec: Rejected) -> str:
    """A line of the rejects file: `json.dumps(..., ensure_ascii=False, sort_keys=True)` of
    the record's fields, written directly where all are strings (the usual case)."""
    fields = (rec.duplicate_of, rec.id, rec.reason, rec.stage, rec.text)
    if not all(type(f) is str for f in fields):
        line = {"stage": rec.stage, "reason": rec.reason, "id": rec.id, "text": rec.text}
        if rec.duplicate_of:
            line["duplicate_of"] = rec.duplicate_of
        return json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"
    dup = f'"duplicate_of": {_json_str(rec.duplicate_of)}, ' if rec.duplicate_of else ""
    return (f'{{{dup}"id": {_json_str(rec.id)}, "reason": {_json_str(rec.reason)}, '
            f'"stage": {_json_str(rec.stage)}, "text": {_json_str(rec.text)}}}\n')


def segment_values(seg: Segment) -> tuple:
    """`segment_row`'s values in column order."""
    return (seg.id, seg.post_id, seg.segment_index, seg.text,
            seg.char_start, seg.char_end, seg.lang, seg.lang_score, seg.channel, seg.date,
            seg.date_is_local)


def post_values(post: Post) -> tuple:
    """`post_row`'s values in column order."""
    return (post.post_id, post.position, post.channel, post.date, post.date_is_local, post.text,
            list(post.hashtags), list(post.urls),
            [{"emoji": r.emoji, "count": r.count} for r in post.reactions], post.lang)


def segment_row(seg: Segment) -> dict:
    return dict(zip(_SEGMENT_COLUMNS, segment_values(seg), strict=True))


def post_row(post: Post) -> dict:
    return dict(zip(_POST_COLUMNS, post_values(post), strict=True))


_SEGMENT_COLUMNS = tuple(segments_features())
_POST_COLUMNS = tuple(posts_features())


def arrow_bytes(path: Path) -> int:
    """The Arrow size of a Parquet file's rows, read one row group at a time: what `datasets`
    records as a split's num_bytes (the file's own size is the download size)."""
    import pyarrow.parquet as pq  # noqa: PLC0415

    f = pq.ParquetFile(path)
    return sum(f.read_row_group(i).nbytes for i in range(f.num_row_groups))


@dataclass(frozen=True)
class WrittenFile:
    config: str
    split: str
    path: str  # relative to the dataset root
    rows: int


class _SplitWriter:
    """One split's file: rows buffered column by column (no dict per row kept), or as
    record batches (a worker's finished chunk), written as a row group of `ROW_GROUP_ROWS`."""

    def __init__(self, path: Path, features: Features):
        import pyarrow.parquet as pq  # noqa: PLC0415

        path.parent.mkdir(parents=True, exist_ok=True)
        self.schema = features.arrow_schema
        self.names = tuple(self.schema.names)
        self._writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self._columns: tuple[list, ...] = tuple([] for _ in self.names)
        self._batches: list = []  # record batches before the rows in `_columns`
        self._buffered = 0
        self.rows = 0

    def add(self, row: dict) -> None:
        self.add_values(tuple(map(row.get, self.names)))

    def add_values(self, values: tuple) -> None:
        """A row as its values in column order."""
        for column, value in zip(self._columns, values, strict=True):
            column.append(value)
        self.rows += 1
        self._buffered += 1
        if self._buffered >= ROW_GROUP_ROWS:
            self.flush()

    def add_batch(self, batch) -> None:
        """Rows as a record batch of the file's schema; row groups fall where `add_values`
        puts them."""
        start, size = 0, batch.num_rows
        while start < size:
            n = min(size - start, ROW_GROUP_ROWS - self._buffered)
            self._batches += self._column_batches()
            self._batches.append(batch if n == size else batch.slice(start, n))
            start += n
            self.rows += n
            self._buffered += n
            if self._buffered >= ROW_GROUP_ROWS:
                self.flush()

    def _column_batches(self) -> list:
        """The rows buffered column by column as a record batch (none if there are none)."""
        import pyarrow as pa  # noqa: PLC0415

        if not self._columns[0]:
            return []
        arrays = [pa.array(column, type=field.type)
                  for column, field in zip(self._columns, self.schema, strict=True)]
        self._columns = tuple([] for _ in self.names)
        return [pa.RecordBatch.from_arrays(arrays, schema=self.schema)]

    def flush(self) -> None:
        import pyarrow as pa  # noqa: PLC0415

        if not self._buffered:
            return
        if self._batches:  # one contiguous chunk per column, as from the columns' lists
            batches = self._batches + self._column_batches()
            table = pa.Table.from_batches(batches, schema=self.schema).combine_chunks()
        else:
            table = pa.Table.from_arrays(
                [pa.array(column, type=field.type)
                 for column, field in zip(self._columns, self.schema, strict=True)],
                schema=self.schema)
            self._columns = tuple([] for _ in self.names)
        self._writer.write_table(table)
        self._batches = []
        self._buffered = 0

    def close(self) -> None:
        import pyarrow as pa  # noqa: PLC0415

        self.flush()
        if self.rows == 0:
            self._writer.write_table(pa.Table.from_pylist([], schema=self.schema))
        self._writer.close()


class DatasetWriter:
    """Writes every config's splits as Parquet under `root`, streaming in row groups."""

    def __init__(self, root: Path):
        self.root = root
        self.features: dict[str, Features] = {}
        self._writers: dict[tuple[str, str], _SplitWriter] = {}
        self._rejects = None
        self.rejects_rows = 0

    def add_config(self, name: str, features: Features) -> None:
        self.features[name] = features

    def add(self, config: str, split: str, row: dict) -> None:
        self._writer(config, split).add(row)

    def add_values(self, config: str, split: str, values: tuple) -> None:
        """A row as its values in the config's column order (`segment_values`, `post_values`)."""
        self._writer(config, split).add_values(values)

    def add_batch(self, config: str, batch, splits: list[str]) -> None:
        """A record batch of the config's rows, with each row's split (a split's rows keep
        their order; each split's file is opened where its first row comes, as `add_values`
        would open it)."""
        if not splits:
            return
        names = list(dict.fromkeys(splits))  # in the order their first rows come
        if len(names) == 1:
            self._writer(config, names[0]).add_batch(batch)
            return
        import numpy as np  # noqa: PLC0415

        code = {name: k for k, name in enumerate(names)}
        codes = np.fromiter(map(code.__getitem__, splits), dtype=np.int64, count=len(splits))
        for k, name in enumerate(names):  # a split's rows, in input order, as one batch
            self._writer(config, name).add_batch(batch.take(np.flatnonzero(codes == k)))

    def _writer(self, config: str, split: str) -> _SplitWriter:
        writer = self._writers.get((config, split))
        if writer is None:
            writer = _SplitWriter(self.root / data_path(config, split), self.features[config])
            self._writers[(config, split)] = writer
        return writer

    def move_posts(self, moves: dict[str, tuple[str, str]]) -> None:
        """Move the rows written so far of the posts `post_id -> (from, to)` into their new
        split, in every config; the rows left keep their order (files are rewritten)."""
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.compute as pc  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415

        if not moves:
            return
        for (config, split), writer in list(self._writers.items()):
            ids = [pid for pid, (src, _) in moves.items() if src == split]
            if not ids or "post_id" not in self.features[config]:
                continue
            writer.flush()
            writer._writer.close()
            table = pq.ParquetFile(self.root / data_path(config, split)).read()  # (not
            # read_table: it imports pyarrow.dataset, and that pandas)
            leaving = pc.is_in(table.column("post_id"), value_set=pa.array(ids, pa.string()))
            staying = table.filter(pc.invert(leaving)).to_pylist()
            del self._writers[(config, split)]
            (self.root / data_path(config, split)).unlink()
            for row in staying:  # a split left with no rows gets no file
                self.add(config, split, row)
            for row in table.filter(leaving).to_pylist():
                self.add(config, moves[row["post_id"]][1], row)

    def reject(self, rec: Rejected) -> None:
        if self._rejects is None:
            self._rejects = (self.root / REJECTS_FILE).open("w", encoding="utf-8", newline="\n")
        self._rejects.write(reject_line(rec))
        self.rejects_rows += 1

    def reject_lines(self, lines: str, rows: int) -> None:
        """Lines of the rejects file already encoded (`reject_line`), `rows` of them."""
        if self._rejects is None:
            self._rejects = (self.root / REJECTS_FILE).open("w", encoding="utf-8", newline="\n")
        self._rejects.write(lines)
        self.rejects_rows += rows

    def close(self) -> list[WrittenFile]:
        """Finish every file. A split with no rows gets no file, and a config with no rows
        none at all: `datasets` cannot load an empty split."""
        files = []
        with logged_step(log, "write parquet") as counts:
            for config in self.features:
                for split in SPLITS:
                    writer = self._writers.get((config, split))
                    if writer is None:
                        continue
                    writer.close()
                    files.append(WrittenFile(config, split, data_path(config, split), writer.rows))
            counts.update(files=len(files), rows=sum(f.rows for f in files))
        if self._rejects is None:
            (self.root / REJECTS_FILE).write_text("", encoding="utf-8")
        else:
            self._rejects.close()
        return files

    def abort(self) -> None:
        for writer in self._writers.values():
            try:
                writer._writer.close()
            except Exception:  # noqa: BLE001 - best effort while failing anyway
                pass
        if self._rejects is not None:
            self._rejects.close()
