"""Reader for Telegram Desktop's HTML export: one or many `messages*.html` files, in order.

Dates come from the `title` of the message's `div.date`; a sender carries over to following
("joined") messages without `from_name`, and loses the ` via @bot` the export appends;
forwarded bodies sit in `div.forwarded.body`; reactions (`span.reaction`) are read like the
JSON reader's; day separators and service entries are skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from builder.errors import InputError
from builder.readers.dates import from_desktop_title
from builder.readers.html_tree import Element, MessageParser, feed_file, squash
from builder.records import RawPost

FORMAT = "telegram-html"
_VIA_BOT = re.compile(r"\s+via\s+@\w+$")


def sniff(head: str) -> bool:
    return "<" in head[:2000] and ('class="history"' in head or 'class="message default' in head
                                   or 'class="message service' in head)


class _Parser(MessageParser):
    format_name = FORMAT

    def __init__(self, source: str, start: int, stats: Counter, sender: str | None):
        super().__init__(source, start, stats)
        self.sender = sender  # carried over between messages (and files)

    def on_open(self, el: Element) -> None:
        c = el.classes
        if el.tag == "div" and "message" in c and self.msg is None:
            if "service" in c:
                self.stats["skipped_service_messages"] += 1
                return
            self.begin_message(el.attrs.get("id", "").removeprefix("message"))
            return
        if self.msg is None or self.reaction_open(el):
            return
        fwd = self.inside("forwarded")
        if "date" in c and "details" in c and not fwd and self.msg["date"] is None:
            self.msg["date"] = from_desktop_title(el.attrs.get("title", ""))
        elif "details" in c and self.field in ("from", "fwd"):
            self.end_field()  # the date span inside a forwarded name
        elif "from_name" in c:
            self.start_field("fwd" if fwd else "from")
        elif "text" in c and el.tag == "div" and not self.inside("reply_to"):
            self.start_field("text")
        elif el.tag == "a" and self.field == "text":
            m = re.search(r"ShowHashtag\(\"([^\"]+)\"\)", el.attrs.get("onclick", ""))
            self.link(el.attrs.get("href", ""), m.group(1) if m else None)

    def on_close(self, el: Element) -> None:
        if self.msg is None:
            return
        self.reaction_close()
        if self.field and len(self.stack) < self.field_depth:
            self.end_field()
        if len(self.stack) < self.msg_depth:
            name = self.sender_name("from")
            if name:
                self.sender = name
            self.emit(self.sender_name("fwd") or self.sender)

    def sender_name(self, field: str) -> str:
        """A `from_name` without the ` via @bot` the export appends for messages sent through
        an inline bot (one channel stays one `channel`); such messages are counted."""
        name = squash(self.msg[field])
        bare = _VIA_BOT.sub("", name)
        if bare != name:
            self.stats["senders_via_bot"] += 1
        return bare


def read(path: Path, start: int, max_line_chars: int, stats: Counter | None = None,
         sender: list | None = None, **_: object) -> Iterator[RawPost]:
    stats = stats if stats is not None else Counter()
    carry = sender if sender is not None else [None]
    parser = _Parser(path.name, start, stats, carry[0])
    seen_message = False
    for post in feed_file(parser, path, max_line_chars):
        seen_message = True
        yield post
    carry[0] = parser.sender
    if not seen_message and not stats.get("skipped_service_messages") and not stats.get(
        "skipped_media_only_messages"
    ):
        raise InputError(f"{path}: HTML with no Telegram messages (no div.message found)")
