"""Reader for JSON lines (Telethon/Pyrogram dumps): one post per line, optionally gzipped.

Field names for text, caption, id, date and channel come from `input.jsonl_fields`; the
caption (Pyrogram's media captions) is the text of a line whose text field is missing, null
or empty. A date may be a unix time (seconds, or milliseconds), an ISO-8601 string or an
RFC 2822 one (`Fri, 01 Mar 2024 10:00:00 GMT`); it is written as ISO-8601 UTC. A date that
is none of these is a warning naming the file and line (the first one of a file; the others
are counted, `dates_unreadable`), and the post has no date.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from builder.errors import InputError
from builder.readers.dates import SourceDate, from_iso, from_rfc2822, from_unix
from builder.readers.files import raw_lines
from builder.records import RawPost, make

log = logging.getLogger(__name__)

FORMAT = "jsonl"
GZIP_MAGIC = b"\x1f\x8b"
_UNIX_TEXT = re.compile(r"[+-]?\d+(?:\.\d+)?")


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
    """A unix time (a number, or a string of one) is UTC; an ISO-8601 or RFC 2822 string is
    UTC when it has a zone, else local time, marked so."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_unix(value)
    if not isinstance(value, str):
        return from_iso(value)
    text = value.strip()
    if _UNIX_TEXT.fullmatch(text):
        return from_unix(text)
    when = from_iso(text)
    return when if when.value is not None else from_rfc2822(text)


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
    f_caption = fields.caption if fields else "caption"
    position = start
    source = path.name
    unreadable_dates = 0
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
            if not isinstance(text, str) or not text.strip():
                caption = obj.get(f_caption) if f_caption else None
                if isinstance(caption, str) and caption.strip():
                    text = caption
                    stats["captions_read_as_text"] += 1
                elif f_text not in obj and (not f_caption or f_caption not in obj):
                    stats["skipped_lines_without_text"] += 1
                    continue
                else:
                    stats["skipped_media_only_messages"] += 1
                    continue
            ident = obj.get(f_id)
            channel = obj.get(f_channel)
            date = obj.get(f_date)
            when = _date(date)
            if when.value is None and date not in (None, ""):
                stats["dates_unreadable"] += 1
                unreadable_dates += 1
                if unreadable_dates == 1:
                    log.warning("%s:%d: date %.80r is not a unix time, ISO-8601 or RFC 2822 "
                                "date; the post is kept without one", path, lineno, date)
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
    if unreadable_dates > 1:
        log.warning("%s: %d posts kept without a date: their dates are unreadable (the "
                    "manifest counts them, posts.dates_unreadable)", path, unreadable_dates)
    if position == start and not stats.get("skipped_media_only_messages"):
        raise InputError(
            f"{path}: JSON of the wrong shape: no line has a '{f_text}' field (set "
            "input.jsonl_fields; a Telegram Desktop export needs a 'messages' list)"
        )
