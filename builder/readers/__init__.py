"""Input readers: plan the inputs (resolve, check, detect format) and stream RawPosts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from builder.config import InputConfig, input_display_name
from builder.errors import InputError
from builder.readers import telegram_text
from builder.readers.files import check_readable, head_text, resolve, sha256_file
from builder.records import RawPost


@dataclass(frozen=True)
class Reader:
    name: str
    sniff: Callable[[str], bool]
    read: Callable[..., Iterator[RawPost]]


READERS: dict[str, Reader] = {
    telegram_text.FORMAT: Reader(telegram_text.FORMAT, telegram_text.sniff, telegram_text.read),
}


@dataclass(frozen=True)
class InputFile:
    path: Path
    name: str
    format: str

    def describe(self) -> dict:
        return {"name": self.name, "sha256": sha256_file(self.path), "format": self.format}


def _expand(path_text: str) -> list[tuple[Path, str]]:
    path = resolve(path_text)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise InputError(f"{path}: folder holds no input files")
        return [(p, p.name) for p in files]
    return [(path, input_display_name(path_text))]


def detect_format(path: Path) -> str:
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
            if config.format == "auto":
                fmt = detect_format(path)
            elif config.format in READERS:
                fmt = config.format
            else:
                known = ", ".join(READERS)
                raise InputError(
                    f"{path}: format '{config.format}' is not available in this version "
                    f"(reads: {known})"
                )
            plan.append(InputFile(path, name, fmt))
    return plan


def read_inputs(plan: list[InputFile], config: InputConfig) -> Iterator[RawPost]:
    position = 0
    for item in plan:
        for post in READERS[item.format].read(
            item.path, start=position, max_line_chars=config.max_line_chars, config=config
        ):
            yield post
            position = post.position + 1
