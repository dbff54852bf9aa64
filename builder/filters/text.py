"""Segment filters in the OpusFilter style: `score()` measures, `keep()` decides from the score.

Each filter names its drop reason; the pipeline counts drops and writes rejected records.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from builder.config import FilterConfig, LangIdConfig
from builder.pipeline.step import BatchStep, SegmentFilter
from builder.records import Doc, Segment
from builder.text.words import count_words, fewer_words_than

_LETTERS = re.compile(r"[^\W\d_]")
_NON_LETTERS = re.compile(r"[\W\d_]+")  # runs: one replacement per run, not per letter
_ASCII = bytes(range(128))
_ASCII_NON_LETTERS = bytes(c for c in range(128) if not _LETTERS.match(chr(c)))
_ASCII_SPACES = bytes(c for c in range(128) if chr(c).isspace())  # where str.split splits


@dataclass(frozen=True)
class LengthFilter:
    """Too few words (counted per script: CJK per character, see `text.words`) or too long."""

    min_words: int
    max_chars: int
    name: str = "length"

    def score(self, seg: Segment) -> tuple[int, int]:
        return count_words(seg.text), len(seg.text)

    def reason(self, seg: Segment) -> str | None:
        """`keep(score(seg))`, counting words only as far as `min_words`."""
        if fewer_words_than(seg.text, self.min_words):
            return "too_few_words"
        return "too_long" if len(seg.text) > self.max_chars else None

    def keep(self, score: tuple[int, int]) -> str | None:
        words, chars = score
        if words < self.min_words:
            return "too_few_words"
        if chars > self.max_chars:
            return "too_long"
        return None


@dataclass(frozen=True)
class CharClassFilter:
    """Share of letters among non-space characters (drops number tables and symbol runs)."""

    min_letter_ratio: float
    name: str = "char_class"

    def score(self, seg: Segment) -> float:
        text = seg.text
        if text.isascii():  # bytes: both counts by deleting bytes (no words cut out)
            raw = text.encode("ascii")
            visible = len(raw.translate(None, _ASCII_SPACES))
            if not visible:
                return 0.0
            return len(raw.translate(None, _ASCII_NON_LETTERS)) / visible
        # Other text: its ASCII characters counted as the bytes under 128 of its UTF-8 form,
        # the others (often a few: a dash, quotes, a no-break space) cut out as they are.
        raw = text.encode("utf-8", "surrogatepass")
        wide_raw = raw.translate(None, _ASCII)
        wide = wide_raw.decode("utf-8", "surrogatepass")
        if 2 * len(wide) > len(text):  # mostly non-ASCII: counted as a whole
            visible = len("".join(text.split()))  # str.split and `\s` agree on spaces
            return len(_NON_LETTERS.sub("", text)) / visible if visible else 0.0
        visible = (len(raw.translate(None, _ASCII_SPACES)) - len(wide_raw)
                   + len("".join(wide.split())))
        if not visible:
            return 0.0
        letters = (len(raw.translate(None, _ASCII_NON_LETTERS)) - len(wide_raw)
                   + len(_NON_LETTERS.sub("", wide)))
        return letters / visible

    def keep(self, score: float) -> str | None:
        return None if score >= self.min_letter_ratio else "low_letter_ratio"


@dataclass(frozen=True)
class LanguageFilter:
    """Drops a segment as foreign when it is long enough and the detector is confident, or
    when it is labelled outside the candidate languages (`candidates`; script or detector
    evidence, whatever its length)."""

    expected: str
    min_words: int
    min_score: float
    candidates: frozenset[str] | None = None
    name: str = "language"

    def score(self, seg: Segment) -> tuple[str, float, int]:
        return seg.lang, seg.lang_score, count_words(seg.text)

    def reason(self, seg: Segment) -> str | None:
        """`keep(score(seg))`, without counting the words of a segment labelled with the
        expected language (kept whatever its length)."""
        if seg.lang == self.expected:
            return None
        return self.keep(self.score(seg))

    def keep(self, score: tuple[str, float, int]) -> str | None:
        lang, prob, words = score
        if lang == self.expected:
            return None
        outside = self.candidates is not None and lang not in self.candidates
        if outside or (words >= self.min_words and prob >= self.min_score):
            return f"wrong_language:{lang}"
        return None


def text_filters(config: FilterConfig) -> tuple[LengthFilter, CharClassFilter]:
    return (
        LengthFilter(config.min_words, config.max_chars),
        CharClassFilter(config.min_letter_ratio),
    )


def language_filter(config: LangIdConfig, expected: str) -> LanguageFilter:
    candidates = frozenset(config.candidates) if config.outside_candidates else None
    return LanguageFilter(expected, config.drop_min_words, config.drop_min_score, candidates)


def first_failure(filters, seg: Segment) -> str | None:
    for f in filters:
        reason = f.keep(f.score(seg))
        if reason:
            return reason
    return None


class FilterStep(BatchStep):
    """The pipeline step of one segment filter: drops each segment its filter rejects."""

    stage = "filter"

    def __init__(self, segment_filter: SegmentFilter):
        super().__init__()
        self.filter = segment_filter
        self.name = segment_filter.name

    def params(self) -> dict:
        """The filter's fields as JSON (a set as a sorted list)."""
        return {k: sorted(v) if isinstance(v, set | frozenset) else v
                for k, v in asdict(self.filter).items() if k != "name"}

    def apply(self, doc: Doc) -> Doc:
        reason = getattr(self.filter, "reason", None)  # a filter's shortcut, if it has one
        if reason is not None:
            return self.drop_segments(doc, [reason(s) for s in doc.segments])
        keep, score = self.filter.keep, self.filter.score
        return self.drop_segments(doc, [keep(score(s)) for s in doc.segments])
