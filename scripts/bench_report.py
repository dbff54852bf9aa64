"""How long `report` takes, and how big the page gets, as configs grow: a synthetic dataset
folder (segments, one translation config, rejects) of N rows each, then `write_report`.

    python scripts/bench_report.py --rows 10000 100000 400000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the minister said talks were held on trade energy and security in the region "
         "today with partners from many countries").split()


def make_dataset(root: Path, n: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from builder.digests import sha256_file as sha256_path
    from builder.output.parquet import pair_features, segments_features

    def text(i: int, k: int) -> str:
        return " ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(5 + (i * k) % 25))

    segs = {"id": [f"p{i // 8}:{i % 8}" for i in range(n)], "post_id": [f"p{i // 8}" for i in range(n)],
            "segment_index": [i % 8 for i in range(n)], "text": [text(i, 3) for i in range(n)],
            "char_start": [0] * n, "char_end": [10] * n, "lang": ["en"] * n,
            "lang_score": [0.5 + (i % 50) / 100 for i in range(n)], "channel": ["c"] * n,
            "date": [None] * n}
    flags = ([], ["copy"], ["length_ratio"], ["repetition", "truncated"])
    pairs = {"id": segs["id"], "post_id": segs["post_id"], "segment_index": segs["segment_index"],
             "translation": [{"en": segs["text"][i], "ru": text(i, 5)} for i in range(n)],
             "mt_model": ["m@r"] * n, "mt_score": [-((i * 7919) % 1000) / 250 for i in range(n)],
             "qa_flags": [flags[i % 4] for i in range(n)]}
    outputs = []
    for config, cols, feats in (("segments", segs, segments_features()),
                                ("en-ru", pairs, pair_features("en", "ru"))):
        rel = f"data/{config}/train-00000-of-00001.parquet"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        schema = feats.arrow_schema
        cols = {name: cols.get(name, [None] * n) for name in schema.names}  # fields added later
        pq.write_table(pa.table(cols, schema=schema), root / rel,
                       compression="zstd", row_group_size=20_000)
        outputs.append({"path": rel, "rows": n, "sha256": sha256_path(root / rel)})
    with (root / "rejects.jsonl").open("w", encoding="utf-8") as f:
        for i in range(n // 4):
            f.write(json.dumps({"stage": "filter", "reason": ("too_few_words", "duplicate")[i % 2],
                                "id": f"x{i}:0", "text": text(i, 2)}) + "\n")
    manifest = {"dataset": {"name": "bench", "version": "1.0.0"}, "signature": "bench",
                "builder": {"version": "bench"}, "outputs": outputs,
                "counts": {"posts": {"read": n // 8, "kept": n // 8},
                           "segments": {"segmented": n + n // 4, "kept": n}}}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _child(args: list[str]) -> tuple[float, float]:
    """Run a child process; its wall seconds and its own peak RSS in MB (os.wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{args}: exit {proc.returncode}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--make", nargs=2, metavar=("DIR", "ROWS"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.make:  # in a child, so that the parent stays small for the measured child
        make_dataset(Path(args.make[0]), int(args.make[1]))
        return 0
    print("| rows per config | report s (whole CLI process) | index.html MB | peak RSS MB |")
    print("| --- | --- | --- | --- |")
    for n in args.rows:
        tmp = Path(tempfile.mkdtemp(prefix="bb-bench-report-"))
        try:
            _child([sys.executable, __file__, "--make", str(tmp / "ds"), str(n)])
            seconds, rss = _child([sys.executable, "-m", "builder", "report", str(tmp / "ds"), "-q"])
            size = (tmp / "ds" / "report" / "index.html").stat().st_size / 1e6
            print(f"| {n:,} | {seconds:.2f} | {size:.2f} | {rss:.0f} |", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
