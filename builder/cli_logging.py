"""Logging for the command line: `-q` silences the libraries' logs and progress bars, `-v`
turns on the builder's debug lines (each step's start, counts and time)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator

# Read by the libraries when they are first imported (the CLI imports them lazily, later).
QUIET_ENV = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # huggingface_hub and transformers ("Loading weights")
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
    "TQDM_DISABLE": "1",  # any other tqdm bar
    "TRANSFORMERS_VERBOSITY": "error",
    "DATASETS_VERBOSITY": "error",
    "HF_HUB_VERBOSITY": "error",
    "RAY_DATA_LOG_LEVEL": "WARNING",  # Ray Data's INFO lines ("Execution plan", "Starting")
}
HUB_RETRY_LOGGER = "huggingface_hub.utils._http"
QUIET_LOGGERS = ("transformers", "datasets", "huggingface_hub", "ray", "accelerate", "urllib3",
                 "filelock", "fsspec", "sentencepiece")


def setup_logging(quiet: bool, verbose: bool) -> None:
    """One stderr handler; the builder's own level from the flags, third parties at WARNING."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("builder").setLevel(level)
    # the Hub client's retries are routine: silent unless -v (a failure is one error line)
    logging.getLogger(HUB_RETRY_LOGGER).setLevel(logging.NOTSET if verbose else logging.ERROR)


def _already_imported_quiet() -> list:
    """Silence libraries imported before the flag was seen; return how to undo it."""
    undo = []
    if "transformers" in sys.modules:
        from transformers.utils import logging as tf_logging  # noqa: PLC0415

        bars, verbosity = tf_logging.is_progress_bar_enabled(), tf_logging.get_verbosity()
        tf_logging.disable_progress_bar()
        tf_logging.set_verbosity_error()
        undo.append(lambda: (tf_logging.set_verbosity(verbosity),
                             bars and tf_logging.enable_progress_bar()))
    if "datasets" in sys.modules:
        import datasets  # noqa: PLC0415

        bars = datasets.are_progress_bars_disabled()
        datasets.disable_progress_bars()
        undo.append(lambda: bars or datasets.enable_progress_bars())
    if "huggingface_hub" in sys.modules:
        from huggingface_hub import utils as hub_utils  # noqa: PLC0415

        bars = hub_utils.are_progress_bars_disabled()
        hub_utils.disable_progress_bars()
        undo.append(lambda: bars or hub_utils.enable_progress_bars())
    return undo


@contextlib.contextmanager
def quiet_libraries(enabled: bool) -> Iterator[None]:
    """While the command runs: the libraries' progress bars off and their logs at WARNING
    or above; everything is put back afterwards (main() may run again in one process)."""
    if not enabled:
        yield
        return
    saved_env = {k: os.environ.get(k) for k in QUIET_ENV}
    os.environ.update(QUIET_ENV)
    saved_levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    undo = _already_imported_quiet()
    try:
        yield
    finally:
        for k, v in saved_env.items():  # first: re-enabling a bar reads the environment
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        with warnings.catch_warnings():  # "cannot enable progress bars" where the user's
            warnings.simplefilter("ignore")  # own environment disables them
            for fn in undo:
                fn()
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)
