"""Character classes and patterns of Telegram text: emoji, flags, hashtags, URLs, reactions."""

from __future__ import annotations

import re
import unicodedata

import regex


def _pictograph_class() -> str:
    """A stdlib `re` character class of every Extended_Pictographic code point except the
    text symbols © ® ™, built once from the `regex` module's Unicode tables (stdlib `re`
    scans a plain class many times faster than `regex` evaluates the property)."""
    prop = regex.compile(r"\p{Extended_Pictographic}")
    points = [
        cp
        for lo, hi in ((0x2000, 0x3300), (0x1F000, 0x1FFFF))
        for cp in range(lo, hi)
        if prop.match(chr(cp)) and cp != 0x2122  # ™ is a text symbol
    ]
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
# regional-indicator flags, keycaps, variation selectors, zero-width joiners, skin tones, tags.
_EMOJI_CLASS = (
    _pictograph_class()
    + "\U0001F1E6-\U0001F1FF\u20e3\ufe0e\ufe0f\u200d\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F"
)
_EMOJI_CHARS = f"[{_EMOJI_CLASS}]"
EMOJI = re.compile(_EMOJI_CHARS)
_EMOJI_OR_ZERO_WIDTH = re.compile(f"[{_EMOJI_CLASS}\u200b\u200c\u2060\ufeff\u00ad]+")
_LOW_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u00ad]+")
_WORD_CHAR = re.compile(r"[^\W_]")
LEADING_BULLET = re.compile(r"^\s*[•◦▪▫‣●○■□►▸·]+\s*")
WHITESPACE = re.compile(r"\s+")
HASHTAG = re.compile(r"(?<![\w&/#])#([^\W\d_]\w*)")
URL = re.compile(r"(?:https?://|www\.|t\.me/)[^\s<>\"«»]+", re.IGNORECASE)
_URL_TRAIL = ".,;:!?)]}'\"’”»"
# `<...>`, `<…>`, `[...]`, `[…]`, and the `< truncated N characters >` left by copy tools.
ELISION = re.compile(
    r"<\s*(?:\.{2,}|…)\s*>|\[\s*(?:\.{2,}|…)\s*\]|<\s*truncated\s+\d+\s+characters?\s*>",
    re.IGNORECASE,
)
_REACTION = re.compile(rf"({_EMOJI_CHARS}+)\s*(\d+(?:[.,]\d+)?)\s*([KkMm]?)")
_REACTIONS_LINE = re.compile(rf"^\s*(?:{_EMOJI_CHARS}+\s*\d+(?:[.,]\d+)?\s*[KkMm]?\s*)+$")
FORWARDED = re.compile(r"^\s*Forwarded from\s+(.+?)\s*$")


def strip_emoji(text: str) -> str:
    """Remove emoji, flags, joiners and zero-width characters (keeps all other text as is)."""
    if text.isascii():
        return text
    if max(text) < "\u203c":  # below the first pictograph: only zero-width characters to drop
        return _LOW_ZERO_WIDTH.sub("", text)
    return _EMOJI_OR_ZERO_WIDTH.sub("", text)


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def clean_channel_name(name: str) -> str:
    return collapse_whitespace(unicodedata.normalize("NFC", strip_emoji(name)))


def has_word_chars(text: str) -> bool:
    return _WORD_CHAR.search(text) is not None


def is_arrow_or_symbol_only(text: str) -> bool:
    """True when a line holds nothing but emoji, arrows, punctuation and spaces."""
    return not has_word_chars(strip_emoji(text))


def _may_hold_url(text: str) -> bool:
    lower = text if text.isascii() and text.islower() else text.lower()
    return "://" in lower or "www." in lower or "t.me/" in lower


def find_urls(text: str) -> list[str]:
    if not _may_hold_url(text):
        return []
    return [m.group(0).rstrip(_URL_TRAIL) for m in URL.finditer(text)]


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
    """`👍8❤3👏2` -> [("👍", 8), ("❤", 3), ("👏", 2)]; None when the line is not a reactions line."""
    if not _REACTIONS_LINE.match(line):
        return None
    out = []
    for m in _REACTION.finditer(line):
        emoji = m.group(1).replace("\ufe0f", "").replace("\ufe0e", "")
        out.append((emoji, parse_count(m.group(2), m.group(3))))
    return out
