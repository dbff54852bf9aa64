"""The opposite-statement check's tokens and caches, held to their plain definitions."""

import numpy as np

from builder.filters.hashing import SpanHasher, as_text, codes_of, normalise
from builder.filters.polarity import (
    _NEG_HASHES,
    _POLE_TOKEN,
    MIN_STEM,
    NEG,
    PREFIXES,
    SEED,
    TextStore,
    Words,
    _neutral,
)

TEXTS = [
    "The court found him guilty.", "The court found him not guilty, and NEVER innocent!",
    "Unsuccessful talks; a dishonest, nonsensical inability to act.", "Disc, undo, inn.",
    "Суд признал его невиновным.\nНет, не за, а против.", "Don't say no: say yes.",
    "3rd of 2024 — 12 000 troops, 10:30", "", "!!! ...", "IMPOSSIBLE irregular illegal",
    "Keine Einigung für oder gegen den Plan", "desinformación sin pruebas",
    "непростой ответ и неправда", "😀 unhappy 😀", "non-stop nonstop",
]


def _hash(word: str) -> int:
    codes = codes_of(word)
    return int(SpanHasher(codes).spans(np.array([0]), np.array([len(codes)]), SEED)[0])


def _token(word: str, pole: int) -> int:
    return int(_neutral(np.array([_hash(word)], dtype=np.uint64))[0]) << 1 | pole


def plain_tokens(text: str) -> list[int]:
    """The definition, a word at a time: a negation is NEG, a polarity word its pair's
    token, any other word of `MIN_STEM` letters itself with pole 0 and, after the first
    prefix of `PREFIXES` that leaves `MIN_STEM` letters, its stem with pole 1; numbers
    (read as `0`) are no words."""
    words = as_text(normalise([text], digits_to_zero=True, inner_newlines=False)).split()
    negations = set(_NEG_HASHES.tolist())
    out = []
    for word in words:
        if word.startswith("0"):
            continue
        h = _hash(word)
        if h in negations:
            out.append(NEG)
        if h in _POLE_TOKEN:
            out.append(_POLE_TOKEN[h])
        if len(word) < MIN_STEM or h in negations or h in _POLE_TOKEN:
            continue
        out.append(_token(word, 0))
        for prefix in PREFIXES:
            if word.startswith(prefix) and len(word) >= len(prefix) + MIN_STEM:
                out.append(_token(word[len(prefix):], 1))
                break
    return sorted(out)


def test_words_follow_the_plain_definition():
    words = Words.of(TEXTS)
    assert len(words.ends) == len(TEXTS)
    for i, text in enumerate(TEXTS):
        assert sorted(words.row(i).tolist()) == plain_tokens(text), text
    assert any(t & 1 for t in words.tokens.tolist())  # prefixed stems were found
    assert Words.of([]).tokens.tolist() == []


def test_text_store_gives_back_each_text():
    store = TextStore()
    for start in range(0, len(TEXTS), 4):
        store.extend(TEXTS[start : start + 4])
    store.extend([])
    store.extend(["x" * 3000] * 700)  # past the first capacity
    assert len(store) == len(TEXTS) + 700
    assert [store.get(i) for i in range(len(TEXTS))] == TEXTS
    assert store.get(len(TEXTS) + 699) == "x" * 3000


def test_text_store_ends_in_bytes_for_every_width():
    """Each text's end in the UTF-8 buffer is counted from its characters' widths (1 to 4
    bytes), empty texts and all-ASCII batches included."""
    rng = np.random.default_rng(5)
    alphabet = ["a", " ", "é", "ж", "中", "😀", "\U0010ffff", "\u07ff", "\u0800", "\uffff"]
    texts = ["".join(rng.choice(alphabet, int(rng.integers(0, 9)))) for _ in range(400)]
    texts += ["", "plain ascii", ""]
    store = TextStore()
    for start in range(0, len(texts), 7):
        store.extend(texts[start : start + 7])
    store.extend(["only ascii", ""])
    assert [store.get(i) for i in range(len(texts))] == texts
    assert [store.get(len(texts)), store.get(len(texts) + 1)] == ["only ascii", ""]
    assert len(store._blob) == sum(len(t.encode("utf-8")) for t in [*texts, "only ascii"])
