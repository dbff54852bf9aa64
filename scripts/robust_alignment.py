"""How robust the sentence aligner's score is: strict F1 on a Bleualign-format document, on each
half of it, on seeded variants of it, and on our EN/RU gold set, in one table.

    python scripts/robust_alignment.py ../shared/data/align/bleualign_dev/dev.{de,fr,defr}
    python scripts/robust_alignment.py ../shared/data/align/bleualign_dev/dev.{de,fr,defr} \
        --set lexical_weight=4.5          # the same checks with one knob moved

Variants (each with `--seeds` seeds, gold beads rewritten to match):
- `delete`: 5% of the target sentences removed (a bead that loses its whole target side
  becomes one skip per source sentence);
- `merge`: 5% of the target sentences joined with their successor into one sentence (the two
  beads holding them become one);
- `insert`: 5% more sentences, half on each side, copied from elsewhere on the same side and put
  between two beads: untranslated sentences the aligner must leave unaligned.

The document's own score is what `eval_alignment.py` prints; the rest say whether a change
helps beyond that one document. Knobs go through `--set NAME=VALUE` (fields of
`builder.align.costs.Params`).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.align.scoring import read_beads, score  # noqa: E402

SHARE = 0.05
GOLD_EN_RU = ROOT / "tests/data/align_gold_en_ru.json"


def _reindex(src, tgt, gold, keep_src, keep_tgt):
    """Drop sentences not kept; renumber the gold beads."""
    ms = {old: new for new, old in enumerate(i for i in range(len(src)) if keep_src(i))}
    mt = {old: new for new, old in enumerate(j for j in range(len(tgt)) if keep_tgt(j))}
    beads = []
    for s, t in gold:
        s2 = tuple(ms[i] for i in s if i in ms)
        t2 = tuple(mt[j] for j in t if j in mt)
        if s2 and t2:
            beads.append((s2, t2))
        else:  # one side gone: each remaining sentence is a skip of its own
            beads += [((i,), ()) for i in s2] + [((), (j,)) for j in t2]
    return ([x for i, x in enumerate(src) if i in ms], [x for j, x in enumerate(tgt) if j in mt],
            beads)


def halves(src, tgt, gold):
    """The document cut in two at a 1-1 gold bead near its middle."""
    k = len(gold) // 2
    while not (len(gold[k][0]) == 1 and len(gold[k][1]) == 1):
        k += 1
    cs, ct = gold[k][0][0], gold[k][1][0]
    first = _reindex(src, tgt, gold[:k], lambda i: i < cs, lambda j: j < ct)
    second = _reindex(src, tgt, gold[k:], lambda i: i >= cs, lambda j: j >= ct)
    return first, second


def delete(src, tgt, gold, rnd):
    gone = set(rnd.sample(range(len(tgt)), round(SHARE * len(tgt))))
    return _reindex(src, tgt, gold, lambda i: True, lambda j: j not in gone)


def merge(src, tgt, gold, rnd):
    """Target sentence j joined with j + 1."""
    starts = sorted(rnd.sample(range(len(tgt) - 1), round(SHARE * len(tgt))))
    joined: dict[int, int] = {}  # sentence -> the sentence it is now part of
    for j in starts:
        if j not in joined and j + 1 not in joined:
            joined[j + 1] = j
    text = list(tgt)
    for j, into in sorted(joined.items(), reverse=True):
        text[into] = text[into].rstrip() + " " + text[j].lstrip()
    owner = {j: k for k, (_, t) in enumerate(gold) for j in t}
    # beads holding j and j + 1 become one
    parent = list(range(len(gold)))

    def find(k):
        while parent[k] != k:
            k = parent[k]
        return k

    for j, into in joined.items():
        a, b = owner.get(j), owner.get(into)
        if a is not None and b is not None:
            parent[find(a)] = find(b)
    groups: dict[int, tuple[set, set]] = {}
    for k, (s, t) in enumerate(gold):
        g = groups.setdefault(find(k), (set(), set()))
        g[0].update(s)
        g[1].update(t)
    beads = [(tuple(sorted(s)), tuple(sorted(t))) for s, t in groups.values()]
    return _reindex(src, text, beads, lambda i: True, lambda j: j not in joined)


def insert(src, tgt, gold, rnd):
    """Copies of sentences from at least 20 sentences away, between beads, on both sides."""
    sides = [list(src), list(tgt)]
    count = round(SHARE * (len(src) + len(tgt)) / 2)
    # bead boundaries: (source position, target position) where a bead starts
    starts = sorted({(min(s), min(t)) for s, t in gold if s and t})
    chosen = sorted(rnd.sample(starts, min(count, len(starts))))
    added = [[], []]  # per side: (position before which it goes, text)
    for k, (i, j) in enumerate(chosen):
        side, pos = k % 2, (i, j)[k % 2]
        far = [x for x in range(len(sides[side])) if abs(x - pos) >= 20]
        added[side].append((pos, sides[side][rnd.choice(far)]))
    new_index = []
    for side in (0, 1):
        out, index = [], {}
        extra = sorted(added[side])
        e = 0
        for x, sentence in enumerate(sides[side]):
            while e < len(extra) and extra[e][0] == x:
                out.append(extra[e][1])
                index[("new", e)] = len(out) - 1
                e += 1
            index[x] = len(out)
            out.append(sentence)
        sides[side] = out
        new_index.append(index)
    beads = [(tuple(new_index[0][i] for i in s), tuple(new_index[1][j] for j in t))
             for s, t in gold]
    beads += [((new_index[0][("new", e)],), ()) for e in range(len(added[0]))]
    beads += [((), (new_index[1][("new", e)],)) for e in range(len(added[1]))]
    return sides[0], sides[1], beads


def _f1(aligner_of, docs) -> float:
    """Strict F1 over documents, each aligned on its own."""
    golds, tests = [], []
    for src, tgt, gold in docs:
        golds.append(gold)
        tests.append([(b.src, b.tgt) for b in aligner_of().align(src, tgt)])
    return score(golds, tests)["strict"]["f1"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs=3, type=Path, help="SRC TGT GOLD (Bleualign format)")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--no-lexicon", action="store_true", help="no learned lexicon (pass 1 only)")
    args = ap.parse_args()
    from builder.align.costs import Params
    from builder.align.documents import read_sentences
    from builder.align.sentences import SentenceAligner

    params = Params()
    for item in args.set:
        name, value = item.split("=", 1)
        params = dataclasses.replace(params, **{name: float(value)})

    def aligner():
        return SentenceAligner(params if args.set else None, learn_lexicon=not args.no_lexicon)

    src, tgt = read_sentences(args.files[0]), read_sentences(args.files[1])
    gold = read_beads(args.files[2])
    rows = [("document", _f1(aligner, [(src, tgt, gold)]))]
    first, second = halves(src, tgt, gold)
    rows += [("first half", _f1(aligner, [first])), ("second half", _f1(aligner, [second]))]
    for name, make in (("delete 5%", delete), ("merge 5%", merge), ("insert 5%", insert)):
        docs = [make(src, tgt, gold, random.Random(seed)) for seed in range(args.seeds)]
        rows.append((f"{name} ({args.seeds} seeds)", _f1(aligner, docs)))
    evaluate = _load_eval()
    rows.append(("EN/RU gold set", evaluate(GOLD_EN_RU, aligner())["strict"]["f1"]))
    print("| check | strict F1 |\n| --- | --- |")
    for name, f1 in rows:
        print(f"| {name} | {f1:.3f} |")
    print(f"| mean | {sum(f for _, f in rows) / len(rows):.3f} |")


def _load_eval():
    import importlib.util

    spec = importlib.util.spec_from_file_location("eval_alignment",
                                                  ROOT / "scripts/eval_alignment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.evaluate


if __name__ == "__main__":
    main()
