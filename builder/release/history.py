"""The dataset folder's life: the release history a new build carries, and moving a finished
build into place."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path


def release_history(previous: dict | None, out: Path, tmp: Path, version: str, signature: str) -> list:
    """This version's entry (with its diff against the build it replaces) and the history
    kept from the previous manifest, newest version first."""
    from builder.release.diff import counts_only, diff_data  # noqa: PLC0415
    from builder.release.versions import newest_first  # noqa: PLC0415

    entry = {"version": version, "signature": signature, "previous": None, "changes": None}
    if previous is None:
        return [entry]
    entry["previous"] = previous["dataset"]["version"]
    entry["changes"] = counts_only(diff_data(out, tmp))
    history = [r for r in previous.get("releases", []) if r.get("version") != version]
    return newest_first([entry, *history])


def replace_dir(tmp: Path, out: Path) -> None:
    """Move the finished build into place; an old build is removed only after that."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(old)
