"""Quality flags on machine translations. Flags mark; `qa.drop_flags` may drop."""

from __future__ import annotations

from collections import Counter

from builder.config import QaConfig
from builder.filters.dedup import normalise


def has_repetition(text: str, n: int, count: int) -> bool:
    """Some word n-gram (n = 1..`n`) occurs `count` times or more in a row or overall."""
    words = text.split()
    for size in range(1, n + 1):
        grams = Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
        if grams and max(grams.values()) >= count and (size > 1 or len(words) >= 2 * count):
            # single words repeat naturally ("the"); count them only as a run
            if size > 1:
                return True
            run = best = 1
            for a, b in zip(words, words[1:], strict=False):
                run = run + 1 if a == b else 1
                best = max(best, run)
            if best >= count:
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
        if self.detector is not None and len(output.split()) >= 3:
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
