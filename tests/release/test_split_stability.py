"""Across releases: an edited post keeps its split, small builds keep validation and test,
and `diff` shows split moves and the changed region of an edited post."""

import json
import shutil

from builder.cli import main
from builder.config import SplitConfig
from builder.output.splits import split_for
from builder.text.clean import content_post_id
from tests.helpers import SAMPLE, SAMPLE_CONFIG, read_rows

SENTENCE = "The conversation took place in a traditionally friendly atmosphere."
SAMPLE_SPLITS = SplitConfig(train=0.7, validation=0.15, test=0.15)  # configs/sample.yaml


def _post_with(root, needle):
    return next(r for r in read_rows(root, "posts") if needle in r["text"])


def _split_of(root, config, post_id):
    for split in ("train", "validation", "test"):
        for f in (root / "data" / config).glob(f"{split}-*.parquet"):
            import pyarrow.parquet as pq

            if post_id in pq.read_table(f, columns=["post_id"]).column("post_id").to_pylist():
                return split
    return None


def test_edited_post_keeps_its_split(tmp_path, capsys):
    out = tmp_path / "ds"
    assert main(["build", "--out", str(out), "-q"]) == 0
    v1 = tmp_path / "v1"
    shutil.copytree(out, v1)
    old = _post_with(v1, SENTENCE)
    old_split = _split_of(v1, "posts", old["post_id"])
    # two words appended: a new content-hash id, which the hash alone would put elsewhere
    pairs = [f"{a} {b}" for a in ("as", "once", "truly", "most") for b in ("usual", "again", "warm", "open")]
    words = next(w for w in pairs
                 if split_for(content_post_id(old["text"].replace(SENTENCE, SENTENCE[:-1] + f" {w}.")),
                              SAMPLE_SPLITS) != old_split)
    edited = SENTENCE[:-1] + f" {words}."
    source = tmp_path / "edited.txt"
    source.write_text(SAMPLE.read_text(encoding="utf-8").replace(SENTENCE, edited), encoding="utf-8")
    new_id = content_post_id(old["text"].replace(SENTENCE, edited))

    assert main(["build", str(SAMPLE_CONFIG),
                 "--input", str(source), "--version", "1.1.0", "--out", str(out), "-q"]) == 0
    assert _post_with(out, edited)["post_id"] == new_id
    assert _split_of(out, "posts", new_id) == old_split
    assert _split_of(out, "segments", new_id) == old_split
    kept = json.loads((out / "manifest.json").read_text())["splits"]["kept_from_previous_release"]
    assert [(k["post_id"], k["previous_post_id"], k["split"]) for k in kept] == [
        (new_id, old["post_id"], old_split)]

    capsys.readouterr()
    assert main(["diff", str(v1), str(out)]) == 0
    text = capsys.readouterr().out
    assert "[posts] +0 -0 ~1" in text and "split moves: 0" in text
    # the changed region, not the post's first characters
    assert "friendly atmosphere[--]." in text and f"friendly atmosphere{{+ {words}+}}." in text

    # the same edit built without the previous release: the post lands elsewhere, and diff says so
    fresh = tmp_path / "fresh"
    assert main(["build", str(SAMPLE_CONFIG), "--input", str(source), "--out", str(fresh),
                 "-q"]) == 0
    report = json.loads(_run_json(capsys, ["diff", str(v1), str(fresh), "--json"]))
    posts = report["configs"]["posts"]
    assert posts["changed"] == 1 and posts["moved_split"] == 1
    assert posts["examples"]["moved_split"] == [
        {"id": new_id, "from": old_split, "to": _split_of(fresh, "posts", new_id)}]


def _run_json(capsys, args):
    capsys.readouterr()
    assert main(args) == 0
    return capsys.readouterr().out


def test_small_channel_keeps_validation_and_test(tmp_path):
    from datasets import load_dataset

    cfg = tmp_path / "c.yaml"
    cfg.write_text("input: {paths: ['bundled:telegram_channel_sample.txt']}\n"
                   "splits: {train: 0.8, validation: 0.1, test: 0.1}\n", encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", str(cfg), "--out", str(out), "-q"]) == 0
    ids = [r["post_id"] for r in read_rows(out, "posts")]
    assert len(ids) == 20
    assert "validation" not in {split_for(i, SplitConfig()) for i in ids}  # the hash alone: none
    ds = load_dataset(str(out), "segments", cache_dir=str(tmp_path / "cache"))
    assert set(ds) == {"train", "validation", "test"} and ds["validation"].num_rows > 0
    moved = json.loads((out / "manifest.json").read_text())["splits"]["moved_to_fill_small_splits"]
    assert [m["to"] for m in moved] == ["validation"]
    assert _split_of(out, "posts", moved[0]["post_id"]) == "validation"
    assert _split_of(out, "segments", moved[0]["post_id"]) == "validation"
    # a later release with more posts never moves a post of this one
    before = {i: _split_of(out, "posts", i) for i in ids}
    more = tmp_path / "more.txt"
    more.write_text(SAMPLE.read_text(encoding="utf-8")
                    + "\nForwarded from Russian MFA\nA new post about the weather in Astana today.\n",
                    encoding="utf-8")
    assert main(["build", str(cfg), "--input", str(more), "--version", "1.1.0",
                 "--out", str(out), "-q"]) == 0
    assert {i: _split_of(out, "posts", i) for i in ids} == before


def test_edit_found_among_thousands_of_posts_that_share_most_words():
    """The candidate search reads the query's rarest words first and stops after a budget of
    index entries (a rebuild of 100,000 one-line posts over an earlier release spent 15
    minutes here): the post an edit comes from is still found when thousands of indexed
    posts share most of its words."""
    import random

    from builder.release.edits import POSTINGS, EditIndex

    rng = random.Random(4)
    common = [f"word{i}" for i in range(400)]  # each in about 150 posts: under `common`
    texts = [" ".join(rng.sample(common, 12) + [f"rare{k}a", f"rare{k}b", f"rare{k}c"])
             for k in range(5000)]
    index = EditIndex(texts.__getitem__)
    for k, text in enumerate(texts):
        index.add(f"p{k}", text)
    words = texts[0].split()
    assert sum(len(index._rows.get(w, ())) for w in words) > POSTINGS  # the budget cuts the search
    for k in (0, 2500, 4999):
        edited = texts[k].replace(f"rare{k}c", "changed") + " added"
        assert index.match(edited)[0] == f"p{k}"
    assert index.match("word1 word2 word3 nothing else here") is None  # shares too little
