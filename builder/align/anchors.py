"""Language-independent anchors that survive translation: numbers (with month names), named
entities in a shared Latin skeleton (so `Lavrov` meets `Лавров`), end punctuation, links,
hashtags and the emoji that open a post."""

from __future__ import annotations

import re
from collections import Counter

from builder.text.function_words import FUNCTION_WORDS
from builder.text.telegram import EMOJI

_CYR = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi",
     "ye", "g"],
    strict=True,
))
_DIGRAPHS = (("shch", "s"), ("dzh", "j"), ("zh", "j"), ("kh", "h"), ("ts", "c"), ("ch", "c"),
             ("sh", "s"), ("yu", "u"), ("ya", "a"), ("ye", "e"), ("ck", "k"), ("ph", "f"))
_MONTHS = {
    1: ("january", "январ"), 2: ("february", "феврал"), 3: ("march", "март"),
    4: ("april", "апрел"), 5: ("may", "мая", "май"), 6: ("june", "июн"), 7: ("july", "июл"),
    8: ("august", "август"), 9: ("september", "сентябр"), 10: ("october", "октябр"),
    11: ("november", "ноябр"), 12: ("december", "декабр"),
}
_WEEKDAYS = {
    1: ("monday", "понедельник"), 2: ("tuesday", "вторник"), 3: ("wednesday", "сред"),
    4: ("thursday", "четверг"), 5: ("friday", "пятниц"), 6: ("saturday", "суббот"),
    7: ("sunday", "воскресень"),
}
_CALENDAR = {stem: f"m{k}" for k, stems in _MONTHS.items() for stem in stems}
_CALENDAR.update({stem: f"d{k}" for k, stems in _WEEKDAYS.items() for stem in stems})
_CALENDAR_RE = re.compile(r"\b(" + "|".join(sorted(_CALENDAR, key=len, reverse=True)) + r")\w*",
                          re.IGNORECASE)
_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:[-’'][^\W\d_]+)*")
_STOP = frozenset(w for words in FUNCTION_WORDS.values() for w in words)


def transliterate(word: str) -> str:
    return "".join(_CYR.get(c, c) for c in word.lower())


def skeleton(word: str) -> str:
    """A spelling-insensitive key: transliterated, digraphs folded, vowels dropped."""
    s = transliterate(word)
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    s = s.replace("y", "i").replace("w", "v").replace("x", "ks").replace("q", "k")
    s = re.sub(r"[aeiou'’-]", "", s)
    s = re.sub(r"(.)\1+", r"\1", s)
    return s[:3]  # three consonants: enough for names, blind to Russian case endings


def numbers(text: str) -> Counter:
    out: Counter = Counter()
    for m in _NUMBER.finditer(text):
        raw = m.group(0)
        if re.fullmatch(r"\d{1,3}(?:[ \u00a0,]\d{3})+", raw):
            raw = re.sub(r"[ \u00a0,]", "", raw)
        out[raw.replace(",", ".").replace(" ", "").replace("\u00a0", "")] += 1
    for m in _CALENDAR_RE.finditer(text):
        out[_CALENDAR[m.group(1).lower()]] += 1
    return out


def entities(text: str) -> Counter:
    """Capitalised words, as skeletons: not a sentence's first word (capitalised anyway), not
    function words, not month or weekday names (those are numbers here)."""
    out: Counter = Counter()
    for k, m in enumerate(_WORD.finditer(text)):
        w = m.group(0)
        if k == 0 or _CALENDAR_RE.fullmatch(w):
            continue
        if w[0].isupper() and len(w) >= 3 and w.lower() not in _STOP:
            key = skeleton(w)
            if len(key) >= 2:
                out[key] += 1
    return out


def end_punct(text: str) -> str:
    t = text.rstrip("»”\"') ")
    return t[-1] if t and t[-1] in "?!:" else "."


def lead_emoji(lines) -> str:
    """The emoji that open a post's first line (flags are a strong pairing signal)."""
    for line in lines:
        if line.strip():
            lead = []
            for ch in line.strip():
                if EMOJI.fullmatch(ch):
                    lead.append(ch)
                elif not ch.isspace():
                    break
            return "".join(c for c in lead if c not in "\ufe0f\ufe0e\u200d")
    return ""


def overlap(a: Counter, b: Counter) -> float | None:
    """Multiset Dice similarity; None when neither side has anything to compare."""
    total = sum(a.values()) + sum(b.values())
    if not total:
        return None
    return 2 * sum((a & b).values()) / total
