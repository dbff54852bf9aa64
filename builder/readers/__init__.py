"""Input readers: plan the inputs (resolve, check, detect format) and stream RawPosts."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from builder.config import InputConfig, input_display_name
from builder.errors import InputError
from builder.readers import jsonl, telegram_html, telegram_json, telegram_text, tme_html
from builder.readers.files import check_readable, head_text, resolve, sha256_file
from builder.records import RawPost
from builder.step_log import logged_step

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reader:
    name: str
    sniff: Callable[[str], bool]
    read: Callable[..., Iterator[RawPost]]


# Sniffed in this order: the first whose sniff() accepts a file's head reads it.
READERS: dict[str, Reader] = {
    m.FORMAT: Reader(m.FORMAT, m.sniff, m.read)
    for m in (jsonl, telegram_json, tme_html, telegram_html, telegram_text)
}


@dataclass(frozen=True)
class InputFile:
    path: Path
    name: str
    format: str

    def describe(self) -> dict:
        return {"name": self.name, "sha256": sha256_file(self.path), "format": self.format}


def _natural(path: Path) -> tuple:
    """messages.html, messages2.html, …, messages10.html: the export's page order."""
    numbers = [int(n) for n in re.findall(r"\d+", path.name)] or [0]
    return re.sub(r"\d+", "", path.name), numbers


def _expand(path_text: str) -> list[tuple[Path, str]]:
    path = resolve(path_text)
    if path.is_dir():
        files = sorted(
            (p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")),
            key=_natural,
        )
        if not files:
            raise InputError(f"{path}: folder holds no input files")
        return [(p, p.name) for p in files]
    return [(path, input_display_name(path_text))]


def detect_format(path: Path) -> str:
    if jsonl.is_gzip(path):
        return jsonl.FORMAT
    head = head_text(path)
    for reader in READERS.values():
        if reader.sniff(head):
            return reader.name
    known = ", ".join(READERS)
    raise InputError(f"{path}: unknown input format (this version reads: {known}); see --format")


def plan_inputs(config: InputConfig) -> list[InputFile]:
    """Check every input and fix its format before any work starts."""
    plan = []
    for text in config.paths:
        for path, name in _expand(text):
            check_readable(path)
            if config.format == "auto" or (config.format == "jsonl" and jsonl.is_gzip(path)):
                fmt = detect_format(path)
            else:
                fmt = config.format
            if fmt == telegram_json.FORMAT:
                telegram_json.choose_chat(path, config.chat)  # a bad --chat fails before work
            plan.append(InputFile(path, name, fmt))
    return plan


def read_inputs(plan: list[InputFile], config: InputConfig,
                stats: Counter | None = None) -> Iterator[RawPost]:
    """Every post of every input, in order; `stats` counts skipped service/media messages."""
    position = 0
    sender: list = [None]  # an HTML export's sender carries over from file to file
    for item in plan:
        # the per-post steps run lazily inside this loop: its time is theirs too
        with logged_step(log, f"read and process {item.name}", format=item.format) as counts:
            counts["posts"] = 0
            for post in READERS[item.format].read(
                item.path, start=position, max_line_chars=config.max_line_chars, config=config,
                stats=stats, sender=sender,
            ):
                yield post
                counts["posts"] += 1
                position = post.position + 1
