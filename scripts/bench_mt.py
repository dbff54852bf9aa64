"""Machine-translation throughput on a base-size random MarianMT (opus-mt-en-de shape), with a
fixed output length (random models never emit </s>), all in one process:

  (a) a naive one-sentence-at-a-time `generate` loop (transformers),
  (b) the builder, transformers backend (float32 on CPU; float16, and bfloat16 where the GPU
      supports it),
  (c) the builder, CTranslate2 backend (int8 on CPU; float16 and int8_float16 on GPU),
  (d) raw CTranslate2 `translate_batch` on the same inputs, same compute type as (c), at the
      best of several batch sizes (each one printed),
  (e) a rebuild that adds 1% new segments versus the full build (fastest builder backend),
  (f) with --parts ...,f: the builder on the Ray engine, one model actor (one GPU on cuda).

The builder batches with its defaults (`max_batch_size: auto`: 64 on the CPU, sized from the
device's memory on a GPU) unless --batch-size is given.

    OMP_WAIT_POLICY=PASSIVE python scripts/bench_mt.py [--device cpu|cuda] [--segments 400] \
        [--log docs/bench/bench_mt_DEVICE.txt]

On a GPU machine (the figures issue 17 asks for):
    pip install -e '.[gpu]' && python scripts/bench_mt.py --device cuda --segments 10000 \
        --naive 32 --log docs/bench/bench_mt_h100.txt
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def inputs(n: int) -> list[str]:
    """Distinct sentences: the cleaned sample's lines, varied per copy by one made-up word."""
    from bench_pipeline import variant

    from builder.readers.telegram_text import read
    from builder.text.clean import Cleaner

    cleaner = Cleaner()
    lines = [
        line
        for raw in read(ROOT / "builder/data/telegram_channel_sample.txt", 0, 10**6)
        for line in cleaner.clean(raw).text.split("\n")
        if len(line.split()) >= 4
    ]
    out, k = [], 0
    while len(out) < n:
        out.extend(variant(line, k)[:300] for line in lines)
        k += 1
    return out[:n]


def stage_for(model: Path, backend: str, device: str, compute: str, cache: Path, new_tokens: int,
              batch_size: int | str = "auto", engine: str = "local"):
    from builder.config import BuildConfig, RayConfig, TranslateConfig
    from builder.mt.models import resolve_models
    from builder.mt.stage import TranslateStage

    ray = RayConfig(actors=1, cpus_per_actor=1, gpus_per_actor=1 if device == "cuda" else 0)
    config = BuildConfig(translate=TranslateConfig(
        targets=["de"], models={"de": str(model)}, backend=backend, device=device,
        compute_type=compute, max_new_tokens=new_tokens, cache_dir=str(cache),
        max_batch_size=batch_size, engine=engine, ray=ray,
        max_batch_tokens="auto" if batch_size == "auto" else int(batch_size) * 128))
    (spec,) = resolve_models(config)
    return TranslateStage(config), spec


def run_builder(stage, spec, texts: list[str]) -> float:
    from builder.mt.stage import SegmentRef

    refs = [SegmentRef(f"p:{i}", "p", i, t, "train") for i, t in enumerate(texts)]
    # model loaded and the device warmed up (first kernels, CUDA context) outside the timing,
    # as raw CTranslate2's batch sweep is: the H100 run's first CTranslate2 row (float16) took
    # 17.9 s for what the same engine ran in 1.0 s warm
    stage.translator_for(spec)(texts[:64])
    t0 = time.perf_counter()
    n = sum(1 for _ in stage.pairs(spec, lambda: [refs]))
    assert n == len(texts)
    return time.perf_counter() - t0


