"""What verify proves and what publish uploads, on tampered folders and a failing Hub."""

import hashlib
import json
import os
import shutil

import pytest

from builder.cli import main
from builder.errors import VerifyError
from builder.output.manifest import build_id, dumps
from builder.release.verify import verify
from tests.release.hub_server import no_token_anywhere


@pytest.fixture
def ds(sample_build, tmp_path):
    """A private copy of the sample build to tamper with."""
    copy = tmp_path / "ds"
    shutil.copytree(sample_build, copy)
    return copy


def manifest_of(root):
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def write_manifest(root, manifest, *, reseal=True):
    """Write an edited manifest; `reseal` recomputes its build id as a careful forger would."""
    if reseal:
        manifest["build_id"] = build_id(manifest)
    (root / "manifest.json").write_text(dumps(manifest), encoding="utf-8")


def rehash(root, manifest, path):
    data = (root / path).read_bytes()
    for entry in manifest["outputs"]:
        if entry["path"] == path:
            entry["sha256"] = hashlib.sha256(data).hexdigest()


def fails(root, match):
    with pytest.raises(VerifyError, match=match):
        verify(root, load=False)


def test_forged_version_and_signature(ds):
    m = manifest_of(ds)
    m["dataset"]["version"] = "9.9.9"
    write_manifest(ds, m, reseal=False)
    fails(ds, "build_id does not match")
    write_manifest(ds, m)
    fails(ds, "card says version 1.0.0, the manifest 9.9.9")
    card = (ds / "README.md").read_text(encoding="utf-8").replace("**Version:** 1.0.0",
                                                                   "**Version:** 9.9.9")
    (ds / "README.md").write_text(card, encoding="utf-8")
    rehash(ds, m, "README.md")
    write_manifest(ds, m)
    fails(ds, "signature names another dataset or version")
    m["signature"] = "forged"
    write_manifest(ds, m)
    fails(ds, "build signature is not the manifest's")


def test_entries_removed_from_outputs(ds):
    m = manifest_of(ds)
    parquet = "data/segments/train-00000-of-00001.parquet"
    with (ds / parquet).open("ab") as f:
        f.write(b"corrupt")
    m["outputs"] = [o for o in m["outputs"] if o["path"] != parquet]
    write_manifest(ds, m)
    fails(ds, f"{parquet} \\(not listed in the manifest\\)")
    m["outputs"] = [o for o in m["outputs"] if o["path"] != "README.md"]
    write_manifest(ds, m)
    fails(ds, "does not list the card README.md")


@pytest.mark.parametrize("path", ["../../../../etc/hostname", "/etc/hostname", "data/../x",
                                  "data//x", "data/\nREADME.md", ".git/config"])
def test_output_paths_outside_the_folder(ds, path):
    m = manifest_of(ds)
    m["outputs"].append({"path": path, "sha256": "0" * 64, "rows": None})
    write_manifest(ds, m)
    fails(ds, "manifest.json: outputs")


