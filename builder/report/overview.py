"""The report's overview: rows per config and split, languages, and the funnel from posts
read to rows kept with every drop reason (from the manifest and the rejects' counts)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from builder.output.histograms import iter_batches
from builder.output.layout import config_split
from builder.output.splits import SPLITS


def rows_per_split(outputs: list[dict]) -> list[dict]:
    """[{config, splits: {split: rows}, total}] in the manifest's config order."""
    table: dict[str, dict[str, int]] = {}
    for out in outputs:
        found = config_split(out["path"])
        if found is not None:
            config, split = found
            table.setdefault(config, {})[split] = int(out.get("rows") or 0)
    order = sorted(table, key=lambda c: (c not in ("segments", "posts"), c != "segments", c))
    return [{"config": c, "splits": [table[c].get(s) for s in SPLITS],
             "total": sum(table[c].values())} for c in order]


def segment_languages(root: Path, paths: list[str]) -> list[tuple[str, int]]:
    if not paths:
        return []
    import pyarrow.compute as pc  # noqa: PLC0415

    counts: Counter = Counter()
    for batch in iter_batches(root, paths, ["lang"]):
        for item in pc.value_counts(batch.column("lang")).to_pylist():
            counts[item["values"]] += item["counts"]
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))


def _step(label: str, count: int, base: int, drop: bool = False, flag: bool = False) -> dict:
    return {"label": label, "count": count, "drop": drop, "flag": flag,
            "pct": round(100 * count / base, 1) if base else 0.0}


def funnel(counts: dict, drops: Counter, table_rows: dict[str, int]) -> list[dict]:
    """Groups of steps (posts, segments, then each translation and aligned config), each
    with its drops by reason; bar widths are shares of the group's first count."""
    by_stage: dict[str, list[tuple[str, int]]] = {}
    for (stage, reason), n in sorted(drops.items()):
        by_stage.setdefault(stage, []).append((reason, n))
    used: set[str] = set()

    def reasons(stages: tuple[str, ...], suffix: str = "") -> list[tuple[str, int]]:
        found = []
        for stage in stages:
            for reason, n in by_stage.get(stage, []):
                if reason.endswith(suffix):
                    found.append((f"{stage}: {reason}", n))
                    used.add(f"{stage}\0{reason}")
        return found

    posts, segs = counts.get("posts", {}), counts.get("segments", {})
    read, segmented = int(posts.get("read", 0)), int(segs.get("segmented", 0))
    groups = [
        {"title": "Posts", "steps": [
            _step("posts read", read, read),
            *[_step(r, n, read, True) for r, n in reasons(("read", "clean"))],
            _step("posts kept", int(posts.get("kept", 0)), read)]},
        {"title": "Segments", "steps": [
            _step("segments produced", segmented, segmented),
            *[_step(r, n, segmented, True) for r, n in reasons(("segment", "filter", "dedup",
                                                                  "langid"))],
            _step("segments kept", int(segs.get("kept", 0)), segmented)]},
    ]
    for name, rows in table_rows.items():
        if name.endswith("-aligned"):
            tgt, stage, what = name[: -len("-aligned")].rsplit("-", 1)[-1], "align", "beads kept"
        else:
            tgt, stage, what = name.rsplit("-", 1)[-1], "translate", "pairs kept"
        dropped = reasons((stage,), f":{tgt}")
        base = rows + sum(n for _, n in dropped) if stage == "translate" else max(
            [rows, *[n for _, n in dropped]])
        flags = counts.get("translate", {}).get(tgt, {}).get("flags", {}) if stage == "translate" else {}
        groups.append({"title": name, "steps": [
            *[_step(r, n, base, True) for r, n in dropped], _step(what, rows, base),
            *[_step(f"flagged {f} (kept)", n, rows, flag=True) for f, n in sorted(flags.items())]]})
    other = [(f"{s}: {r}", n) for (s, r), n in sorted(drops.items()) if f"{s}\0{r}" not in used]
    if other:
        base = max(n for _, n in other)
        groups.append({"title": "Other drops", "steps": [_step(r, n, base, True)
                                                          for r, n in other]})
    return groups
