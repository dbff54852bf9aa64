"""The translation stage's own CPU time: the builder with CTranslate2 on the CPU, its engine
replaced by an instant one (each output: the source's first pieces, up to the output length),
so what is left is what the builder adds around the engine: the token counts that plan the
batches, tokenizing, decoding, QA, the cache. On a GPU this work runs while the engine
translates the next batch (`CT2Translator.stream`); where it takes longer than the engine, it
sets the pace. No GPU needed.

    python scripts/bench_mt_overhead.py [--segments 10000] [--repeats 3] [--batch 4096]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


class _Result:
    def __init__(self, tokens: list[str], n: int):
        self.hypotheses = [tokens[:n]]
        self.scores = [-1.0]

    def result(self):
        return self


class InstantEngine:
    """Stands in for `ctranslate2.Translator`: answers at once."""

    def __init__(self, n: int):
        self.n = n

    def translate_batch(self, tokens, **_):
        return [_Result(t, self.n) for t in tokens]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--segments", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=4096, help="max_batch_size (a GPU's, by default)")
    ap.add_argument("--new-tokens", type=int, default=40)
    args = ap.parse_args()
    import bench_mt
    from make_tiny_marian import make

    from builder.mt.stage import SegmentRef

    work = Path(tempfile.mkdtemp(prefix="bench-mt-overhead-"))
    model = make(work / "tiny-en-de", "tiny", ("de",))
    texts = bench_mt.inputs(args.segments)
    refs = [SegmentRef(f"p:{i}", "p", i, t, "train") for i, t in enumerate(texts)]
    times = []
    for r in range(args.repeats):
        stage, spec = bench_mt.stage_for(model, "ctranslate2", "cpu", "int8", work / f"cache-{r}",
                                         args.new_tokens, args.batch)
        stage.translator_for(spec).translator = InstantEngine(args.new_tokens)
        t0 = time.process_time()
        n = sum(1 for _ in stage.pairs(spec, lambda: [refs]))
        times.append(time.process_time() - t0)
        assert n == len(texts)
        stage.close()
    med = statistics.median(times)
    print(f"| segments | batch | CPU s (median of {args.repeats}) | ms a segment |")
    print("| --- | --- | --- | --- |")
    print(f"| {len(texts)} | {args.batch} | {med:.2f} | {1000 * med / len(texts):.3f} |")


if __name__ == "__main__":
    main()
