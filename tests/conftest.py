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
