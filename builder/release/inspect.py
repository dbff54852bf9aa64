"""`inspect DIR`: counts per config and split, languages, and a few rows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from builder.errors import InputError
from builder.output.layout import config_split
from builder.output.manifest import read_manifest


def inspect_dataset(root: Path, rows: int = 3) -> dict:
    import pyarrow.parquet as pq  # noqa: PLC0415

    root = Path(root)
    manifest = read_manifest(root)
    if manifest is None:
        raise InputError(f"{root}: not a bitext-builder dataset (no readable manifest.json)")
    report: dict = {
        "dataset": manifest["dataset"],
        "signature": manifest["signature"],
        "configs": {},
    }
    for out in manifest["outputs"]:
        found = config_split(out["path"])
        if found is None:
            continue
        config, split = found
        table = pq.ParquetFile(root / out["path"]).read()  # read_table imports pandas
        entry = report["configs"].setdefault(config, {"splits": {}, "languages": Counter(), "rows": []})
        entry["splits"][split] = table.num_rows
        if "lang" in table.column_names:
            entry["languages"].update(table.column("lang").to_pylist())
        if len(entry["rows"]) < rows:
            entry["rows"].extend(table.slice(0, rows - len(entry["rows"])).to_pylist())
    for entry in report["configs"].values():
        entry["languages"] = dict(entry["languages"].most_common())
    return report
