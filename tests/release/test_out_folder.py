"""What `build --out` may replace, the lock, and recovery from a build killed mid-swap."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from builder.cli import main
from builder.release import history
from builder.release.out_folder import _Lock, resolve_out

POST = "Forwarded from A\nOne small post of some words here.\n"


def run(args, capsys):
    code = main([*args, "-q"])
    return code, capsys.readouterr().err


def small_input(folder, name="posts.txt", text=POST):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("content", [
    {"thesis.docx": b"x"},
    {"manifest.json": b"{not json"},
    {"manifest.json": b"[1, 2]"},
    {"manifest.json": b'{"builder": {"name": "bitext-builder"}}', "notes.txt": b"mine"},
    {".git/HEAD": b"ref: refs/heads/main\n"},
])
def test_out_that_is_not_a_dataset_is_never_replaced(tmp_path, capsys, content):
    out = tmp_path / "u"
    for rel, data in content.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    before = snapshot(out)
    for force in ([], ["--force"]):
        code, err = run(["build", "--out", str(out), *force], capsys)
        assert code == 2 and str(out) in err and "refusing to replace" in err, err
        assert err.count("\n") == 1
        assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u"]


def test_out_equal_to_or_above_an_input_is_refused(tmp_path, capsys):
    src = small_input(tmp_path / "in" / "deep")
    before = snapshot(tmp_path / "in")
    cases = [(out, given) for out in (src.parent, tmp_path / "in") for given in (src.parent, src)]
    for out, given in [*cases, (src, src)]:
        code, err = run(["build", "--input", str(given), "--out", str(out), "--force"], capsys)
        assert code == 2 and "input of this build" in err, err
    assert snapshot(tmp_path / "in") == before


def test_an_input_inside_a_built_dataset_protects_it(tmp_path, capsys):
    out = tmp_path / "ds"
    assert run(["build", "--out", str(out)], capsys)[0] == 0
    code, err = run(["build", "--input", str(out / "rejects.jsonl"), "--out", str(out),
                     "--version", "2.0.0"], capsys)
    assert code == 2 and "holds an input" in err


def test_relative_out_in_a_shared_config(tmp_path, capsys, monkeypatch):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine", encoding="utf-8")
    cfg = tmp_path / "shared" / "c.yaml"
    cfg.parent.mkdir()
    cfg.write_text("name: x\nout: ../victim\n", encoding="utf-8")
    monkeypatch.chdir(cfg.parent)
    code, err = run(["build", str(cfg)], capsys)
    assert code == 2 and "victim" in err
    assert (victim / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_empty_folder_and_own_dataset_are_replaced(tmp_path, capsys):
    out = tmp_path / "ds"
    out.mkdir()
    assert run(["build", "--out", str(out)], capsys)[0] == 0
    assert run(["build", "--name", "telegram-channel-sample",
                "--out", str(out), "--input", str(small_input(tmp_path)),
                "--version", "1.1.0"], capsys)[0] == 0
    releases = json.loads((out / "manifest.json").read_text())["releases"]
    assert [r["version"] for r in releases] == ["1.1.0", "1.0.0"]
    # one extra file in a dataset folder makes it not ours to replace
    (out / "data" / "notes.md").write_text("mine", encoding="utf-8")
    code, err = run(["build", "--out", str(out), "--version", "1.2.0"], capsys)
    assert code == 2 and "data/notes.md" in err
    assert (out / "data" / "notes.md").exists()


def test_current_folder_and_above_it_are_refused(tmp_path, capsys, monkeypatch):
    """A build replaces the whole folder: the shell inside it would be left in a deleted one
    (and `ls` there shows nothing), so --out may not be the current folder or above it."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    code, err = run(["build", "--out", "."], capsys)  # an empty current folder
    assert code == 2 and f"{here}: is the current folder or above it" in err and err.count("\n") == 1, err
    assert list(here.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["here"]
    out = tmp_path / "ds"
    assert run(["build", "--out", str(out)], capsys)[0] == 0
    before = snapshot(out)
    for cwd, given in ((out, "."), (out / "data", ".."), (out / "data", str(out))):
        monkeypatch.chdir(cwd)
        code, err = run(["build", "--out", given, "--version", "1.1.0"], capsys)
        assert code == 2 and f"{out}: is the current folder or above it" in err, err
        assert snapshot(out) == before
    monkeypatch.chdir(tmp_path)  # from the folder above, the same --out is fine
    assert run(["build", "--out", "ds", "--version", "1.1.0"], capsys)[0] == 0


@pytest.mark.parametrize("below", ["x", "x/y"])
def test_out_below_a_file(tmp_path, capsys, below):
    src = small_input(tmp_path)
    code, err = run(["build", "--input", str(src), "--out", str(src / below)], capsys)
    assert code == 2 and f"{src}: is a file, not a folder" in err and err.count("\n") == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["posts.txt"]


def test_root_as_out(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = run(["build", "--out", "/"], capsys)
    assert code == 2 and "root" in err
    with pytest.raises(Exception, match="longer than"):
        resolve_out(tmp_path / ("n" * 240))


def test_another_dataset_name_needs_force(tmp_path, capsys):
    out = tmp_path / "ds"
    assert run(["build", "--out", str(out)], capsys)[0] == 0
    cfg = tmp_path / "beta.yaml"
    cfg.write_text("name: beta\nversion: 2.0.0\n", encoding="utf-8")
    code, err = run(["build", str(cfg), "--out", str(out)], capsys)
    assert code == 2 and "holds dataset 'telegram-channel-sample', not 'beta'" in err
    assert run(["build", str(cfg), "--out", str(out), "--force"], capsys)[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["dataset"] == {"name": "beta", "version": "2.0.0"}
    assert [r["version"] for r in manifest["releases"]] == ["2.0.0"]
    assert "telegram-channel-sample@1.0.0" not in (out / "README.md").read_text()


def test_second_build_fails_at_once_while_the_folder_is_locked(tmp_path, capsys):
    out = tmp_path / "ds"
    lock = _Lock(out)
    lock.acquire()
    try:
        code, err = run(["build", "--out", str(out)], capsys)
        assert code == 2 and f"another build is writing {out}" in err
        assert not out.exists()
    finally:
        lock.release()
    assert run(["build", "--out", str(out)], capsys)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]  # the lock file went too
    lock = _Lock(out, "finetune")  # a finetune writing there is named as such
    lock.acquire()
    try:
        assert (tmp_path / ".ds.lock").read_text() == f"finetune {os.getpid()}\n"
        code, err = run(["build", "--out", str(out)], capsys)
        assert code == 2 and f"another finetune is writing {out}" in err, err
    finally:
        lock.release()


def test_exchange_swaps_two_folders(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "f").write_text("A")
    (b / "f").write_text("B")
    if not history.exchange(a, b):
        pytest.skip("this file system cannot exchange folders (the fallback is tested below)")
    assert (a / "f").read_text() == "B" and (b / "f").read_text() == "A"


@pytest.mark.parametrize("can_exchange", [True, False])
def test_killed_mid_swap_is_recovered(tmp_path, capsys, monkeypatch, can_exchange):
    """The state a kill between the two renames of the fallback swap leaves: `<out>` gone,
    the good build in `.<out>.old-PID`, the new one in `.<out>.tmp-PID`."""
    if not can_exchange:
        monkeypatch.setattr(history, "_renameat2", lambda: None)
    out = tmp_path / "ds"
    assert run(["build", "--out", str(out)], capsys)[0] == 0
    pid = dead_pid()
    os.rename(out, tmp_path / f".ds.old-{pid}")
    shutil.copytree(tmp_path / f".ds.old-{pid}", tmp_path / f".ds.tmp-{pid}")
    (tmp_path / f".ds.tmp-{dead_pid()}").mkdir()  # an older kill's leftover
    assert run(["build", "--name", "telegram-channel-sample",
                "--out", str(out), "--input", str(small_input(tmp_path / "in")),
                "--version", "1.1.0"], capsys)[0] == 0
    releases = json.loads((out / "manifest.json").read_text())["releases"]
    assert [r["version"] for r in releases] == ["1.1.0", "1.0.0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "in"]


def test_leftovers_of_live_processes_are_kept(tmp_path, capsys):
    out = tmp_path / "ds"
    live = tmp_path / f".ds.tmp-{os.getppid()}"
    live.mkdir()
    assert run(["build", "--out", str(out)], capsys)[0] == 0
    assert live.exists()