def _tee(path: Path) -> None:
    """Print to the terminal and to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    log = path.open("w", encoding="utf-8")

    class Tee:
        def write(self, text):
            sys.__stdout__.write(text)
            log.write(text)
            log.flush()

        def flush(self):
            sys.__stdout__.flush()

    sys.stdout = Tee()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="Marian folder (default: make a base-size random one)")
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--segments", type=int, default=400)
    ap.add_argument("--naive", type=int, default=16, help="segments for the naive loop")
    ap.add_argument("--rebuild-segments", type=int, default=1000)
    ap.add_argument("--new-tokens", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--batch-size", default="auto", help="the builder's max_batch_size (default auto)")
    ap.add_argument("--raw-batch-sizes", default=None,
                    help="batch sizes tried for raw CTranslate2 (default: 16,32,64 on CPU, "
                         "64,...,4096 on GPU)")
    ap.add_argument("--parts", default="a,b,c,d,e", help="which of (a)-(f) to run")
    ap.add_argument("--ray-backend", default=None,
                    help="backend:compute for (f) (default: the fastest builder row, else "
                         "ctranslate2 with the device's default compute type)")
    ap.add_argument("--log", default=None, help="also write everything printed to this file")
    args = ap.parse_args()
    if args.log:
        _tee(Path(args.log))
    parts = set(args.parts.split(","))
    batch_size = args.batch_size if args.batch_size == "auto" else int(args.batch_size)
    import torch

    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-mt-"))
    work.mkdir(parents=True, exist_ok=True)
    model = Path(args.model) if args.model else work / "base-en-de"
    if not (model / "config.json").exists():
        from make_tiny_marian import make

        make(model, "base", ("de",))
    texts = inputs(max(args.segments, args.rebuild_segments))
    sample = texts[: args.segments]
    N = args.new_tokens
    rows: list[tuple[str, int, float]] = []
    dev = args.device
    print(f"device: {dev} ({torch.cuda.get_device_name(0) if dev == 'cuda' else os.cpu_count()} "
          f"{'' if dev == 'cuda' else 'CPU threads'}), torch {torch.__version__}, "
          f"{N} output tokens, greedy, {len(sample)} segments", flush=True)

    def med(fn) -> float:
        return statistics.median(fn() for _ in range(args.repeats))

    from transformers import MarianTokenizer

    tok = MarianTokenizer.from_pretrained(str(model))
    if "a" in parts:  # (a) naive loop
        from transformers import MarianMTModel

        dtype = torch.float16 if dev == "cuda" else torch.float32
        hf = MarianMTModel.from_pretrained(str(model), dtype=dtype).to(dev).eval()

        def naive() -> float:
            t0 = time.perf_counter()
            with torch.inference_mode():
                for text in sample[: args.naive]:
                    enc = tok([text], return_tensors="pt").to(dev)
                    hf.generate(**enc, max_new_tokens=N, min_new_tokens=N, num_beams=1, do_sample=False)
            return time.perf_counter() - t0

        rows.append((f"(a) naive loop, transformers {dtype}".replace("torch.", ""), args.naive, med(naive)))
        print(rows[-1], flush=True)
        hf.to("cpu")
        del hf

    def builder(backend, compute, size=batch_size, engine="local"):
        def once():
            cache = work / f"cache-{backend}-{compute}-{time.perf_counter_ns()}"
            stage, spec = stage_for(model, backend, dev, compute, cache, N, size, engine)
            try:
                seconds = run_builder(stage, spec, sample)
                print(f"builder {backend} {compute} ({engine}) batches: {stage.limits_record([spec])}",
                      flush=True)
                return seconds
            finally:
                stage.close()
                shutil.rmtree(cache, ignore_errors=True)
        return once

    if "b" in parts:  # (b) builder, transformers
        t_computes = ["float32"]
        if dev == "cuda":
            t_computes = ["float16"] + (["bfloat16"] if torch.cuda.is_bf16_supported() else [])
        for t_compute in t_computes:
            rows.append((f"(b) builder, transformers {t_compute}", len(sample),
                         med(builder("transformers", t_compute))))
            print(rows[-1], flush=True)

    ct2_types = ["float16", "int8_float16"] if dev == "cuda" else ["int8"]
    ctranslate2 = None
    if parts & {"c", "d"}:
        try:
            import ctranslate2

            from builder.mt.backends.ctranslate2_marian import convert, converted_dir
        except ImportError as err:
            print(f"ctranslate2 not available: {err}")
    for compute in ct2_types if ctranslate2 else []:
        try:
            if "c" in parts:
                rows.append((f"(c) builder, CTranslate2 {compute}", len(sample),
                             med(builder("ctranslate2", compute))))
                print(rows[-1], flush=True)
            if "d" not in parts:
                continue
            stage, spec = stage_for(model, "ctranslate2", dev, compute, work / "raw", N)
            auto_size = stage.batch_limits(spec).max_size
            folder = convert(spec, converted_dir(work / "raw", spec, compute), compute)
            stage.close()
            raw = ctranslate2.Translator(str(folder), device=dev, compute_type=compute, inter_threads=1)
            toks = [tok.convert_ids_to_tokens(ids) for ids in tok(sample)["input_ids"]]

            sizes = [int(b) for b in (args.raw_batch_sizes or (
                "64,128,256,512,1024,2048,4096" if dev == "cuda" else "16,32,64")).split(",")]
            best = None
            for size in sizes:
                def raw_ct2(raw=raw, toks=toks, size=size) -> float:
                    t0 = time.perf_counter()
                    raw.translate_batch(toks, max_batch_size=size, beam_size=1,
                                        max_decoding_length=N, min_decoding_length=N)
                    return time.perf_counter() - t0

                sec = med(raw_ct2)
                print(f"raw CTranslate2 {compute}, batch {size}: {len(sample) / sec:.1f} seg/s",
                      flush=True)
                if best is None or sec < best[1]:
                    best = (size, sec)
            rows.append((f"(d) raw CTranslate2 translate_batch (batch {best[0]}) {compute}",
                         len(sample), best[1]))
            print(rows[-1], flush=True)

            def user_script(raw=raw, size=best[0]) -> float:
                """raw CTranslate2 as a user's script runs it: MarianTokenizer in and out."""
                t0 = time.perf_counter()
                toks = [tok.convert_ids_to_tokens(ids) for ids in tok(sample)["input_ids"]]
                out = raw.translate_batch(toks, max_batch_size=size, beam_size=1,
                                          max_decoding_length=N, min_decoding_length=N)
                [tok.decode(tok.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True)
                 for r in out]
                return time.perf_counter() - t0

            print(f"(d) raw CTranslate2 with MarianTokenizer in and out (batch {best[0]}) {compute}: "
                  f"{len(sample) / med(user_script):.1f} seg/s", flush=True)
            del raw
            if "c" in parts and batch_size == "auto" and best[0] != auto_size:
                rows.append((f"(c) builder, CTranslate2, max_batch_size {best[0]} {compute}",
                             len(sample), med(builder("ctranslate2", compute, best[0]))))
                print(rows[-1], flush=True)
        except Exception as err:  # noqa: BLE001 - report and go on
            print(f"CTranslate2 {compute} on {dev} failed: {type(err).__name__}: {err}", flush=True)

    fastest = max((r for r in rows if r[0].startswith(("(b)", "(c)"))),
                  key=lambda r: r[1] / r[2], default=None)
    if "f" in parts:  # (f) the Ray engine, one model actor
        if args.ray_backend:
            backend, compute = args.ray_backend.split(":")
        elif fastest is not None:
            backend = "ctranslate2" if "CTranslate2" in fastest[0] else "transformers"
            compute = fastest[0].split()[-1]
        else:
            backend, compute = "ctranslate2", ct2_types[0]
        import logging

        logging.basicConfig(level=logging.WARNING)
        logging.getLogger("builder.mt.engines.ray_data").setLevel(logging.INFO)
        try:
            rows.append((f"(f) builder, Ray engine, 1 actor{' (1 GPU)' if dev == 'cuda' else ''}, "
                         f"{backend} {compute}", len(sample),
                         med(builder(backend, compute, engine="ray"))))
            print(rows[-1], "(Ray's start and the actor's model load included)", flush=True)
        except Exception as err:  # noqa: BLE001 - report and go on
            print(f"Ray engine failed: {type(err).__name__}: {err}", flush=True)

    print("\n| engine | segments | seconds | seg/s | × naive |")
    print("| --- | --- | --- | --- | --- |")
    naive_rate = rows[0][1] / rows[0][2] if rows and rows[0][0].startswith("(a)") else None
    for name, n, sec in rows:
        times = f"{n / sec / naive_rate:.1f}" if naive_rate else "-"
        print(f"| {name} | {n} | {sec:.2f} | {n / sec:.1f} | {times} |")
    raw_rows = {r[0].split()[-1]: r for r in rows if r[0].startswith("(d)")}
    for r in rows:
        if r[0].startswith("(c)"):
            d = raw_rows.get(r[0].split()[-1])
            if d:
                print(f"{r[0][4:]} / raw CTranslate2: {(r[1] / r[2]) / (d[1] / d[2]):.2f}")

    if "e" not in parts or fastest is None:
        return
    # (e) incremental rebuild: 1% new segments, with the fastest builder backend
    backend = "ctranslate2" if "CTranslate2" in fastest[0] else "transformers"
    compute = fastest[0].split()[-1]
    base = texts[: args.rebuild_segments]
    extra = inputs(args.rebuild_segments + args.rebuild_segments // 100 + 1)
    new = [t for t in extra if t not in set(base)][: max(1, args.rebuild_segments // 100)]
    cache = work / "cache-rebuild"
    shutil.rmtree(cache, ignore_errors=True)
    times = []
    for corpus in (base, base + new):
        stage, spec = stage_for(model, backend, dev, compute, cache, N)
        t0 = time.perf_counter()  # a rebuild loads its model too: timed from the start
        from builder.mt.stage import SegmentRef

        refs = [SegmentRef(f"p:{i}", "p", i, t, "train") for i, t in enumerate(corpus)]
        sum(1 for _ in stage.pairs(spec, lambda refs=refs: [refs]))
        times.append(time.perf_counter() - t0)
        stage.close()
    print(f"\nrebuild with {len(new)} new of {len(base)} segments ({backend} {compute}): "
          f"full {times[0]:.1f} s, rebuild {times[1]:.2f} s = {100 * times[1] / times[0]:.1f}% "
          "of the full build's translation time (both include loading the model)")


if __name__ == "__main__":
    main()
