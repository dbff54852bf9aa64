"""Fixtures shared by the whole suite (offline Hub, tiny models, the sample); helpers that
tests import live in `tests/helpers.py`."""

from __future__ import annotations

import os

import pytest

from tests.helpers import SAMPLE, load_script

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def pytest_collection_modifyitems(items):
    """Every test that loads a tiny model is marked `mt` (the fast subset skips it with -m)."""
    for item in items:
        if "tiny_models" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.mt)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The bundled sample built once for the session, through the CLI."""
    from builder.cli import main

    out = tmp_path_factory.mktemp("sample") / "ds"
    assert main(["build", "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="session")
def sample_posts():
    from builder.readers.telegram_text import read
    from builder.text.clean import Cleaner

    cleaner = Cleaner()
    return [cleaner.clean(raw) for raw in read(SAMPLE, 0, 1_000_000)]


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """Tiny random MarianMT models made offline: en-ru, and a multi-target en-{ru,de}."""
    make = load_script("make_tiny_marian").make
    root = tmp_path_factory.mktemp("models")
    return {
        "ru": make(root / "tiny-en-ru", "tiny", ("ru",)),
        "mul": make(root / "tiny-en-mul", "tiny", ("ru", "de")),
    }
