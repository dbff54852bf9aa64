"""Counting words in any script, for length filters.

Spaces separate words in most scripts. Chinese and Japanese are written without them: each
Han, Hiragana or Katakana character counts as a word (most words are one or two
characters). Thai, Lao, Khmer, Myanmar and Tibetan run words together too, with longer
words: a run of their characters counts one word per `UNSPACED_CHARS_PER_WORD` characters.
`Flatpak是最受欢迎的linux通用软件包管理之一。` is 17 words, not one.
"""

from __future__ import annotations

import math
import re

# Each character one word: CJK ideographs (with extensions and compatibility forms), kana.
IDEOGRAPHIC_RANGES = (
    (0x3040, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F), (0x20000, 0x3134F),
)
_IDEOGRAPHIC = "".join(f"{chr(a)}-{chr(b)}" for a, b in IDEOGRAPHIC_RANGES)
# Runs of these count one word per UNSPACED_CHARS_PER_WORD characters.
_UNSPACED = (
    "\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\ua9e0-\ua9ff\uaa60-\uaa7f"
)
UNSPACED_CHARS_PER_WORD = 4
_NEEDS_SCRIPT_COUNT = re.compile(f"[{_IDEOGRAPHIC}{_UNSPACED}]")
_RUNS = re.compile(
    f"(?P<ideo>[{_IDEOGRAPHIC}]+)|(?P<unspaced>[{_UNSPACED}]+)"
    f"|(?P<other>[^{_IDEOGRAPHIC}{_UNSPACED}]+)"
)
_WORD_CHAR = re.compile(r"[^\W_]")
_IDEOGRAPH = re.compile(f"([{_IDEOGRAPHIC}])")
_UNSPACED_RUN = re.compile(f"[{_UNSPACED}]+")


def count_words(text: str) -> int:
    """Words of `text`: whitespace-separated tokens, where the parts of a token in scripts
    written without spaces count per character (CJK) or per character group (Thai, …)."""
    if text.isascii() or not _NEEDS_SCRIPT_COUNT.search(text):
        return len(text.split())
    words = 0
    for token in text.split():
        if not _NEEDS_SCRIPT_COUNT.search(token):
            words += 1
            continue
        for m in _RUNS.finditer(token):
            if m.group("ideo"):
                words += len(m.group("ideo"))
            elif m.group("unspaced"):
                words += math.ceil(len(m.group("unspaced")) / UNSPACED_CHARS_PER_WORD)
            elif _WORD_CHAR.search(m.group("other")):  # `linux` between Han; not `。`
                words += 1
    return words


def fewer_words_than(text: str, n: int) -> bool:
    """`count_words(text) < n`. Where spaces alone separate the words, the text is split
    at no more than the first `n - 1` spaces (the rest of a long text is not cut up)."""
    if n <= 0:
        return False
    if text.isascii() or not _NEEDS_SCRIPT_COUNT.search(text):
        return len(text.split(None, n - 1)) < n
    return count_words(text) < n


def word_tokens(text: str) -> list[str]:
    """The whitespace-separated tokens of `text`, each Han or kana character a token of its
    own (the unit `count_words` counts). Runs of Thai and the like stay whole: their words
    cannot be told apart without a dictionary."""
    if text.isascii() or not _NEEDS_SCRIPT_COUNT.search(text):
        return text.split()
    return [part for token in text.split() for part in _IDEOGRAPH.split(token) if part]


def unspaced_runs(text: str) -> list[str]:
    """The runs of `text` in scripts written without spaces and without ideographs (Thai,
    Lao, Khmer, Myanmar, Tibetan, ...), whose words cannot be told apart here."""
    if text.isascii() or not _NEEDS_SCRIPT_COUNT.search(text):
        return []
    return _UNSPACED_RUN.findall(text)


def has_ideographs(text: str) -> bool:
    """Whether `text` holds a Han or kana character."""
    return not text.isascii() and _IDEOGRAPH.search(text) is not None
