"""`report DIR [--out DIR/report]`: a static review site (index.html + assets) for a built
dataset; nothing is loaded from the network, so it opens offline from the file system."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections import Counter
from importlib import resources
from pathlib import Path

from builder.errors import ConfigError, InputError
from builder.output.histograms import config_files, dataset_histograms
from builder.output.manifest import read_manifest
from builder.output.plots import svg_histogram
from builder.release.history import replace_dir
from builder.report.folder import ASSET_NAMES, GENERATOR, PAGE, REPORT_DIR, is_report
from builder.report.overview import funnel, rows_per_split, segment_languages
from builder.report.rejects import read_rejects
from builder.report.tables import (
    SAMPLE_RULE,
    Table,
    bead_context,
    config_table,
    kind_of,
    rejects_table,
)

log = logging.getLogger(__name__)


def _json_for_html(data) -> str:
    """JSON that is safe inside a <script> element: no `<`, `>` or `&` survives as such."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _tables(root: Path, files: dict[str, list[str]]) -> tuple[list[Table], Counter]:
    import pyarrow.parquet as pq  # noqa: PLC0415

    tables: list[Table] = []
    aligned: list[tuple[int, list[str], set[str]]] = []
    for name in sorted(files, key=lambda c: (c != "segments", c)):
        paths = files[name]
        columns = set(pq.read_schema(root / sorted(paths)[0]).names)
        kind = kind_of(columns)
        if kind is None:
            continue
        table = config_table(root, name, kind, paths, columns)
        if kind == "beads":
            aligned.append((len(tables), paths, columns))
        tables.append(table)
    targets = {r["tgt_post"] for i, _, _ in aligned for r in tables[i].rows}
    rejects = read_rejects(root, targets)
    for i, paths, columns in aligned:
        tables[i] = bead_context(root, tables[i], files.get("posts", []), paths, columns, rejects)
    tables.append(rejects_table(rejects))
    return tables, rejects.counts


def report_data(root: Path) -> dict:
    """Everything the page shows, as plain data (deterministic for a given dataset folder)."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: no such dataset folder")
    manifest = read_manifest(root)
    if manifest is None or not isinstance(manifest.get("outputs"), list):
        raise InputError(f"{root}: not a bitext-builder dataset (no readable manifest.json)")
    outputs = [o for o in manifest["outputs"] if isinstance(o, dict) and "path" in o]
    paths = [o["path"] for o in outputs]
    files = config_files(paths)
    tables, drops = _tables(root, files)
    counts = manifest.get("counts", {})
    if not drops and counts.get("drops"):
        drops = Counter({("dropped", r): n for r, n in counts["drops"].items()})
    configs = rows_per_split(outputs)
    table_rows = {c["config"]: c["total"] for c in configs
                  if any(t.key == f"table-{c['config']}" and t.kind in ("pairs", "beads")
                         for t in tables)}
    histograms = dataset_histograms(root, paths)
    return {
        "dataset": manifest.get("dataset", {}),
        "builder": manifest.get("builder", {}),
        "signature": manifest.get("signature", ""),
        "configs": configs,
        "post_languages": sorted(counts.get("post_languages", {}).items(),
                                 key=lambda kv: (-kv[1], kv[0])),
        "segment_languages": segment_languages(root, files.get("segments", [])),
        "targets": [m.get("target") for m in manifest.get("models", [])
                    if m.get("use") not in ("align-bridge", "align-embeddings")],
        "funnel": funnel(counts, drops, table_rows),
        "histograms": [{"title": f"{h.metric.title}: {h.config}", "name": h.name,
                        "svg": svg_histogram(h, standalone=False)} for h in histograms],
        "tables": tables,
        "sample_rule": SAMPLE_RULE,
    }


def _page(data: dict) -> str:
    from jinja2 import Environment, select_autoescape  # noqa: PLC0415

    template = resources.files("builder.report").joinpath("templates", "index.html.j2")
    env = Environment(autoescape=select_autoescape(default=True), keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
    page_tables = [{"key": t.key, "kind": t.kind, "title": t.title, "total": t.total,
                    "note": t.note, "facet": t.facet, "shown": len(t.rows)} for t in data["tables"]]
    payload = {t.key: {"kind": t.kind, "rows": t.rows, "context": t.context}
               for t in data["tables"]}
    return env.from_string(template.read_text(encoding="utf-8")).render(
        **{**data, "tables": page_tables}, generator=GENERATOR, payload=_json_for_html(payload))


def write_report(root: Path, out: Path | None = None) -> Path:
    """Write the site for the dataset at `root` into `out` (default `root/report`), replacing
    only an empty folder or an earlier report; nothing is half-written on failure."""
    root = Path(root)
    out = Path(out) if out is not None else root / REPORT_DIR
    if out.exists() and not (out.is_dir() and (not any(out.iterdir()) or is_report(out))):
        raise ConfigError(f"{out}: exists and is not a report this tool wrote; choose another "
                          "--out or remove it")
    data = report_data(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        (tmp / "assets").mkdir(parents=True)
        (tmp / PAGE).write_text(_page(data), encoding="utf-8", newline="\n")
        assets = resources.files("builder.report").joinpath("assets")
        for name in ASSET_NAMES:
            (tmp / "assets" / name).write_bytes(assets.joinpath(name).read_bytes())
        replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.debug("wrote %s", out / PAGE)  # the CLI prints the path
    return out
