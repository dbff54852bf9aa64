"""The files of a dataset folder as the manifest names them: safe relative paths, a walk
that reports links and strangers, and opening a listed file without following any link.

verify, publish and the `--out` guard all look at a folder through this module, so that
what verify approved is exactly what publish uploads and what a build may replace.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from builder.output.layout import MANIFEST_FILE

# One path component of a built file: `README.md`, `en-ru-aligned`, `train-00000-of-00001.parquet`.
_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,199}")
MAX_DEPTH = 8


def path_problem(path: object) -> str | None:
    """Why `path` cannot name a file of a dataset folder, or None when it can."""
    if not isinstance(path, str) or not path:
        return "not a non-empty string"
    parts = path.split("/")
    if len(parts) > MAX_DEPTH:
        return "too deep"
    for part in parts:
        if part in ("", ".", ".."):
            return "not a plain relative path (empty, '.' or '..' component)"
        if not _PART.fullmatch(part):
            return f"component {part!r} has characters outside [A-Za-z0-9._-]"
    if path == MANIFEST_FILE:
        return "the manifest cannot list itself"
    return None


@dataclass(frozen=True)
class Entry:
    path: str  # relative, '/'-separated
    kind: str  # "file", "dir", "symlink" or "other" (FIFO, socket, device)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


def walk(root: Path) -> list[Entry]:
    """Every entry under `root` (hidden ones too), never following a link."""
    entries: list[Entry] = []

    def visit(folder: Path, prefix: str) -> None:
        with os.scandir(folder) as it:
            items = sorted(it, key=lambda e: e.name)
        for item in items:
            rel = f"{prefix}{item.name}"
            kind = _kind(item.stat(follow_symlinks=False).st_mode)
            entries.append(Entry(rel, kind))
            if kind == "dir":
                visit(Path(item.path), rel + "/")

    visit(Path(root), "")
    return entries


def strangers(root: Path, listed: set[str], *, allowed: frozenset[str] = frozenset(),
              index: str = MANIFEST_FILE) -> list[str]:
    """What the folder holds beyond its index file (the manifest) and the files it lists:
    unlisted files, links, FIFOs and the like, and folders that hold no listed file."""
    keep = set(listed) | {index} | set(allowed)
    parents = {p.rsplit("/", i)[0] for p in keep for i in range(1, p.count("/") + 1)}
    found = []
    for entry in walk(root):
        if entry.kind == "symlink":
            found.append(f"{entry.path} (a symbolic link)")
        elif entry.kind == "other":
            found.append(f"{entry.path} (not a regular file)")
        elif entry.kind == "dir" and entry.path not in parents:
            found.append(f"{entry.path}/ (a folder the manifest does not list)")
        elif entry.kind == "file" and entry.path not in keep:
            found.append(f"{entry.path} (not listed in the manifest)")
    return found


class NotRegular(OSError):
    """A listed path that is a link, a folder, a FIFO or missing."""


def open_inside(root: Path, rel: str) -> BinaryIO:
    """Open `root/rel` for reading, following no symbolic link on the way (neither the file
    nor a folder above it), and only if it is a regular file."""
    problem = path_problem(rel) if rel != MANIFEST_FILE else None
    if problem:
        raise NotRegular(f"{rel}: {problem}")
    nofollow = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        *folders, name = rel.split("/")
        for part in folders:
            try:
                nfd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | nofollow, dir_fd=fd)
            except OSError as err:
                raise NotRegular(f"{rel}: folder {part!r} is missing or a link ({err.strerror})") from err
            os.close(fd)
            fd = nfd
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer
            ffd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | nofollow, dir_fd=fd)
        except FileNotFoundError as err:
            raise FileNotFoundError(errno.ENOENT, "missing", rel) from err
        except OSError as err:
            what = "a symbolic link" if err.errno == errno.ELOOP else err.strerror
            raise NotRegular(f"{rel}: {what}") from err
    finally:
        os.close(fd)
    if not stat.S_ISREG(os.fstat(ffd).st_mode):
        os.close(ffd)
        raise NotRegular(f"{rel}: not a regular file")
    os.set_blocking(ffd, True)
    return os.fdopen(ffd, "rb")


def read_inside(root: Path, rel: str, limit: int) -> bytes:
    """The whole of a small listed file (at most `limit` bytes)."""
    with open_inside(root, rel) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise NotRegular(f"{rel}: larger than {limit} bytes")
    return data
