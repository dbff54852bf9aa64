"""Executors: the same bytes in-process, on local processes and on Ray; worker errors and
deaths end the build with one line; a killed build leaves no process behind."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder.cli import main
from builder.errors import InputError
from builder.pipeline import executors
from builder.pipeline import steps as steps_module
from builder.pipeline.step import BatchStep
from tests.helpers import ROOT, SAMPLE


def _corpus(tmp_path):
    """The sample twice over (duplicate posts and segments far apart), plus JSON lines with
    repeated ids, empty posts and repeated sentences, so that ordered steps cross chunks."""
    text = tmp_path / "channel.txt"
    sample = SAMPLE.read_text(encoding="utf-8")
    text.write_text(sample + "\n" + sample, encoding="utf-8")
    lines = []
    for k in range(60):
        body = f"Short news item number {k % 7} about the harbour. The harbour reopened today."
        lines.append({"id": k % 45, "date": 1709276400 + k, "channel": "Port",
                      "text": body if k % 11 else "👍 ⬆️"})
    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    return [text, jsonl]


def _build(inputs, out, *extra):
    args = ["build", "--out", str(out), "-q", *extra]
    for path in inputs:
        args += ["--input", str(path)]
    assert main(args) == 0


def _same(a, b):
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("inproc")
    inputs = _corpus(tmp)
    _build(inputs, tmp / "ds", "--workers", "0")
    return inputs, tmp / "ds"


@pytest.mark.parametrize("workers", [pytest.param(1, marks=pytest.mark.slow), 2])
def test_processes_give_the_bytes_of_one_process(in_process, workers, tmp_path, monkeypatch):
    monkeypatch.setattr(executors, "WORKER_CHUNK", 5)  # many chunks, ordered steps across them
    inputs, reference = in_process
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["counts"]["drops"]["duplicate_post"] > 0
    assert manifest["counts"]["drops"]["duplicate"] > 0
    assert manifest["counts"]["drops"]["empty_after_cleaning"] > 0
    _build(inputs, tmp_path / "ds", "--workers", str(workers))
    _same(reference, tmp_path / "ds")


@pytest.mark.ray
@pytest.mark.slow
def test_ray_gives_the_bytes_of_one_process(in_process, tmp_path, monkeypatch):
    pytest.importorskip("ray")
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    monkeypatch.setattr(executors, "WORKER_CHUNK", 5)
    inputs, reference = in_process
    _build(inputs, tmp_path / "ds", "--engine", "ray", "--workers", "2")
    _same(reference, tmp_path / "ds")


def test_default_is_in_process_for_a_small_input_and_processes_for_a_large_one():
    from builder.config import BuildConfig

    config = BuildConfig()
    assert executors.choose_executor(config, 1 << 20).kind == "in-process"
    large = executors.choose_executor(config, 64 << 20)
    assert large.kind == ("processes" if executors.cores() > 1 else "in-process")
    assert executors.choose_executor(config.model_copy(update={"workers": 0}), 1 << 30).kind \
        == "in-process"
    assert executors.choose_executor(config.model_copy(update={"workers": 3}), 10).workers == 3


class FailsOnPost(BatchStep):
    """Raises a builder error, or kills its process, on a post whose text has `word`."""

    name = "fails"
    stage = "toy"

    def __init__(self, word: str, how: str):
        super().__init__()
        self.word, self.how = word, how

    def apply(self, doc):
        if self.word in doc.post.text:
            if self.how == "exit":
                os._exit(7)
            raise InputError(f"{doc.post.post_id}: cannot go on")
        return doc


@pytest.mark.parametrize("how, code, message", [("raise", 3, "cannot go on"),
                                                ("exit", 1, "died (exit code 7)")])
def test_a_worker_error_ends_the_build_with_one_line(how, code, message, tmp_path, monkeypatch,
                                                     capsys):
    real = steps_module.per_post_steps
    monkeypatch.setattr(steps_module, "per_post_steps",
                        lambda config: [*real(config), FailsOnPost("Lavrov", how)])
    out = tmp_path / "ds"
    assert main(["build", "--out", str(out), "-q", "--workers", "2"]) == code
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists() and not list(tmp_path.glob(".ds.tmp-*"))
    assert not _workers(os.getpid()), "a worker outlived the build"


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _workers(pid: int) -> list[str]:
    """Descendants of `pid` other than multiprocessing's fork server and resource tracker
    (which live as long as the process that started them, by design)."""
    found, todo = [], _children(pid)
    while todo:
        child = todo.pop()
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "forkserver" not in cmdline and "resource_tracker" not in cmdline:
            found.append(f"{child} {cmdline}")
        todo += _children(child)
    return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_a_killed_build_leaves_no_process_and_the_rerun_gives_the_same_bytes(tmp_path):
    big = tmp_path / "big.txt"
    sample = SAMPLE.read_text(encoding="utf-8")
    # big enough that the build is still running when it is killed (60 copies finished
    # within the second this test waited once the pipeline got faster)
    big.write_text("\n".join([sample] * 800), encoding="utf-8")
    out = tmp_path / "ds"
    cmd = [sys.executable, "-m", "builder", "build", "--input", str(big), "--out", str(out),
           "--workers", "2", "-v"]
    proc = subprocess.Popen(cmd, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            start_new_session=True, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # kill once the workers are at work
        if "started 2 worker processes" in line:
            time.sleep(0.3)
            break
    assert _children(proc.pid), "no worker started"
    assert proc.poll() is None, "the build finished before it could be killed: use a bigger input"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 30
    while _group_alive(proc.pid) and time.time() < deadline:
        time.sleep(0.2)
    assert not _group_alive(proc.pid), "a worker outlived the killed build"
    assert not out.exists()
    assert main(["build", "--input", str(big), "--out", str(out), "-q", "--workers", "2"]) == 0
    assert main(["build", "--input", str(big), "--out", str(tmp_path / "ref"), "-q",
                 "--workers", "0"]) == 0
    _same(tmp_path / "ref", out)
    assert not list(tmp_path.glob(".ds.tmp-*"))


def test_workers_start_early_exactly_where_the_build_runs_processes(tmp_path, monkeypatch):
    """The fork server is started before the plan only where `choose_executor` will choose
    local processes and the config alone says so (plain files: their sizes)."""
    from builder.config import BuildConfig
    from builder.pipeline import processes

    started = []
    monkeypatch.setattr(processes, "start_early", lambda: started.append(1))
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text("x", encoding="utf-8")
    with large.open("wb") as f:
        f.truncate(executors.SMALL_INPUT_BYTES + 1)
    cases = [({"workers": 0}, [large]), ({"workers": 2}, [small]), ({}, [small]),
             ({}, [large]), ({}, [small, large]), ({}, [tmp_path]), ({}, ["bundled:x"]),
             ({"translate": {"engine": "ray"}}, [large])]
    for changes, paths in cases:
        config = BuildConfig(**changes, input={"paths": [str(p) for p in paths]})
        started.clear()
        early = executors.start_workers_early(config)
        assert early == bool(started)
        if early or all(Path(p).is_file() for p in paths):
            size = sum(Path(p).stat().st_size for p in paths)
            kind = executors.choose_executor(config, size).kind
            assert early == (kind == "processes"), (changes, paths)
    assert executors.start_workers_early(BuildConfig(workers=2))  # the bundled sample


def test_the_early_fork_server_imports_every_step_module_and_library():
    """`STEP_MODULES` lists the module of every per-post step (every optional step on), and
    the fork server's early imports then name every library the steps preload."""
    from builder.config import BuildConfig
    from builder.pipeline.processes import early_preload, preload_modules, step_preloads

    config = BuildConfig(pii={"action": "drop"}, parallel=[{"lang": "ru", "paths": ["x"]}])
    steps = steps_module.per_post_steps(config)
    assert {type(s).__module__ for s in steps} <= set(steps_module.STEP_MODULES)
    assert len(steps) > len(steps_module.per_post_steps(BuildConfig()))  # more steps on
    early = early_preload()
    libraries = step_preloads()
    for name in preload_modules(steps):
        assert name in early or name in libraries, name
