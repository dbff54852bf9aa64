"""Word shingles of posts and line hashes, held to plain definitions."""

from collections import Counter

import numpy as np
import pytest

from builder.filters.hashing import (
    SpanHasher,
    as_text,
    codes_of,
    line_hashes,
    normalise,
    normalise_lines,
)
from builder.filters.minhash import SEED, Shingles
from builder.text.words import IDEOGRAPHIC_RANGES

TEXTS = [
    "On December 5, Russian Foreign Minister Sergey Lavrov had talks.", "", "one",
    "two words", "three words here", "!!! ... ???", "Лавров провёл переговоры 5 декабря",
    "中国外交部 said 中国 today", "a\nb c\nd e f", "x " * 40, "12 000 troops, 10:30",
]


def _ideograph(ch: str) -> bool:
    return any(low <= ord(ch) <= high for low, high in IDEOGRAPHIC_RANGES)


def plain_shingles(texts: list[str], k: int) -> Counter:
    """(text, hash) of each run of k words of a normalised text (a word: letters and digits
    between spaces, each Han or kana character one), or of the whole text from its first
    word to its last when it has fewer than k; a span hashed as written."""
    out: Counter = Counter()
    for doc, text in enumerate(texts):
        line = as_text(normalise([text], digits_to_zero=True, inner_newlines=False))
        spans, start = [], None
        for i, ch in enumerate(line + " "):
            if ch == " " or _ideograph(ch):
                if start is not None:
                    spans.append((start, i))
                start = None
                if ch != " ":
                    spans.append((i, i + 1))
            elif start is None:
                start = i
        grams = [(spans[i][0], spans[i + k - 1][1]) for i in range(len(spans) - k + 1)]
        if spans and len(spans) < k:
            grams = [(spans[0][0], spans[-1][1])]
        for a, b in grams:
            codes = codes_of(line[a:b])
            out[doc, int(SpanHasher(codes).spans(np.array([0]), np.array([len(codes)]),
                                                 SEED)[0])] += 1
    return out


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_word_shingles_follow_the_plain_definition(k):
    sh = Shingles.of(TEXTS, words=k)
    assert Counter(zip(sh.doc_of.tolist(), sh.hashes.tolist(), strict=True)) == \
        plain_shingles(TEXTS, k)
    assert sh.words.tolist()[:5] == [10, 0, 1, 2, 3]
    assert Shingles.of(TEXTS[:1], words=k).hashes.tolist() == sh.hashes[sh.doc_of == 0].tolist()


@pytest.mark.parametrize("text", ["", "\n", "a", "ab\n\ncd\n", "\nab", "x\n" * 300,
                                  "Лавров\n🇷🇺 talks\n\n"])
def test_line_hashes_are_the_span_hashes_of_the_lines(text):
    codes = codes_of(text)
    hashes, starts, ends = line_hashes(codes, 7)
    lines = text.split("\n")
    assert [as_text(codes[a:b]) for a, b in zip(starts, ends, strict=True)] == lines
    assert hashes.tolist() == SpanHasher(codes).spans(starts, ends, 7).tolist()


@pytest.mark.parametrize("digits_to_zero", [False, True])
@pytest.mark.parametrize("inner_newlines", [False, True])
def test_normalise_lines_finds_the_newlines(digits_to_zero, inner_newlines):
    """The breaks `normalise_lines` works out while it drops spaces are where the
    normalised text's newlines are (empty texts first and last, spaces before a break)."""
    cases = [TEXTS, ["", "a"], ["", "", "x."], ["a.\n", ""], ["", ""], [""], [], ["!!"],
             ["a !\n\n b .", "…", "12 34.\n"]]
    for texts in cases:
        codes, breaks = normalise_lines(texts, digits_to_zero=digits_to_zero,
                                        inner_newlines=inner_newlines)
        assert breaks.tolist() == np.flatnonzero(codes == 10).tolist(), texts
        assert codes.tolist() == normalise(texts, digits_to_zero=digits_to_zero,
                                           inner_newlines=inner_newlines).tolist()
