"""Files and folders named after the process that made them (`.<out>.tmp-<pid>`,
`bitext-builder-stdin-<pid>-…`): finding them, and telling which a killed process left."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists (another user's process counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def named_by_pid(folder: Path, pattern: re.Pattern) -> list[tuple[Path, int]]:
    """(path, pid) of each entry of `folder` whose whole name matches `pattern`, whose first
    group is the pid; none when the folder is missing."""
    found = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in Path(folder).iterdir():
            m = pattern.fullmatch(entry.name)
            if m:
                found.append((entry, int(m.group(1))))
    return found


def left_by_dead(found: list[tuple[Path, int]]) -> list[Path]:
    """The entries of `found` whose process is gone (never this process's own)."""
    return [path for path, pid in found if pid != os.getpid() and not pid_alive(pid)]
