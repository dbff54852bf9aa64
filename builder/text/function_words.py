"""Function-word profiles: a cheap first look at a segment's language.

A segment whose words are largely the function words of its post's language (and not of
another candidate's) is in that language with near certainty; the language-ID step then skips
the statistical detector for it. Anything else goes to the detector.
"""

from __future__ import annotations

import re

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the of and to in a is that for on with as was by are it be at this from have has "
        "not or an which their were been its they will we our also but had would who them "
        "these other all more such can than into between".split()
    ),
    "de": frozenset(
        "der die das und ist nicht mit von zu den dem des auf für ein eine einer sich auch "
        "wird wurde sind im zum zur bei nach über aus wie oder aber noch werden hat".split()
    ),
    "fr": frozenset(
        "le la les et des du un une est dans pour que qui sur par au aux avec ce cette sont "
        "pas ne se il elle nous leur été ont plus entre".split()
    ),
    "es": frozenset(
        "el la los las y de del en que un una por con para es se su sus al lo como más pero "
        "entre sobre ha fue son este esta".split()
    ),
    "ru": frozenset(
        "и в не на что с по как это к из за от о для у же то был была были так его их мы "
        "они также при между".split()
    ),
    "uk": frozenset(
        "і й в у не на що з по як це до із за від про для же то був була були так його їх "
        "ми вони також між та".split()
    ),
}

# A word: a run of letters. Written as one letter then more, so that `re` skips ahead to the
# next letter instead of trying the pattern at every position (same matches as `[^\W\d_]+`).
_WORD = re.compile(r"[^\W\d_][^\W\d_]*")
# Each function word -> one counter per language packed into an integer (`_FIELD` bits each,
# one field per language, set to 1 where the word is a function word of that language): the
# sum over a text's words counts the hits of every language in one C-level pass.
_FIELD = 40  # bits per language: a text of up to 2**40 words
_MASK = (1 << _FIELD) - 1
_LANG_FIELD = {lang: i * _FIELD for i, lang in enumerate(FUNCTION_WORDS)}
_WORD_HITS: dict[str, int] = {}
for _lang, _words in FUNCTION_WORDS.items():
    for _word in _words:
        _WORD_HITS[_word] = _WORD_HITS.get(_word, 0) | 1 << _LANG_FIELD[_lang]


# ASCII text's words as bytes: every byte but a letter made a space, then split (several
# times faster than cutting the runs out with a pattern); the hits of their bytes.
_ASCII_SPACES = bytes(c if chr(c).isalpha() and c < 128 else 32 for c in range(256))
_BYTES_HITS = {w.encode(): hits for w, hits in _WORD_HITS.items() if w.isascii()}
# Per language: the fields of the other languages.
_OTHER_FIELDS = {lang: tuple(f for f in _LANG_FIELD.values() if f != field)
                 for lang, field in _LANG_FIELD.items()}


def words_of(text: str) -> list[str]:
    """The lower-cased words (letter runs) of `text`."""
    lower = text.lower()
    if lower.isascii():
        return lower.encode("ascii").translate(_ASCII_SPACES).decode("ascii").split()
    return _WORD.findall(lower)


def clearly_in(text: str, lang: str, min_words: int, min_share: float = 0.25) -> bool:
    """True when `text` has at least `min_words` words, at least `min_share` of them are
    function words of `lang`, and no other profile comes close (a third as many hits)."""
    shift = _LANG_FIELD.get(lang)
    if shift is None:
        return False
    lower = text.lower()
    if lower.isascii():  # the words as bytes, looked up as bytes
        words = lower.encode("ascii").translate(_ASCII_SPACES).split()
        hits_of = _BYTES_HITS.get
    else:
        words = _WORD.findall(lower)
        hits_of = _WORD_HITS.get
    if len(words) < min_words:
        return False
    packed = sum(filter(None, map(hits_of, words)))  # the words that are function words
    hits = packed >> shift & _MASK
    if hits < 2 or hits < min_share * len(words):
        return False
    for other in _OTHER_FIELDS[lang]:
        if 3 * (packed >> other & _MASK) >= hits:
            return False
    return True


# Per language: any of its function words as a whole letter run (no letter either side), the
# search stopping at the first (a text's words need not all be cut out and looked up).
_ANY_WORD = {
    lang: re.compile(r"(?<![^\W\d_])(?:" + "|".join(
        re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))) + r")(?![^\W\d_])")
    for lang, words in FUNCTION_WORDS.items()
}


def has_any(text: str, lang: str) -> bool | None:
    """Whether one of `text`'s words (letter runs, lower-cased) is a function word of `lang`;
    None without a profile."""
    pattern = _ANY_WORD.get(lang)
    if pattern is None:
        return None
    return pattern.search(text.lower()) is not None
