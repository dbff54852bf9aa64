"""What the boilerplate, near-duplicate and personal-data steps cost in a monolingual build.

Makes a channel copy of the given size from the bundled sample (`bench_pipeline.make_input`:
its posts repeated, each copy's words varied so that copies are not near-duplicates of each
other), with what real channels carry: a footer on 70% of the posts, a corrected repost
of every 25th post, and a press-office line with a phone number and an e-mail address on every
40th post. Then builds it in fresh processes pinned to one core (in-process executor): with
the default config, and with the three steps taken out of the pipeline's list. In the default
build every method of the three steps (and the chunks held at the two-pass steps: `hold`) is
timed, so the table shows their own CPU time next to the whole build's:

    python scripts/bench_quality.py --mb 50 --repeat 3

Each round builds without the steps, then with them; the last line gives, per round, the
steps' own CPU share of the default build and the default build's extra CPU time over the
build without them (CPU seconds: on a shared machine wall seconds say more about the other
load than about the build).
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
from collections import Counter
from pathlib import Path

QUALITY = ("personal_data", "personal_data_segments", "channel_boilerplate",
           "near_duplicate_posts", "near_duplicate_segments")
FOOTER = "Subscribe to Russian MFA: @MFARussia"


def make_channel(path: Path, mb: float) -> None:
    """`bench_pipeline`'s synthetic export, with a footer on 70% of the posts, a corrected
    repost after every 25th post and a press-office line on every 40th."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_pipeline import make_input

    base = path.with_suffix(".base.txt")
    make_input(base, mb)
    with base.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as f:
        post: list[str] = []
        i = 0
        for line in src:
            line = line.rstrip("\n")
            if line.startswith("Forwarded from") and post:
                i = _write_post(f, post, i)
                post = []
            if line:
                post.append(line)
        if post:
            _write_post(f, post, i)
    base.unlink()


def _write_post(f, lines: list[str], i: int) -> int:
    if i % 40 == 39:
        lines.insert(2, f"Press office: +7 495 244-{i % 100:02d}-{i // 100 % 100:02d}, "
                        f"press{i}@mid.example")
    if i % 10 < 7:
        lines.append(FOOTER)
    f.write("\n".join(lines) + "\n")
    if i % 25 == 24:  # a corrected repost of this post
        f.write("\n".join(lines[:2] + [x.replace(" the ", " the the ", 1) for x in lines[2:]])
                + "\n")
    return i + 1


def _timed(cls, method: str, clock: Counter, key: str) -> None:
    original = getattr(cls, method)

    def wrapper(self, *args, **kwargs):
        t0 = time.process_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent = time.process_time() - t0
            clock[key] += spent
            clock[f"{key}.{method}"] += spent  # the step's parts

    setattr(cls, method, wrapper)


