"""The Ray engine on a local Ray: same bytes as the local engine, retries, restarts."""

import json
import os

import pytest

ray = pytest.importorskip("ray")
pytestmark = [pytest.mark.ray, pytest.mark.slow]

from builder.config import load_config, override  # noqa: E402
from builder.mt.engines.ray_data import RayEngine  # noqa: E402
from builder.pipeline import build  # noqa: E402
from tests.helpers import write_mt_config  # noqa: E402
from tests.mt import ray_faults  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module (the engine leaves a Ray it did not start running)."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False, logging_level="WARNING",
             configure_logging=False)
    ray.cloudpickle.register_pickle_by_value(ray_faults)
    yield
    ray.shutdown()


def _config(tmp_path, tiny_models, cache, **translate):
    path = write_mt_config(tmp_path / f"{cache}.yaml", {"ru": tiny_models["ru"]},
                           tmp_path / cache, max_batch_size=16, **translate)
    return load_config(path)


def _same_dataset(a, b):
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        if rel.name != "manifest.json":
            assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    ma, mb = (json.loads((x / "manifest.json").read_text()) for x in (a, b))
    ma.pop("engine", None), mb.pop("engine", None)
    ma.pop("build_id"), mb.pop("build_id")
    assert ma == mb


@pytest.fixture(scope="module")
def local_build(tmp_path_factory, tiny_models):
    tmp = tmp_path_factory.mktemp("local")
    out = tmp / "ds"
    build(_config(tmp, tiny_models, "cache"), out)
    return out


def test_ray_build_is_byte_identical_to_local(local_ray, local_build, tiny_models, tmp_path):
    config = override(_config(tmp_path, tiny_models, "cache"), {"translate.engine": "ray"})
    result = build(config, tmp_path / "ray")
    assert result.translated["ru"] == result.counts["segments"]["kept"]
    _same_dataset(local_build, tmp_path / "ray")
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    assert manifest["engine"]["name"] == "ray"
    assert manifest["signature"] == json.loads((local_build / "manifest.json").read_text())["signature"]
    assert ray.is_initialized()  # not ours to stop


@pytest.mark.parametrize("mode", ["raise", "exit"])
def test_failed_batch_or_dead_actor_is_retried(local_ray, local_build, tiny_models, tmp_path,
                                               monkeypatch, mode):
    marker = tmp_path / "failed-once"
    monkeypatch.setattr(RayEngine, "default_factory", ray_faults.FailOnce(str(marker), mode))
    config = override(_config(tmp_path, tiny_models, "cache"), {"translate.engine": "ray"})
    result = build(config, tmp_path / "ray")
    assert marker.exists(), "the fault was never injected"
    assert result.translated["ru"] == result.counts["segments"]["kept"]  # no row twice, none lost
    _same_dataset(local_build, tmp_path / "ray")
