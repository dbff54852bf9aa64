"""Speed-ups of language ID's Python side give the results of the plain definitions."""

import random
import re

from builder.text.function_words import FUNCTION_WORDS, clearly_in, has_any, words_of

_OLD_WORD = re.compile(r"[^\W\d_]+")


def _old_clearly_in(text, lang, min_words, min_share=0.25):
    profile = FUNCTION_WORDS.get(lang)
    if profile is None:
        return False
    words = _OLD_WORD.findall(text.lower())
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


def _old_has_any(text, lang):
    profile = FUNCTION_WORDS.get(lang)
    if profile is None:
        return None
    return not profile.isdisjoint(_OLD_WORD.findall(text.lower()))


def test_words_equal_the_old_pattern_on_every_code_point():
    text = "".join(chr(c) + " " for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert words_of(text) == _OLD_WORD.findall(text.lower())
    ascii_text = "".join(map(chr, range(128))) * 2
    assert words_of(ascii_text) == _OLD_WORD.findall(ascii_text.lower())


def test_function_word_checks_equal_the_old_definitions():
    rng = random.Random(1)
    vocabulary = sorted({w for words in FUNCTION_WORDS.values() for w in words})
    vocabulary += ["Moscow", "talks", "THE", "Der", "İstanbul", "ǅemal", "x1", "don't", "co-op",
                   "’s", "1990", "—", "中文", "ΣΟΦΙΑ"]
    for _ in range(3000):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 14)))
        for lang in ("en", "de", "fr", "es", "ru", "uk", "xx"):
            min_words = rng.randint(1, 8)
            assert clearly_in(text, lang, min_words) == _old_clearly_in(text, lang, min_words), (
                text, lang)
            assert has_any(text, lang) == _old_has_any(text, lang), (text, lang)


def test_has_any_finds_whole_letter_runs_only():
    """Function words glued to letters, digits, marks or underscores, and at either end:
    `has_any` (one search) against the words cut out and looked up."""
    rng = random.Random(2)
    vocabulary = sorted({w for words in FUNCTION_WORDS.values() for w in words})
    vocabulary += ["ater", "x", "İ", "é", "ß", "я", "中", "\u0301", "\u0307"]
    glue = ["", " ", "1", "_", "-", "'", "’", "\n", "\u200d", "\u0301", "Ё"]
    for _ in range(5000):
        parts = [rng.choice(vocabulary) for _ in range(rng.randint(0, 6))]
        text = "".join(p + rng.choice(glue) for p in parts)
        for lang in ("en", "de", "fr", "es", "ru", "uk", "xx"):
            assert has_any(text, lang) == _old_has_any(text, lang), (text, lang)
