"""The dataset folder's life: the release history a new build carries, and moving a finished
build into place in one atomic step.

The swap exchanges the finished temporary folder with the old one in a single
`renameat2(RENAME_EXCHANGE)` (Linux 3.15+, most local file systems): at every instant `<out>`
is either the old build or the new one. Where the kernel or file system cannot exchange,
the old folder is first renamed `.<out>.old-<pid>`; a build killed between that rename and
the next leaves no `<out>`, and the next build puts the old folder back before anything
else (`out_folder.recover`).
"""

from __future__ import annotations

import ctypes
import errno
import functools
import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV}


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


@functools.cache
def _renameat2():
    """libc's renameat2, or None where the C library has none (non-Linux, old glibc)."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where this system cannot (nothing was changed)."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(b))


def old_sibling(out: Path, pid: int) -> Path:
    return out.parent / f".{out.name}.old-{pid}"


def replace_dir(tmp: Path, out: Path) -> None:
    """Move the finished build `tmp` into place at `out`; the old build is removed after."""
    if not os.path.lexists(out):
        os.rename(tmp, out)
        return
    if exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # now the old build
        return
    old = old_sibling(out, os.getpid())
    shutil.rmtree(old, ignore_errors=True)
    os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
