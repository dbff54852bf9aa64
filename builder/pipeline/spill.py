"""Kept segments spilled to Parquet in the build's work folder, and read back in chunks.

Translation reads every kept segment, more than once (the cache check, the pairs, the
multiway rows). Holding them in a list made a build's memory grow with its corpus; here
they are written in row groups as they are kept and streamed back, so memory stays flat.
Split moves decided after the last post (`SplitAssigner.balance`) are applied on reading.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (the translation stage is imported where a build translates)
    from builder.mt.stage import SegmentRef

ROWS_PER_GROUP = 50_000
COLUMNS = ("id", "post_id", "segment_index", "text", "split")


class SegmentSpill:
    def __init__(self, path: Path, rows_per_group: int = ROWS_PER_GROUP):
        self.path = path
        self.rows_per_group = rows_per_group
        self.moves: dict[str, str] = {}  # post_id -> the split it moved to
        self.rows = 0
        self._buffer: dict[str, list] = {c: [] for c in COLUMNS}
        self._writer = None

    def _schema(self):
        import pyarrow as pa  # noqa: PLC0415

        return pa.schema([("id", pa.string()), ("post_id", pa.string()),
                          ("segment_index", pa.int32()), ("text", pa.string()),
                          ("split", pa.string())])

    def add(self, ref: SegmentRef) -> None:
        buf = self._buffer
        buf["id"].append(ref.id)
        buf["post_id"].append(ref.post_id)
        buf["segment_index"].append(ref.segment_index)
        buf["text"].append(ref.text)
        buf["split"].append(ref.split)
        self.rows += 1
        if len(buf["id"]) >= self.rows_per_group:
            self._flush()

    def add_batch(self, batch, splits: list[str]) -> None:
        """A record batch of `segments` rows (id, post_id, segment_index, text), with the
        split of each row."""
        from builder.mt.stage import SegmentRef  # noqa: PLC0415

        columns = [batch.column(name).to_pylist()
                   for name in ("id", "post_id", "segment_index", "text")]
        for (seg_id, post_id, index, text), split in zip(zip(*columns, strict=True), splits, strict=True):
            self.add(SegmentRef(seg_id, post_id, index, text, split))

    def _flush(self) -> None:
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415

        if not self._buffer["id"]:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # uncompressed: written once, read a few times, deleted before the build ends
            self._writer = pq.ParquetWriter(self.path, self._schema(), compression="none")
        self._writer.write_table(pa.table(self._buffer, schema=self._schema()))
        self._buffer = {c: [] for c in COLUMNS}

    def finish(self) -> None:
        """No more segments: write what is buffered and close the file."""
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def chunks(self) -> Iterator[list[SegmentRef]]:
        """The kept segments in input order, one row group at a time (moves applied)."""
        import pyarrow.parquet as pq  # noqa: PLC0415

        from builder.mt.stage import SegmentRef  # noqa: PLC0415

        self.finish()
        if self.rows == 0:
            return
        moves = self.moves
        parquet = pq.ParquetFile(self.path)
        for group in range(parquet.num_row_groups):
            columns = parquet.read_row_group(group).to_pydict()
            yield [SegmentRef(i, p, k, t, moves.get(p, s)) for i, p, k, t, s in zip(
                columns["id"], columns["post_id"], columns["segment_index"], columns["text"],
                columns["split"], strict=True)]

    def __iter__(self) -> Iterator[SegmentRef]:
        for chunk in self.chunks():
            yield from chunk

    def __len__(self) -> int:
        return self.rows

    def abort(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001 - best effort while failing anyway
                pass
            self._writer = None
