"""Exact dedup's keys: the fast path for ASCII text gives the bytes of the plain definition
(NFKC, case-folded, whitespace collapsed)."""

import random
import unicodedata

from builder.filters.dedup import ExactDedup, normalise, normalised_bytes


def _plain(text: str) -> bytes:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split()).encode("utf-8")


def test_every_code_point_alone_and_between_words():
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        folded = unicodedata.normalize("NFKC", c).casefold()
        # every form where the fast path could answer: the character is (or folds to) ASCII
        forms = (c, f"a{c}b", f" {c} ", f"{c}{c}x") if folded.isascii() else (f"a{c}b",)
        for text in forms:
            assert normalised_bytes(text) == _plain(text), hex(cp)


def test_generated_texts_with_every_kind_of_space():
    spaces = [c for c in map(chr, range(0x3001)) if c.isspace()] + ["\u3000", "\u205f"]
    # letters that case-fold or NFKC-normalise to ASCII (or from it), digits, punctuation
    others = list("abcXYZ019.,-'ß") + ["\u212a", "\uff21", "\u2160", "ﬁ", "İ", "é", "e\u0301",
                                        "Σ", "ς", "中", "😀", "\x00", "\x7f"]
    rng = random.Random(5)
    for _ in range(20000):
        parts = [rng.choice(spaces if rng.random() < 0.4 else others)
                 for _ in range(rng.randint(0, 12))]
        text = "".join(parts)
        assert normalised_bytes(text) == _plain(text) == normalise(text).encode("utf-8"), text


def test_the_key_is_the_digest_of_the_normalised_text():
    import hashlib

    for text in ["Hello  World", " hello world ", "HELLO\tworld", "Ｈｅｌｌｏ world", "x"]:
        assert ExactDedup.key(text) == hashlib.blake2b(_plain(text), digest_size=8).digest()
    assert ExactDedup.key("Hello  World") == ExactDedup.key("hello world")


def test_admitting_a_list_equals_admitting_each_key_in_turn():
    """Keys repeated within a post's list, across posts and chunks, and posts without keys
    (None: dropped) get the answers of `admit` called key by key."""
    from builder.filters.dedup import ExactDedupStep

    rng = random.Random(7)
    pool = [bytes([i]) * 8 for i in range(40)]
    step, plain = ExactDedupStep(), ExactDedup()
    for _ in range(300):
        chunk = [None if rng.random() < 0.1 else [rng.choice(pool) for _ in range(rng.randint(0, 6))]
                 for _ in range(rng.randint(0, 5))]
        expected = [None if k is None else [plain.admit(key) for key in k] for k in chunk]
        got = step.admit_batch(chunk)
        assert got == expected
        assert all(type(a) is bool for k in got if k for a in k)
