"""A small streaming HTML walker over `html.parser`: an element stack with classes, so the
two HTML readers can ask "am I inside div.text of a message?" without a DOM."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from builder.readers.files import iter_lines

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


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
        self.on_text(data)

    def on_open(self, el: Element) -> None: ...

    def on_close(self, el: Element) -> None: ...

    def on_void(self, el: Element) -> None: ...

    def on_text(self, data: str) -> None: ...


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
