"""Histograms of a built dataset: segment length, language score, `mt_score`, pair length
ratio and `align_score`, binned the same way on every run (the card plots and the report)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from builder.errors import InputError
from builder.output.layout import config_split

TARGET_BINS = 20
CLIP_QUANTILE = 0.99  # longer tails go to one open bin at the right ("≥ x")
UNIT_EDGES = tuple(round(i / TARGET_BINS, 10) for i in range(TARGET_BINS + 1))


@dataclass(frozen=True)
class Metric:
    """One measured column of a config: what it is called and how it is binned."""

    key: str  # file-name part, e.g. "mt_score"
    title: str
    xlabel: str
    unit_range: bool  # scores in [0, 1]: fixed bins of 0.05


@dataclass(frozen=True)
class Histogram:
    config: str
    metric: Metric
    edges: tuple[float, ...]  # len(counts) + 1, or len(counts) with an open last bin
    counts: tuple[int, ...]
    open_last: bool  # the last bin holds everything >= edges[-1]
    total: int
    median: float

    @property
    def name(self) -> str:
        return f"{self.config}-{self.metric.key}"


LENGTH = Metric("length", "Segment length", "characters per segment", False)
LANG_SCORE = Metric("lang_score", "Language score", "lang_score (detector probability)", True)
MT_SCORE = Metric("mt_score", "Translation score", "mt_score (mean token log-probability)", False)
RATIO = Metric("length_ratio", "Length ratio of pairs", "target characters / source characters",
               False)
ALIGN_SCORE = Metric("align_score", "Alignment score", "align_score", True)


def config_files(paths: Iterable[str]) -> dict[str, list[str]]:
    """The `data/<config>/<split>-*.parquet` paths among `paths`, by config."""
    by_config: dict[str, list[str]] = {}
    for path in paths:
        found = config_split(path)
        if found is not None:
            by_config.setdefault(found[0], []).append(path)
    return by_config


def iter_batches(root: Path, paths: list[str], columns: list[str] | None,
                 batch_rows: int = 65_536):
    """Record batches of the named columns (None: all) of every file of one config, files in
    path order, so that a large config is never in memory at once."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    for rel in sorted(paths):
        try:
            batches = pq.ParquetFile(root / rel).iter_batches(batch_size=batch_rows,
                                                               columns=columns)
            yield from batches
        except (OSError, ValueError, KeyError, pa.ArrowException) as err:
            what = f"columns {columns}" if columns else "rows"
            raise InputError(f"{root / rel}: cannot read {what}: {err}") from err


_NUMPY_TYPES = {"int32": "int32", "int64": "int64", "float": "float32", "double": "float64"}


def _numbers(array):
    """An Arrow array of numbers as numpy. One without nulls is its data buffer as is (what
    `to_numpy` gives, without the import of pandas that `to_numpy` costs pyarrow)."""
    import numpy as np  # noqa: PLC0415

    dtype = _NUMPY_TYPES.get(str(array.type))
    if dtype is None or array.null_count:
        return array.to_numpy(zero_copy_only=False)
    size = np.dtype(dtype).itemsize
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array),
                         offset=array.offset * size)


def _lengths(array):
    import pyarrow.compute as pc  # noqa: PLC0415

    lengths = pc.utf8_length(array)
    if lengths.null_count:  # (a Python 0 to fill with costs pyarrow an import of pandas)
        lengths = pc.fill_null(lengths, 0)
    return _numbers(lengths)


def _metric_values(root: Path, paths: list[str]) -> list[tuple[Metric, object]]:
    """(metric, numpy array) for each metric this config has, found by its columns; read
    batch by batch, keeping only the numbers."""
    import numpy as np  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    names = set(pq.read_schema(root / sorted(paths)[0]).names)
    parts: dict[Metric, list] = {}
    if {"text", "lang_score"} <= names:
        for batch in iter_batches(root, paths, ["text", "lang_score"]):
            parts.setdefault(LENGTH, []).append(_lengths(batch.column("text")))
            parts.setdefault(LANG_SCORE, []).append(_numbers(batch.column("lang_score")))
    score = "mt_score" if "mt_score" in names else "align_score" if "align_score" in names else None
    if score and "translation" in names:
        metric = MT_SCORE if score == "mt_score" else ALIGN_SCORE
        for batch in iter_batches(root, paths, ["translation", score]):
            parts.setdefault(metric, []).append(_numbers(batch.column(score)))
            pairs = batch.column("translation")
            src = _lengths(pc.struct_field(pairs, 0))
            tgt = _lengths(pc.struct_field(pairs, 1))
            parts.setdefault(RATIO, []).append(tgt / np.maximum(src, 1))
    return [(metric, np.concatenate(arrays)) for metric, arrays in parts.items()]


def _nice_step(span: float) -> float:
    raw = span / TARGET_BINS
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * power:
            return mult * power
    return 10 * power


def bin_edges(values, metric: Metric) -> tuple[tuple[float, ...], bool]:
    """Edges for `values`: fixed 0.05 bins for [0, 1] scores; otherwise round steps from the
    minimum to the 99th percentile, with one open bin for the tail when there is one."""
    import numpy as np  # noqa: PLC0415

    if metric.unit_range and float(values.min()) >= 0 and float(values.max()) <= 1:
        return UNIT_EDGES, False
    lo = float(values.min())
    hi = float(np.quantile(values, CLIP_QUANTILE, method="higher"))
    top = float(values.max())
    if metric in (LENGTH, RATIO):
        lo = 0.0
    if hi <= lo:
        hi = top if top > lo else lo + 1
    step = _nice_step(hi - lo)
    first = math.floor(lo / step)
    last = math.ceil(hi / step)
    if last == first:
        last += 1
    edges = tuple(round((first + i) * step, 10) for i in range(last - first + 1))
    return edges, top > edges[-1]


def histogram(config: str, metric: Metric, values) -> Histogram | None:
    import numpy as np  # noqa: PLC0415

    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    edges, open_last = bin_edges(values, metric)
    closed = np.asarray(edges)
    idx = np.searchsorted(closed, values, side="right") - 1
    idx[values == closed[-1]] = len(edges) - 2  # the last closed bin includes its right edge
    n_bins = len(edges) - 1 + (1 if open_last else 0)
    idx = np.clip(idx, 0, n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    median = round(float(np.quantile(values, 0.5, method="lower")), 4)
    return Histogram(config, metric, edges, tuple(int(c) for c in counts), open_last,
                     int(values.size), median)


def dataset_histograms(root: Path, paths: Iterable[str]) -> list[Histogram]:
    """Every histogram of the dataset at `root` (the full data, not a sample) from its
    Parquet files among `paths` (relative to `root`): `segments` first, then by config name."""
    result = []
    files = config_files(paths)
    for config in sorted(files, key=lambda name: (name != "segments", name)):
        for metric, values in _metric_values(Path(root), files[config]):
            hist = histogram(config, metric, values)
            if hist is not None:
                result.append(hist)
    return result
