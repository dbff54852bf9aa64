"""Precision of near-duplicate removal and false positives of the personal-data step.

Near-duplicates: the hand-written pairs of `tests/data/near_dup_pairs.json`, plus pairs made
from the bundled sample: each post and each segment (of the minimum words or more) edited
the way reposts are (a changed number or date, a swapped pair of letters, an inserted word,
an added line) as known near-duplicates, and every pair of two different sample posts or
segments as known non-duplicates. A second, held-out set (`tests/data/near_dup_heldout.json`,
written after the rules and thresholds were fixed and not used to tune them) is scored on
its own: its hard negatives fill one slot of a template with another name or country. A
third set (`tests/data/near_dup_opposites.json`, segments) holds opposite statements (`not`,
`for`/`against`, `невиновным`) that MinHash finds alike, and edits of sentences holding a
negation; segments are scored with the build's polarity check (`filters.polarity`), posts
without it (the post step has none).
Personal data: the sentences of `tests/data/pii_eval.json`
(number-heavy ones that must stay as they are, and ones with data to replace; its `held_out`
part was written after the rules were fixed) and the bundled sample, which holds none.

    python scripts/eval_quality.py [--posts-threshold 0.7] [--segments-threshold 0.7]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "data" / "near_dup_pairs.json"
HELD_OUT = ROOT / "tests" / "data" / "near_dup_heldout.json"
OPPOSITES = ROOT / "tests" / "data" / "near_dup_opposites.json"
PII = ROOT / "tests" / "data" / "pii_eval.json"
_NUMBER = re.compile(r"\d+")


def sample_texts() -> tuple[list[str], list[str]]:
    """The bundled sample's cleaned posts and their segments (distinct)."""
    from builder.config import BuildConfig
    from builder.readers import plan_inputs, read_inputs
    from builder.text.clean import Cleaner
    from builder.text.segment import Segmenter

    config = BuildConfig()
    cleaner, segmenter = Cleaner(), Segmenter("en", config.segment.protected_names)
    posts = [cleaner.clean(raw) for raw in read_inputs(plan_inputs(config.input), config.input)]
    segments = list(dict.fromkeys(s.text for p in posts for s in segmenter.segment(p)))
    return [p.text for p in posts], segments


def edits(text: str, k: int) -> list[tuple[str, str]]:
    """Repost-like variants of a text: (what, variant)."""
    out = []
    if _NUMBER.search(text):
        out.append(("number changed", _NUMBER.sub(lambda m: str(int(m.group()) + 1), text, 1)))
    words = text.split(" ")
    longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    w = words[longest]
    if len(w) > 3:
        swapped = w[:1] + w[2] + w[1] + w[3:]
        out.append(("letters swapped", " ".join(words[:longest] + [swapped] + words[longest + 1:])))
    extra = ("also", "then", "still", "indeed")[k % 4]
    at = min(2, len(words))
    out.append(("word inserted", " ".join(words[:at] + [extra] + words[at:])))
    return out


def pairs(level: str, texts: list[str], min_words: int) -> list[dict]:
    hand = json.loads(PAIRS.read_text(encoding="utf-8"))[level]
    out = [{**p, "source": "hand-written"} for p in hand]
    usable = [t for t in texts if len(t.split()) >= min_words]
    for k, text in enumerate(usable):
        variants = edits(text, k)
        if level == "posts":
            variants.append(("line added", text + "\nUPD: the text of the statement was corrected."))
        out += [{"a": text, "b": v, "near": True, "what": what, "source": "sample edited"}
                for what, v in variants]
    out += [{"a": a, "b": b, "near": False, "what": "two sample texts", "source": "sample pairs"}
            for i, a in enumerate(usable) for b in usable[i + 1:]]
    return out


