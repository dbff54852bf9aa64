"""The build's garbage-collector settings apply during a build and are undone after it."""

import gc

from builder.pipeline.collector import THRESHOLDS, fewer_collections


def test_fewer_collections_inside_and_restored_after():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_after_a_failure():
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise RuntimeError("a step failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before


def test_a_build_runs_with_them_and_restores(tmp_path, monkeypatch):
    from builder.cli import main
    from builder.pipeline import run

    seen = []
    real = run._build

    def spy(*args, **kwargs):
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "_build", spy)
    before = gc.get_threshold()
    assert main(["build", "-q", "--workers", "0", "--out", str(tmp_path / "o")]) == 0
    assert seen == [THRESHOLDS]
    assert gc.get_threshold() == before
