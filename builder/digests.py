"""sha256 of files: one definition for inputs, output files, verify, publish and model folders."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

BLOCK = 1 << 20  # read a file a megabyte at a time


def blocks(f: BinaryIO) -> Iterator[bytes]:
    """An open binary file, read to its end in blocks."""
    return iter(lambda: f.read(BLOCK), b"")


def sha256_blocks(data: Iterable[bytes], *also) -> str:
    """The sha256 of the blocks (other `hashlib` objects in `also` see the same blocks)."""
    digest = hashlib.sha256()
    for block in data:
        digest.update(block)
        for other in also:
            other.update(block)
    return digest.hexdigest()


def sha256_of(f: BinaryIO) -> str:
    """An open binary file's sha256, read from where it is to its end."""
    return sha256_blocks(blocks(f))


def sha256_file(path: Path) -> str:
    with Path(path).open("rb") as f:
        return sha256_of(f)


def sha256_folder(path: Path) -> str:
    """Every file of a folder, by relative path and content (a local model's revision)."""
    digest = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(f.relative_to(path)).encode() + b"\0")
        with f.open("rb") as fh:
            for block in blocks(fh):
                digest.update(block)
    return digest.hexdigest()
