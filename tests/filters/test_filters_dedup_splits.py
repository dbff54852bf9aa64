"""Segment filters (length, characters, language), exact deduplication and split assignment."""

import pytest

from builder.config import FilterConfig, LangIdConfig, SplitConfig
from builder.filters.dedup import ExactDedup
from builder.filters.text import first_failure, language_filter, text_filters
from builder.output.splits import split_for
from builder.records import Segment


def seg(text, lang="en", score=0.99):
    return Segment("p", 0, text, 0, len(text), "c", None, lang, score)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Facebook", "too_few_words"),
        ("Who could disagree?", None),
        ("Moscow, December 5, 2022", None),
        ("12 345 678 9 10", "low_letter_ratio"),
        ("word " * 500, "too_long"),
    ],
)
def test_text_filters(text, reason):
    assert first_failure(text_filters(FilterConfig()), seg(text.strip())) == reason


def test_letter_ratio_counts_letters_and_spaces_as_the_regexes_define_them():
    """The fast counts (str.split, ASCII bytes, runs) equal `[^\\W\\d_]` letters over `\\s`-free
    characters, for every code point of the BMP (and astral letters, digits, emoji) in
    ASCII and in mixed text."""
    import re

    from builder.filters.text import CharClassFilter

    def reference(text):
        visible = len(text) - len(re.findall(r"\s", text))
        return len(re.findall(r"[^\W\d_]", text)) / visible if visible else 0.0

    score = CharClassFilter(0.5).score
    for cp in [*range(0x10000), *range(0x1D400, 0x1D800), *range(0x1F000, 0x1FB00)]:
        for text in (chr(cp), f"a{chr(cp)} 1", f"Ж {chr(cp)}x_"):
            assert score(seg(text)) == reference(text), hex(cp)
    for text in ("", "   ", "\x1c\x1f\t", "x²½Ⅻ_9 ٣", "Ab, cd! 12"):
        assert score(seg(text)) == reference(text)
    rng = __import__("random").Random(4)  # ASCII texts of every byte (the bytes path)
    for _ in range(5000):
        text = "".join(chr(rng.randrange(128)) for _ in range(rng.randint(0, 30)))
        assert score(seg(text)) == reference(text), text
    pool = [*map(chr, range(128)), "Ж", "ё", "é", "\u0301", "\xa0", "\u2003", "\u3000", "\x85",
            "—", "«", "»", "…", "٣", "²", "½", "中", "😀", "\U0001d400", "\ud800", "ſ"]
    for _ in range(5000):  # mixed texts (the UTF-8 bytes and non-ASCII runs path)
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 30)))
        assert score(seg(text)) == reference(text), text


@pytest.mark.parametrize(
    "text, lang, score, reason",
    [
        ("Die beiden Minister sprachen lange miteinander heute.", "de", 0.99, "wrong_language:de"),
        ("Die beiden Minister sprachen.", "de", 0.99, None),  # too short to drop
        ("Die beiden Minister sprachen lange miteinander heute.", "de", 0.6, None),  # unsure
        ("A long enough English sentence with words.", "en", 0.99, None),
    ],
)
def test_language_filter(text, lang, score, reason):
    f = language_filter(LangIdConfig(), "en")
    assert first_failure((f,), seg(text, lang, score)) == reason


def test_language_filter_shortcut_equals_keep_of_score():
    """`reason` (no word count where the label is the expected language) decides as
    `keep(score(...))` for labels in and out of the candidates, any score and length."""
    import random

    rng = random.Random(6)
    filters = [language_filter(LangIdConfig(), "en"),
               language_filter(LangIdConfig(outside_candidates=False), "en"),
               language_filter(LangIdConfig(drop_min_words=1, drop_min_score=0.0), "ru")]
    words = ["word", "слово", "中文", "١٢", "x", "—", "😀"]
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        s = seg(text, rng.choice(["en", "ru", "de", "und", "ja", ""]),
                rng.choice([0.0, 0.5, 0.95, 0.9999, 1.0]))
        for f in filters:
            assert f.reason(s) == f.keep(f.score(s)), (text, s.lang, s.lang_score)


def test_exact_dedup_normalises_and_keeps_first():
    d = ExactDedup()
    assert d.is_new("The UN  met.")
    assert not d.is_new("the un met.")
    assert d.is_new("The UN met!")


def test_splits_stable_and_proportional():
    cfg = SplitConfig()
    ids = [f"post{i}" for i in range(4000)]
    first = [split_for(i, cfg) for i in ids]
    assert first == [split_for(i, cfg) for i in ids]
    share = first.count("train") / len(ids)
    assert 0.77 < share < 0.83
    assert split_for("post1", SplitConfig(salt="x")) in ("train", "validation", "test")


def test_length_filter_shortcut_equals_keep_of_score():
    """`LengthFilter.reason` (words counted only as far as the minimum) decides as
    `keep(score(...))`."""
    import random

    from builder.filters.text import LengthFilter

    rng = random.Random(9)
    filters = [LengthFilter(2, 2000), LengthFilter(0, 10), LengthFilter(5, 30), LengthFilter(1, 1)]
    words = ["word", "слово", "中文", "١٢", "x", "—", "😀", " ", "\xa0", "\t"]
    for _ in range(3000):
        s = seg("".join(rng.choice(words) for _ in range(rng.randint(0, 20))))
        for f in filters:
            assert f.reason(s) == f.keep(f.score(s)), (s.text, f)
