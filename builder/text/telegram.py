"""Character classes and patterns of Telegram text: emoji, flags, hashtags, URLs, reactions."""

from __future__ import annotations

import functools
import re
import unicodedata

import regex


def _pictograph_class(lo: int, hi: int) -> str:
    """A stdlib `re` character class of every Extended_Pictographic code point in [lo, hi)
    except the text symbols © ® ™, built once from the `regex` module's Unicode tables
    (stdlib `re` scans a plain class many times faster than `regex` evaluates the property)."""
    prop = regex.compile(r"\p{Extended_Pictographic}")
    points = [cp for cp in range(lo, hi) if prop.match(chr(cp)) and cp != 0x2122]  # ™: text
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )


# One emoji code point or emoji-sequence glue: pictographs (not the text symbols © ® ™),
# regional-indicator flags, keycaps, variation selectors, zero-width joiners, skin tones, tags;
# in two halves, below and above U+FFFF (see _EMOJI_OR_ZERO_WIDTH).
_EMOJI_BMP = _pictograph_class(0x2000, 0x3300) + "\u20e3\ufe0e\ufe0f\u200d"
_EMOJI_ASTRAL = (
    _pictograph_class(0x1F000, 0x1FFFF)
    + "\U0001F1E6-\U0001F1FF\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F"
)
_EMOJI_CLASS = _EMOJI_BMP + _EMOJI_ASTRAL
_EMOJI_CHARS = f"[{_EMOJI_CLASS}]"
EMOJI = re.compile(_EMOJI_CHARS)
# A keycap (`1️⃣`, `#️⃣`): a digit, `#` or `*`, an optional variation selector, U+20E3. It
# is removed whole: removing only its emoji parts would glue the digit onto the next word.
_KEYCAP = "[0-9#*]\ufe0f?\u20e3"
# A run of emoji and emoji glue (keycaps whole), with the zero-width characters around it.
# The astral half is tried only on astral characters: stdlib `re` tests a character against
# a class's ranges one by one, so ordinary text (below U+FFFF) skips its ~1,000 ranges (2x).
_ZERO_WIDTH = "\u200b\u200c\u2060\ufeff\u00ad"
_RUN_CHAR = f"(?:[{_EMOJI_BMP}{_ZERO_WIDTH}]|(?=[\U00010000-\U0010FFFF])[{_EMOJI_ASTRAL}])"
_EMOJI_OR_ZERO_WIDTH = re.compile(f"(?:{_KEYCAP}|{_RUN_CHAR})+")
# The same runs in a text without U+20E3 (no keycap), written to start with one character
# class (every astral character in one range; the exact class is checked right behind it):
# `re` then skips ahead to the next candidate character instead of trying the whole pattern
# at every position (about 5x faster on a line with an emoji or two).
_EMOJI_RUN = re.compile(
    f"[{_EMOJI_BMP}{_ZERO_WIDTH}\U00010000-\U0010FFFF]"
    f"(?<=[{_EMOJI_BMP}{_ZERO_WIDTH}]|[{_EMOJI_ASTRAL}]){_RUN_CHAR}*"
)
# Characters that only join or select (no visible symbol): removing them never separates.
_GLUE_ONLY = frozenset("\ufe0e\ufe0f\u200d\u200b\u200c\u2060\ufeff\u00ad")
# A symbol removed between these and the next character leaves nothing (`(🔥word)`, `word🔥.`,
# `COVID🦠-19`, `rock🎸/pop`, `你好👋。`, `مرحبا👋؟`): opening marks and joiners (dashes, slash) on
# its left, closing marks and joiners on its right.
_JOINERS = "-‐‑‒–—―/"
_OPENING = frozenset("([{«“‘„‚\"'¡¿" + _JOINERS + "（「『【〔〈《")
_CLOSING = frozenset(")]}»”’\"'.,;:!?…" + _JOINERS + "。、，．！？：；）」』】〕〉》،؛؟۔")
# Zero-width (non-)joiners between two letters are spelling (Persian `می‌خواهم`, Indic
# conjuncts), not emoji glue: kept there.
_JOINER_ONLY = frozenset("\u200c\u200d")
# Keycap digits (or 🔟) that open a line: a list number, like `1.` (`1️⃣10 sets` -> `1. 10 sets`).
_KEYCAP_NUMBER = re.compile("^(\\s*)((?:[0-9]\ufe0f?\u20e3)+|\U0001F51F)\\s*")
# Keycap digits anywhere in a line (`исполнилось 4⃣ года`): the number they write.
_KEYCAP_DIGITS = re.compile("(?:[0-9]\ufe0f?\u20e3)+|\U0001F51F")
_WORD_CHAR = re.compile(r"[^\W_]")
_BULLETS = "•◦▪▫‣●○■□►▸·"
LEADING_BULLET = re.compile(rf"^\s*[{_BULLETS}]+\s*")
_BULLET_SET = frozenset(_BULLETS)
WHITESPACE = re.compile(r"\s+")
# A hashtag: `#` not after a word character, `&`, `/` or `#`, then a word that starts with a
# letter. The `#` comes first and the character before it is checked behind (`#` not preceded
# by `X#`), so that `re` jumps from `#` to `#` instead of trying every position.
HASHTAG = re.compile(r"#(?<![\w&/#]#)([^\W\d_]\w*)")
# The `#` of each HASHTAG match: removing it is `HASHTAG.sub(r"\1")` without a template per match.
HASHTAG_SIGN = re.compile(r"#(?<![\w&/#]#)(?=[^\W\d_])")
# A URL ends at a space, a bracket or quote of its own kind, or CJK or full-width
# punctuation (`https://example.com/新闻，点击这里` ends before `，`).
URL = re.compile(r"(?:https?://|www\.|t\.me/)[^\s<>\"«»\u3000-\u303f\uff00-\uff65]+", re.IGNORECASE)
_URL_TRAIL = ".,;:!?)]}'\"’”»"
_URL_HOST = re.compile(r"(?:https?://|www\.|t\.me/)[^\W_]", re.IGNORECASE)
# `<...>`, `<…>`, `[...]`, `[…]`, and the `< truncated N characters >` left by copy tools.
ELISION = re.compile(
    r"<\s*(?:\.{2,}|…)\s*>|\[\s*(?:\.{2,}|…)\s*\]|<\s*truncated\s+\d+\s+characters?\s*>",
    re.IGNORECASE,
)
_REACTION = re.compile(rf"({_EMOJI_CHARS}+)\s*(\d+(?:[.,]\d+)?)\s*([KkMm]?)")
_REACTIONS_LINE = re.compile(rf"^\s*(?:{_EMOJI_CHARS}+\s*\d+(?:[.,]\d+)?\s*[KkMm]?\s*)+$")
FORWARDED = re.compile(r"^\s*Forwarded from\s+(.+?)\s*$")
# A reactions run with the next post's `Forwarded from` glued on (a copy that ended without
# a newline, then had a post appended): `👍8❤41Forwarded from X`.
GLUED_FORWARDED = re.compile(
    rf"^(\s*(?:{_EMOJI_CHARS}+\s*\d+(?:[.,]\d+)?\s*[KkMm]?\s*)+?)(Forwarded from\s+.+)$"
)


