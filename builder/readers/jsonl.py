"""Reader for JSON lines (Telethon/Pyrogram dumps): one post per line, optionally gzipped.

Field names for text, id, date and channel come from `input.jsonl_fields`. A date may be an
ISO-8601 string or a unix timestamp; it is written as ISO-8601 UTC.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from builder.errors import InputError
from builder.readers.dates import SourceDate, from_iso, from_unix
from builder.readers.files import raw_lines
from builder.records import RawPost, make

FORMAT = "jsonl"
GZIP_MAGIC = b"\x1f\x8b"


def sniff(head: str) -> bool:
    lines = [line for line in head.splitlines() if line.strip()]
    if not lines or not lines[0].lstrip().startswith("{"):
        return False
    try:
        first = json.loads(lines[0])
    except (ValueError, RecursionError):
        return False
    return isinstance(first, dict) and "messages" not in first and "chats" not in first


def is_gzip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(2) == GZIP_MAGIC


def _date(value) -> SourceDate:
    """A unix time (a number, or a string of digits) is UTC; an ISO-8601 string is UTC when
    it has a zone, else local time, marked so."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_unix(value)
    if isinstance(value, str) and value.strip().isdigit():
        return from_unix(value.strip())
    return from_iso(value)


def _binary_lines(path: Path, max_line_chars: int) -> Iterator[tuple[int, bytes]]:
    opener = gzip.open if is_gzip(path) or path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        yield from raw_lines(f, path, max_line_chars)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _mend_surrogates(value):
    """`value` with every lone surrogate (JSON's `\\ud800` without its pair, which no UTF-8
    file can hold) replaced by U+FFFD; pairs were joined by the JSON decoder already."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_mend_surrogates(k): _mend_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mend_surrogates(v) for v in value]
    return value


def read(path: Path, start: int, max_line_chars: int, config=None, stats: Counter | None = None,
         **_: object) -> Iterator[RawPost]:
    stats = stats if stats is not None else Counter()
    fields = config.jsonl_fields if config is not None else None
    f_text, f_id = (fields.text, fields.id) if fields else ("text", "id")
    f_date, f_channel = (fields.date, fields.channel) if fields else ("date", "channel")
    position = start
    source = path.name
    try:
        for lineno, raw in _binary_lines(path, max_line_chars):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8").lstrip("\ufeff"))
            except UnicodeDecodeError as err:
                raise InputError(f"{path}:{lineno}: invalid UTF-8 ({err.reason})") from err
            except ValueError as err:
                raise InputError(f"{path}:{lineno}: not a JSON object ({err})") from err
            except RecursionError as err:
                raise InputError(f"{path}:{lineno}: JSON nested too deeply") from err
            if not isinstance(obj, dict):
                raise InputError(f"{path}:{lineno}: expected a JSON object per line")
            if b"\\ud" in raw or b"\\uD" in raw:  # an escaped surrogate: maybe a lone one
                obj = _mend_surrogates(obj)
            text = obj.get(f_text)
            if f_text not in obj:
                stats["skipped_lines_without_text"] += 1
                continue
            if not isinstance(text, str) or not text.strip():
                stats["skipped_media_only_messages"] += 1
                continue
            ident = obj.get(f_id)
            channel = obj.get(f_channel)
            when = _date(obj.get(f_date))
            yield make(
                RawPost, source=source, position=position, lines=tuple(text.split("\n")),
                message_id=None if ident in (None, "") else str(ident),
                channel=str(channel) if channel else None, date=when.value,
                date_is_local=when.local,
                format=FORMAT,
            )
            position += 1
    except (OSError, EOFError, zlib.error) as err:
        if isinstance(err, gzip.BadGzipFile) or isinstance(err, (EOFError, zlib.error)):
            raise InputError(f"{path}: not a valid gzip file ({err})") from err
        raise InputError(f"{path}: cannot read: {err}") from err
    if position == start and not stats.get("skipped_media_only_messages"):
        raise InputError(
            f"{path}: JSON of the wrong shape: no line has a '{f_text}' field (set "
            "input.jsonl_fields; a Telegram Desktop export needs a 'messages' list)"
        )
