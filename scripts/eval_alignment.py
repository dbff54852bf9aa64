"""Score the sentence aligner on a gold file of beads: strict and lax precision, recall and F1
over the beads with sentences on both sides (as Vecalign reports them).

    python scripts/eval_alignment.py tests/data/align_gold_en_ru.json [--json]

Strict: a bead counts when it matches a gold bead exactly. Lax: a test bead counts when it
shares a source and a target sentence with some gold bead (and a gold bead is found when
some test bead does).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _nonnull(beads) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(tuple(s), tuple(t)) for s, t in beads if len(s) and len(t)]


def _overlaps(a, b) -> bool:
    return bool(set(a[0]) & set(b[0])) and bool(set(a[1]) & set(b[1]))


def score(gold_pairs: list[list], test_pairs: list[list]) -> dict:
    tp_strict = n_test = n_gold = lax_p = lax_r = 0
    for gold, test in zip(gold_pairs, test_pairs, strict=True):
        g, t = _nonnull(gold), _nonnull(test)
        n_gold += len(g)
        n_test += len(t)
        tp_strict += len(set(g) & set(t))
        lax_p += sum(1 for b in t if any(_overlaps(b, x) for x in g))
        lax_r += sum(1 for b in g if any(_overlaps(b, x) for x in t))

    def f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    sp, sr = tp_strict / max(n_test, 1), tp_strict / max(n_gold, 1)
    lp, lr = lax_p / max(n_test, 1), lax_r / max(n_gold, 1)
    return {"strict": {"precision": sp, "recall": sr, "f1": f1(sp, sr)},
            "lax": {"precision": lp, "recall": lr, "f1": f1(lp, lr)},
            "gold_beads": n_gold, "test_beads": n_test}


def oracle_bridge(pairs: list[dict]):
    """An upper bound for the MT bridge: each target sentence "translated" into the source
    sentences of its gold bead (untranslated ones into nothing)."""
    from builder.align.bridge import chrf

    mt: dict[str, str] = {}
    for p in pairs:
        for s, t in p["beads"]:
            for k in t:
                mt[p["tgt"][k]] = " ".join(p["src"][i] for i in s)

    def similarity(src_text: str, tgt_sentences: list[str]) -> float:
        return chrf(src_text, " ".join(mt.get(t, "") for t in tgt_sentences))

    return similarity


def evaluate(gold_file: Path, aligner=None, bridge: str | None = None) -> dict:
    from builder.align.sentences import SentenceAligner

    pairs = json.loads(Path(gold_file).read_text(encoding="utf-8"))["pairs"]
    if aligner is None:
        aligner = SentenceAligner(similarity=oracle_bridge(pairs) if bridge == "oracle" else None)
    gold = [p["beads"] for p in pairs]
    test = [[[list(b.src), list(b.tgt)] for b in aligner.align(p["src"], p["tgt"])] for p in pairs]
    result = score(gold, test)
    result["pairs"] = {p["id"]: t for p, t in zip(pairs, test, strict=True)}
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--bridge", choices=("none", "oracle"), default="none",
                    help="oracle: an upper bound for the MT bridge (gold sources as translations)")
    args = ap.parse_args()
    r = evaluate(Path(args.gold), bridge=args.bridge)
    if args.json:
        print(json.dumps(r, indent=2))
        return
    print(f"gold beads {r['gold_beads']}, test beads {r['test_beads']} (sentences on both sides)")
    print("| mode | precision | recall | F1 |\n| --- | --- | --- | --- |")
    for mode in ("strict", "lax"):
        m = r[mode]
        print(f"| {mode} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} |")


if __name__ == "__main__":
    main()
