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

_WORD = re.compile(r"[^\W\d_]+")


def clearly_in(text: str, lang: str, min_words: int, min_share: float = 0.25) -> bool:
    """True when `text` has at least `min_words` words, at least `min_share` of them are
    function words of `lang`, and no other profile comes close (a third as many hits)."""
    profile = FUNCTION_WORDS.get(lang)
    if profile is None:
        return False
    words = _WORD.findall(text.lower())
    if len(words) < min_words:
        return False
    hits = sum(map(profile.__contains__, words))
    if hits < 2 or hits < min_share * len(words):
        return False
    return all(
        3 * sum(map(other.__contains__, words)) < hits
        for code, other in FUNCTION_WORDS.items()
        if code != lang
    )


def has_any(text: str, lang: str) -> bool | None:
    """Whether one of `text`'s words is a function word of `lang`; None without a profile."""
    profile = FUNCTION_WORDS.get(lang)
    if profile is None:
        return None
    return not profile.isdisjoint(_WORD.findall(text.lower()))
