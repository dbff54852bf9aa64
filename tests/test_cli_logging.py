"""`-q` silences the libraries while a command runs and puts everything back afterwards."""

import os
import warnings

import pytest

from builder.cli_logging import QUIET_ENV, quiet_libraries


def test_quiet_block_puts_everything_back(monkeypatch):
    tf_logging = pytest.importorskip("transformers.utils.logging")
    for key in QUIET_ENV:
        monkeypatch.delenv(key, raising=False)
    tf_logging.enable_progress_bar()
    with quiet_libraries(True):
        assert os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
        assert not tf_logging.is_progress_bar_enabled()
    assert tf_logging.is_progress_bar_enabled()
    assert not any(key in os.environ for key in QUIET_ENV)


def test_leaving_the_block_warns_nothing_where_the_hub_was_imported_quiet(monkeypatch):
    """huggingface_hub reads HF_HUB_DISABLE_PROGRESS_BARS once, at import: imported during a
    `-q` command it refuses, with a warning, transformers' re-enabling of the bars at the
    end of the next one, which printed 'Cannot enable progress bars' into that command's
    one-line error output."""
    tf_logging = pytest.importorskip("transformers.utils.logging")
    hub_tqdm = pytest.importorskip("huggingface_hub.utils.tqdm")
    monkeypatch.setattr(hub_tqdm, "HF_HUB_DISABLE_PROGRESS_BARS", True)
    monkeypatch.setattr(tf_logging, "_tqdm_active", True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_libraries(True):
            pass
    assert [str(w.message) for w in caught] == []
