"""Reader for a saved t.me/s/<channel> web preview page (`tgme_widget_message` blocks).

`data-post` is the id, `time[datetime]` the date, the forwarded-from name the channel (else
the owner's name, the page's title, or the username in `data-post`);
reaction counts may be abbreviated (`1.2K`). Only the message's own text node is read, not
reply quotes or album wrappers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from builder.errors import InputError
from builder.readers.dates import from_iso
from builder.readers.html_tree import Element, MessageParser, feed_file, squash
from builder.records import RawPost

FORMAT = "tme-html"
_SKIP = ("tgme_widget_message_reply", "tgme_widget_message_grouped_wrap")


def sniff(head: str) -> bool:
    return "tgme_widget_message" in head or "tgme_channel_info" in head


class _Parser(MessageParser):
    format_name = FORMAT

    def __init__(self, source: str, start: int, stats: Counter):
        super().__init__(source, start, stats)
        self.page_title: list[str] = []

    def on_open(self, el: Element) -> None:
        c = el.classes
        if "tgme_widget_message" in c and "data-post" in el.attrs and self.msg is None:
            self.begin_message(el.attrs["data-post"])
            return
        if self.msg is None:
            if "tgme_channel_info_header_title" in c:
                self.start_field("title")
            return
        if self.reaction_open(el):
            return
        if "tgme_widget_message_owner_name" in c:
            self.start_field("owner")
        elif "tgme_widget_message_forwarded_from_name" in c:
            self.start_field("fwd")
        elif "tgme_widget_message_text" in c and not any(self.inside(s) for s in _SKIP):
            self.start_field("text")
        elif el.tag == "time" and "datetime" in el.attrs and self.msg["date"] is None:
            self.msg["date"] = from_iso(el.attrs["datetime"])
        elif el.tag == "a" and self.field == "text":
            href = el.attrs.get("href", "")
            m = re.match(r"\?q=%23(\w+)", href)
            self.link(href, m.group(1) if m else None)

    def on_text(self, data: str) -> None:
        if self.field == "title" and self.msg is None:
            self.page_title.append(data)
        else:
            super().on_text(data)

    def on_close(self, el: Element) -> None:
        self.reaction_close()
        if self.field and len(self.stack) < self.field_depth:
            self.end_field()
        if self.msg is not None and len(self.stack) < self.msg_depth:
            owner = (squash(self.msg["owner"]) or squash(self.page_title)
                     or _username(self.msg["id"]))
            self.emit(squash(self.msg["fwd"]) or owner)


def _username(post: str | None) -> str | None:
    """The channel's username in a `data-post` (`durov/123` -> `durov`): the channel of a
    page saved without its header or owner names."""
    name, sep, _ = (post or "").rpartition("/")
    return name if sep and name else None


def read(path: Path, start: int, max_line_chars: int, stats: Counter | None = None,
         **_: object) -> Iterator[RawPost]:
    stats = stats if stats is not None else Counter()
    parser = _Parser(path.name, start, stats)
    seen = False
    for post in feed_file(parser, path, max_line_chars):
        seen = True
        yield post
    if not seen and not stats.get("skipped_media_only_messages"):
        raise InputError(f"{path}: HTML with no t.me messages (no tgme_widget_message found)")
