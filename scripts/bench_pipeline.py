"""Throughput and peak memory of the monolingual build: step by step, per executor, and on a
million one-line posts.

Makes a synthetic plain-text export (the bundled sample's posts repeated, every prose line
varied per copy: a third of its longer words swapped for other words of the sample and one
made-up word added, so that neither exact nor near-duplicate removal folds the copies). Three
modes, each run in a fresh process per row, printing MB/s (of input) and peak RSS (of the
build's whole process tree: driver, fork server and worker processes; for Ray, the driver and
the Ray processes it started):

    python scripts/bench_pipeline.py --mb 50 [--langid langdetect|lingua]
        growing prefixes of the pipeline's one list of steps (`builder/pipeline/steps.py`),
        pinned to one core
    python scripts/bench_pipeline.py --mb 30 --executors in-process,1,2,ray,sentencex --repeat 3
        full builds with each executor (`--workers 0`, `--workers 1`, `--workers 2`,
        `--engine ray`, its `ray.init` timed apart), all cores, in alternating rounds, with
        the CPU seconds of each run's process tree; `sentencex` is the reference: a bare
        sentencex pass over the input's lines
    python scripts/bench_pipeline.py --jsonl-posts 1000000
        a JSON-lines file of one-line posts, built with the default settings

The package's bytecode is written before any timing (as `pip install` does), so that a
machine that sets PYTHONDONTWRITEBYTECODE does not compile every module in every build.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

ADJECTIVES = (
    "able bold calm deft eager fair glad hardy ideal jolly keen lucid merry noble open proud "
    "quick rapid sober tidy usual vivid warm young zesty brisk civil frank grand humble loyal "
    "modest neat polite quiet ready steady true upbeat wise"
).split()


SAMPLE = Path(__file__).resolve().parent.parent / "builder/data/telegram_channel_sample.txt"
_LONG_WORD = re.compile(r"[A-Za-z]{4,}")


@functools.cache
def vocabulary() -> tuple[str, ...]:
    """The sample's words of four letters or more."""
    return tuple(sorted({w.lower() for w in _LONG_WORD.findall(SAMPLE.read_text("utf-8"))}))


