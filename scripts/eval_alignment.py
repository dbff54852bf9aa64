"""Score the sentence aligner against gold alignments: strict and lax precision, recall and F1
as Vecalign's `score.py` defines them (counts summed over documents; precision over every test
bead, skips included; recall over the gold beads with sentences on both sides).

Our JSON gold set (pairs of sentence lists with gold beads; aligned together, as a build aligns
a channel's posts):

    python scripts/eval_alignment.py tests/data/align_gold_en_ru.json [--bridge oracle]

Bleualign/Vecalign format: source file, target file (one sentence per line) and gold beads
(`[0, 1]:[0]` per line), as many triples as documents:

    python scripts/eval_alignment.py ../shared/data/align/bleualign_dev/dev.{de,fr,defr}

Add `--test FILE ...` (one per document) to score alignments made elsewhere instead, and
`--no-lexicon` to stop after the first lexical pass. Strict: a test bead counts when it is a
gold bead. Lax: when it shares a source sentence and a target sentence with a gold bead (test
beads for precision, gold beads for recall).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.align.scoring import read_beads, score  # noqa: E402


def oracle_bridge(pairs: list[dict]):
    """An upper bound for the MT bridge: each target sentence "translated" into the source
    sentences of its gold bead (untranslated ones into nothing)."""
    mt: dict[str, str] = {}
    for p in pairs:
        for s, t in p["beads"]:
            for k in t:
                mt[p["tgt"][k]] = " ".join(p["src"][i] for i in s)
    return lambda sentences: [mt.get(t, "") for t in sentences]


def _documents(paths: list[Path]) -> tuple[list, list]:
    """(src, tgt) sentence lists and gold beads, from one JSON gold file or triples."""
    if len(paths) == 1 and paths[0].suffix == ".json":
        pairs = json.loads(paths[0].read_text(encoding="utf-8"))["pairs"]
        return ([(p["src"], p["tgt"]) for p in pairs],
                [[(tuple(s), tuple(t)) for s, t in p["beads"]] for p in pairs])
    if len(paths) % 3:
        raise SystemExit("give one JSON gold file, or SRC TGT GOLD triples")
    from builder.align.documents import read_sentences

    docs, golds = [], []
    for k in range(0, len(paths), 3):
        docs.append((read_sentences(paths[k]), read_sentences(paths[k + 1])))
        golds.append(read_beads(paths[k + 2]))
    return docs, golds


def evaluate(paths: list[Path] | Path, aligner=None, bridge: str | None = None,
             tests: list[Path] | None = None, lexicon: bool = True) -> dict:
    from builder.align.sentences import SentenceAligner

    paths = [Path(p) for p in (paths if isinstance(paths, list) else [paths])]
    docs, golds = _documents(paths)
    if tests:
        predicted = [read_beads(t) for t in tests]
    else:
        if aligner is None:
            oracle = None
            if bridge == "oracle":
                oracle = oracle_bridge(json.loads(paths[0].read_text(encoding="utf-8"))["pairs"])
            aligner = SentenceAligner(learn_lexicon=lexicon, bridge=oracle)
        if paths[0].suffix == ".json":  # posts of one channel: aligned together, as builds do
            aligned = aligner.align_many(docs)
        else:  # each document on its own, as Vecalign and hunalign are run
            aligned = [aligner.align(s, t) for s, t in docs]
        predicted = [[(b.src, b.tgt) for b in beads] for beads in aligned]
    result = score(golds, predicted)
    result["documents"] = [[[list(s), list(t)] for s, t in p] for p in predicted]
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path, help="GOLD.json, or SRC TGT GOLD triples")
    ap.add_argument("--test", nargs="+", type=Path, help="alignments to score instead of ours")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-lexicon", action="store_true", help="no learned lexicon (pass 1 only)")
    ap.add_argument("--bridge", choices=("none", "oracle"), default="none",
                    help="oracle: an upper bound for the MT bridge (gold sources as translations)")
    args = ap.parse_args()
    r = evaluate(args.files, bridge=args.bridge, tests=args.test, lexicon=not args.no_lexicon)
    if args.json:
        print(json.dumps(r, indent=2))
        return
    print(f"gold beads {r['gold_beads']}, test beads {r['test_beads']}")
    print("| mode | precision | recall | F1 |\n| --- | --- | --- | --- |")
    for mode in ("strict", "lax"):
        m = r[mode]
        print(f"| {mode} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} |")


if __name__ == "__main__":
    main()