def _separate(m: re.Match) -> str:
    """What replaces a removed emoji run: a space where the characters on its two sides would
    otherwise join into one token (`word🔥word`, `1️⃣10`), else nothing."""
    run, text = m.group(0), m.string
    start, end = m.start(), m.end()
    if start == 0 or end == len(text) or all(c in _GLUE_ONLY for c in run):
        return ""
    left, right = text[start - 1], text[end]
    if left.isspace() or right.isspace() or left in _OPENING or right in _CLOSING:
        return ""
    return " "


def _separate_or_keep_joiners(m: re.Match) -> str:
    """`_separate`, except that a run of only zero-width (non-)joiners between two letters
    (or marks) stays as it is."""
    run, text = m.group(0), m.string
    if (all(c in _JOINER_ONLY for c in run) and 0 < m.start() and m.end() < len(text)
            and _is_letter(text[m.start() - 1]) and _is_letter(text[m.end()])):
        return run
    return _separate(m)


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def strip_emoji(text: str) -> str:
    """Remove emoji, keycaps, flags, joiners and zero-width characters (keeps all other text
    as is). Removing a symbol never joins the characters on its two sides into one token."""
    if text.isascii():
        return text
    replace = _separate_or_keep_joiners if "\u200c" in text or "\u200d" in text else _separate
    if "\u20e3" in text:
        return _EMOJI_OR_ZERO_WIDTH.sub(replace, text)
    return _EMOJI_RUN.sub(replace, text)


def keycap_list_number(line: str) -> str:
    """Keycap digits that open a line become its list number: `2️⃣Each` -> `2. Each`."""
    if "\u20e3" not in line and "\U0001F51F" not in line:
        return line
    m = _KEYCAP_NUMBER.match(line)
    if not m:
        return line
    return f"{m.group(1)}{_keycap_number(m.group(2))}. {line[m.end():]}"


def _keycap_number(keys: str) -> str:
    return "10" if keys == "\U0001F51F" else "".join(c for c in keys if c.isdigit())


