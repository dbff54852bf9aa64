"""A small streaming HTML walker over `html.parser`: an element stack with classes, so the
two HTML readers can ask "am I inside div.text of a message?" without a DOM."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from builder.readers.files import iter_lines
from builder.records import RawPost, Reaction
from builder.text.telegram import parse_count

_COUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([KkMm]?)")

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
NOT_TEXT = frozenset({"script", "style", "template"})


class Element:
    __slots__ = ("tag", "attrs", "classes")

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]]):
        self.tag = tag
        self.attrs = {k: v or "" for k, v in attrs}
        self.classes = frozenset(self.attrs.get("class", "").split())


class StackParser(HTMLParser):
    """Subclasses implement on_open(el), on_close(el), on_text(data), on_void(el)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Element] = []

    def inside(self, cls: str) -> bool:
        return any(cls in el.classes for el in self.stack)

    def handle_starttag(self, tag, attrs):
        el = Element(tag, attrs)
        if tag in VOID:
            self.on_void(el)
            return
        self.stack.append(el)
        self.on_open(el)

    def handle_startendtag(self, tag, attrs):
        self.on_void(Element(tag, attrs))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, -1, -1):  # tolerate unclosed children
            if self.stack[i].tag == tag:
                while len(self.stack) > i:
                    self.on_close(self.stack.pop())
                return

    def handle_data(self, data):
        if self.stack and self.stack[-1].tag in NOT_TEXT:
            return  # a script's code or a style sheet is never post text or a name
        self.on_text(data)

    def on_open(self, el: Element) -> None: ...

    def on_close(self, el: Element) -> None: ...

    def on_void(self, el: Element) -> None: ...

    def on_text(self, data: str) -> None: ...


def squash(parts: list[str]) -> str:
    return " ".join("".join(parts).split())


# A reaction element: Desktop HTML `span.reaction`, t.me/s `span.tgme_reaction`.
REACTION_CLASSES = frozenset({"reaction", "tgme_reaction"})
PAID_CLASSES = frozenset({"paid", "tgme_reaction_paid"})
_IGNORED_PARTS = frozenset({"userpics", "userpic", "initials", "icon"})


class ReactionReader:
    """One reaction element, read into the JSON reader's shape: the emoji (`paid` for a paid
    reaction, `custom_emoji:<id>` for a `tg-emoji` with an id) and a count from the count
    element or the element's own text (`84`, `2.49K`), else the number of user pictures."""

    def __init__(self, el: Element, depth: int):
        self.depth = depth
        self.paid = bool(el.classes & PAID_CLASSES)
        self.custom: str | None = None
        self.parts: dict[str | None, list[str]] = {"emoji": [], "count": [], None: []}
        self.userpics = 0
        self.part: str | None = None
        self.part_depth = 0

    def open(self, el: Element, depth: int) -> None:
        if el.tag == "tg-emoji" and el.attrs.get("emoji-id") and self.custom is None:
            self.custom = el.attrs["emoji-id"]
        if "userpic" in el.classes:
            self.userpics += 1
        if self.part is not None:
            return
        if "count" in el.classes:
            self.part = "count"
        elif "emoji" in el.classes or el.tag in ("b", "tg-emoji"):
            self.part = "emoji"
        elif el.classes & _IGNORED_PARTS:
            self.part = "ignored"
        else:
            return
        self.part_depth = depth

    def void(self, el: Element) -> None:
        if "userpic" in el.classes:
            self.userpics += 1

    def text(self, data: str) -> None:
        if self.part != "ignored":
            self.parts[self.part].append(data)

    def close(self, depth: int) -> bool:
        """Called after an element closed; True when the reaction element itself closed."""
        if self.part is not None and depth < self.part_depth:
            self.part = None
        return depth < self.depth

    def reaction(self) -> Reaction | None:
        if self.paid:
            name = "paid"
        elif self.custom:
            name = f"custom_emoji:{self.custom}"
        else:
            name = "".join(self.parts["emoji"]).strip().replace("\ufe0f", "")
        m = _COUNT.search("".join(self.parts["count"]) or "".join(self.parts[None]))
        count = parse_count(m.group(1), m.group(2)) if m else self.userpics
        return Reaction(name, count) if name and count > 0 else None


