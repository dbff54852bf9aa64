"""Opening input files: resolve bundled inputs, refuse empty and binary files, decode strictly."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from builder.config import BUNDLED_PREFIX
from builder.errors import InputError

SNIFF_BYTES = 64 * 1024


def resolve(path: str) -> Path:
    """The real file behind an input path (`bundled:NAME` is a file shipped in the package)."""
    if path.startswith(BUNDLED_PREFIX):
        name = path[len(BUNDLED_PREFIX) :]
        ref = resources.files("builder.data").joinpath(name)
        if not ref.is_file():
            raise InputError(f"{path}: no such bundled input")
        return Path(str(ref))
    return Path(path)


def check_readable(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None
    if size == 0:
        raise InputError(f"{path}: file is empty")
    if b"\x00" in head and not head.startswith(b"\x1f\x8b"):  # gzip is read decompressed
        raise InputError(f"{path}: binary data (NUL bytes), not a text export")


def head_text(path: Path) -> str:
    """The first bytes of a file as text, for format sniffing (decoding errors replaced)."""
    with path.open("rb") as f:
        return f.read(SNIFF_BYTES).decode("utf-8-sig", errors="replace")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def raw_lines(f, path: Path, max_line_chars: int) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) from a binary file object; a line longer than `max_line_chars`
    is an input error, so memory stays bounded."""
    lineno = 0
    while True:
        raw = f.readline(max_line_chars + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > max_line_chars and not raw.endswith(b"\n"):
            raise InputError(
                f"{path}:{lineno}: line longer than {max_line_chars} bytes "
                "(raise input.max_line_chars if this is real text)"
            )
        yield lineno, raw


def iter_lines(path: Path, max_line_chars: int) -> Iterator[tuple[int, str]]:
    """(line number, line without its end) for a UTF-8 text file; CRLF and a BOM are fine.

    Reads bytes line by line, so memory is bounded by `max_line_chars` and a decoding error
    names its line.
    """
    with path.open("rb") as f:
        for lineno, raw in raw_lines(f, path, max_line_chars):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise InputError(
                    f"{path}:{lineno}: invalid UTF-8 ({err.reason} at byte {err.start}); "
                    "re-export the file as UTF-8"
                ) from None
            yield lineno, line.rstrip("\r\n")