def keycap_digits(line: str) -> str:
    """Keycap digits inside a line are the number they write (`turned 4️⃣ years` -> `turned
    4 years`, `1️⃣1️⃣` -> `11`, `🔟` -> `10`), set apart from a letter or digit beside them so
    that nothing joins (`x1️⃣10` -> `x 1 10`). `#️⃣` and `*️⃣` are symbols (strip_emoji)."""
    if "\u20e3" not in line and "\U0001F51F" not in line:
        return line

    def number(m: re.Match) -> str:
        text, start, end = m.string, m.start(), m.end()
        left = " " if start and text[start - 1].isalnum() else ""
        right = " " if end < len(text) and text[end].isalnum() else ""
        return f"{left}{_keycap_number(m.group(0))}{right}"

    return _KEYCAP_DIGITS.sub(number, line)


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace become one space; no space at either end. A printable text (the
    only printable whitespace is the space) without two spaces in a row or at an end is
    already collapsed: returned as it is, without splitting it into words."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def drop_leading_bullet(line: str) -> str:
    """`LEADING_BULLET.sub("", line)`: the pattern is tried only where the line's first
    character after its leading whitespace (the pattern's `\\s`, `str.isspace`) is a bullet."""
    if line.lstrip()[:1] not in _BULLET_SET:
        return line
    return LEADING_BULLET.sub("", line)


@functools.lru_cache(maxsize=1024)
def clean_channel_name(name: str) -> str:
    """A channel's name without emoji, NFC, whitespace collapsed (remembered: every post of a
    channel carries the same name)."""
    return collapse_whitespace(unicodedata.normalize("NFC", strip_emoji(name)))


def has_word_chars(text: str) -> bool:
    """Whether `text` holds a letter or digit (`[^\\W_]`, which is `str.isalnum`): most
    texts start with one, answered without the pattern."""
    return text[:1].isalnum() or _WORD_CHAR.search(text) is not None


# The letters and digits that `strip_emoji` may remove: the pictograph ℹ, and ASCII digits (of
# a keycap). Any other letter is kept (tested on every code point).
_REMOVABLE_ALNUM = frozenset("\u2139")


def is_arrow_or_symbol_only(text: str) -> bool:
    """True when a line holds nothing but emoji, arrows, punctuation and spaces. A line that
    opens with a letter `strip_emoji` keeps is answered without it."""
    first = text[:1]
    if not first:
        return True
    if first.isalpha() and first not in _REMOVABLE_ALNUM:
        return False
    return not has_word_chars(strip_emoji(text))


# `www.` or `t.me/` in any case, found from their `.` (a literal first character, which `re`
# skips to): what `"www." in text.lower() or "t.me/" in text.lower()` finds, without making the
# lower-case copy (no character but the ASCII ones lowers to any of `w . t m e /`: tested)
_URL_START = re.compile(r"\.(?:(?<=[wW][wW][wW]\.)|(?<=[tT]\.)(?=[mM][eE]/))")


def may_hold_url(text: str) -> bool:
    """Whether `text` may hold a URL (a cheap test before the pattern): it holds `://`, or
    `www.` or `t.me/` in any case."""
    return "://" in text or _URL_START.search(text) is not None


def find_urls(text: str) -> list[str]:
    """URLs in a line, without trailing punctuation; a bare scheme (`https://`) is no URL."""
    if not may_hold_url(text):
        return []
    found = (m.group(0).rstrip(_URL_TRAIL) for m in URL.finditer(text))
    return [url for url in found if _URL_HOST.match(url)]


def hashtags_outside_urls(text: str) -> list[re.Match]:
    """The `HASHTAG` matches of a line whose `#` is not inside one of its URLs."""
    spans = [m.span() for m in URL.finditer(text)]
    return [m for m in HASHTAG.finditer(text)
            if not any(a <= m.start() < b for a, b in spans)]


def remove_urls(text: str) -> str:
    def keep_trailing(m: re.Match) -> str:
        url = m.group(0)
        return url[len(url.rstrip(_URL_TRAIL)) :]

    return URL.sub(keep_trailing, text)


def parse_count(number: str, suffix: str) -> int:
    value = float(number.replace(",", "."))
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[suffix.lower()]
    return int(round(value * scale))


def parse_reactions_line(line: str) -> list[tuple[str, int]] | None:
    """`👍8❤3👏2` -> [("👍", 8), ("❤", 3), ("👏", 2)]; None when the line is not a reactions line.
    A reactions line ends (spaces aside) in a count's digit (`\\d`, `str.isdecimal`) or its
    K or M: any other line is answered without the pattern."""
    last = line.rstrip()[-1:]
    if not last or not (last.isdecimal() or last in "KkMm"):
        return None
    if not _REACTIONS_LINE.match(line):
        return None
    out = []
    for m in _REACTION.finditer(line):
        emoji = m.group(1).replace("\ufe0f", "").replace("\ufe0e", "")
        out.append((emoji, parse_count(m.group(2), m.group(3))))
    return out
