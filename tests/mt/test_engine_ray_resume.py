"""A Ray build killed mid-run and rerun translates only the batches without results, and ends
with the files of an uninterrupted build; no Ray process outlives a build."""

import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("ray")
pytestmark = [pytest.mark.ray, pytest.mark.slow]

from builder.cli import main  # noqa: E402
from tests.helpers import ROOT, write_mt_config  # noqa: E402


def _ray_processes() -> list[str]:
    """This environment's Ray daemons (a Ray of another checkout on a shared machine runs
    from another prefix and is none of this test's business)."""
    out = subprocess.run(["pgrep", "-fa", "raylet|gcs_server"], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines()
            if "pgrep" not in line and sys.prefix in line]


def test_kill_and_resume(tiny_models, tmp_path):
    for _ in range(40):  # a Ray another test shut down may take a moment to go
        if not _ray_processes():
            break
        time.sleep(0.25)
    assert not _ray_processes(), "a Ray is already running"
    cfg = write_mt_config(tmp_path / "c.yaml", {"ru": tiny_models["ru"]}, tmp_path / "cache",
                          max_batch_size=2, max_new_tokens=48, engine="ray",
                          threads=1)  # a score's last digit depends on the thread count
    out = tmp_path / "ray"
    env = dict(os.environ, PYTHONPATH=str(ROOT), RAY_USAGE_STATS_ENABLED="0")
    cmd = [sys.executable, "-m", "builder", "build", str(cfg), "--out", str(out), "-q"]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    results = tmp_path / "cache" / "ray-work"
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        shards = list(results.glob("*/results/*.parquet"))
        if len(shards) >= 2:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    assert not out.exists()
    subprocess.run(["ray", "stop", "--force"], capture_output=True)  # what the kill left behind
    time.sleep(1)
    done_before = len(list(results.glob("*/results/*.parquet")))
    assert done_before >= 2
    from builder.config import load_config
    from builder.pipeline import build

    result = build(load_config(cfg), out)
    kept = result.counts["segments"]["kept"]
    assert 0 < result.translated["ru"] < kept  # only the batches without results
    assert not _ray_processes(), "a Ray process outlived the build"
    clean = tmp_path / "clean"
    cfg_local = write_mt_config(tmp_path / "l.yaml", {"ru": tiny_models["ru"]}, tmp_path / "cache2",
                                max_batch_size=2, max_new_tokens=48, threads=1)
    assert main(["build", str(cfg_local), "--out", str(clean), "-q"]) == 0
    for rel in sorted(p.relative_to(clean) for p in clean.rglob("*") if p.is_file()):
        if rel.name != "manifest.json":
            assert (clean / rel).read_bytes() == (out / rel).read_bytes(), rel
