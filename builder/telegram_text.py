"""Character classes and patterns of Telegram text: emoji, flags, hashtags, URLs, reactions."""

from __future__ import annotations

import unicodedata

import regex

# One emoji code point or emoji-sequence glue: pictographs (not the text symbols © ® ™),
# regional-indicator flags, keycaps, variation selectors, zero-width joiners, skin tones, tags.
_EMOJI_CHARS = (
    r"(?:(?![©®™])\p{Extended_Pictographic}|\p{Regional_Indicator}"
    r"|[\u20e3\ufe0e\ufe0f\u200d\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F])"
)
EMOJI = regex.compile(_EMOJI_CHARS)
ZERO_WIDTH = regex.compile(r"[\u200b\u200c\u2060\ufeff\u00ad]")
ARROWS = regex.compile(r"[\p{Block=Arrows}\p{Block=Supplemental_Arrows_A}\p{Block=Supplemental_Arrows_B}]")
LEADING_BULLET = regex.compile(r"^\s*[•◦▪▫‣●○■□►▸·]+\s*")
WHITESPACE = regex.compile(r"\s+")
HASHTAG = regex.compile(r"(?<![\w&/#])#([^\W\d_][\w]*)")
URL = regex.compile(r"(?:https?://|www\.|t\.me/)[^\s<>\"«»]+", regex.IGNORECASE)
_URL_TRAIL = ".,;:!?)]}'\"’”»"
# `<...>`, `<…>`, `[...]`, `[…]`, and the `< truncated N characters >` left by copy tools.
ELISION = regex.compile(
    r"<\s*(?:\.{2,}|…)\s*>|\[\s*(?:\.{2,}|…)\s*\]|<\s*truncated\s+\d+\s+characters?\s*>",
    regex.IGNORECASE,
)
_REACTION = regex.compile(rf"({_EMOJI_CHARS}+)\s*(\d+(?:[.,]\d+)?)\s*([KkMm]?)")
_REACTIONS_LINE = regex.compile(rf"^\s*(?:{_EMOJI_CHARS}+\s*\d+(?:[.,]\d+)?\s*[KkMm]?\s*)+$")
FORWARDED = regex.compile(r"^\s*Forwarded from\s+(.+?)\s*$")


def strip_emoji(text: str) -> str:
    """Remove emoji, flags, joiners and zero-width characters (keeps all other text as is)."""
    return ZERO_WIDTH.sub("", EMOJI.sub("", text))


def collapse_whitespace(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()


def clean_channel_name(name: str) -> str:
    return collapse_whitespace(unicodedata.normalize("NFC", strip_emoji(name)))


def has_word_chars(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def is_arrow_or_symbol_only(text: str) -> bool:
    """True when a line holds nothing but emoji, arrows, punctuation and spaces."""
    rest = ARROWS.sub("", strip_emoji(text))
    return not has_word_chars(rest)


def find_urls(text: str) -> list[str]:
    return [m.group(0).rstrip(_URL_TRAIL) for m in URL.finditer(text)]


def remove_urls(text: str) -> str:
    def keep_trailing(m: regex.Match) -> str:
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
