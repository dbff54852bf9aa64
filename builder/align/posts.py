"""Post (document) alignment between a channel and its sister channel in another language.

Each candidate pair is scored with the signals channels carry: publication times, numbers
and dates in the text, named entities (in a shared Latin skeleton), links, hashtags, the
emoji that open the post, and the length ratio; optionally a model's similarity. Pairs are
then linked one-to-one, best first, above a threshold; the rest stay unpaired.

A capitalised word is a name candidate only when its skeleton also occurs among the other
channel's capitalised words (as the sentence aligner lets a word count only where the other
side has it): German capitalises every noun, and those nouns, written in lower case or
translated on the other side, would otherwise weigh down the entity overlap of true pairs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from builder.align.anchors import entities, lead_emoji, numbers, overlap
from builder.readers.dates import written_moment
from builder.records import Segment

WEIGHTS = {"date": 1.0, "numbers": 2.0, "entities": 2.0, "urls": 1.0, "hashtags": 1.0,
           "emoji": 1.0, "length": 1.0, "model": 3.0}


@dataclass
class AlignPost:
    post_id: str
    date: datetime | None
    text: str
    sentences: tuple[Segment, ...]  # every segment of the post, as cut (index, text, offsets)
    urls: frozenset[str] = frozenset()
    hashtags: frozenset[str] = frozenset()
    lead_emoji: str = ""
    split: str = ""
    numbers: Counter = field(default_factory=Counter)
    entities: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, post, raw_lines, sentences, split: str = "") -> AlignPost:
        """From a cleaned post, the raw lines it came from (for its leading emoji) and its
        segments as cut."""
        return cls(post.post_id, written_moment(post.date), post.text, tuple(sentences),
                   frozenset(post.urls), frozenset(post.hashtags), lead_emoji(raw_lines), split)

    def __post_init__(self) -> None:
        self.numbers = numbers(self.text)
        self.entities = Counter()
        for sentence in self.sentences:  # per sentence: first words are not names
            self.entities.update(entities(sentence.text))


@dataclass(frozen=True, order=True)
class PostPair:
    """A post of the main channel paired with one of the sister channel (indices into the
    lists given to `PostMatcher.match`) and the pair's score."""

    main: int
    other: int
    score: float


def _set_overlap(a: frozenset, b: frozenset) -> float | None:
    if not a and not b:
        return None
    return 2 * len(a & b) / (len(a) + len(b))


class PostMatcher:
    def __init__(self, threshold: float, window_hours: float, date_scale_hours: float = 24.0,
                 similarity: Callable[[AlignPost, AlignPost], float] | None = None):
        self.threshold = threshold
        self.window = window_hours
        self.scale = date_scale_hours
        self.similarity = similarity
        self.shared_entities: frozenset[str] | None = None  # set by `match`; None: all count

    def _entities(self, post: AlignPost) -> Counter:
        if self.shared_entities is None:
            return post.entities
        return Counter({k: v for k, v in post.entities.items() if k in self.shared_entities})

    def signals(self, a: AlignPost, b: AlignPost, ratio: float) -> dict[str, float | None]:
        s: dict[str, float | None] = {}
        if a.date and b.date:
            hours = abs((a.date - b.date).total_seconds()) / 3600
            s["date"] = math.exp(-hours / self.scale)
        s["numbers"] = overlap(a.numbers, b.numbers)
        s["entities"] = overlap(self._entities(a), self._entities(b))
        s["urls"] = _set_overlap(a.urls, b.urls)
        s["hashtags"] = _set_overlap(a.hashtags, b.hashtags)
        if a.lead_emoji or b.lead_emoji:
            s["emoji"] = 1.0 if a.lead_emoji == b.lead_emoji else 0.0
        if a.text and b.text:
            s["length"] = math.exp(-2 * abs(math.log((len(b.text) / len(a.text)) / ratio)))
        if self.similarity is not None:
            s["model"] = self.similarity(a, b)
        return s

    def score(self, a: AlignPost, b: AlignPost, ratio: float) -> float:
        known = {k: v for k, v in self.signals(a, b, ratio).items() if v is not None}
        if not known:
            return 0.0
        total = sum(WEIGHTS[k] for k in known)
        return sum(WEIGHTS[k] * v for k, v in known.items()) / total

    def match(self, main: list[AlignPost], other: list[AlignPost]) -> list[PostPair]:
        """One-to-one pairs above the threshold, chosen best first, in main-channel order."""
        if not main or not other:
            return []
        ratio = (sum(len(p.text) for p in other) / len(other)) / max(
            1.0, sum(len(p.text) for p in main) / len(main))
        self.shared_entities = frozenset(set().union(*(p.entities for p in main))
                                         & set().union(*(p.entities for p in other)))
        candidates = []
        for i, a in enumerate(main):
            for j, b in enumerate(other):
                if a.date and b.date and abs((a.date - b.date).total_seconds()) > self.window * 3600:
                    continue
                score = self.score(a, b, ratio)
                if score >= self.threshold:
                    candidates.append((score, i, j))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        used_a: set[int] = set()
        used_b: set[int] = set()
        pairs = []
        for score, i, j in candidates:
            if i in used_a or j in used_b:
                continue
            used_a.add(i)
            used_b.add(j)
            pairs.append(PostPair(i, j, round(score, 4)))
        return sorted(pairs)