@pytest.mark.parametrize("content", [b"[1, 2]", b"{", b'{"dataset": {"name": "x"}}', b"[" * 100000])
def test_manifest_that_is_not_a_manifest(ds, content, capsys):
    (ds / "manifest.json").write_bytes(content)
    with pytest.raises(VerifyError, match="manifest.json"):
        verify(ds, load=False)
    assert main(["verify", str(ds)]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_extra_files_links_and_fifos(ds, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("password", encoding="utf-8")
    (ds / "evil.py").write_text("import os", encoding="utf-8")
    fails(ds, "evil.py \\(not listed")
    os.remove(ds / "evil.py")
    os.symlink(secret, ds / "data" / "credentials.txt")
    fails(ds, "credentials.txt \\(a symbolic link\\)")
    os.remove(ds / "data" / "credentials.txt")
    os.mkfifo(ds / "pipe")
    fails(ds, "pipe \\(not a regular file\\)")
    os.remove(ds / "pipe")
    verify(ds, load=False)


def test_listed_file_replaced_by_a_link(ds, tmp_path):
    """A listed file (or a folder above it) that is a link is never read through."""
    readme = ds / "README.md"
    target = tmp_path / "outside.md"
    shutil.copy(readme, target)
    readme.unlink()
    os.symlink(target, readme)
    fails(ds, "README.md \\(a symbolic link\\)")
    readme.unlink()
    shutil.copy(target, readme)
    shutil.move(ds / "data", tmp_path / "data")
    os.symlink(tmp_path / "data", ds / "data")
    fails(ds, "data \\(a symbolic link\\)")


def test_publish_refuses_a_symlinked_secret(ds, hub, tmp_path, capsys):
    secret = tmp_path / "secret"
    secret.write_text("password", encoding="utf-8")
    os.symlink(secret, ds / "data" / "credentials.txt")
    assert main(["publish", str(ds), "--repo-id", "org/ds"]) == 1  # verify failed: nothing sent
    assert "credentials.txt" in capsys.readouterr().err
    assert hub.calls == []


def test_publish_uploads_exactly_the_listed_files(ds, hub, capsys):
    assert main(["publish", str(ds), "--repo-id", "org/ds"]) == 0
    commit = hub.repo("org/ds")["commits"][0]
    listed = {o["path"] for o in manifest_of(ds)["outputs"]} | {"manifest.json"}
    assert set(commit["files"]) == listed
    for path in listed - {"README.md"}:
        assert commit["files"][path] == (ds / path).read_bytes()
    # the card goes up as published: its load snippet names the repo and the tag
    from builder.output.card_location import for_hub

    card = (ds / "README.md").read_text(encoding="utf-8")
    assert commit["files"]["README.md"] == for_hub(card, "org/ds", "v1.0.0").encode("utf-8")


def test_a_new_release_removes_files_it_no_longer_has(ds, hub, tmp_path, capsys):
    assert main(["publish", str(ds), "--repo-id", "org/ds"]) == 0
    small = tmp_path / "small.txt"
    small.write_text("Forwarded from A\nOne small post of some words here.\n", encoding="utf-8")
    assert main(["build", "--name", "telegram-channel-sample",
                 "--out", str(ds), "--input", str(small), "--version", "1.1.0", "-q"]) == 0
    assert main(["publish", str(ds), "--repo-id", "org/ds"]) == 0
    repo = hub.repo("org/ds")
    tree = repo["trees"][repo["tags"]["v1.1.0"]]
    assert set(tree) == {o["path"] for o in manifest_of(ds)["outputs"]} | {"manifest.json"}
    assert repo["commits"][1]["deleted"]  # the sample had splits the small build has not


def test_retries_are_silent(ds, hub, capsys, monkeypatch):
    import huggingface_hub.utils._http as http

    monkeypatch.setattr(http.time, "sleep", lambda _s: None)
    hub.fail_next["preupload"] = [500, 503]
    assert main(["publish", str(ds), "--repo-id", "org/ds"]) == 0
    cap = no_token_anywhere(capsys, ds)
    assert cap.err == "" and "published org/ds@" in cap.out
    hub.fail["preupload"] = 500
    assert main(["publish", str(ds), "--repo-id", "org/ds2"]) == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "HTTP 500" in err
    assert main(["publish", str(ds), "--repo-id", "org/ds3", "-v"]) == 5
    assert "Retrying" in capsys.readouterr().err  # -v shows them


def test_publish_resumes_when_only_the_tag_failed(ds, hub, capsys):
    hub.fail_next["tag"] = [409]
    assert main(["publish", str(ds), "--repo-id", "org/ds"]) == 5
    err = capsys.readouterr().err
    assert "landed untagged" in err and "publish again" in err and err.count("\n") == 1
    repo = hub.repo("org/ds")
    assert len(repo["commits"]) == 1 and repo["tags"] == {}
    assert main(["publish", str(ds), "--repo-id", "org/ds"]) == 0
    assert "already holds these files" in capsys.readouterr().out
    assert len(repo["commits"]) == 1
    assert repo["tags"] == {"v1.0.0": repo["commits"][0]["oid"]}


@pytest.mark.parametrize("repo_id", ["org/ds/extra", "bad name", "org/" + "x" * 200])
def test_bad_repo_id_is_a_usage_error(ds, hub, capsys, repo_id):
    assert main(["publish", str(ds), "--repo-id", repo_id]) == 2
    err = capsys.readouterr().err
    assert "repo id" in err and "cannot reach" not in err and err.count("\n") == 1
    assert hub.calls == []
