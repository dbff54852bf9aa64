"""Strict and lax precision, recall and F1 of sentence alignments, as Vecalign's `score.py`
defines them (after Sennrich & Volk 2011), and the Vecalign/Bleualign bead format."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from builder.errors import InputError

BeadPair = tuple[tuple[int, ...], tuple[int, ...]]
_LINE = re.compile(r"^\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]")


def _indices(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.replace(",", " ").split())


def parse_beads(text: str, name: str = "<beads>") -> list[BeadPair]:
    """`[0, 1]:[0]` per line (anything after the second bracket, e.g. a score, is ignored)."""
    beads = []
    for k, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _LINE.match(line)
        if not m:
            raise InputError(f"{name}:{k}: not a bead line like '[0, 1]:[0]': {line[:60]!r}")
        beads.append((_indices(m.group(1)), _indices(m.group(2))))
    return beads


def read_beads(path: Path) -> list[BeadPair]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read beads: {err}") from err
    return parse_beads(text, str(path))


def format_bead(src: Sequence[int], tgt: Sequence[int]) -> str:
    return f"[{', '.join(map(str, src))}]:[{', '.join(map(str, tgt))}]"


def _counts(gold: Iterable[BeadPair], test: Iterable[BeadPair]) -> tuple[int, int, int, int]:
    """(strict hits, strict misses, lax hits, lax misses) of `test` against `gold`."""
    test_set = {(tuple(s), tuple(t)) for s, t in test if len(s) or len(t)}
    gold_set = {(tuple(s), tuple(t)) for s, t in gold if len(s) or len(t)}
    gold_targets: dict[int, set[int]] = defaultdict(set)
    for s, t in gold_set:
        for i in s:
            gold_targets[i].update(t)
    hit = miss = lax_hit = lax_miss = 0
    for s, t in test_set:
        if (s, t) in gold_set:
            hit += 1
            lax_hit += 1
            continue
        miss += 1
        reachable = set().union(*(gold_targets.get(i, ()) for i in s)) if s else set()
        if reachable & set(t):
            lax_hit += 1
        else:
            lax_miss += 1
    return hit, miss, lax_hit, lax_miss


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(golds: Sequence[Sequence[BeadPair]], tests: Sequence[Sequence[BeadPair]]) -> dict:
    """Counts summed over documents. Precision is over all test beads (skips included), recall
    over the gold beads with sentences on both sides."""
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    for gold, test in zip(golds, tests, strict=True):
        p = [a + b for a, b in zip(p, _counts(gold, test), strict=True)]
        both_gold = [(s, t) for s, t in gold if len(s) and len(t)]
        both_test = [(s, t) for s, t in test if len(s) and len(t)]
        r = [a + b for a, b in zip(r, _counts(both_test, both_gold), strict=True)]

    def ratio(a: int, b: int) -> float:
        return a / (a + b) if a + b else 0.0

    sp, sr = ratio(p[0], p[1]), ratio(r[0], r[1])
    lp, lr = ratio(p[2], p[3]), ratio(r[2], r[3])
    return {"strict": {"precision": sp, "recall": sr, "f1": _f1(sp, sr)},
            "lax": {"precision": lp, "recall": lr, "f1": _f1(lp, lr)},
            "gold_beads": sum(len(g) for g in golds), "test_beads": sum(len(t) for t in tests)}
