"""Writing systems: which scripts a language is written in, which script most of a text's
words are in, and whether they are mostly in scripts that none of a set of languages uses
(the cheap, certain part of telling that a text is in none of `langid.candidates`).

Words are counted as the length filters count them (`words.count_words`): a run of Latin,
Cyrillic or Arabic letters is one word, each Han or kana character is one. Counting letters
instead would let two English product names outweigh a Chinese sentence."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import groupby

import regex

from builder.text.words import count_words

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

# Scripts written without spaces between words (`words.count_words` counts them by character).
UNSPACED_SCRIPTS = frozenset(
    {"Han", "Hiragana", "Katakana", "Thai", "Lao", "Khmer", "Myanmar", "Tibetan"}
)

SCRIPTS: dict[str, tuple[str, ...]] = {}
for _script, _langs in _SCRIPT_LANGS.items():
    for _lang in _langs.split():
        SCRIPTS[_lang] = (*SCRIPTS.get(_lang, ()), _script)

_LETTER_RUN = re.compile(r"[^\W\d_]+")
_PLANES = 0x32400  # planes 0-3 hold every script above


def scripts_of(lang: str) -> tuple[str, ...]:
    """The scripts `lang` (ISO 639-1, or langdetect's `zh-cn`) is written in; () if unknown."""
    return SCRIPTS.get(lang.split("-")[0], ())


@lru_cache(maxsize=1)
def _code_points() -> str:
    """Every code point of planes 0-3, in order (the string at index i is chr(i))."""
    return "".join(map(chr, range(_PLANES)))


@lru_cache(maxsize=16)
def _script_class(scripts: tuple[str, ...], letters_only: bool = False) -> str:
    """The body of a stdlib character class holding every code point (or every letter:
    `str.isalpha`) of `scripts` (stdlib `re` scans a plain class several times faster than
    `regex` evaluates script properties). Made once per process for each script set: the
    runs of the scripts' code points are found in one `regex` scan (no list of every
    character), and only their characters are asked whether they are letters."""
    prop = regex.compile("[" + "".join(rf"\p{{Script={s}}}" for s in scripts) + "]+")
    ranges: list[tuple[int, int]] = []
    for m in prop.finditer(_code_points()):
        start, end = m.span()
        if not letters_only:
            ranges.append((start, end - 1))
            continue
        for alpha, run in groupby(range(start, end), key=lambda cp: chr(cp).isalpha()):
            if alpha:
                cps = list(run)
                ranges.append((cps[0], cps[-1]))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


@lru_cache(maxsize=16)
def foreign_letters(scripts: tuple[str, ...]) -> re.Pattern:
    """A run of letters outside `scripts`."""
    return re.compile(rf"[^{_script_class(scripts)}\W\d_]+")


@lru_cache(maxsize=16)
def _letter_run(script: str) -> re.Pattern:
    """A run of letters of `script`."""
    return re.compile(rf"[{_script_class((script,), letters_only=True)}]+")


def _words(runs: list[str]) -> int:
    return count_words(" ".join(runs)) if runs else 0


def script_runs(text: str, script: str) -> list[str]:
    """The runs of `text`'s letters written in `script`."""
    return _letter_run(script).findall(text)


@lru_cache(maxsize=8)  # a segment is asked about twice: its post's label, the detector's
def main_script(text: str, scripts: tuple[str, ...]) -> str | None:
    """Of `scripts`, the one most of `text`'s words are written in (ties: the first); None
    when the text has no letter in any of them."""
    if text.isascii():
        return "Latin" if "Latin" in scripts and _LETTER_RUN.search(text) else None
    best, most = None, 0
    for script in scripts:
        words = _words(script_runs(text, script))
        if words > most:
            best, most = script, words
    return best


class ScriptCheck:
    """Tells whether most of a text's letters are in scripts that no language of `langs`
    is written in. Off (never foreign) when a language's script is unknown."""

    def __init__(self, langs: list[str] | tuple[str, ...]):
        known = [scripts_of(lang) for lang in langs]
        self.enabled = all(known)
        self.scripts = tuple(sorted({s for group in known for s in group}))
        self._latin = "Latin" in self.scripts
        self._foreign = foreign_letters(self.scripts) if self.enabled else None

    def foreign(self, text: str) -> bool:
        """Whether most of the text's words are in scripts none of the languages uses."""
        if self._foreign is None or (self._latin and text.isascii()):
            return False
        runs = self._foreign.findall(text)
        if not runs:
            return False
        foreign = _words(runs)
        own = _words(_LETTER_RUN.findall(self._foreign.sub(" ", text)))
        return foreign > own


def dominant_script(text: str) -> str | None:
    """The script (of those named in SCRIPTS) most of `text`'s words are written in."""
    counts = {
        script: _words(regex.findall(rf"\p{{Script={script}}}+", text)) for script in _SCRIPT_LANGS
    }
    best = max(counts, key=lambda s: (counts[s], s))
    return best if counts[best] else None
