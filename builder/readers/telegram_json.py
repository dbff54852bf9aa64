"""Reader for Telegram Desktop's machine-readable export (`result.json`).

Both layouts: one chat (`{name, type, id, messages}`) and a full account export
(`chats.list[]`, `left_chats.list[]`, picked with `--chat NAME_OR_ID`). Streams with ijson,
so memory does not grow with the file; `\\xNN` escapes (invalid JSON that real exports
write for control characters) are rewritten to `\\u00NN` on the fly.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from builder.errors import InputError
from builder.readers.dates import SourceDate, from_iso, from_unix
from builder.readers.json_guard import JsonGuard
from builder.records import RawPost, Reaction

FORMAT = "telegram-json"
_ESCAPES = re.compile(rb"\\(\\|x([0-9A-Fa-f]{2}))")
_SECTIONS = ("chats.list.item", "left_chats.list.item")
# Inside a message: {"messages": [{ is depth 3; {"chats": {"list": [{"messages": [{ is 6.
MESSAGE_DEPTH = {"single": 3, "full": 6}
# ijson's C parser re-reads a token that spans reads: large reads keep long strings linear
BUF_SIZE = 1 << 20


def sniff(head: str) -> bool:
    s = head.lstrip()
    return s.startswith("{") and ('"messages"' in head or '"chats"' in head)


class _FixEscapes:
    """A binary reader that turns `\\xNN` into `\\u00NN` (and leaves `\\\\x..` alone)."""

    def __init__(self, raw):
        self.raw = raw
        self.carry = b""

    @staticmethod
    def _fix(m: re.Match) -> bytes:
        return m.group(0) if m.group(1) == b"\\" else b"\\u00" + m.group(2)

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson probes the stream's type with read(0)
            return b""
        while True:  # never return b"" before the end: that means end of file
            chunk = self.raw.read(size if size > 0 else 1 << 20)
            data = self.carry + chunk
            if not chunk:
                self.carry = b""
                return _ESCAPES.sub(self._fix, data)
            cut = len(data)
            tail = data.rfind(b"\\", max(0, len(data) - 4))
            if tail >= 0:  # an escape may continue in the next chunk: keep its backslash run
                while tail > 0 and data[tail - 1 : tail] == b"\\":
                    tail -= 1
                cut = tail
            self.carry = data[cut:]
            if cut:
                return _ESCAPES.sub(self._fix, data[:cut])


def _open(path: Path, max_line_chars: int, item_depth: int = 0):
    """The file, past a UTF-8 byte order mark (which sniffing accepts), through the limits
    (json_guard.py) and the `\\xNN` fix."""
    raw = path.open("rb")
    if raw.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
        raw.seek(0)
    guard = JsonGuard(raw, path, max_string=max_line_chars, item_depth=item_depth,
                      max_item=max_line_chars if item_depth else 0)
    return _FixEscapes(guard)


def _ijson():
    import ijson  # noqa: PLC0415

    return ijson


def _malformed(path: Path, err: Exception) -> InputError:
    msg = str(err).splitlines()[0] if str(err) else type(err).__name__
    return InputError(f"{path}: malformed or truncated JSON ({msg})")


def list_chats(path: Path, max_line_chars: int) -> tuple[str, list[dict]]:
    """The layout ('single' or 'full') and the chats found: name, id, section, index."""
    ijson = _ijson()
    f = _open(path, max_line_chars)
    chats: list[dict] = []
    single: dict = {}
    layout = None
    try:
        for prefix, event, value in ijson.parse(f, buf_size=BUF_SIZE):
            if prefix == "" and event == "start_map":
                layout = "object"
            elif prefix == "" and event == "start_array":
                raise InputError(f"{path}: JSON of the wrong shape: a list, not a Telegram Desktop export object")
            elif layout == "object" and prefix in ("name", "id", "type") and not chats:
                single[prefix] = value
            elif prefix == "messages" and event == "start_array" and layout == "object":
                return "single", [{"name": single.get("name"), "id": single.get("id"),
                                   "section": None, "index": 0}]
            elif event == "start_map" and prefix in _SECTIONS:
                chats.append({"name": None, "id": None, "section": prefix, "index":
                              sum(1 for c in chats if c["section"] == prefix)})
            elif chats and prefix in (f"{chats[-1]['section']}.name", f"{chats[-1]['section']}.id"):
                chats[-1][prefix.rsplit(".", 1)[1]] = value
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - ijson raises several types
        raise _malformed(path, err) from err
    finally:
        f.raw.close()
    if not chats:
        raise InputError(
            f"{path}: JSON of the wrong shape: no 'messages' or 'chats' list (not a Telegram "
            "Desktop export)"
        )
    return "full", chats


def _describe(chats: list[dict]) -> str:
    return "; ".join(f"{c['name']} (id {c['id']})" for c in chats)


def choose_chat(path: Path, chat: str | None, max_line_chars: int) -> tuple[str, dict]:
    layout, chats = list_chats(path, max_line_chars)
    if chat is None:
        if len(chats) == 1:
            return layout, chats[0]
        raise InputError(f"{path}: export holds {len(chats)} chats; pick one with --chat: {_describe(chats)}")
    matches = [c for c in chats if str(c["id"]) == chat or c["name"] == chat]
    if not matches:
        raise InputError(f"{path}: no chat '{chat}' in this export; it holds: {_describe(chats)}")
    if len(matches) > 1:
        raise InputError(f"{path}: --chat '{chat}' is ambiguous: {_describe(matches)}; use the id")
    return layout, matches[0]


def message_date(msg: dict) -> SourceDate:
    """`date_unixtime` (UTC); exports of 2020 and before have only `date`, the exporting
    machine's local time without a zone, kept as local time."""
    if msg.get("date_unixtime") not in (None, ""):
        return from_unix(msg["date_unixtime"])
    return from_iso(msg.get("date"))


