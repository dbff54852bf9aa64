"""Reader for a saved t.me/s/<channel> web preview page (`tgme_widget_message` blocks).

`data-post` is the id, `time[datetime]` the date, the forwarded-from name the channel;
reaction counts may be abbreviated (`1.2K`). Only the message's own text node is read, not
reply quotes or album wrappers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from builder.errors import InputError
from builder.readers.html_tree import Element, StackParser, feed_file
from builder.records import RawPost, Reaction
from builder.telegram_text import parse_count

FORMAT = "tme-html"
_SKIP = ("tgme_widget_message_reply", "tgme_widget_message_grouped_wrap")


def sniff(head: str) -> bool:
    return "tgme_widget_message" in head or "tgme_channel_info" in head


def to_utc(value: str) -> str | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Parser(StackParser):
    def __init__(self, source: str, start: int, stats: Counter):
        super().__init__()
        self.source, self.position, self.stats = source, start, stats
        self.page_title: list[str] = []
        self.posts: list[RawPost] = []
        self.msg: dict | None = None
        self.msg_depth = 0
        self.field: str | None = None
        self.field_depth = 0

    def _start(self, field: str) -> None:
        self.field, self.field_depth = field, len(self.stack)

    def on_open(self, el: Element) -> None:
        c = el.classes
        if "tgme_widget_message" in c and "data-post" in el.attrs and self.msg is None:
            self.msg = {"id": el.attrs["data-post"], "date": None, "owner": [], "fwd": [],
                        "text": [], "urls": [], "tags": [], "reactions": [], "count": [],
                        "emoji": []}
            self.msg_depth = len(self.stack)
            return
        if self.msg is None:
            if "tgme_channel_info_header_title" in c:
                self._start("title")
            return
        if "tgme_widget_message_owner_name" in c:
            self._start("owner")
        elif "tgme_widget_message_forwarded_from_name" in c:
            self._start("fwd")
        elif "tgme_widget_message_text" in c and not any(self.inside(s) for s in _SKIP):
            self._start("text")
        elif el.tag == "time" and "datetime" in el.attrs and self.msg["date"] is None:
            self.msg["date"] = to_utc(el.attrs["datetime"])
        elif "tgme_reaction" in c:
            self.msg["emoji"], self.msg["count"] = [], []
            self._start("count")
        elif el.tag == "b" and self.field == "count":
            self.field = "emoji"
        elif el.tag == "a" and self.field == "text":
            href = el.attrs.get("href", "")
            m = re.match(r"\?q=%23(\w+)", href)
            if m:
                self.msg["tags"].append(m.group(1))
            elif href.startswith(("http://", "https://")):
                self.msg["urls"].append(href)

    def on_void(self, el: Element) -> None:
        if self.msg is not None and self.field == "text" and el.tag == "br":
            self.msg["text"].append("\n")

    def on_text(self, data: str) -> None:
        if self.field == "title" and self.msg is None:
            self.page_title.append(data)
        elif self.msg is not None and self.field:
            self.msg[self.field].append(data.replace("\n", " ") if self.field == "text" else data)

    def on_close(self, el: Element) -> None:
        if self.field == "emoji" and el.tag == "b":
            self.field = "count"
            return
        if self.field and len(self.stack) < self.field_depth:
            if self.field in ("count", "emoji") and self.msg is not None:
                emoji = "".join(self.msg["emoji"]).strip().replace("\ufe0f", "")
                m = re.search(r"(\d+(?:[.,]\d+)?)\s*([KkMm]?)", "".join(self.msg["count"]))
                if emoji and m:
                    self.msg["reactions"].append(Reaction(emoji, parse_count(m.group(1), m.group(2))))
            self.field, self.field_depth = None, 0
        if self.msg is not None and len(self.stack) < self.msg_depth:
            self._finish()

    def _finish(self) -> None:
        msg, self.msg = self.msg, None
        text = "".join(msg["text"])
        if not text.strip():
            self.stats["skipped_media_only_messages"] += 1
            return
        fwd = " ".join("".join(msg["fwd"]).split())
        owner = " ".join("".join(msg["owner"]).split()) or " ".join("".join(self.page_title).split())
        self.posts.append(RawPost(
            source=self.source, position=self.position,
            lines=tuple(line.strip() for line in text.split("\n")),
            message_id=msg["id"], channel=fwd or owner or None, date=msg["date"],
            reactions=tuple(msg["reactions"]), hashtags=tuple(msg["tags"]),
            urls=tuple(msg["urls"]),
        ))
        self.position += 1


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