def variant(line: str, k: int) -> str:
    """The same line always maps to the same variant within a copy (doubled bodies stay
    doubled): about a third of its words of four letters or more are swapped for other words
    of the sample (so copies are not near-duplicates of each other, which near-duplicate
    removal would fold), and one made-up word per copy goes after the line's first article
    (so exact dedup keeps them)."""
    if not line.strip() or line.startswith("Forwarded from") or line.lstrip().startswith("#"):
        return line
    from builder.text.clean import NOTICES

    if line.strip().casefold() in NOTICES:  # `Read in full` stays a notice
        return line
    words_of = vocabulary()
    rng = random.Random(zlib.crc32(line.encode("utf-8")) * 1_000_003 + k)

    def swap(m: re.Match) -> str:
        if rng.random() >= 1 / 3:
            return m.group()
        word = words_of[rng.randrange(len(words_of))]
        return word.capitalize() if m.group()[0].isupper() else word

    line = _LONG_WORD.sub(swap, line)
    n = len(ADJECTIVES)
    token = ADJECTIVES[k % n] + ADJECTIVES[(k // n) % n] + ADJECTIVES[(k // n // n) % n]
    words = line.split(" ")
    for i, w in enumerate(words[:-1]):
        if w.lower() in ("the", "a", "our", "their"):
            return " ".join(words[: i + 1] + [token] + words[i + 1 :])
    return line + " " + token if len(words) >= 4 else line


def make_input(path: Path, mb: float) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    target = int(mb * 1024 * 1024)
    written, k = 0, 0
    with path.open("w", encoding="utf-8") as f:
        while written < target:
            block = "\n".join(variant(line, k) for line in lines) + "\n"
            f.write(block)
            written += len(block.encode("utf-8"))
            k += 1


def make_jsonl(path: Path, posts: int) -> None:
    """One-line posts: the sample's prose lines, varied per copy like `make_input`."""
    import json as json_

    lines = [line for line in SAMPLE.read_text(encoding="utf-8").split("\n")
             if len(line.split()) >= 4 and not line.startswith("Forwarded from")]
    with path.open("w", encoding="utf-8") as f:
        for i in range(posts):
            text = variant(lines[i % len(lines)], i // len(lines))
            f.write(json_.dumps({"id": i, "date": 1704067200 + i, "channel": "Bench",
                                 "text": text}, ensure_ascii=False) + "\n")


class TreeRss:
    """Peak of the summed RSS of this process and all its descendants, and their CPU seconds
    (user + system; a descendant's last sample counts once it has exited), sampled."""

    def __init__(self, every: float = 0.1):
        import threading

        self.peak = 0
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds at its last sample
        self._tick = os.sysconf("SC_CLK_TCK")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    @staticmethod
    def _tree(pid: int) -> list[int]:
        out, todo = [], [pid]
        while todo:
            p = todo.pop()
            out.append(p)
            try:
                for task in Path(f"/proc/{p}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
        return out

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _cpu(self, pid: int) -> None:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self._tick
        except (OSError, ValueError, IndexError):
            pass

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            tree = self._tree(os.getpid())
            self.peak = max(self.peak, sum(self._rss(p) for p in tree))
            for p in tree[1:]:
                self._cpu(p)

    def stop(self) -> tuple[float, float]:
        """(peak RSS MB, CPU seconds of the tree)."""
        self._stop.set()
        self._thread.join()
        own = resource.getrusage(resource.RUSAGE_SELF)
        cpu = own.ru_utime + own.ru_stime + sum(self.cpu.values())
        return max(self.peak, own.ru_maxrss * 1024) / 1024 / 1024, cpu


EXECUTORS = {"in-process": ["--workers", "0"], "1": ["--workers", "1"],
             "2": ["--workers", "2"], "ray": ["--engine", "ray"]}
NAMES = {"in-process": "in-process (--workers 0)", "1": "--workers 1", "2": "--workers 2",
         "ray": "--engine ray (actors = cores)", "default": "default settings",
         "sentencex": "bare sentencex pass over the lines (reference)"}


def run_build(path: Path, label: str, out: Path) -> dict:
    """One full build with an executor, through the CLI, in this (fresh) process. For Ray,
    `ray.init` runs first and is timed apart (the build uses the Ray already started)."""
    from builder.cli import main as cli

    shutil.rmtree(out, ignore_errors=True)
    start = 0.0
    if label == "ray":
        from builder.config import RayConfig
        from builder.mt.engines.ray_data import init_ray

        t0 = time.perf_counter()
        init_ray(RayConfig())
        start = time.perf_counter() - t0
    rss = TreeRss()
    t0 = time.perf_counter()
    code = cli(["build", "--input", str(path), "--out", str(out), "--name", "bench", "-q",
                *EXECUTORS.get(label, [])], own_process=True)  # as the command runs it
    seconds = time.perf_counter() - t0
    peak_mb, cpu = rss.stop()
    manifest = json.loads((out / "manifest.json").read_text())
    return {"code": code, "seconds": seconds, "start": start, "peak_mb": peak_mb, "cpu": cpu,
            "posts": manifest["counts"]["posts"]["read"],
            "segments": manifest["counts"]["segments"]["kept"]}


def run_sentencex(path: Path) -> dict:
    """The reference: sentencex over every non-empty line of the input, nothing else."""
    import sentencex

    rss = TreeRss()
    t0 = time.perf_counter()
    n = 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                n += len(list(sentencex.segment("en", line)))
    seconds = time.perf_counter() - t0
    peak_mb, cpu = rss.stop()
    return {"seconds": seconds, "start": 0.0, "peak_mb": peak_mb, "cpu": cpu, "posts": 0,
            "segments": n}


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


def precompile() -> None:
    """Write the package's bytecode before timing, as `pip install` does: an editable install
    run with PYTHONDONTWRITEBYTECODE set (as on the project's machines) would otherwise
    compile every module again in every build (about 0.4 s a build)."""
    import compileall

    import builder

    compileall.compile_dir(str(Path(builder.__file__).parent), quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--langid", default="langdetect", choices=("langdetect", "lingua"))
    ap.add_argument("--workdir", default=".bench")
    ap.add_argument("--executors", help="full builds: in-process,1,2,ray (comma-separated)")
    ap.add_argument("--jsonl-posts", type=int, help="build a JSON-lines file of N one-line posts")
    ap.add_argument("--repeat", type=int, default=1, help="runs per executor (median shown)")
    ap.add_argument("--prefix", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--build", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.prefix is not None:
        print(json.dumps(run_prefix(args.prefix, Path(args.input), args.langid)))
        return
    work = Path(args.workdir).absolute()
    work.mkdir(exist_ok=True)
    if args.build is not None:
        if args.build == "sentencex":
            print(json.dumps(run_sentencex(Path(args.input))))
            return
        print(json.dumps(run_build(Path(args.input), args.build, work / f"out-{args.build}")))
        return
    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE",
               RAY_USAGE_STATS_ENABLED="0")
    precompile()
    if args.jsonl_posts:
        path = work / f"one-line-{args.jsonl_posts}.jsonl"
        if not path.exists():
            make_jsonl(path, args.jsonl_posts)
        size_mb = path.stat().st_size / 1024 / 1024
        print(f"input: {args.jsonl_posts} one-line posts, {size_mb:.1f} MB JSON lines; "
              f"default settings; {len(os.sched_getaffinity(0))} cores")
        _executor_table(path, ["default"], size_mb, env, args.repeat)
        return
    path = work / f"synthetic-{args.mb:g}mb.txt"
    if not path.exists():
        make_input(path, args.mb)
    size_mb = path.stat().st_size / 1024 / 1024
    if args.executors:
        print(f"input: {size_mb:.1f} MB synthetic export; {len(os.sched_getaffinity(0))} cores")
        _executor_table(path, args.executors.split(","), size_mb, env, args.repeat)
        return
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


def _executor_table(path: Path, labels: list[str], size_mb: float, env: dict,
                    repeat: int) -> None:
    """Each label `repeat` times, in alternating rounds (so that a change in the machine's load
    falls on every label alike); medians; ratios of medians from this run."""
    import statistics

    runs: dict[str, list[dict]] = {label: [] for label in labels}
    for _ in range(repeat):
        for label in labels:
            proc = subprocess.run(
                [sys.executable, __file__, "--build", label, "--input", str(path),
                 "--workdir", str(path.parent)],
                capture_output=True, text=True, env=env, check=True,
            )
            runs[label].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"median of {repeat} alternating runs each; CPU s: user + system of the process tree")
    print("| run | seconds | MB/s | posts/s | CPU s | peak RSS MB (process tree) |")
    print("| --- | --- | --- | --- | --- | --- |")
    median = {}
    for label, rows in runs.items():
        seconds = statistics.median(r["seconds"] for r in rows)
        median[label] = seconds
        cpu = statistics.median(r["cpu"] for r in rows)
        posts = f"{rows[0]['posts'] / seconds:.0f}" if rows[0]["posts"] else ""
        start = statistics.median(r["start"] for r in rows)
        name = NAMES.get(label, label) + (f" (+ ray.init {start:.1f} s)" if start else "")
        print(f"| {name} | {seconds:.1f} | {size_mb / seconds:.2f} | {posts} | {cpu:.1f} "
              f"| {max(r['peak_mb'] for r in rows):.0f} |", flush=True)
    for a, b, what in (("2", "1", "--workers 2 / --workers 1 (speed-up)"),
                       ("ray", "2", "--engine ray / --workers 2 (time, ray.init excluded)"),
                       ("in-process", "sentencex", "in-process / bare sentencex (time)"),
                       ("2", "sentencex", "--workers 2 / bare sentencex (time)")):
        if a in median and b in median:
            ratio = median[b] / median[a] if "speed-up" in what else median[a] / median[b]
            print(f"{what}: {ratio:.2f}")


if __name__ == "__main__":
    main()
