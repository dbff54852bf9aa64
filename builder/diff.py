"""`diff OLD NEW`: per config, rows added, removed and changed between two builds.

Rows are matched by id. Where a source has no message ids, an edited post gets a new
content-hash id: removed and added posts whose texts are similar are paired as one changed
post, and their segments and pairs are matched by segment index.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

from builder.errors import InputError
from builder.manifest import read_manifest

EXAMPLES = 3
SIMILAR = 0.6


def _rows(root: Path, config: str) -> list[dict]:
    import pyarrow.parquet as pq  # noqa: PLC0415

    rows: list[dict] = []
    for f in sorted((root / "data" / config).glob("*.parquet")):
        rows.extend(pq.read_table(f).to_pylist())
    return rows


def _configs(root: Path) -> list[str]:
    data = root / "data"
    return sorted(p.name for p in data.iterdir() if p.is_dir()) if data.is_dir() else []


def _content(config: str, row: dict):
    if config == "posts" or config == "segments":
        return row["text"]
    return row.get("translation")


def _pair_posts(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """old id -> new id for posts whose id changed but whose text is similar."""
    removed = [i for i in old if i not in new]
    added = [i for i in new if i not in old]
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for o in removed:
        best, best_ratio = None, SIMILAR
        for a in added:
            if a in taken:
                continue
            m = SequenceMatcher(None, old[o], new[a], autojunk=False)
            if m.real_quick_ratio() < best_ratio or m.quick_ratio() < best_ratio:
                continue
            ratio = m.ratio()
            if ratio >= best_ratio:
                best, best_ratio = a, ratio
        if best is not None:
            mapping[o] = best
            taken.add(best)
    return mapping


def _key(config: str, row: dict, rename: dict[str, str]) -> str:
    if config == "posts":
        return rename.get(row["post_id"], row["post_id"])
    post = rename.get(row["post_id"], row["post_id"])
    return f"{post}:{row['segment_index']}"


def diff_builds(old_root: Path, new_root: Path) -> dict:
    """The diff of two finished builds (with their manifests)."""
    manifests = []
    for root in (Path(old_root), Path(new_root)):
        manifest = read_manifest(root)
        if manifest is None:
            raise InputError(f"{root}: not a bitext-builder dataset (no readable manifest.json)")
        manifests.append(manifest)
    report = diff_data(Path(old_root), Path(new_root))
    report["old"], report["new"] = manifests[0]["dataset"], manifests[1]["dataset"]
    return report


def diff_data(old_root: Path, new_root: Path) -> dict:
    """Per config counts and examples, from the data folders alone."""
    old_configs, new_configs = _configs(old_root), _configs(new_root)
    old_posts = {r["post_id"]: r["text"] for r in _rows(old_root, "posts")}
    new_posts = {r["post_id"]: r["text"] for r in _rows(new_root, "posts")}
    rename = _pair_posts(old_posts, new_posts)
    report: dict = {"configs": {}}
    for config in [c for c in new_configs if c in old_configs] + [
        c for c in new_configs if c not in old_configs
    ] + [c for c in old_configs if c not in new_configs]:
        old = {_key(config, r, rename): r for r in _rows(old_root, config)} if config in old_configs else {}
        new = {_key(config, r, {}): r for r in _rows(new_root, config)} if config in new_configs else {}
        added = [k for k in new if k not in old]
        removed = [k for k in old if k not in new]
        changed = [k for k in new if k in old and _content(config, old[k]) != _content(config, new[k])]
        report["configs"][config] = {
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed),
            "unchanged": sum(1 for k in new if k in old) - len(changed),
            "examples": {
                "added": [_content(config, new[k]) for k in added[:EXAMPLES]],
                "removed": [_content(config, old[k]) for k in removed[:EXAMPLES]],
                "changed": [
                    {"old": _content(config, old[k]), "new": _content(config, new[k])}
                    for k in changed[:EXAMPLES]
                ],
            },
        }
    return report


def counts_only(report: dict) -> dict:
    return {
        name: {k: v for k, v in entry.items() if k != "examples"}
        for name, entry in report["configs"].items()
    }
