"""The Ray engine against the local engine: segments/s on the same inputs and model, in one
process (base-size random MarianMT, fixed output length, greedy).

    OMP_WAIT_POLICY=PASSIVE python scripts/bench_ray.py [--device cpu|cuda] [--segments 200]

Both runs start from an empty cache; the Ray figure includes its actor start and model load
on the actor (that is what a user waits for), the local one its model load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def run(model: Path, engine: str, device: str, texts: list[str], work: Path, args) -> float:
    from bench_mt import stage_for

    from builder.mt.stage import SegmentRef

    cache = work / f"cache-{engine}"
    shutil.rmtree(cache, ignore_errors=True)
    backend = "transformers"
    compute = "float16" if device == "cuda" else "float32"
    stage, spec = stage_for(model, backend, device, compute, cache, args.new_tokens)
    if engine == "ray":
        from builder.config import RayConfig
        from builder.mt.engines.ray_data import RayEngine

        stage.engine = RayEngine(RayConfig(actors=1, cpus_per_actor=args.cpus_per_actor,
                                           gpus_per_actor=1.0 if device == "cuda" else 0.0),
                                 cache)
    refs = [SegmentRef(f"p:{i}", "p", i, t, "train") for i, t in enumerate(texts)]
    t0 = time.perf_counter()
    n = sum(1 for _ in stage.pairs(spec, lambda: [refs]))
    seconds = time.perf_counter() - t0
    stage.close()
    assert n == len(texts)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model")
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--segments", type=int, default=200)
    ap.add_argument("--new-tokens", type=int, default=40)
    ap.add_argument("--cpus-per-actor", type=float, default=1.0)
    ap.add_argument("--workdir")
    args = ap.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    from bench_mt import inputs

    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-ray-"))
    work.mkdir(parents=True, exist_ok=True)
    model = Path(args.model) if args.model else work / "base-en-de"
    if not (model / "config.json").exists():
        from make_tiny_marian import make

        make(model, "base", ("de",))
    texts = inputs(args.segments)
    rows = []
    for engine in ("local", "ray"):
        seconds = run(model, engine, args.device, texts, work, args)
        rows.append((engine, seconds))
        print(f"{engine}: {len(texts)} segments in {seconds:.1f} s", flush=True)
    print(f"\n| engine ({args.device}) | segments | seconds | seg/s |\n| --- | --- | --- | --- |")
    for engine, seconds in rows:
        print(f"| {engine} | {len(texts)} | {seconds:.1f} | {len(texts) / seconds:.1f} |")


if __name__ == "__main__":
    main()
