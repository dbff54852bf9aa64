"""The golden end-to-end build of the bundled sample, and the build's guarantees."""

import json

import pytest

from builder.cli import main
from builder.errors import VerifyError
from builder.release.verify import verify
from tests.helpers import read_rows

EXPECTED_SEGMENTS = [
    "Sergey Lavrov: Excellent.",
    "We share a complete understanding.",
    "Question: What issues were discussed first?",
    "Moscow, December 5, 2022",
    "New York, April 24",
    "Who could disagree?",
    "This is a wonderful idea.",
    "Key talking points:",
    "It is not too late to give the UN a new lease on life.",
    "Foreign Minister Sergey Lavrov’s answers to questions of the Moscow. Kremlin. Putin TV "
    "programme (3 July 2024, Astana)",
    "Russia's presidency of the UN Security Council in April is a reality that the EU refuses, "
    "and publicly, to reckon with.",
    "Last year, our trade soared by 60 percent and even more, by 66 percent; it increased by an "
    "additional 20 percent in the first quarter of 2024.",
    "We extend our congratulations to all principled fact-checkers on their professional holiday",
]


def test_loads_with_three_splits(sample_build):
    from datasets import load_dataset

    for config in ("segments", "posts"):
        ds = load_dataset(str(sample_build), config, cache_dir=str(sample_build.parent / "c"))
        assert set(ds) == {"train", "validation", "test"}
        assert all(ds[s].num_rows > 0 for s in ds)
    seg = ds = load_dataset(str(sample_build), "segments", cache_dir=str(sample_build.parent / "c"))
    assert seg["train"].features["segment_index"].dtype == "int32"


def test_sample_segments_are_clean(sample_build):
    segs = read_rows(sample_build, "segments")
    texts = [s["text"] for s in segs]
    assert len(texts) == len(set(texts)), "a segment occurs twice"
    from builder.text.telegram import EMOJI, URL

    for t in texts:
        assert "#" not in t and not URL.search(t) and not EMOJI.search(t), t
        assert "<...>" not in t and "[...]" not in t and "•" not in t, t
        assert t.casefold() not in {"read in full", "learn more", "view in telegram"}, t
        assert t == t.strip() and "  " not in t
    for expected in EXPECTED_SEGMENTS:
        assert expected in texts, expected


def test_segments_point_into_posts(sample_build):
    posts = {p["post_id"]: p for p in read_rows(sample_build, "posts")}
    assert len(posts) == 20
    for s in read_rows(sample_build, "segments"):
        post = posts[s["post_id"]]
        assert post["text"][s["char_start"] : s["char_end"]] == s["text"]
        assert s["id"] == f"{s['post_id']}:{s['segment_index']}"
        assert s["channel"] == post["channel"]


def test_manifest_counts_and_rejects(sample_build):
    m = json.loads((sample_build / "manifest.json").read_text())
    assert m["counts"]["posts"] == {"read": 20, "kept": 20}
    assert m["counts"]["clean"]["doubled_body_lines"] > 50
    assert m["counts"]["clean"]["notice_lines"] > 10
    kept = m["counts"]["segments"]["kept"]
    assert kept == len(read_rows(sample_build, "segments"))
    drops = sum(m["counts"]["drops"].values())
    assert m["counts"]["segments"]["segmented"] == kept + drops
    rejects = (sample_build / "rejects.jsonl").read_text().splitlines()
    assert len(rejects) == drops
    assert {json.loads(r)["reason"] for r in rejects} == set(m["counts"]["drops"])
    text = (sample_build / "README.md").read_text() + json.dumps(m)
    assert "/tmp" not in text and str(sample_build) not in text


def test_card_metadata_and_prose(sample_build):
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(sample_build / "README.md")
    data = card.data.to_dict()
    assert data["language"] == ["en"] and data["license"] == "unknown"
    assert [c["config_name"] for c in data["configs"]] == ["segments", "posts"]
    assert data["configs"][0]["default"] is True
    m = json.loads((sample_build / "manifest.json").read_text())
    assert m["signature"] in card.text
    for needle in ("doubled_body_lines", "How to load", "Limitations", "Example row"):
        assert needle in card.text


def test_two_builds_are_byte_identical(sample_build, tmp_path):
    other = tmp_path / "again"
    assert main(["build", "--out", str(other), "-q"]) == 0
    files = sorted(p.relative_to(sample_build) for p in sample_build.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
    for rel in files:
        assert (sample_build / rel).read_bytes() == (other / rel).read_bytes(), rel


def test_verify_passes_and_catches_tampering(sample_build, tmp_path):
    import shutil

    assert len(verify(sample_build)) == 5
    for victim in ("data/segments/train-00000-of-00001.parquet", "README.md"):
        copy = tmp_path / victim.replace("/", "_")
        shutil.copytree(sample_build, copy)
        with (copy / victim).open("ab") as f:
            f.write(b"x")
        with pytest.raises(VerifyError, match="sha256 differs"):
            verify(copy)
        assert main(["verify", str(copy)]) == 1


def test_rebuild_same_signature_is_up_to_date(tmp_path, capsys):
    out = tmp_path / "ds"
    assert main(["build", "--out", str(out), "-q"]) == 0
    before = (out / "manifest.json").stat().st_mtime_ns
    assert main(["build", "--out", str(out), "-q"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert (out / "manifest.json").stat().st_mtime_ns == before
    # a different build of the same version is refused; a new version or --force is fine
    assert main(["build", "--name", "telegram-channel-sample",
                 "--out", str(out), "-q", "--input", str(_small(tmp_path))]) == 2
    assert "holds release 1.0.0" in capsys.readouterr().err
    assert main(["build", "--name", "telegram-channel-sample",
                 "--out", str(out), "-q", "--input", str(_small(tmp_path)),
                 "--version", "1.0.1"]) == 0


def _small(tmp_path):
    p = tmp_path / "small.txt"
    p.write_text("Forwarded from A\nOne small post of some words.\n", encoding="utf-8")
    return p
