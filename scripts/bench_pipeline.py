"""Throughput and peak memory of the monolingual build, stage by stage, on one core.

Makes a synthetic plain-text export (the bundled sample's posts repeated, every prose line
varied per copy by one made-up word, so that dedup keeps them), then runs growing prefixes of
the pipeline's one list of steps (`builder/pipeline/steps.py`), each in a fresh process pinned
to one core, and prints MB/s (of input) and peak RSS:

    python scripts/bench_pipeline.py --mb 50 [--langid langdetect|lingua]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ADJECTIVES = (
    "able bold calm deft eager fair glad hardy ideal jolly keen lucid merry noble open proud "
    "quick rapid sober tidy usual vivid warm young zesty brisk civil frank grand humble loyal "
    "modest neat polite quiet ready steady true upbeat wise"
).split()


def variant(line: str, k: int) -> str:
    """The same line always maps to the same variant within a copy (doubled bodies stay
    doubled): one made-up word per copy goes after the line's first article."""
    if not line.strip() or line.startswith("Forwarded from") or line.lstrip().startswith("#"):
        return line
    n = len(ADJECTIVES)
    token = ADJECTIVES[k % n] + ADJECTIVES[(k // n) % n] + ADJECTIVES[(k // n // n) % n]
    words = line.split(" ")
    for i, w in enumerate(words[:-1]):
        if w.lower() in ("the", "a", "our", "their"):
            return " ".join(words[: i + 1] + [token] + words[i + 1 :])
    return line + " " + token if len(words) >= 4 else line


def make_input(path: Path, mb: float) -> None:
    sample = (Path(__file__).resolve().parent.parent / "builder/data/telegram_channel_sample.txt")
    lines = sample.read_text(encoding="utf-8").split("\n")
    target = int(mb * 1024 * 1024)
    written, k = 0, 0
    with path.open("w", encoding="utf-8") as f:
        while written < target:
            block = "\n".join(variant(line, k) for line in lines) + "\n"
            f.write(block)
            written += len(block.encode("utf-8"))
            k += 1


def prefixes(config) -> list[tuple[str, int]]:
    """(label, number of per-post steps) for each growing prefix of the pipeline's one list,
    cut where the stage changes; then the full build."""
    from builder.pipeline.steps import per_post_steps

    steps = per_post_steps(config)
    cuts = [("read", 0)]
    for k, step in enumerate(steps, 1):
        if k == len(steps) or steps[k].stage != step.stage:
            cuts.append((f"… → {step.stage} ({step.name})", k))
    return [*cuts, ("full build (+ package, card, manifest)", -1)]


def bench_config(path: Path, langid: str):
    from builder.config import BuildConfig, InputConfig, LangIdConfig

    return BuildConfig(
        name="bench", input=InputConfig(paths=[str(path)]), langid=LangIdConfig(backend=langid)
    )


def run_prefix(k: int, path: Path, langid: str) -> dict:
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from builder.pipeline import build
    from builder.pipeline.executors import Executor
    from builder.pipeline.steps import per_post_steps
    from builder.readers import plan_inputs, read_inputs

    config = bench_config(path, langid)
    t0 = time.perf_counter()
    n = 0
    if k < 0:
        out = path.parent / "bench-out"
        shutil.rmtree(out, ignore_errors=True)  # a fresh build, not a rebuild with a diff
        result = build(config, out)
        n = result.counts["segments"]["kept"]
    else:
        steps = per_post_steps(config)[:k]
        posts = read_inputs(plan_inputs(config.input), config.input)
        for doc in Executor().run(steps, posts):
            n += len(doc.segments) if doc.post is not None else 1
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "items": n, "peak_mb": peak_mb}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--langid", default="langdetect", choices=("langdetect", "lingua"))
    ap.add_argument("--workdir", default=".bench")
    ap.add_argument("--prefix", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.prefix is not None:
        print(json.dumps(run_prefix(args.prefix, Path(args.input), args.langid)))
        return
    work = Path(args.workdir)
    work.mkdir(exist_ok=True)
    path = work / f"synthetic-{args.mb:g}mb.txt"
    if not path.exists():
        make_input(path, args.mb)
    size_mb = path.stat().st_size / 1024 / 1024
    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE")
    print(f"input: {size_mb:.1f} MB synthetic export; langid: {args.langid}; one core")
    print("| steps run (read → … → last step) | seconds | MB/s | peak RSS MB |")
    print("| --- | --- | --- | --- |")
    for label, k in prefixes(bench_config(path, args.langid)):
        proc = subprocess.run(
            [sys.executable, __file__, "--prefix", str(k), "--input", str(path),
             "--langid", args.langid],
            capture_output=True, text=True, env=env, check=True,
        )
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"| {label} | {r['seconds']:.1f} | {size_mb / r['seconds']:.2f} | {r['peak_mb']:.0f} |",
              flush=True)


if __name__ == "__main__":
    main()