class MessageParser(StackParser):
    """What both Telegram HTML readers share: one message at a time as a dict of text parts,
    a current field that collects text, links, reactions, and the RawPost at the end."""

    format_name = ""  # the reader's FORMAT, set by each subclass

    def __init__(self, source: str, start: int, stats: Counter):
        super().__init__()
        self.source, self.position, self.stats = source, start, stats
        self.posts: list[RawPost] = []
        self.msg: dict | None = None
        self.msg_depth = 0
        self.field: str | None = None
        self.field_depth = 0
        self.reading: ReactionReader | None = None

    def begin_message(self, message_id: str | None) -> None:
        self.msg = {"id": message_id, "date": None, "text": [], "urls": [], "tags": [],
                    "reactions": [], "from": [], "fwd": [], "owner": []}
        self.msg_depth = len(self.stack)
        self.reading = None

    def start_field(self, field: str) -> None:
        self.field, self.field_depth = field, len(self.stack)

    def end_field(self) -> None:
        self.field, self.field_depth = None, 0

    def link(self, href: str, hashtag: str | None) -> None:
        if hashtag:
            self.msg["tags"].append(hashtag)
        elif href.startswith(("http://", "https://")):
            self.msg["urls"].append(href)

    def reaction_open(self, el: Element) -> bool:
        """Subclasses call this first in on_open (inside a message): True when `el` is a
        reaction or a part of one, and so consumed."""
        if self.reading is not None:
            self.reading.open(el, len(self.stack))
            return True
        if el.classes & REACTION_CLASSES:
            self.reading = ReactionReader(el, len(self.stack))
            return True
        return False

    def reaction_close(self) -> None:
        """Subclasses call this in on_close: a closed reaction element becomes a Reaction."""
        if self.reading is None or not self.reading.close(len(self.stack)):
            return
        reaction, self.reading = self.reading.reaction(), None
        if reaction is None:
            self.stats["skipped_unreadable_reactions"] += 1
        elif self.msg is not None:
            self.msg["reactions"].append(reaction)

    def on_void(self, el: Element) -> None:
        if self.reading is not None:
            self.reading.void(el)
        elif self.msg is not None and self.field == "text" and el.tag == "br":
            self.msg["text"].append("\n")

    def on_text(self, data: str) -> None:
        if self.reading is not None:
            self.reading.text(data)
        elif self.msg is not None and self.field:
            # in HTML a newline is a space; only <br> breaks a line
            self.msg[self.field].append(data.replace("\n", " ") if self.field == "text" else data)

    def emit(self, channel: str | None) -> None:
        """The finished message as a RawPost (a message with no text is counted, not kept)."""
        msg, self.msg = self.msg, None
        text = "".join(msg["text"])
        if not text.strip():
            self.stats["skipped_media_only_messages"] += 1
            return
        self.posts.append(RawPost(
            source=self.source, position=self.position,
            lines=tuple(line.strip() for line in text.split("\n")),
            message_id=msg["id"] or None, channel=channel or None,
            date=msg["date"].value if msg["date"] else None,
            date_is_local=bool(msg["date"] and msg["date"].local),
            reactions=tuple(msg["reactions"]), hashtags=tuple(msg["tags"]),
            urls=tuple(msg["urls"]), format=self.format_name,
        ))
        self.position += 1


def feed_file(parser: StackParser, path: Path, max_line_chars: int) -> Iterator:
    """Feed a file to a parser line by line, yielding its `posts` as they complete."""
    for _lineno, line in iter_lines(path, max_line_chars):
        parser.feed(line + "\n")
        if parser.posts:
            yield from parser.posts
            parser.posts = []
    parser.close()
    yield from parser.posts
    parser.posts = []