def _entities(msg: dict) -> list:
    ents = msg.get("text_entities")
    if isinstance(ents, list) and ents:
        return ents
    text = msg.get("text", "")
    return text if isinstance(text, list) else [text]


def _reaction(r: dict) -> Reaction | None:
    kind, count = r.get("type"), int(r.get("count", 0))
    if kind == "emoji" and r.get("emoji"):
        return Reaction(r["emoji"].replace("\ufe0f", ""), count)
    if kind == "custom_emoji":
        return Reaction(f"custom_emoji:{Path(str(r.get('document_id', ''))).name}", count)
    if kind == "paid":
        return Reaction("paid", count)
    return None


def message_post(msg: dict, chat_name: str | None, source: str, position: int,
                 stats: Counter) -> RawPost | None:
    if msg.get("type") != "message":
        stats["skipped_service_messages"] += 1
        return None
    pieces: list[str] = []
    tags: list[str] = []
    urls: list[str] = []
    for ent in _entities(msg):
        if isinstance(ent, str):
            pieces.append(ent)
            continue
        # a custom emoji keeps its fallback emoji: cleaning removes it as any emoji, never
        # gluing its neighbours (`is💲100` -> `is 100`), as from the HTML export
        kind, text = ent.get("type"), str(ent.get("text", ""))
        if kind == "hashtag":
            tags.append(text.lstrip("#"))
        elif kind == "link":
            urls.append(text)
        elif kind == "text_link" and ent.get("href"):
            urls.append(ent["href"])
        pieces.append(text)
    text = "".join(pieces)
    if not text.strip():
        stats["skipped_media_only_messages"] += 1
        return None
    reactions = tuple(r for r in map(_reaction, msg.get("reactions") or []) if r)
    when = message_date(msg)
    return RawPost(
        source=source, position=position, lines=tuple(text.split("\n")),
        message_id=str(msg.get("id")), channel=msg.get("forwarded_from") or chat_name,
        date=when.value, date_is_local=when.local, reactions=reactions,
        hashtags=tuple(tags), urls=tuple(urls), format=FORMAT,
    )


def read(path: Path, start: int, max_line_chars: int, config=None, stats: Counter | None = None,
         **_: object) -> Iterator[RawPost]:
    stats = stats if stats is not None else Counter()
    layout, chat = choose_chat(path, getattr(config, "chat", None), max_line_chars)
    ijson = _ijson()
    position = start
    f = _open(path, max_line_chars, MESSAGE_DEPTH[layout])
    try:
        if layout == "single":
            messages = ijson.items(f, "messages.item", buf_size=BUF_SIZE)
        else:
            messages = _full_export_messages(ijson, f, chat)
        for msg in messages:
            post = message_post(msg, chat["name"], path.name, position, stats)
            if post is not None:
                yield post
                position += 1
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001
        raise _malformed(path, err) from err
    finally:
        f.raw.close()


def _full_export_messages(ijson, f, chat: dict) -> Iterator[dict]:
    """Messages of one chat of a full export, built one at a time from parse events."""
    from ijson.common import ObjectBuilder  # noqa: PLC0415

    section, wanted = chat["section"], chat["index"]
    item_prefix = f"{section}.messages.item"
    index = -1
    builder = None
    for prefix, event, value in ijson.parse(f, buf_size=BUF_SIZE):
        if prefix == section and event == "start_map":
            index += 1
            continue
        if index != wanted or not prefix.startswith(item_prefix):
            if index > wanted and prefix == section:
                return
            continue
        if prefix == item_prefix and event == "start_map" and builder is None:
            builder = ObjectBuilder()
        builder.event(event, value)
        if prefix == item_prefix and event == "end_map":
            yield builder.value
            builder = None
