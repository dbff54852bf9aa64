"""Input readers: plan the inputs (resolve, check, detect format) and stream RawPosts."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from builder.config import InputConfig, input_display_name
from builder.errors import InputError
from builder.readers import jsonl, telegram_html, telegram_json, telegram_text, tme_html
from builder.readers.files import check_readable, first_line, head_text, resolve, sha256_file
from builder.records import RawPost
from builder.step_log import logged_step

log = logging.getLogger(__name__)

DEFAULT_MAX_LINE_CHARS = InputConfig.model_fields["max_line_chars"].default


class Reader(Protocol):
    """One input format: a module of this package with `FORMAT` (its name in the config and
    the manifest), `sniff` (whether a file's first 64 KB look like it) and `read` (the posts
    of one file, numbered from `start`; each reader takes the keyword options it needs:
    `config`, `stats` for skipped service/media messages, `sender` carried across files)."""

    FORMAT: str

    def sniff(self, head: str) -> bool: ...

    def read(self, path: Path, start: int, max_line_chars: int,
             **options: object) -> Iterator[RawPost]: ...


# Sniffed in this order: the first whose sniff() accepts a file's head reads it.
READERS: dict[str, Reader] = {
    m.FORMAT: m for m in (jsonl, telegram_json, tme_html, telegram_html, telegram_text)
}


@dataclass(frozen=True)
class InputFile:
    path: Path
    name: str
    format: str

    def describe(self) -> dict:
        text = not (self.format == jsonl.FORMAT and jsonl.is_gzip(self.path))
        return {"name": self.name, "sha256": sha256_file(self.path, text=text),
                "format": self.format}


def _natural(path: Path) -> tuple:
    """messages.html, messages2.html, …, messages10.html: the export's page order."""
    numbers = [int(n) for n in re.findall(r"\d+", path.name)] or [0]
    return re.sub(r"\d+", "", path.name), numbers


@dataclass(frozen=True)
class SkippedFile:
    """A file of an input folder that is not an export of the folder's format."""

    name: str
    reason: str


def _folder_files(path: Path) -> list[Path]:
    """Every entry but folders and hidden files (a FIFO is listed, so that it is refused
    by name rather than silently left out)."""
    try:
        entries = [p for p in path.iterdir() if not p.name.startswith(".") and not p.is_dir()]
    except OSError as err:
        raise InputError(f"{path}: cannot read the folder: {err.strerror or err}") from err
    files = sorted(entries, key=_natural)
    if not files:
        raise InputError(f"{path}: folder holds no input files")
    return files


def _sniffed_format(path: Path, forced: str, max_line_chars: int) -> str:
    """The file's format (`forced` when it is not `auto`, if the file looks like it);
    InputError when the file is unreadable or of no format this version reads."""
    check_readable(path)
    if forced == "auto" or (forced == jsonl.FORMAT and jsonl.is_gzip(path)):
        return detect_format(path, max_line_chars)
    if forced == jsonl.FORMAT and path.suffix == ".gz":
        return forced
    if not READERS[forced].sniff(head_text(path)):
        raise InputError(f"{path}: does not look like a {forced} export")
    return forced


def _plan_folder(path: Path, forced: str, skipped: list[SkippedFile],
                 max_line_chars: int) -> list[tuple[Path, str]]:
    """A folder's files of its format: the format most of its files have (the earlier
    reader on a tie), or the forced one. Other files (notes, unreadable or other-format
    files) are skipped and recorded; a folder with no file of its format is an input error."""
    found: list[tuple[Path, str | None, str]] = []
    for file in _folder_files(path):
        try:
            found.append((file, _sniffed_format(file, forced, max_line_chars), ""))
        except InputError as err:
            found.append((file, None, str(err).removeprefix(f"{file}: ")))
    counts = Counter(fmt for _, fmt, _ in found if fmt)
    if not counts:
        why = "; ".join(f"{file.name}: {reason}" for file, _, reason in found)
        raise InputError(f"{path}: folder holds no Telegram export ({why})")
    order = list(READERS)
    main = max(counts, key=lambda fmt: (counts[fmt], -order.index(fmt)))
    for file, fmt, reason in found:
        if fmt != main:
            skipped.append(SkippedFile(file.name, reason or f"a {fmt} file, not {main}"))
    return [(file, main) for file, fmt, _ in found if fmt == main]


def _sniff(head: str) -> str | None:
    return next((reader.FORMAT for reader in READERS.values() if reader.sniff(head)), None)


def detect_format(path: Path, max_line_chars: int = DEFAULT_MAX_LINE_CHARS) -> str:
    if jsonl.is_gzip(path):
        return jsonl.FORMAT
    head = head_text(path)
    found = _sniff(head)
    if found is None and "\n" not in head and path.stat().st_size > len(head.encode()):
        found = _sniff(first_line(path, max_line_chars))  # a first line longer than the head
    if found:
        return found
    known = ", ".join(READERS)
    raise InputError(f"{path}: unknown input format (this version reads: {known}); see --format")


def plan_inputs(config: InputConfig, skipped: list[SkippedFile] | None = None) -> list[InputFile]:
    """Check every input and fix its format before any work starts. A file named as an
    input must be readable and of a known format; a folder's stray files are skipped: added
    to `skipped`, or, when no list is given, each logged as a warning."""
    plan = []
    stray: list[SkippedFile] = []
    for text in config.paths:
        path = resolve(text)
        if path.is_dir():
            files = [(file, file.name, fmt) for file, fmt in
                     _plan_folder(path, config.format, stray, config.max_line_chars)]
        else:
            check_readable(path)
            forced = config.format
            auto = forced == "auto" or (forced == jsonl.FORMAT and jsonl.is_gzip(path))
            fmt = detect_format(path, config.max_line_chars) if auto else forced
            files = [(path, input_display_name(text), fmt)]
        for file, name, fmt in files:
            if fmt == telegram_json.FORMAT:
                # a bad --chat fails before work
                telegram_json.choose_chat(file, config.chat, config.max_line_chars)
            plan.append(InputFile(file, name, fmt))
    if skipped is not None:
        skipped.extend(stray)
    else:
        for item in stray:
            log.warning("%s: skipped (%s)", item.name, item.reason)
    return plan


def read_inputs(plan: list[InputFile], config: InputConfig, stats: Counter | None = None,
                what: str = "read and process") -> Iterator[RawPost]:
    """Every post of every input, in order; `stats` counts skipped service/media messages;
    `what` names the reading in the debug log (`-v`)."""
    position = 0
    sender: list = [None]  # an HTML export's sender carries over from file to file
    for item in plan:
        # the per-post steps run lazily inside this loop: its time is theirs too
        with logged_step(log, f"{what} {item.name}", format=item.format) as counts:
            counts["posts"] = 0
            for post in READERS[item.format].read(
                item.path, start=position, max_line_chars=config.max_line_chars, config=config,
                stats=stats, sender=sender,
            ):
                yield post
                counts["posts"] += 1
                position = post.position + 1
