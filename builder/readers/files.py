"""Opening input files: resolve bundled inputs and standard input, refuse what is not a
regular file of UTF-8 text (empty, binary, UTF-16, a FIFO), decode strictly."""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from builder.config import BUNDLED_PREFIX, STDIN_PATH
from builder.digests import blocks, sha256_blocks
from builder.errors import InputError
from builder.pid_files import left_by_dead, named_by_pid

log = logging.getLogger(__name__)
SNIFF_BYTES = 64 * 1024
NUL = b"\x00"
STDIN_PREFIX = "bitext-builder-stdin-"
_STDIN_COPY = re.compile(rf"{re.escape(STDIN_PREFIX)}(\d+)-.+")  # prefix, pid, random part


def resolve(path: str) -> Path:
    """The real file behind an input path (`bundled:NAME` is a file shipped in the package,
    `-` standard input, copied once to a temporary file)."""
    if path == STDIN_PATH:
        return stdin_file()
    if path.startswith(BUNDLED_PREFIX):
        name = path[len(BUNDLED_PREFIX) :]
        ref = resources.files("builder.data").joinpath(name)
        if not ref.is_file():
            raise InputError(f"{path}: no such bundled input")
        return Path(str(ref))
    return Path(path)


def remove_dead_stdin_copies() -> None:
    """Remove the copies of standard input that killed processes left in the temporary
    folder (`bitext-builder-stdin-<pid>-…`; `atexit` does not run on `kill -9`)."""
    for path in left_by_dead(named_by_pid(Path(tempfile.gettempdir()), _STDIN_COPY)):
        with contextlib.suppress(OSError):  # another user's, or removed meanwhile
            path.unlink()
            log.info("removed %s, left by a build that was killed", path)


@functools.cache
def stdin_file() -> Path:
    """Standard input, read to its end into a temporary file named after this process
    (removed when it exits, or by a later build when it was killed): readers read a file
    more than once (format, chat list, posts, hash)."""
    remove_dead_stdin_copies()
    fd, name = tempfile.mkstemp(prefix=f"{STDIN_PREFIX}{os.getpid()}-")
    atexit.register(lambda: Path(name).unlink(missing_ok=True))
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
    except OSError as err:
        raise InputError(f"standard input: cannot read: {err.strerror or err}") from err
    return Path(name)


def name_stdin(message: str) -> str:
    """`message` with this process's copy of standard input named as the user gave it
    (`standard input (-)`), not as the temporary file it was read into."""
    if stdin_file.cache_info().currsize == 0:
        return message
    return message.replace(str(stdin_file()), "standard input (-)")