def near_dup_scores(level: str, threshold: float | None = None, *,
                    held_out: bool = False, opposites: bool = False,
                    verify: bool | None = None, numbers: bool = True) -> dict:
    """Precision and recall of one level's rule on the main set (hand-written pairs and pairs
    made from the sample) or, with `held_out` (`opposites`), on the held-out (opposite
    statements') pairs alone. `verify`: with the polarity check (default: as the build
    does, segments only); `numbers`: posts with the check of replaced numbers, as the build
    does (`near_dedup.posts.changed_numbers`)."""
    from builder.config import NearDedupConfig
    from builder.filters.minhash import pair_verdicts, post_sketcher, segment_sketcher

    config = NearDedupConfig()
    part = config.posts if level == "posts" else config.segments
    threshold = part.threshold if threshold is None else threshold
    sketcher = post_sketcher(part) if level == "posts" else segment_sketcher(part)
    min_words = getattr(part, "min_words", 1)
    if held_out or opposites:
        items = [{**p, "source": "held out" if held_out else "opposites"}
                 for p in json.loads((HELD_OUT if held_out else OPPOSITES)
                                     .read_text(encoding="utf-8"))[level]]
    else:
        posts, segments = sample_texts()
        items = pairs(level, posts if level == "posts" else segments, min_words)
    found = pair_verdicts(sketcher, threshold, [p["a"] for p in items], [p["b"] for p in items],
                          min_words, verify=level == "segments" if verify is None else verify,
                          changed_numbers=getattr(part, "changed_numbers", 0) if numbers else 0
                          ).tolist()
    tp = sum(f and p["near"] for f, p in zip(found, items, strict=True))
    fp = [p for f, p in zip(found, items, strict=True) if f and not p["near"]]
    fn = [p for f, p in zip(found, items, strict=True) if not f and p["near"]]
    positives = sum(p["near"] for p in items)
    return {"level": level, "threshold": threshold, "pairs": len(items), "positives": positives,
            "negatives": len(items) - positives, "true_positives": tp, "false_positives": len(fp),
            "precision": tp / (tp + len(fp)) if tp + len(fp) else 1.0,
            "recall": tp / positives if positives else 1.0, "missed": fn, "wrong": fp}


def pii_scores() -> dict:
    from builder.text.pii import PiiScrubber

    data = json.loads(PII.read_text(encoding="utf-8"))
    scrubber = PiiScrubber()
    posts, _ = sample_texts()
    changed = [t for t in data["clean"] if scrubber.scrub(t)[1]]
    sample_hits = sum(sum(scrubber.scrub(t)[1].values()) for t in posts)
    wrong = [p for p in data["pii"] if scrubber.scrub(p["text"])[0] != p["expected"]]
    held = data["held_out"]
    held_changed = [t for t in held["clean"] if scrubber.scrub(t)[1]]
    held_wrong = [p for p in held["pii"] if scrubber.scrub(p["text"])[0] != p["expected"]]
    return {"number_heavy_sentences": len(data["clean"]), "false_positives": len(changed),
            "sample_posts": len(posts), "sample_findings": sample_hits,
            "pii_sentences": len(data["pii"]), "pii_exact": len(data["pii"]) - len(wrong),
            "held_out_number_heavy": len(held["clean"]),
            "held_out_false_positives": len(held_changed),
            "held_out_pii": len(held["pii"]), "held_out_exact": len(held["pii"]) - len(held_wrong),
            "changed": changed + held_changed, "wrong": wrong + held_wrong}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts-threshold", type=float)
    ap.add_argument("--segments-threshold", type=float)
    ap.add_argument("-v", "--verbose", action="store_true", help="list the pairs missed")
    args = ap.parse_args()
    print("| near-duplicates | threshold | pairs (near / not) | precision | recall |")
    print("| --- | --- | --- | --- | --- |")
    runs = [(level, t, held, False) for held in (False, True)
            for level, t in (("posts", args.posts_threshold), ("segments", args.segments_threshold))]
    runs.append(("segments", args.segments_threshold, False, True))
    for level, t, held, opp in runs:
        r = near_dup_scores(level, t, held_out=held, opposites=opp)
        name = level + (" (held out)" if held else " (opposites)" if opp else "")
        print(f"| {name} | {r['threshold']} | {r['pairs']} ({r['positives']} / {r['negatives']}) "
              f"| {r['precision']:.3f} | {r['recall']:.3f} |")
        for p in r["wrong"] + (r["missed"] if args.verbose else []):
            label = "false positive" if p in r["wrong"] else "missed"
            print(f"  {label} ({p['what']}): {p['a'][:70]!r} ~ {p['b'][:70]!r}")
    r = pii_scores()
    print()
    print("| personal data | texts | changed or found |")
    print("| --- | --- | --- |")
    print(f"| number-heavy sentences without any (false positives) | {r['number_heavy_sentences']} "
          f"| {r['false_positives']} |")
    print(f"| bundled sample posts (false positives) | {r['sample_posts']} | {r['sample_findings']} |")
    print(f"| sentences with data, replaced exactly as expected | {r['pii_sentences']} "
          f"| {r['pii_exact']} |")
    print(f"| held out: number-heavy sentences without any (false positives) "
          f"| {r['held_out_number_heavy']} | {r['held_out_false_positives']} |")
    print(f"| held out: sentences with data, replaced exactly as expected | {r['held_out_pii']} "
          f"| {r['held_out_exact']} |")
    for t in r["changed"]:
        print(f"  false positive: {t!r}")
    for p in r["wrong"]:
        print(f"  not as expected: {p['text']!r}")


if __name__ == "__main__":
    main()
