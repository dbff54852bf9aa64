"""Writing systems: which scripts a language is written in, and whether a text's letters are
mostly in scripts that none of a set of languages uses (the cheap, certain part of telling
that a text is in none of `langid.candidates`)."""

from __future__ import annotations

import re
from functools import lru_cache

import regex

_SCRIPT_LANGS = {
    "Latin": "af az bs ca cs cy da de en eo es et eu fi fr ga gl hr hu id is it la lb lg lt lv "
    "mi ms mt nb nl nn no om pl pt ro sk sl sn so sq st sv sw tl tn tr ts uz vi wo xh yo zu",
    "Cyrillic": "be bg kk ky mk mn ru sr tg tt uk",
    "Greek": "el",
    "Arabic": "ar fa ps sd ug ur",
    "Hebrew": "he yi",
    "Armenian": "hy",
    "Georgian": "ka",
    "Han": "ja zh",
    "Hiragana": "ja",
    "Katakana": "ja",
    "Hangul": "ko",
    "Thai": "th",
    "Lao": "lo",
    "Khmer": "km",
    "Myanmar": "my",
    "Devanagari": "hi mr ne sa",
    "Bengali": "as bn",
    "Gurmukhi": "pa",
    "Gujarati": "gu",
    "Oriya": "or",
    "Tamil": "ta",
    "Telugu": "te",
    "Kannada": "kn",
    "Malayalam": "ml",
    "Sinhala": "si",
    "Ethiopic": "am ti",
    "Tibetan": "bo",
}

SCRIPTS: dict[str, tuple[str, ...]] = {}
for _script, _langs in _SCRIPT_LANGS.items():
    for _lang in _langs.split():
        SCRIPTS[_lang] = (*SCRIPTS.get(_lang, ()), _script)

_LETTER = re.compile(r"[^\W\d_]")
_PLANES = 0x32400  # planes 0-3 hold every script above


def scripts_of(lang: str) -> tuple[str, ...]:
    """The scripts `lang` (ISO 639-1, or langdetect's `zh-cn`) is written in; () if unknown."""
    return SCRIPTS.get(lang.split("-")[0], ())


@lru_cache(maxsize=8)
def _foreign_letter(scripts: tuple[str, ...]) -> re.Pattern:
    """A stdlib pattern for one letter outside `scripts` (stdlib `re` scans a plain class
    several times faster than `regex` evaluates script properties)."""
    prop = regex.compile("[" + "".join(rf"\p{{Script={s}}}" for s in scripts) + "]")
    inside = prop.findall("".join(map(chr, range(_PLANES))))
    ranges: list[list[int]] = []
    for cp in map(ord, inside):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    cls = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(rf"[^{cls}\W\d_]")


class ScriptCheck:
    """Tells whether most of a text's letters are in scripts that no language of `langs`
    is written in. Off (never foreign) when a language's script is unknown."""

    def __init__(self, langs: list[str] | tuple[str, ...]):
        known = [scripts_of(lang) for lang in langs]
        self.enabled = all(known)
        self.scripts = tuple(sorted({s for group in known for s in group}))
        self._latin = "Latin" in self.scripts
        self._foreign = _foreign_letter(self.scripts) if self.enabled else None

    def foreign(self, text: str) -> bool:
        if self._foreign is None or (self._latin and text.isascii()):
            return False
        if self._foreign.search(text) is None:
            return False
        return 2 * len(self._foreign.findall(text)) > len(_LETTER.findall(text))


def dominant_script(text: str) -> str | None:
    """The script (of those named in SCRIPTS) with the most letters in `text`."""
    counts = {
        script: len(regex.findall(rf"\p{{Script={script}}}", text)) for script in _SCRIPT_LANGS
    }
    best = max(counts, key=lambda s: (counts[s], s))
    return best if counts[best] else None
