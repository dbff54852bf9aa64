"""The build pipeline: one ordered list of steps (`steps.py`), the step interface (`step.py`),
the executors that run it, and the build around it (`run.py`).

`build`, `BuildResult` and `default_out` are imported from `run.py` on first use, so that
modules defining steps can import `builder.pipeline.step` without loading the whole build."""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.output.splits import SPLITS

if TYPE_CHECKING:
    from builder.pipeline.run import BuildResult, build, default_out

_LAZY = ("BuildResult", "build", "default_out")


def __getattr__(name: str):
    if name in _LAZY:
        from builder.pipeline import run  # noqa: PLC0415

        return getattr(run, name)
    raise AttributeError(f"module 'builder.pipeline' has no attribute {name!r}")


__all__ = ["BuildResult", "build", "default_out", "SPLITS"]
