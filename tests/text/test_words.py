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