def run_build(path: Path, with_quality: bool) -> dict:
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from builder.config import BuildConfig, InputConfig
    from builder.filters.boilerplate import BoilerplateStep
    from builder.filters.near_dedup import PostNearDedup, SegmentNearDedup
    from builder.pipeline import build, steps
    from builder.pipeline.two_pass import HeldChunks
    from builder.text.pii import PiiSegmentDrop, PiiStep

    clock: Counter = Counter()
    if with_quality:
        for cls in (PiiStep, PiiSegmentDrop, BoilerplateStep, PostNearDedup, SegmentNearDedup):
            for method in ("run", "observe", "absorb", "prepare", "keys_batch", "admit_batch",
                           "settle"):
                if method in vars(cls) or (method == "run" and cls is not SegmentNearDedup):
                    _timed(cls, method, clock, cls.name)
        _timed(HeldChunks, "put", clock, "hold")
        _timed(HeldChunks, "take", clock, "hold")
    else:
        listed = steps.per_post_steps
        steps.per_post_steps = lambda config: [s for s in listed(config) if s.name not in QUALITY]
    config = BuildConfig(name="bench", input=InputConfig(paths=[str(path)]), workers=0)
    out = path.parent / "bench-quality-out"
    shutil.rmtree(out, ignore_errors=True)
    t0, c0 = time.perf_counter(), time.process_time()
    result = build(config, out)
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "steps": dict(clock), "segments": result.counts["segments"]["kept"],
            "posts": result.counts["posts"]["kept"],
            "drops": {k: v for k, v in result.counts["drops"].items()
                      if k in ("near_duplicate", "boilerplate_only")},
            "boilerplate": result.counts.get("boilerplate", {}).get("occurrences", 0),
            "personal_data": result.counts.get("personal_data", {}).get("found", {})}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--workdir", default=".bench")
    ap.add_argument("--repeat", type=int, default=1, help="builds of each kind (median)")
    ap.add_argument("--run", choices=("on", "off"), help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        print(json.dumps(run_build(Path(args.input), args.run == "on")))
        return
    work = Path(args.workdir)
    work.mkdir(exist_ok=True)
    path = work / f"channel-{args.mb:g}mb.txt"
    if not path.exists():
        make_channel(path, args.mb)
    size_mb = path.stat().st_size / 1024 / 1024
    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE")
    runs: dict[str, list[dict]] = {"on": [], "off": []}
    for _ in range(args.repeat):
        for kind in ("off", "on"):
            proc = subprocess.run([sys.executable, __file__, "--run", kind, "--input", str(path)],
                                  capture_output=True, text=True, env=env, check=True)
            runs[kind].append(json.loads(proc.stdout.strip().splitlines()[-1]))

    def median(kind: str, key: str) -> float:
        values = sorted(r[key] for r in runs[kind])
        return values[len(values) // 2]

    on = sorted(runs["on"], key=lambda r: r["cpu"])[len(runs["on"]) // 2]
    print(f"input: {size_mb:.1f} MB channel copy; one core; median of {args.repeat}")
    print(f"kept {on['posts']} posts, {on['segments']} segments; dropped {on['drops']}; "
          f"boilerplate lines removed {on['boilerplate']}; personal data {on['personal_data']}")
    print()
    print("| build | wall s | CPU s | MB/s (wall) | peak RSS MB |")
    print("| --- | --- | --- | --- | --- |")
    for kind, label in (("off", "without the three steps"), ("on", "default (with them)")):
        wall, cpu = median(kind, "seconds"), median(kind, "cpu")
        print(f"| {label} | {wall:.1f} | {cpu:.1f} | {size_mb / wall:.2f} "
              f"| {median(kind, 'peak_mb'):.0f} |")
    print()
    print("| step (default build) | CPU s | share of the build's CPU |")
    print("| --- | --- | --- |")
    total = 0.0
    steps = {k: v for k, v in on["steps"].items() if "." not in k}
    for name, seconds in sorted(steps.items(), key=lambda kv: -kv[1]):
        total += seconds
        print(f"| {name} | {seconds:.2f} | {100 * seconds / on['cpu']:.1f}% |")
    print(f"| **the three steps together** | {total:.2f} | {100 * total / on['cpu']:.1f}% |")
    print()
    print("parts (CPU s): " + "; ".join(
        f"{name}: " + ", ".join(f"{part.split('.', 1)[1]} {s:.2f}" for part, s in
                                sorted(on["steps"].items()) if part.startswith(name + "."))
        for name in sorted(steps, key=lambda n: -steps[n])))
    # the same comparison between whole builds: each round's default build against the
    # build without the steps run just before it (CPU seconds, so other load matters less)
    extra = sorted((a["cpu"] - b["cpu"]) / b["cpu"] for a, b in
                   zip(runs["on"], runs["off"], strict=True))
    shares = sorted(sum(v for k, v in r["steps"].items() if "." not in k) / r["cpu"]
                    for r in runs["on"])
    print()
    print(f"rounds: {args.repeat}; the steps' own CPU share of the default build: "
          + ", ".join(f"{100 * x:.1f}%" for x in shares)
          + f" (median {100 * shares[len(shares) // 2]:.1f}%); default build's extra CPU over "
          "the build without them: " + ", ".join(f"{100 * x:+.1f}%" for x in extra)
          + f" (median {100 * extra[len(extra) // 2]:+.1f}%)")


if __name__ == "__main__":
    main()
