"""Which rows of a large config the report shows: the lowest-scoring rows plus a
pseudo-random set chosen by a hash of the id, so the same build always gives the same page."""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from builder.errors import InputError
from builder.output.histograms import read_columns

LOWEST = 2_000
RANDOM = 2_000
BATCH_ROWS = 65_536


def id_key(row_id: str) -> bytes:
    """The order of the "random" part: a hash of the id, stable across runs and releases."""
    return hashlib.blake2b(row_id.encode("utf-8"), digest_size=8).digest()


@dataclass(frozen=True)
class Sample:
    """The chosen rows of one config: `indices` into the concatenation of its files (sorted
    by path), how many rows it has, and how they were chosen."""

    indices: tuple[int, ...]
    total: int
    lowest: int  # rows taken as the lowest-scoring
    random: int  # rows taken by id hash

    @property
    def sampled(self) -> bool:
        return len(self.indices) < self.total


def choose(ids: list[str], scores: list[float] | None, lowest: int = LOWEST,
           random: int = RANDOM) -> Sample:
    """All rows when there are at most `lowest + random`; else the `lowest` rows with the
    smallest score (ties by id; missing scores count as lowest) and `random` of the others,
    those whose id hashes smallest."""
    n = len(ids)
    if n <= lowest + random:
        return Sample(tuple(range(n)), n, 0, 0)
    low: list[int] = []
    if scores is not None and lowest:
        def score_key(i: int) -> tuple[float, str]:
            s = scores[i]
            return (float("-inf") if s is None or s != s else s, ids[i])

        low = heapq.nsmallest(lowest, range(n), key=score_key)
    taken = set(low)
    rest = (i for i in range(n) if i not in taken)
    rnd = heapq.nsmallest(random + (lowest - len(low)), rest, key=lambda i: id_key(ids[i]))
    return Sample(tuple(sorted(taken | set(rnd))), n, len(low), len(rnd))


def sample_config(root: Path, paths: list[str], score: str | None) -> Sample:
    columns = ["id"] + ([score] if score else [])
    table = read_columns(root, paths, columns)
    ids = table["id"].to_pylist()
    scores = table[score].to_pylist() if score else None
    return choose(ids, scores)


def take_rows(root: Path, paths: list[str], indices: tuple[int, ...]) -> Iterator[tuple[str, dict]]:
    """(file path, row) for the rows at `indices` (sorted), reading batch by batch so a large
    config is never in memory at once."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    wanted = iter(indices)
    nxt = next(wanted, None)
    offset = 0
    for rel in sorted(paths):
        if nxt is None:
            return
        try:
            batches = pq.ParquetFile(root / rel).iter_batches(batch_size=BATCH_ROWS)
            for batch in batches:
                end = offset + batch.num_rows
                local = []
                while nxt is not None and nxt < end:
                    local.append(nxt - offset)
                    nxt = next(wanted, None)
                if local:
                    for row in batch.take(pa.array(local)).to_pylist():
                        yield rel, row
                offset = end
        except (OSError, pa.ArrowException) as err:
            raise InputError(f"{root / rel}: cannot read rows: {err}") from err
