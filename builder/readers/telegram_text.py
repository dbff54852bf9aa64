"""Reader for the plain-text copy of a channel's web view (the bundled sample's format).

A post starts at a `Forwarded from <name>` line and runs to the next one; a `Forwarded from`
glued to the end of a reactions line (`👍8❤41Forwarded from X`, a copy appended to a file
without a final newline) starts a post too. Lines before the first `Forwarded from` (the
channel's own post, copied without a header) are a post of their own without a channel: a
warning names the file and the manifest counts it (`posts_before_first_forwarded`). Streams
line by line: memory is bounded by the longest post, not the file.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from builder.errors import InputError
from builder.readers.files import iter_lines
from builder.records import RawPost
from builder.text.telegram import FORWARDED, GLUED_FORWARDED

log = logging.getLogger(__name__)

FORMAT = "telegram-text"


def sniff(head: str) -> bool:
    return any(FORWARDED.match(line) for line in head.splitlines())


def read(path: Path, start: int, max_line_chars: int, stats: Counter | None = None,
         **_: object) -> Iterator[RawPost]:
    stats = stats if stats is not None else Counter()
    position = start
    channel: str | None = None
    lines: list[str] = []
    started = False
    content_seen = False
    for _lineno, line in iter_lines(path, max_line_chars):
        if not content_seen and line.strip():
            content_seen = True
        if "Forwarded from" not in line:  # both patterns need it: most lines are text
            lines.append(line)  # before the first header too: the lines of a headless post
            continue
        glued = GLUED_FORWARDED.match(line) if started else None
        if glued:
            lines.append(glued.group(1))
            line = glued.group(2)
        m = FORWARDED.match(line)
        if m:
            if started:
                yield RawPost(path.name, position, tuple(lines), channel=channel, format=FORMAT)
                position += 1
            elif any(x.strip() for x in lines):
                stats["posts_before_first_forwarded"] += 1
                log.warning("%s: %d lines before the first 'Forwarded from' line are read as a "
                            "post without a channel", path, sum(1 for x in lines if x.strip()))
                yield RawPost(path.name, position, tuple(lines), channel=None, format=FORMAT)
                position += 1
            started = True
            channel = m.group(1)
            lines = []
        else:
            lines.append(line)
    if started:
        yield RawPost(path.name, position, tuple(lines), channel=channel, format=FORMAT)
    elif not content_seen:
        raise InputError(f"{path}: holds only whitespace, no posts")
    else:
        raise InputError(f"{path}: no 'Forwarded from <channel>' line: not a Telegram text copy")
