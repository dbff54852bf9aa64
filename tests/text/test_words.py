"""Word counts in any script, for the length filters."""

import pytest

from builder.text.words import count_words


@pytest.mark.parametrize(
    "text, words",
    [
        ("Flatpak是最受欢迎的linux通用软件包管理之一。", 17),  # 15 Han + Flatpak + linux
        ("好的。", 2),
        ("今日は晴れです。", 7),
        ("สวัสดีครับ", 3),  # 10 Thai characters, one word per 4
        ("Who could disagree?", 3),
        ("Москва, 5 декабря 2022", 4),
        ("— a dash", 3),  # spaced text counts exactly as before
        ("。", 1),  # a lone mark is a token, as in spaced text
    ],
)
def test_words_per_script(text, words):
    assert count_words(text) == words


def test_fewer_words_than_equals_the_full_count():
    """`fewer_words_than` (a split bounded by n) answers as `count_words(text) < n` for
    every n, on texts of every kind of space, leading and trailing spaces, and scripts
    counted per character or per group."""
    import random

    from builder.text.words import fewer_words_than

    rng = random.Random(8)
    spaces = [" ", "  ", "\t", "\n", "\x1c", "\x85", "\xa0", "\u2003", "\u3000"]
    pieces = ["a", "word", "слово", "中文", "linux", "สวัสดีครับ", "。", "1", "—", "😀", "x"]
    for _ in range(4000):
        parts = [rng.choice(spaces if rng.random() < 0.4 else pieces)
                 for _ in range(rng.randint(0, 14))]
        text = "".join(parts)
        for n in range(-1, 10):
            assert fewer_words_than(text, n) == (count_words(text) < n), (text, n)
