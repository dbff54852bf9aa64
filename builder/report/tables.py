"""The report's browsable tables: segments, translation pairs with their QA flags, aligned
beads with both posts around them, and rejects by reason; large configs sampled."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.output.histograms import iter_batches
from builder.report.rejects import PER_REASON, RejectsSummary
from builder.report.sample import LOWEST, RANDOM, Sample, sample_config, take_rows

SCORE_DIGITS = 4


@dataclass(frozen=True)
class Table:
    key: str  # the section's HTML id
    kind: str  # segments | pairs | beads | rejects
    title: str
    total: int
    note: str  # how the rows on the page were chosen
    facet: str  # what the filter picks by
    rows: list[dict]
    context: dict | None = None  # beads: the posts around them


def kind_of(columns: set[str]) -> str | None:
    if "mt_score" in columns and "translation" in columns:
        return "pairs"
    if "align_score" in columns and "translation" in columns:
        return "beads"
    if {"text", "lang_score"} <= columns:
        return "segments"
    return None


SCORES = {"pairs": "mt_score", "beads": "align_score", "segments": "lang_score"}


def _score(value) -> float | None:
    return None if value is None else round(float(value), SCORE_DIGITS)


def _split(path: str) -> str:
    return path.rsplit("/", 1)[-1].split("-", 1)[0]


def sample_note(sample: Sample, score: str) -> str:
    if not sample.sampled:
        return f"All {sample.total:,} rows."
    return (f"A sample of {len(sample.indices):,} of {sample.total:,} rows: the "
            f"{sample.lowest:,} with the lowest {score} and {sample.random:,} more chosen by a "
            "hash of their id (the same rows on every run).")


def _segment_row(path: str, row: dict) -> dict:
    return {"id": row["id"], "split": _split(path), "text": row["text"], "lang": row["lang"],
            "score": _score(row["lang_score"])}


def _pair_row(path: str, row: dict) -> dict:
    (_, src), (_, tgt) = list(row["translation"].items())[:2]
    return {"id": row["id"], "split": _split(path), "src": src, "tgt": tgt,
            "score": _score(row["mt_score"]), "flags": list(row["qa_flags"] or [])}


def _bead_row(path: str, row: dict, tgt_col: str) -> dict:
    (_, src), (_, tgt) = list(row["translation"].items())[:2]
    return {"id": row["id"], "split": _split(path), "src": src, "tgt": tgt,
            "score": _score(row["align_score"]), "bead": row["bead"], "post": row["post_id"],
            "tgt_post": row[tgt_col], "span": [row["src_char_start"], row["src_char_end"]],
            "tgt_idx": list(row["tgt_segment_indices"])}


def config_table(root: Path, name: str, kind: str, paths: list[str], columns: set[str]) -> Table:
    score = SCORES[kind]
    sample = sample_config(root, paths, score)
    tgt_col = next((c for c in sorted(columns) if c.endswith("_post_id")), "")
    rows = []
    for path, row in take_rows(root, paths, sample.indices):
        if kind == "pairs":
            rows.append(_pair_row(path, row))
        elif kind == "beads":
            rows.append(_bead_row(path, row, tgt_col))
        else:
            rows.append(_segment_row(path, row))
    title = {"pairs": f"Translation pairs: {name}", "beads": f"Aligned beads: {name}",
             "segments": "Segments"}[kind]
    facet = {"pairs": "QA flag", "beads": "bead", "segments": "language"}[kind]
    return Table(f"table-{name}", kind, title, sample.total, sample_note(sample, score), facet,
                 rows)


def bead_context(root: Path, table: Table, posts_paths: list[str], aligned_paths: list[str],
                 columns: set[str], rejects: RejectsSummary) -> Table:
    """Attach the two posts of each shown bead: the source post's cleaned text (from `posts`)
    and the target post rebuilt from its aligned and unaligned sentences."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    src_ids = pa.array(sorted({r["post"] for r in table.rows}), pa.string())
    tgt_ids = sorted({r["tgt_post"] for r in table.rows})
    posts: dict[str, str] = {}
    if posts_paths and len(src_ids):
        for batch in iter_batches(root, posts_paths, ["post_id", "text"]):
            batch = batch.filter(pc.is_in(batch.column("post_id"), value_set=src_ids))
            posts.update(zip(batch.column("post_id").to_pylist(), batch.column("text").to_pylist(),
                             strict=True))
    tgt_col = next(c for c in sorted(columns) if c.endswith("_post_id"))
    sentences: dict[str, list[list]] = {}
    wanted = pa.array(tgt_ids, pa.string())
    for batch in iter_batches(root, aligned_paths if tgt_ids else [],
                              [tgt_col, "tgt_segment_indices", "translation"]):
        batch = batch.filter(pc.is_in(batch.column(tgt_col), value_set=wanted))
        for post_id, idx, pair in zip(batch.column(tgt_col).to_pylist(),
                                      batch.column("tgt_segment_indices").to_pylist(),
                                      batch.column("translation").to_pylist(), strict=True):
            sentences.setdefault(post_id, []).append([idx[0], list(pair.values())[1], idx])
    for post_id in tgt_ids:
        for index, text in rejects.unaligned_targets.get(post_id, []):
            sentences.setdefault(post_id, []).append([index, text, []])
    target = {k: sorted(v, key=lambda s: s[0]) for k, v in sentences.items()}
    return Table(table.key, table.kind, table.title, table.total, table.note, table.facet,
                 table.rows, {"posts": posts, "targets": target})


def rejects_table(rejects: RejectsSummary) -> Table:
    total = sum(rejects.counts.values())
    shown = len(rejects.rows)
    note = (f"All {total:,} rejected rows." if shown == total else
            f"{shown:,} of {total:,} rejected rows: up to {PER_REASON:,} per reason, chosen by a "
            "hash of their id (the same rows on every run).")
    return Table("table-rejects", "rejects", "Rejects", total, note, "reason", rejects.rows)


SAMPLE_RULE = (f"Tables of large configs show the {LOWEST:,} lowest-scoring rows and "
               f"{RANDOM:,} more chosen by a hash of their id; the histograms and counts cover "
               "every row.")
