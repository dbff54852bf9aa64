"""Reader for Telegram Desktop's HTML export: one or many `messages*.html` files, in order.

Dates come from the `title` of the message's `div.date`; a sender carries over to following
("joined") messages without `from_name`; forwarded bodies sit in `div.forwarded.body`; day
separators and service entries are skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

from builder.errors import InputError
from builder.readers.html_tree import Element, StackParser, feed_file
from builder.records import RawPost, Reaction
from builder.telegram_text import parse_count

FORMAT = "telegram-html"
_TITLE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: UTC([+-])(\d{2}):?(\d{2}))?")


def sniff(head: str) -> bool:
    return "<" in head[:2000] and ('class="history"' in head or 'class="message default' in head
                                   or 'class="message service' in head)


def title_to_utc(title: str) -> str | None:
    m = _TITLE.search(title or "")
    if not m:
        return None
    d, mo, y, h, mi, s = (int(x) for x in m.groups()[:6])
    moment = datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc)
    if m.group(7):  # a local time with its offset: subtract the offset to get UTC
        offset = timedelta(hours=int(m.group(8)), minutes=int(m.group(9)))
        moment = moment - offset if m.group(7) == "+" else moment + offset
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Parser(StackParser):
    def __init__(self, source: str, start: int, stats: Counter, sender: str | None):
        super().__init__()
        self.source, self.position, self.stats = source, start, stats
        self.sender = sender  # carried over between messages (and files)
        self.posts: list[RawPost] = []
        self.msg: dict | None = None
        self.msg_depth = 0
        self.field: str | None = None  # "text", "from", "fwd", "emoji", "count"
        self.field_depth = 0

    def on_open(self, el: Element) -> None:
        c = el.classes
        if el.tag == "div" and "message" in c and self.msg is None:
            if "service" in c:
                self.stats["skipped_service_messages"] += 1
                return
            self.msg = {"id": el.attrs.get("id", "").removeprefix("message"), "date": None,
                        "from": [], "fwd": [], "text": [], "urls": [], "tags": [],
                        "reactions": [], "emoji": [], "count": []}
            self.msg_depth = len(self.stack)
            return
        if self.msg is None:
            return
        fwd = self.inside("forwarded")
        if "date" in c and "details" in c and not fwd and self.msg["date"] is None:
            self.msg["date"] = title_to_utc(el.attrs.get("title", ""))
        elif "details" in c and self.field in ("from", "fwd"):
            self.field, self.field_depth = None, 0  # the date span inside a forwarded name
        elif "from_name" in c:
            self._start("fwd" if fwd else "from")
        elif "text" in c and el.tag == "div" and not self.inside("reply_to"):
            self._start("text")
        elif "reaction" in c:
            self.msg["emoji"], self.msg["count"] = [], []
        elif "emoji" in c and self.inside("reaction"):
            self._start("emoji")
        elif "count" in c and self.inside("reaction"):
            self._start("count")
        elif el.tag == "a" and self.field == "text":
            href = el.attrs.get("href", "")
            onclick = el.attrs.get("onclick", "")
            m = re.search(r"ShowHashtag\(\"([^\"]+)\"\)", onclick)
            if m:
                self.msg["tags"].append(m.group(1))
            elif href.startswith(("http://", "https://")):
                self.msg["urls"].append(href)

    def _start(self, field: str) -> None:
        self.field, self.field_depth = field, len(self.stack)

    def on_void(self, el: Element) -> None:
        if self.msg is not None and self.field == "text" and el.tag == "br":
            self.msg["text"].append("\n")

    def on_text(self, data: str) -> None:
        if self.msg is not None and self.field:
            self.msg[self.field].append(data.replace("\n", " ") if self.field == "text" else data)

    def on_close(self, el: Element) -> None:
        if self.msg is None:
            return
        if self.field and len(self.stack) < self.field_depth:
            self.field, self.field_depth = None, 0
        if "reaction" in el.classes:
            emoji = "".join(self.msg["emoji"]).strip().replace("\ufe0f", "")
            count = "".join(self.msg["count"]).strip()
            m = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*([KkMm]?)", count)
            if emoji and m:
                self.msg["reactions"].append(Reaction(emoji, parse_count(m.group(1), m.group(2))))
        if len(self.stack) < self.msg_depth:
            self._finish()

    def _finish(self) -> None:
        msg, self.msg = self.msg, None
        name = " ".join("".join(msg["from"]).split())
        if name:
            self.sender = name
        text = "".join(msg["text"])
        if not text.strip():
            self.stats["skipped_media_only_messages"] += 1
            return
        fwd = " ".join("".join(msg["fwd"]).split())
        self.posts.append(RawPost(
            source=self.source, position=self.position,
            lines=tuple(line.strip() for line in text.split("\n")),
            message_id=msg["id"] or None, channel=fwd or self.sender, date=msg["date"],
            reactions=tuple(msg["reactions"]), hashtags=tuple(msg["tags"]),
            urls=tuple(msg["urls"]),
        ))
        self.position += 1


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
