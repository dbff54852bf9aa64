"""Telegram text patterns: reactions lines, emoji, symbol-only lines, channel names, URLs."""

import pytest

from builder.text.telegram import (
    clean_channel_name,
    find_urls,
    is_arrow_or_symbol_only,
    parse_reactions_line,
    strip_emoji,
)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("👍8❤3👏2", [("👍", 8), ("❤", 3), ("👏", 2)]),
        ("❤️1👍1", [("❤", 1), ("👍", 1)]),
        ("👍 1.2K 🔥 3", [("👍", 1200), ("🔥", 3)]),
        ("❤2", [("❤", 2)]),
        ("Moscow 2", None),
        ("👍", None),
        ("April 2", None),
    ],
)
def test_reactions_line(line, expected):
    assert parse_reactions_line(line) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("🇷🇺🇦🇿 On December 5", " On December 5"),
        ("❗️Such", "Such"),
        ("holiday 🎉", "holiday "),
        ("©2024 Brand™", "©2024 Brand™"),
        ("a\u200bb", "ab"),
        ("«quoted» – “typographic” ’", "«quoted» – “typographic” ’"),
        ("1️⃣10 sets", "10 sets"),
        ("x1️⃣10", "x 10"),
        ("2️⃣Each", "Each"),
        ("word🔥word", "word word"),
        ("a\u200db", "a\u200db"),  # a joiner between letters is spelling (Persian, Indic)
        ("a\u200d🔥b", "a b"),  # next to an emoji it is emoji glue
        ("\u200da", "a"),
        ("end🎉.", "end."),
    ],
)
def test_strip_emoji_keeps_text(text, expected):
    assert strip_emoji(text) == expected


@pytest.mark.parametrize(
    "line, only",
    [("⬆️⬆️⬆️", True), ("→ ←", True), ("🎉🎉", True), ("🔴 Ruptly", False), ("1 000", False)],
)
def test_symbol_only_lines(line, only):
    assert is_arrow_or_symbol_only(line) is only


def test_channel_name_loses_flags():
    assert clean_channel_name("Russian MFA 🇷🇺") == "Russian MFA"


def test_bare_scheme_is_not_a_url():
    assert find_urls("begins with “https://”. and http:// too") == []


def test_urls_trailing_punctuation():
    assert find_urls("see https://mid.ru/en/a. and (www.x.org)") == [
        "https://mid.ru/en/a",
        "www.x.org",
    ]
