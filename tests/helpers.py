"""Shared test helpers: paths, the script loader, configs for tiny models, reading rows."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "builder" / "data" / "telegram_channel_sample.txt"
# the sample's config: an edited copy of the sample built with `--input` alone gets the
# defaults (other split ratios and protected names), so a build comparable to it names this
SAMPLE_CONFIG = ROOT / "configs" / "sample.yaml"
SHARED_DATA = ROOT / "tests" / "data"


def load_script(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
