"""`diff OLD NEW`: per config, rows added, removed and changed between two builds.

Rows are matched by id. Where a source has no message ids, an edited post gets a new
content-hash id: removed and added posts whose texts are similar are paired as one changed
post, and their segments and pairs are matched by segment index. Matched rows whose split
differs are counted as split moves (rows a model trained on that reached validation or test).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from builder.errors import InputError
from builder.output.layout import configs_in, split_files
from builder.output.manifest import read_manifest
from builder.release.edits import EditIndex

EXAMPLES = 3
CONTEXT = 60


def _table(root: Path, config: str):
    """Only the columns a diff needs (ids and content) and each row's split, as one table."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    content = _content_column(config)
    columns = ["post_id", content] if config == "posts" else ["post_id", "segment_index", content]
    tables = []
    for f in split_files(root, config):
        table = pq.ParquetFile(f).read(columns=columns)  # read_table imports pandas (0.5 s)
        split = f.name.split("-")[0]
        tables.append(table.append_column("split", pa.array([split] * table.num_rows, pa.string())))
    return pa.concat_tables(tables) if tables else None


def _content_column(config: str) -> str:
    return "text" if config in ("posts", "segments") else "translation"


def _index(table, config: str, rename: dict[str, str]) -> dict[str, tuple[bytes, int]]:
    """key -> (digest of the content, row number): small, whatever the texts weigh."""
    if table is None:
        return {}
    content = table.column(_content_column(config)).to_pylist()
    posts = table.column("post_id").to_pylist()
    indices = table.column("segment_index").to_pylist() if config != "posts" else None
    out = {}
    for i, post in enumerate(posts):
        post = rename.get(post, post)
        key = post if indices is None else f"{post}:{indices[i]}"
        value = content[i] if isinstance(content[i], str) else json.dumps(content[i], sort_keys=True, ensure_ascii=False)
        out[key] = (hashlib.blake2b(value.encode(), digest_size=16).digest(), i)
    return out


def _content_at(table, config: str, i: int):
    return table.column(_content_column(config))[i].as_py()


def _split_at(table, i: int) -> str:
    return table.column("split")[i].as_py()


def _configs(root: Path) -> list[str]:
    return configs_in(root)


def _pair_posts(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """old id -> new id for posts whose id changed but whose text is similar (one to one,
    removed posts in order, each to its most similar added post)."""
    removed = [i for i in old if i not in new]
    added = [i for i in new if i not in old]
    index = EditIndex(lambda row: new[added[row]])
    for a in added:
        index.add(a, new[a])
    mapping: dict[str, str] = {}
    for o in removed:
        found = index.match(old[o], exclude=set(mapping.values()))
        if found is not None:
            mapping[o] = found[0]
    return mapping


def changed_region(old: str, new: str, context: int = CONTEXT, most: int = 200) -> tuple[str, str]:
    """Both texts cut to the part that differs, with `context` characters either side:
    `…a [-traditionally-] friendly…` and `…a {+very+} friendly…`."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1

    def show(text: str, mark: tuple[str, str]) -> str:
        middle = text[start:len(text) - end]
        if len(middle) > most:
            middle = middle[:most // 2] + "…" + middle[-most // 2:]
        before = text[max(0, start - context):start]
        after = text[len(text) - end:len(text) - end + context]
        return (("…" if start > context else "") + before + mark[0] + middle + mark[1] + after
                + ("…" if end > context else ""))

    return show(old, ("[-", "-]")), show(new, ("{+", "+}"))


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
    old_posts, new_posts = _table(old_root, "posts"), _table(new_root, "posts")
    old_ids = old_posts.column("post_id").to_pylist() if old_posts is not None else []
    new_ids = new_posts.column("post_id").to_pylist() if new_posts is not None else []
    gone, came = set(old_ids) - set(new_ids), set(new_ids) - set(old_ids)
    rename = _pair_posts(  # only posts on one side are candidates for an edit
        {p: _content_at(old_posts, "posts", i) for i, p in enumerate(old_ids) if p in gone},
        {p: _content_at(new_posts, "posts", i) for i, p in enumerate(new_ids) if p in came},
    )
    report: dict = {"configs": {}}
    for config in [c for c in new_configs if c in old_configs] + [
        c for c in new_configs if c not in old_configs
    ] + [c for c in old_configs if c not in new_configs]:
        old_t = _table(old_root, config) if config in old_configs else None
        new_t = _table(new_root, config) if config in new_configs else None
        old, new = _index(old_t, config, rename), _index(new_t, config, {})
        added = [k for k in new if k not in old]
        removed = [k for k in old if k not in new]
        changed = [k for k in new if k in old and old[k][0] != new[k][0]]
        moved = [k for k in new if k in old
                 and _split_at(old_t, old[k][1]) != _split_at(new_t, new[k][1])]
        report["configs"][config] = {
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed),
            "unchanged": sum(1 for k in new if k in old) - len(changed),
            "moved_split": len(moved),
            "examples": {
                "added": [_content_at(new_t, config, new[k][1]) for k in added[:EXAMPLES]],
                "removed": [_content_at(old_t, config, old[k][1]) for k in removed[:EXAMPLES]],
                "changed": [
                    {"old": _content_at(old_t, config, old[k][1]),
                     "new": _content_at(new_t, config, new[k][1])}
                    for k in changed[:EXAMPLES]
                ],
                "moved_split": [
                    {"id": k, "from": _split_at(old_t, old[k][1]), "to": _split_at(new_t, new[k][1])}
                    for k in moved[:EXAMPLES]
                ],
            },
        }
    return report


def counts_only(report: dict) -> dict:
    return {
        name: {k: v for k, v in entry.items() if k != "examples"}
        for name, entry in report["configs"].items()
    }
