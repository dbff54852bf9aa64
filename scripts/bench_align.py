"""Time and peak memory of the sentence aligner (no model: passes 0-2 with the learned
lexicon) on synthetic document pairs of 1k, 5k and 20k source sentences, each size in a fresh
process on one thread; also the strict F1 against the generator's own beads.

    python scripts/bench_align.py [--sizes 1000 5000 20000] [--no-lexicon]

The documents are made up (seeded): a Zipfian vocabulary mapped word for word into a second
made-up language, with dropped and inserted words, numbers and shared names; beads 1-1 (most),
1-2, 2-1, 2-2, 1-3, untranslated sentences on both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BEADS = [((1, 1), 0.84), ((1, 2), 0.05), ((2, 1), 0.05), ((2, 2), 0.01), ((1, 3), 0.01),
         ((1, 0), 0.02), ((0, 1), 0.02)]


def _word(rnd: random.Random, lo: int, hi: int) -> str:
    return "".join(rnd.choice("bcdfghklmnprstvz") + rnd.choice("aeiou")
                   for _ in range(rnd.randint(lo, hi)))


def make_documents(n: int, seed: int = 0):
    """(source sentences, target sentences, gold beads) with about n source sentences."""
    rnd = random.Random(seed)
    vocab = [_word(rnd, 1, 4) for _ in range(5000)]
    mapping = {w: _word(rnd, 1, 4) for w in vocab}
    names = [_word(rnd, 2, 4).capitalize() for _ in range(300)]
    weights = [1 / (k + 1) for k in range(len(vocab))]

    def sentence() -> list[str]:
        words = rnd.choices(vocab, weights, k=rnd.randint(4, 28))
        if rnd.random() < 0.3:
            words.insert(rnd.randrange(len(words)), rnd.choice(names))
        if rnd.random() < 0.2:
            words.insert(rnd.randrange(len(words)), str(rnd.randint(1, 3000)))
        return words

    def translate(words: list[str]) -> list[str]:
        out = []
        for w in words:
            if rnd.random() < 0.1:
                continue
            out.append(mapping.get(w, w))
            if rnd.random() < 0.1:
                out.append(mapping[rnd.choice(vocab)])
        return out or [mapping[rnd.choice(vocab)]]

    def text(words: list[str]) -> str:
        return " ".join(words) + " ."

    src, tgt, gold = [], [], []
    while len(src) < n:
        (a, b), = rnd.choices([t for t, _ in BEADS], [p for _, p in BEADS])
        s_words = [sentence() for _ in range(a)]
        t_words = translate([w for s in s_words for w in s]) if a else sentence()
        if a == 0:
            t_parts = [t_words]
        elif b == 0:
            t_parts = []
        else:  # cut the translation into b sentences
            cuts = sorted(rnd.sample(range(1, max(len(t_words), b + 1)), b - 1)) if b > 1 else []
            bounds = [0, *cuts, len(t_words)]
            t_parts = [t_words[x:y] or [mapping[rnd.choice(vocab)]]
                       for x, y in zip(bounds, bounds[1:], strict=False)]
        gold.append((tuple(range(len(src), len(src) + a)), tuple(range(len(tgt), len(tgt) + len(t_parts)))))
        src += [text(s) for s in s_words]
        tgt += [text(t) for t in t_parts]
    return src, tgt, gold


def run_one(n: int, lexicon: bool) -> dict:
    import resource
    import time

    from builder.align.scoring import score
    from builder.align.sentences import SentenceAligner

    src, tgt, gold = make_documents(n)
    start, cpu = time.perf_counter(), time.process_time()
    beads = SentenceAligner(learn_lexicon=lexicon).align(src, tgt)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    f1 = score([gold], [[(b.src, b.tgt) for b in beads]])["strict"]["f1"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB (Linux)
    return {"src": len(src), "tgt": len(tgt), "seconds": round(seconds, 2), "cpu": round(cpu, 2),
            "peak_mib": round(peak, 1), "strict_f1": round(f1, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--no-lexicon", action="store_true")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, not args.no_lexicon)))
        return
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    print("| source x target sentences | wall seconds | CPU seconds | peak memory (MiB) | strict F1 |")
    print("| --- | --- | --- | --- | --- |")
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n)] + (["--no-lexicon"] if args.no_lexicon else [])
        r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout)
        print(f"| {r['src']} x {r['tgt']} | {r['seconds']} | {r['cpu']} | {r['peak_mib']} | "
              f"{r['strict_f1']} |",
              flush=True)


if __name__ == "__main__":
    main()
