"""`kill -9` at every rename and every file write of a build over an earlier release, and two
builds into one folder at once: `--out` always holds a whole build, the next build repairs
what the killed one left and keeps the release history, nothing is left behind."""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from builder.cli import main
from builder.release.verify import verify
from tests.helpers import ROOT

pytestmark = pytest.mark.slow

POSTS_V1 = "".join(f"Forwarded from A\nPost number {i} has a few words in it.\n" for i in range(4))
POSTS_V2 = POSTS_V1 + "Forwarded from A\nA fifth post, added for the second release.\n"


def runner(work, log, *cli, **options):
    args = [sys.executable, "-m", "tests.release.kill_runner", "--watch", str(work),
            "--log", str(log)]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}"] + ([] if value is True else [str(value)])
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    return subprocess.Popen([*args, "--", *cli], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def events(log):
    return [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def release_v1(tmp_path_factory):
    """A folder with v1.0.0 built, and the input of v1.1.0."""
    root = tmp_path_factory.mktemp("kill")
    (root / "in").mkdir()
    (root / "in" / "v1.txt").write_text(POSTS_V1, encoding="utf-8")
    (root / "in" / "v2.txt").write_text(POSTS_V2, encoding="utf-8")
    assert main(["build", "--input", str(root / "in" / "v1.txt"), "--out", str(root / "base" / "ds"),
                 "-q"]) == 0
    return root


def fresh(release_v1, tmp_path, name):
    work = tmp_path / name
    shutil.copytree(release_v1 / "base", work)
    return work


def v2_args(release_v1, work):
    return ["build", "--input", str(release_v1 / "in" / "v2.txt"), "--out", str(work / "ds"),
            "--version", "1.1.0", "-q"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "two-renames"])
def test_kill_at_every_rename_and_write(release_v1, tmp_path, exchange):
    options = {} if exchange else {"no_exchange": True}
    work = fresh(release_v1, tmp_path, "count")
    proc = runner(work, tmp_path / "count.log", *v2_args(release_v1, work), **options)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    points = events(tmp_path / "count.log")
    kinds = {kind for _, kind, _ in points}
    assert {"open-write", "parquet-create", "parquet-write", "parquet-close", "rmtree"} <= kinds
    assert ("exchange" in kinds) == exchange and ("rename" in kinds) != exchange
    first_swap = min(int(n) for n, kind, _ in points if kind in ("exchange", "rename"))
    # the writes before the swap are the same in both modes: kill them in one mode only
    chosen = [int(n) for n, kind, _ in points
              if kind != "mkdir" and (exchange or int(n) >= first_swap)]
    missing_seen = False
    for n in chosen:
        work = fresh(release_v1, tmp_path, f"k{n}")
        proc = runner(work, tmp_path / f"k{n}.log", *v2_args(release_v1, work), kill_at=n, **options)
        assert proc.wait(timeout=300) == -9, (n, proc.stderr.read())
        out = work / "ds"
        if out.exists():  # whichever build it holds is whole
            verify(out, load=False)
            version = json.loads((out / "manifest.json").read_text())["dataset"]["version"]
            assert version in ("1.0.0", "1.1.0")
        else:
            assert not exchange, f"killed at {points[n - 1]}: no --out with an atomic exchange"
            missing_seen = True
        assert main(v2_args(release_v1, work)) == 0, points[n - 1]
        manifest = json.loads((out / "manifest.json").read_text())
        assert [r["version"] for r in manifest["releases"]] == ["1.1.0", "1.0.0"], points[n - 1]
        verify(out, load=False)
        assert sorted(p.name for p in work.iterdir()) == ["ds"], points[n - 1]
        shutil.rmtree(work)
    assert missing_seen != exchange  # the two-rename window was hit and repaired


def test_two_builds_into_one_folder(release_v1, tmp_path, capsys):
    """A build paused inside its write holds the lock: a second one fails at once."""
    work = tmp_path / "w"
    work.mkdir()
    pause = tmp_path / "pause"
    first = runner(work, tmp_path / "a.log", "build", "--input", str(release_v1 / "in" / "v1.txt"),
                   "--out", str(work / "ds"), "-q", pause_at=3, pause_file=pause)
    deadline = time.monotonic() + 120
    while not pause.with_suffix(".paused").exists():
        assert first.poll() is None and time.monotonic() < deadline, first.stderr.read()
        time.sleep(0.05)
    code = main(["build", "--input", str(release_v1 / "in" / "v2.txt"), "--out", str(work / "ds"),
                 "-q"])
    assert code == 2 and f"another build is writing {work / 'ds'}" in capsys.readouterr().err
    pause.with_suffix(".go").touch()
    assert first.wait(timeout=300) == 0, first.stderr.read()
    verify(work / "ds", load=False)
    assert json.loads((work / "ds" / "manifest.json").read_text())["inputs"][0]["name"] == "v1.txt"


def test_racing_builds_of_different_inputs(release_v1, tmp_path):
    """Two builds of different inputs, both v1.0.0, started together: exactly one wins."""
    for trial in range(3):
        work = tmp_path / f"race{trial}"
        work.mkdir()
        procs = [runner(work, tmp_path / f"r{trial}{name}.log", "build", "--input",
                        str(release_v1 / "in" / name), "--out", str(work / "ds"), "-q")
                 for name in ("v1.txt", "v2.txt")]
        codes = [p.wait(timeout=300) for p in procs]
        errors = [p.stderr.read() for p in procs]
        assert sorted(codes) == [0, 2], errors
        loser = errors[codes.index(2)]
        assert "another build is writing" in loser or "holds release 1.0.0" in loser, loser
        verify(work / "ds", load=False)
        name = json.loads((work / "ds" / "manifest.json").read_text())["inputs"][0]["name"]
        assert name == ("v1.txt", "v2.txt")[codes.index(0)]
        assert sorted(p.name for p in work.iterdir()) == ["ds"]
