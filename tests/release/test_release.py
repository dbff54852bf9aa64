"""Versioned releases: diff, the card's Releases section, publish to a local Hub stand-in."""

import json

import pytest

from builder.cli import main
from builder.release.diff import diff_builds
from tests.helpers import SAMPLE, SAMPLE_CONFIG
from tests.release.hub_server import TOKEN, no_token_anywhere


def edited_sample(tmp_path):
    """The sample with two posts removed and one sentence of another edited."""
    text = SAMPLE.read_text(encoding="utf-8")
    posts = text.split("Forwarded from ")
    head, posts = posts[0], posts[1:]
    kept = [p for i, p in enumerate(posts) if i not in (5, 9)]  # EU mission, Pakistan
    edited = "Forwarded from ".join([head, *kept]).replace(
        "The conversation took place in a traditionally friendly atmosphere.",
        "The conversation took place in a very friendly atmosphere.")
    path = tmp_path / "edited.txt"
    path.write_text(edited, encoding="utf-8")
    return path


def test_diff_reports_exactly_the_changes(sample_build, tmp_path, capsys):
    new = tmp_path / "new"
    assert main(["build", str(SAMPLE_CONFIG), "--input", str(edited_sample(tmp_path)),
                 "--out", str(new), "-q"]) == 0
    report = diff_builds(sample_build, new)
    posts, segs = report["configs"]["posts"], report["configs"]["segments"]
    assert (posts["added"], posts["removed"], posts["changed"]) == (0, 2, 1)
    old_segments = json.loads((sample_build / "manifest.json").read_text())["counts"]["segments"]["kept"]
    removed_ids = {"h45da2189b5c74861", "h0e8f8d6171f804fd"}
    import pyarrow.parquet as pq

    n_removed = sum(
        1 for f in (sample_build / "data/segments").glob("*.parquet")
        for r in pq.read_table(f).to_pylist() if r["post_id"] in removed_ids)
    assert (segs["added"], segs["removed"], segs["changed"]) == (0, n_removed, 1)
    assert segs["unchanged"] == old_segments - n_removed - 1
    assert segs["examples"]["changed"] == [{
        "old": "The conversation took place in a traditionally friendly atmosphere.",
        "new": "The conversation took place in a very friendly atmosphere."}]
    capsys.readouterr()
    assert main(["diff", str(sample_build), str(new), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["configs"]["posts"]["removed"] == 2


def test_card_keeps_releases_newest_first(tmp_path):
    out = tmp_path / "ds"
    assert main(["build", "--out", str(out), "-q"]) == 0
    assert main(["build", str(SAMPLE_CONFIG),
                 "--out", str(out), "-q", "--input", str(edited_sample(tmp_path)),
                 "--version", "1.1.0"]) == 0
    card = (out / "README.md").read_text()
    assert card.index("### v1.1.0") < card.index("### v1.0.0")
    assert "Changes against v1.0.0" in card and "First release." in card
    releases = json.loads((out / "manifest.json").read_text())["releases"]
    assert [r["version"] for r in releases] == ["1.1.0", "1.0.0"]
    assert releases[0]["changes"]["posts"]["removed"] == 2


def test_signature_changes_with_inputs_and_settings(sample_build, tmp_path):
    base = json.loads((sample_build / "manifest.json").read_text())["signature"]
    other = tmp_path / "o"
    assert main(["build", str(SAMPLE_CONFIG), "--out", str(other), "-q",
                 "--input", str(edited_sample(tmp_path))]) == 0
    assert json.loads((other / "manifest.json").read_text())["signature"] != base
    cfg = tmp_path / "c.yaml"
    cfg.write_text("input: {paths: ['bundled:telegram_channel_sample.txt']}\nfilters: {min_words: 3}\n"
                   "splits: {train: 0.7, validation: 0.15, test: 0.15}\nname: telegram-channel-sample\n",
                   encoding="utf-8")
    third = tmp_path / "t"
    assert main(["build", str(cfg), "--out", str(third), "-q"]) == 0
    assert json.loads((third / "manifest.json").read_text())["signature"] != base


def test_dry_run_touches_nothing(sample_build, hub, capsys):
    assert main(["publish", str(sample_build), "--repo-id", "org/ds", "--dry-run"]) == 0
    cap = no_token_anywhere(capsys, sample_build)
    assert hub.calls == []
    assert "would upload" in cap.out and "manifest.json" in cap.out and "tag: v1.0.0" in cap.out
    assert "sha256" in cap.out and "nothing was sent" in cap.out
    assert "card: its load snippet names org/ds at revision v1.0.0" in cap.out


def test_publish_commits_and_tags(sample_build, hub, capsys):
    assert main(["publish", str(sample_build), "--repo-id", "org/ds", "--private"]) == 0
    no_token_anywhere(capsys, sample_build)
    repo = hub.repo("org/ds")
    assert len(repo["commits"]) == 1
    commit = repo["commits"][0]
    local = sorted(p.relative_to(sample_build).as_posix() for p in sample_build.rglob("*") if p.is_file())
    assert sorted(commit["files"]) == local
    # the card as published loads the repo at the tag; otherwise it is the built card
    card = commit["files"]["README.md"].decode()
    assert 'load_dataset("org/ds", "segments", revision="v1.0.0")' in card
    assert "./dist/" not in card
    from builder.output.card_location import region, with_snippet

    local = (sample_build / "README.md").read_text()
    assert with_snippet(card, region(local)) == local
    images = [f for f in commit["files"] if f.startswith("images/") and f.endswith(".svg")]
    assert images and all(commit["files"][f] == (sample_build / f).read_bytes() for f in images)
    assert commit["parent"] == commit["header"]["parentCommit"]
    assert repo["tags"] == {"v1.0.0": commit["oid"]}
    signature = json.loads((sample_build / "manifest.json").read_text())["signature"]
    assert signature in repo["tag_messages"]["v1.0.0"]
    assert repo["private"] is True
    # the same version again: refused, nothing new
    assert main(["publish", str(sample_build), "--repo-id", "org/ds"]) == 5
    assert "tag v1.0.0 exists" in capsys.readouterr().err
    assert len(repo["commits"]) == 1


def test_moved_head_fails_without_tag(sample_build, hub, capsys):
    hub.move_head_before_commit = True
    assert main(["publish", str(sample_build), "--repo-id", "org/ds"]) == 5
    err = no_token_anywhere(capsys, sample_build).err
    assert "changed meanwhile" in err and err.count("\n") == 1
    assert hub.repo("org/ds")["tags"] == {} and hub.repo("org/ds")["commits"] == []


@pytest.mark.parametrize("step, status", [("create", 401), ("commit", 403)])
def test_permission_errors(sample_build, hub, capsys, step, status):
    hub.fail[step] = status
    assert main(["publish", str(sample_build), "--repo-id", "org/ds"]) == 5
    err = no_token_anywhere(capsys, sample_build).err
    assert "permission denied" in err and err.count("\n") == 1
    assert all(not r["tags"] for r in hub.repos.values())


def test_wrong_token_is_refused(sample_build, hub, capsys, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_wrong")
    assert main(["publish", str(sample_build), "--repo-id", "org/ds"]) == 5
    assert "permission denied" in capsys.readouterr().err


def test_network_down(sample_build, capsys, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert main(["publish", str(sample_build), "--repo-id", "org/ds"]) == 5
    err = no_token_anywhere(capsys, sample_build).err
    assert "cannot reach the Hub" in err and err.count("\n") == 1


def test_publish_refuses_tampered_build(sample_build, hub, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(sample_build, copy)
    (copy / "README.md").write_text("tampered", encoding="utf-8")
    assert main(["publish", str(copy), "--repo-id", "org/ds"]) == 1  # a failed verify, as documented
    assert "verify failed" in capsys.readouterr().err and hub.calls == []
    assert main(["publish", str(tmp_path / "none"), "--repo-id", "org/ds", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "verify failed, nothing published" in err and err.count("\n") == 1 and hub.calls == []
