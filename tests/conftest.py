from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "builder" / "data" / "telegram_channel_sample.txt"
SHARED_DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The bundled sample built once for the session, through the CLI."""
    from builder.cli import main

    out = tmp_path_factory.mktemp("sample") / "ds"
    assert main(["build", "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="session")
def sample_posts():
    from builder.clean import Cleaner
    from builder.readers.telegram_text import read

    cleaner = Cleaner()
    return [cleaner.clean(raw) for raw in read(SAMPLE, 0, 1_000_000)]


def _load_script(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """Tiny random MarianMT models made offline: en-ru, and a multi-target en-{ru,de}."""
    make = _load_script("make_tiny_marian").make
    root = tmp_path_factory.mktemp("models")
    return {
        "ru": make(root / "tiny-en-ru", "tiny", ("ru",)),
        "mul": make(root / "tiny-en-mul", "tiny", ("ru", "de")),
    }


def write_mt_config(path, models: dict, cache, targets=("ru",), **translate):
    import yaml

    tr = {"targets": list(targets), "models": {k: str(v) for k, v in models.items()},
          "max_new_tokens": 12, "cache_dir": str(cache), **translate}
    data = {"name": "tiny-mt", "input": {"paths": ["bundled:telegram_channel_sample.txt"]},
            "splits": {"train": 0.7, "validation": 0.15, "test": 0.15}, "translate": tr}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def read_rows(root, config: str) -> list[dict]:
    """Every row of a built config, splits in order."""
    import pyarrow.parquet as pq

    out = []
    for split in ("train", "validation", "test"):
        for f in sorted((root / "data" / config).glob(f"{split}-*.parquet")):
            out += pq.read_table(f).to_pylist()
    return out