def _encoding_problem(head: bytes) -> str | None:
    """UTF-16 or UTF-32 text, which the readers do not decode (they read UTF-8)."""
    boms = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
            (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
    for bom, name in boms:
        if head.startswith(bom):
            return name
    half = len(head[:1024]) // 2
    zeros = sorted((head[:1024:2].count(0), head[1:1024:2].count(0)))
    if half >= 8 and zeros[0] <= half * 0.05 and zeros[1] >= half * 0.3:
        return "UTF-16 (no byte-order mark)"  # text of mostly Latin letters: every other byte 0
    return None


def check_readable(path: Path) -> None:
    """A regular, non-empty file of text: not a folder, FIFO or device, not binary, not
    UTF-16; each refused with one line naming the file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file or directory") from err
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from err
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory, expected a file")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: not a regular file (a pipe, socket or device); to read a "
                         "pipe, give --input - and send it to standard input")
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from err
    if size == 0:
        raise InputError(f"{path}: file is empty")
    if head.startswith(b"\x1f\x8b"):  # gzip is read decompressed
        return
    encoding = _encoding_problem(head)
    if encoding:
        raise InputError(f"{path}: {encoding} text; convert it to UTF-8 (e.g. iconv -f UTF-16 "
                         "-t UTF-8)")
    if NUL in head:
        raise InputError(f"{path}: byte {head.index(NUL)}: binary data (a NUL byte), not a "
                         "text export")


def head_text(path: Path) -> str:
    """The first bytes of a file as text, for format sniffing (decoding errors replaced)."""
    with path.open("rb") as f:
        return f.read(SNIFF_BYTES).decode("utf-8-sig", errors="replace")


def first_line(path: Path, max_line_chars: int) -> str:
    """The file's first line as text (decoding errors replaced), at most `max_line_chars`
    bytes: a longer one is an input error."""
    with path.open("rb") as f:
        for _lineno, raw in raw_lines(f, path, max_line_chars):
            return raw.decode("utf-8-sig", errors="replace")
    return ""


def sha256_file(path: Path, *, text: bool = False) -> str:
    """The file's sha256; with `text`, a NUL byte anywhere is an input error (one rule for
    the whole file: the same byte in the first 64 KB makes it binary)."""
    def checked(f) -> Iterator[bytes]:
        offset = 0
        for block in blocks(f):
            if text and NUL in block:
                raise InputError(f"{path}: byte {offset + block.index(NUL)}: binary data (a "
                                 "NUL byte), not a text export")
            offset += len(block)
            yield block

    with path.open("rb") as f:
        return sha256_blocks(checked(f))


READ_BLOCK = 256 * 1024  # bytes read at a time; lines are cut out of each block


def _line_error(path: Path, lineno: int, line: bytes, max_line_chars: int) -> InputError | None:
    """What is wrong with a line (without its end), as `f.readline(max_line_chars + 1)` would
    find it: a NUL byte in what it reads, else more than `max_line_chars` bytes."""
    if NUL in line[: max_line_chars + 1]:
        return InputError(f"{path}:{lineno}: binary data (a NUL byte), not a text export")
    if len(line) > max_line_chars:
        return InputError(
            f"{path}:{lineno}: line longer than {max_line_chars} bytes "
            "(raise input.max_line_chars if this is real text)"
        )
    return None


def _first_bad(run: bytes, max_line_chars: int) -> int | None:
    """The index of the first line of `run` (lines without their ends) with a NUL byte or
    longer than `max_line_chars`; None when all are fine."""
    if NUL not in run and len(run) <= max_line_chars:
        return None
    for i, line in enumerate(run.split(b"\n")):
        if NUL in line or len(line) > max_line_chars:
            return i
    return None


def line_runs(f, path: Path, max_line_chars: int) -> Iterator[tuple[int, bytes]]:
    """Runs of whole lines read from a binary file object, in blocks: (number of the run's
    first line, its bytes), each run ending with a line end except the file's last line.
    Lines are checked as `raw_lines` checks them, and an error comes after the lines before
    it (so memory stays bounded by `max_line_chars` and a block)."""
    lineno, rest = 1, b""
    while True:
        block = f.read(READ_BLOCK)
        data = rest + block if rest else block
        if not block:
            end = len(data)  # the last line, without a line end
        else:
            end = data.rfind(b"\n") + 1
        run, rest = data[:end], data[end:]
        bad = _first_bad(run[:-1] if run.endswith(b"\n") else run, max_line_chars)
        if bad is not None:
            lines = run.split(b"\n")
            good = sum(len(line) + 1 for line in lines[:bad])
            if good:
                yield lineno, run[:good]
            raise _line_error(path, lineno + bad, lines[bad], max_line_chars)
        if run:
            yield lineno, run
            lineno += run.count(b"\n")
        if not block:
            return
        if len(rest) > max_line_chars:  # the line being read is too long already
            raise _line_error(path, lineno, rest, max_line_chars)


def raw_lines(f, path: Path, max_line_chars: int) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes with the line end) from a binary file object; a line with a NUL
    byte or longer than `max_line_chars` is an input error, so memory stays bounded."""
    for lineno, run in line_runs(f, path, max_line_chars):
        lines = run.split(b"\n")
        last = lines.pop()  # b"" after a line end, else the file's last line
        for i, line in enumerate(lines, lineno):
            yield i, line + b"\n"
        if last:
            yield lineno + len(lines), last


def iter_lines(path: Path, max_line_chars: int) -> Iterator[tuple[int, str]]:
    """(line number, line without its end) for a UTF-8 text file; CRLF and a BOM are fine.

    Reads bytes in blocks of whole lines (memory is bounded by `max_line_chars` and a block),
    decodes a block at once, and a decoding error names its line.
    """
    with path.open("rb") as f:
        for lineno, run in line_runs(f, path, max_line_chars):
            if lineno == 1 and run.startswith(b"\xef\xbb\xbf"):
                run = run[3:]
            try:
                text = run.decode("utf-8")
            except UnicodeDecodeError:
                yield from _decode_lines(path, lineno, run)
                continue
            lines = text.split("\n")
            if text.endswith("\n"):
                lines.pop()
            if "\r" in text:
                lines = [line.rstrip("\r") for line in lines]
            yield from enumerate(lines, lineno)


def _decode_lines(path: Path, lineno: int, run: bytes) -> Iterator[tuple[int, str]]:
    """A run of lines that does not decode, line by line up to the first that is not UTF-8
    (decoded with its line end, as read): its error names the line."""
    lines = run.split(b"\n")
    for i, line in enumerate(lines, lineno):
        try:
            text = (line + b"\n" if i - lineno < len(lines) - 1 else line).decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(
                f"{path}:{i}: invalid UTF-8 ({err.reason} at byte {err.start}); "
                "re-export the file as UTF-8"
            ) from err
        yield i, text.rstrip("\r\n")
