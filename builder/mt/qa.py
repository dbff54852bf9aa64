"""Quality flags on machine translations. Flags mark; `qa.drop_flags` may drop."""

from __future__ import annotations

import functools
import re
from collections import Counter

from builder.config import QaConfig
from builder.filters.dedup import normalise
from builder.text.words import (
    UNSPACED_CHARS_PER_WORD,
    count_words,
    has_ideographs,
    unspaced_runs,
    word_tokens,
)


def has_repetition(text: str, n: int, count: int) -> bool:
    """Some word n-gram (n = 1..`n`) occurs `count` times or more in a row or overall.

    In text with Han or kana characters each of them is a word (`words.word_tokens`, as the
    length filters count them; a run of them is one token when split by spaces, so a loop
    like `我们我们我们` went unseen). A Chinese word is about two characters, so there n-grams
    go up to 2n, and count only in a row: a two-character word recurring in a sentence is no
    loop, as a recurring English word is not. In a run of Thai, Lao, Khmer or the like (one
    token: its words cannot be told apart) a loop is 2 characters up to n words' worth
    (`UNSPACED_CHARS_PER_WORD` a word) followed by `count - 1` copies of themselves."""
    if any(_unspaced_loop(n, count).search(run) for run in unspaced_runs(text)):
        return True
    words = word_tokens(text)
    # every n-gram found `count` times starts with a word found `count` times: where no word
    # is, there is nothing to look for (most outputs; the same answer, without the n-grams)
    if count >= 2 and (not words or max(Counter(words).values()) < count):
        return False
    wide = has_ideographs(text)
    for size in range(1, (2 * n if wide else n) + 1):
        if size == 1:
            # single words repeat naturally ("the"); count them only as a run
            if len(words) >= 2 * count and _repeats_in_a_row(words, 1, count):
                return True
            continue
        if wide and _repeats_in_a_row(words, size, count):
            return True
        if size <= n:
            grams = Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
            if wide:  # n-grams of Han or kana characters count only in a row (above)
                grams = Counter({g: c for g, c in grams.items() if not has_ideographs("".join(g))})
            if grams and max(grams.values()) >= count:
                return True
    return False


@functools.lru_cache(maxsize=16)
def _unspaced_loop(n: int, count: int) -> re.Pattern:
    """Some 2 to n words' worth of characters followed by `count - 1` copies of themselves."""
    return re.compile(f"(.{{2,{max(2, n * UNSPACED_CHARS_PER_WORD)}}}?)\\1{{{count - 1},}}")


def _repeats_in_a_row(words: list[str], size: int, count: int) -> bool:
    """Some `size` words followed by `count - 1` copies of themselves."""
    span = size * count
    for start in range(len(words) - span + 1):
        gram = words[start : start + size]
        if all(words[start + k * size : start + (k + 1) * size] == gram for k in range(1, count)):
            return True
    return False


class QualityChecker:
    def __init__(self, config: QaConfig, detector=None, target_lang: str = ""):
        self.config = config
        self.detector = detector  # LanguageIdentifier knowing the target, or None
        self.target = target_lang

    def flags(self, source: str, output: str, truncated: bool) -> list[str]:
        c = self.config
        found = []
        if normalise(source) == normalise(output):
            found.append("copy")
        if has_repetition(output, c.repetition_ngram, c.repetition_count):
            found.append("repetition")
        if truncated:
            found.append("truncated")
        if self.detector is not None and count_words(output) >= 3:
            lang, score = self.detector.best(output)
            if lang != self.target and score >= 0.9:
                found.append("wrong_lang")
        ratio = len(output) / max(1, len(source))
        if not c.length_ratio_min <= ratio <= c.length_ratio_max:
            found.append("length_ratio")
        return found

    def drop_reason(self, flags: list[str]) -> str | None:
        for flag in flags:
            if flag in self.config.drop_flags:
                return f"mt_{flag}"
        return None
