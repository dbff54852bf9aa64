"""Which rows of a large config the report shows: the lowest-scoring rows plus a
pseudo-random set chosen by a hash of the id, so the same build always gives the same page."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from builder.output.histograms import iter_batches

LOWEST = 2_000
RANDOM = 2_000


def id_key(row_id: str) -> bytes:
    """The order of the "random" part: a hash of the id, stable across runs and releases."""
    return hashlib.blake2b(row_id.encode("utf-8"), digest_size=8).digest()


def _hashes(ids) -> object:
    import numpy as np  # noqa: PLC0415

    return np.fromiter((int.from_bytes(id_key(i), "big") for i in ids), dtype=np.uint64,
                       count=len(ids))


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


def choose_by_hash(hashes, scores, lowest: int = LOWEST, random: int = RANDOM) -> Sample:
    """All rows when there are at most `lowest + random`; else the `lowest` rows with the
    smallest score (missing scores count as lowest; ties by id hash) and `random` of the
    others, those whose id hashes smallest. `hashes`: uint64 per row; `scores`: floats or None."""
    import numpy as np  # noqa: PLC0415

    n = len(hashes)
    if n <= lowest + random:
        return Sample(tuple(range(n)), n, 0, 0)
    low = np.empty(0, dtype=np.int64)
    if scores is not None and lowest:
        values = np.asarray(scores, dtype=np.float64)
        values = np.where(np.isnan(values), -np.inf, values)
        low = np.lexsort((hashes, values))[:lowest]
    rest = np.ones(n, dtype=bool)
    rest[low] = False
    rest = np.flatnonzero(rest)
    by_hash = rest[np.argsort(hashes[rest], kind="stable")[: random + lowest - len(low)]]
    indices = np.sort(np.concatenate([low, by_hash]))
    return Sample(tuple(int(i) for i in indices), n, len(low), len(by_hash))


def choose(ids: list[str], scores: list[float | None] | None, lowest: int = LOWEST,
           random: int = RANDOM) -> Sample:
    """`choose_by_hash` for a list of ids."""
    import numpy as np  # noqa: PLC0415

    values = None if scores is None else np.array(scores, dtype=np.float64)
    return choose_by_hash(_hashes(ids), values, lowest, random)


def sample_config(root: Path, paths: list[str], score: str | None) -> Sample:
    """Choose the rows of one config, reading only ids and scores, batch by batch."""
    import numpy as np  # noqa: PLC0415

    hashes, scores = [], []
    for batch in iter_batches(root, paths, ["id"] + ([score] if score else [])):
        hashes.append(_hashes(batch.column("id").to_pylist()))
        if score:
            scores.append(batch.column(score).to_numpy(zero_copy_only=False))
    if not hashes:
        return Sample((), 0, 0, 0)
    return choose_by_hash(np.concatenate(hashes), np.concatenate(scores) if score else None)


def take_rows(root: Path, paths: list[str], indices: tuple[int, ...]) -> Iterator[tuple[str, dict]]:
    """(file path, row) for the rows at `indices` (sorted), reading batch by batch so a large
    config is never in memory at once."""
    import pyarrow as pa  # noqa: PLC0415

    wanted = iter(indices)
    nxt = next(wanted, None)
    offset = 0
    for rel in sorted(paths):
        for batch in iter_batches(root, [rel], None):
            if nxt is None:
                return
            end = offset + batch.num_rows
            local = []
            while nxt is not None and nxt < end:
                local.append(nxt - offset)
                nxt = next(wanted, None)
            if local:
                for row in batch.take(pa.array(local)).to_pylist():
                    yield rel, row
            offset = end
