"""Limits on a JSON stream, checked chunk by chunk at C speed before the parser sees it:
nesting depth, the length of one string, the size of one message, and NUL bytes.

ijson keeps a prefix string per open level, so memory grows with the square of the depth
(a 200 KB file of `[` needs gigabytes), and one very long string is read whole; this
wrapper refuses such files with an input error naming the file and byte offset, so memory
stays bounded whatever the file holds.

Per chunk (never longer than the longest string allowed), with C-speed bytes operations:
escapes are taken out (`\\\\` pairs, then `\\"`), so every quote left opens or closes a
string; a string open across chunks is measured from the first and last quotes; the quotes
and brackets that remain, strings dropped, give the depth at each bracket by a cumulative
sum. A string or escape open at a chunk's end carries over.
"""

from __future__ import annotations

from builder.errors import InputError

MAX_DEPTH = 64  # a Telegram Desktop export needs about 8
_NOT_SKELETON = bytes(b for b in range(256) if b not in b'[]{}"')


def _depths(brackets: bytes, start: int):
    """Depth after each bracket, starting from `start`."""
    import numpy as np  # noqa: PLC0415

    steps = np.zeros(256, dtype=np.int8)
    steps[list(b"[{")] = 1
    steps[list(b"]}")] = -1
    return np.cumsum(steps[np.frombuffer(brackets, dtype=np.uint8)], dtype=np.int64) + start


class JsonGuard:
    """A binary reader over `raw` that raises InputError where the JSON would be unbounded.

    `max_string`: the longest string, in bytes; `item_depth` and `max_item`: an object or
    array at that depth (a message) may span at most `max_item` bytes (0: no limit).
    """

    def __init__(self, raw, path, *, max_string: int, item_depth: int = 0, max_item: int = 0,
                 max_depth: int = MAX_DEPTH):
        self.raw, self.path = raw, path
        self.max_string, self.max_depth = max_string, max_depth
        self.item_depth, self.max_item = item_depth, max_item
        self.depth = 0
        self.offset = 0  # bytes read so far
        self.string: int | None = None  # length so far of a string open at the last chunk's end
        self.escaped = False  # the last chunk ended in the middle of an escape (`\\`)
        self.item_start: int | None = None

    def read(self, size: int = -1) -> bytes:
        # chunks no longer than max_string: a string inside one chunk is never too long, so
        # only strings that span chunks are measured
        data = self.raw.read(min(size if size > 0 else 1 << 20, self.max_string))
        if data:
            self._check(data)
        elif self.string is not None:
            raise InputError(f"{self.path}: malformed or truncated JSON (a string is not closed "
                             "at the end)")
        return data

    def close(self) -> None:
        self.raw.close()

    def _fail(self, what: str, at: int) -> InputError:
        return InputError(f"{self.path}: byte {at}: {what}")

    def _check(self, data: bytes) -> None:
        start = self.offset
        self._chunk = (data, self.string is not None, self.escaped, self.depth)
        self.offset += len(data)
        nul = data.find(b"\x00")
        if nul >= 0:
            raise self._fail("binary data (a NUL byte), not a text export", start + nul)
        inside = self.string is not None
        if self.escaped:  # the byte an escape at the end of the last chunk applies to
            data, self.escaped = data[1:], False
            self.string += 1
        end = len(data)
        while end and data[end - 1] == 0x5C:
            end -= 1
        # Escapes out (`\\` pairs left to right, as JSON pairs them; then `\"`): every quote
        # left opens or closes a string.
        clean = data.replace(b"\\\\", b"").replace(b'\\"', b"")
        if (len(data) - end) % 2:  # an escape that goes on in the next chunk
            clean, self.escaped = clean[:-1], True
        quotes = clean.count(b'"')
        ends_inside = inside != (quotes % 2 == 1)
        if not quotes:
            if inside:  # all of the chunk is string: count it as read (escapes too)
                self._string_grows(len(data), start)
        else:
            if inside:  # the string from the last chunk closes at the first quote
                self._string_grows(clean.find(b'"'), start)
            self.string = 0 if ends_inside else None
            if ends_inside:  # one opens at the last quote
                self._string_grows(len(clean) - clean.rfind(b'"') - 1 + self.escaped, start)
        if self.escaped and not ends_inside:
            raise self._fail("malformed JSON (a backslash outside a string)", start)
        skeleton = clean.translate(None, _NOT_SKELETON)
        skeleton = (b'"' if inside else b"") + skeleton + (b'"' if ends_inside else b"")
        # two quotes side by side hold no bracket: dropping them keeps the rest aligned
        skeleton = skeleton.replace(b'""', b"")
        if b'"' in skeleton:
            skeleton = b"".join(skeleton.split(b'"')[0::2])
        self._structure(skeleton, start)

    def _string_grows(self, more: int, start: int) -> None:
        self.string += more
        if self.string > self.max_string:
            raise self._fail(f"a JSON string longer than {self.max_string} bytes (raise "
                             "input.max_line_chars if this is real text)", start)

    def _structure(self, brackets: bytes, start: int) -> None:
        if not brackets:
            self._item_size(self.depth, self.depth)
            return
        depths = _depths(brackets, self.depth)
        if int(depths.max()) > self.max_depth:
            raise self._fail(f"JSON nested deeper than {self.max_depth} levels",
                             start + self._bracket_at())
        lowest = int(depths.min())
        if lowest < 0:
            raise self._fail("malformed or truncated JSON (a bracket closes what was never "
                             "opened)", start + self._bracket_at())
        lowest = min(self.depth, lowest)
        self.depth = int(depths[-1])
        self._item_size(lowest, self.depth)

    def _bracket_at(self) -> int:
        """Where in the current chunk the depth first leaves 0..max_depth: a byte-by-byte
        scan, run only once a chunk has failed."""
        data, inside, escaped, depth = self._chunk
        for i, byte in enumerate(data):
            if escaped:
                escaped = False
            elif inside:
                escaped, inside = byte == 0x5C, byte != 0x22
            elif byte == 0x22:
                inside = True
            elif byte in b"[{":
                depth += 1
                if depth > self.max_depth:
                    return i
            elif byte in b"]}":
                depth -= 1
                if depth < 0:
                    return i
        return 0

    def _item_size(self, lowest: int, end: int) -> None:
        """Track how long the stream has stayed inside one item (to within a chunk)."""
        if not self.max_item or not self.item_depth:
            return
        if end < self.item_depth:
            self.item_start = None
        elif lowest < self.item_depth or self.item_start is None:
            self.item_start = self.offset  # entered in this chunk: counted from its end
        elif self.offset - self.item_start > self.max_item:
            raise self._fail(f"a message longer than {self.max_item} bytes (raise "
                             "input.max_line_chars if this is real text)", self.item_start)
