"""Sentence segmentation: per line with sentencex, plus a small rule layer.

Segments never cross a line. Protected multi-period names (`Moscow. Kremlin. Putin`) never
contain a boundary. Elision markers were already split off by cleaning (a marker ends a line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from builder.pipeline.step import BatchStep
from builder.records import Doc, Post, Segment, evolve, make

# A "sentence" that is only a list marker (`1.`, `2)`, `⁃9.`) belongs to the text after it.
_LIST_MARKER = re.compile(r"^[\W_]{0,2}\(?(?:\d{1,3}|[ivx]{1,4})[.)]$", re.IGNORECASE)
_LIST_MARKER_MAX = 8  # the longest string it matches (2 + 1 + 4 + 1)

SEGMENTER_NAME = "sentencex"


def segmenter_version() -> str:
    from importlib.metadata import version

    return f"{SEGMENTER_NAME}-{version('sentencex')}"


class Segmenter:
    def __init__(self, lang: str = "en", protected_names: list[str] | tuple[str, ...] = ()):
        from sentencex import segment  # noqa: PLC0415 - heavy-ish, loaded when a build starts

        self._segment = segment
        self.lang = lang
        self.protected = tuple(p for p in protected_names if p)

    def spans(self, line: str) -> list[tuple[int, int]]:
        """(start, end) of each stripped sentence in `line`."""
        spans: list[tuple[int, int]] = []
        cursor = 0
        short = False  # a sentence short enough to be a list marker
        for sentence in self._segment(self.lang, line):
            stripped = sentence.strip()
            if not stripped:
                cursor += len(sentence)
                continue
            start = line.find(stripped, cursor)
            if start < 0:  # sentencex never alters text; stay safe if it ever does
                start = line.find(stripped)
                if start < 0:
                    continue
            end = start + len(stripped)
            spans.append((start, end))
            cursor = end
            if len(stripped) <= _LIST_MARKER_MAX:
                short = True
        if self.protected and len(spans) > 1:
            spans = self._merge_protected(line, spans)
        # (merging protected names only joins spans: a short one after it was short before)
        return self._merge_list_markers(line, spans) if short else spans

    @staticmethod
    def _merge_list_markers(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        pending: int | None = None
        for start, end in spans:
            if pending is not None:
                start, pending = pending, None
            if end - start <= _LIST_MARKER_MAX and _LIST_MARKER.match(line[start:end]):
                pending = start
                continue
            out.append((start, end))
        if pending is not None:
            out.append((pending, spans[-1][1]))
        return out

    def _merge_protected(self, line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        if len(spans) < 2 or not self.protected:
            return spans
        guarded: list[tuple[int, int]] = []
        for name in self.protected:
            at = line.find(name)
            while at >= 0:
                guarded.append((at, at + len(name)))
                at = line.find(name, at + 1)
        if not guarded:
            return spans
        merged = [spans[0]]
        for start, end in spans[1:]:
            prev_start, prev_end = merged[-1]
            if any(g0 < start and prev_end <= g1 and g0 < prev_end for g0, g1 in guarded):
                merged[-1] = (prev_start, end)
            else:
                merged.append((start, end))
        return merged

    def sentences(self, text: str) -> list[str]:
        return [text[a:b] for a, b in self.spans(text)]

    def segment(self, post: Post) -> Iterator[Segment]:
        # the fields every segment of the post shares, made once; each segment is a copy
        # with its own four
        shared = make(Segment, post_id=post.post_id, segment_index=0, text="", char_start=0,
                      char_end=0, channel=post.channel, date=post.date,
                      date_is_local=post.date_is_local)
        index = 0
        offset = 0
        for line in post.text.split("\n"):
            for start, end in self.spans(line):
                yield evolve(shared, segment_index=index, text=line[start:end],
                             char_start=offset + start, char_end=offset + end)
                index += 1
            offset += len(line) + 1


class SegmentPosts(BatchStep):
    """The pipeline step: cuts each post into its segments (all kept until a filter drops one)."""

    name = SEGMENTER_NAME
    stage = "segment"
    preload = ("sentencex",)
    count_labels = {"segmented": "segments produced"}

    def __init__(self, lang: str, protected_names: list[str] | tuple[str, ...] = (),
                 keep_sentences: bool = False):
        super().__init__()
        self.keep_sentences = keep_sentences  # every segment as cut, for alignment
        self.lang = lang
        self.protected_names = list(protected_names)
        self.version = segmenter_version()
        self._segmenter: Segmenter | None = None  # made on first use, in the process that runs

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_segmenter": None}

    @property
    def segmenter(self) -> Segmenter:
        if self._segmenter is None:
            self._segmenter = Segmenter(self.lang, self.protected_names)
        return self._segmenter

    def params(self) -> dict:
        return {"protected_names": self.protected_names}

    def apply(self, doc: Doc) -> Doc:
        segments = tuple(self.segmenter.segment(doc.post))
        self.counts["segmented"] += len(segments)
        return evolve(doc, sentences=segments if self.keep_sentences else (),
                      segments=segments)

    def manifest_counts(self) -> dict[str, dict]:
        return {"segments": {"segmented": self.counts["segmented"]}}
