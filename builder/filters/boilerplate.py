"""Channel boilerplate (a pipeline step): lines that recur in a large share of one channel's posts (signatures,
"Subscribe: @channel", link lists, disclaimers), found over the whole channel, then removed.

Two passes. `LineCounts.observe` counts, per channel, the posts each line occurs in (a line
counted once a post; lines compared case-folded with punctuation and symbols ignored, so
that copies differing by a colon or an emoji are one line). After every post was counted,
`LineCounts.finish` gives the `Boilerplate` set: the lines in at least `min_share` of their
channel's posts and in at least `min_posts` posts. `Boilerplate.strip` removes them from a
cleaned post, before segmentation, so offsets index the text that is kept.

Counts are held as arrays of 64-bit keys (16 bytes a distinct line), exact, and the same
however the posts were batched or in which order partial counts were added.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from builder.config import BoilerplateConfig
from builder.filters.hashing import SpanHasher, mix64, normalise, text_hashes
from builder.output.card import code_span
from builder.pipeline.step import TwoPassStep
from builder.records import Doc, Post, evolve
from builder.text.clean import is_empty

SEED = 0xB01E


def line_keys(posts: list[Post]) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """(key of each line, post of each line, the lines of each post). A key hashes the
    channel and the normalised line; a line with nothing left after normalising gets 0."""
    lines = [p.text.split("\n") for p in posts]
    flat = [line for post_lines in lines for line in post_lines]
    post_of = np.repeat(np.arange(len(posts)), [len(x) for x in lines])
    if not flat:
        return np.zeros(0, dtype=np.uint64), post_of, lines
    hashes, starts, ends = SpanHasher(normalise(flat)).lines(SEED)
    channels = text_hashes([p.channel for p in posts], SEED)
    keys = mix64(hashes ^ channels[post_of], SEED)
    keys[starts == ends] = 0
    return keys, post_of, lines


class LineCounts:
    """Per channel, the number of posts, and of posts each line key occurs in."""

    def __init__(self, min_share: float, min_posts: int):
        self.min_share = min_share
        self.min_posts = min_posts
        self.posts: Counter = Counter()  # channel -> posts
        self._keys = np.zeros(0, dtype=np.uint64)
        self._counts = np.zeros(0, dtype=np.int64)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_size = 0

    def observe(self, posts: list[Post]) -> None:
        keys, post_of, _ = line_keys(posts)
        self.posts.update(p.channel for p in posts)
        if not len(keys):
            return
        # once a post: one of each (post, key) pair
        live = keys != 0
        keys, post_of = keys[live], post_of[live]
        _, first = np.unique(mix64(keys ^ post_of.astype(np.uint64), SEED + 1), return_index=True)
        keys = keys[first]
        self._add(keys, np.ones(len(keys), dtype=np.int64))

    def merge(self, other: LineCounts) -> None:
        """Add another part's counts (from posts this one did not see)."""
        other._compact()
        self.posts.update(other.posts)
        self._add(other._keys, other._counts)

    def _add(self, keys: np.ndarray, counts: np.ndarray) -> None:
        self._pending.append((keys, counts))
        self._pending_size += len(keys)
        if self._pending_size > max(len(self._keys), 1 << 20):
            self._compact()

    def _compact(self) -> None:
        if not self._pending:
            return
        keys = np.concatenate([self._keys, *(k for k, _ in self._pending)])
        counts = np.concatenate([self._counts, *(c for _, c in self._pending)])
        self._pending, self._pending_size = [], 0
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], counts[order]
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        self._keys, self._counts = keys[starts], np.add.reduceat(counts, starts)

    def finish(self) -> Boilerplate:
        """The boilerplate set: the keys at or over their channel's threshold (a key hashes
        its channel in; `Boilerplate.strip` checks it against the post's channel)."""
        self._compact()
        if not len(self._keys):
            return Boilerplate(np.zeros(0, dtype=np.uint64))
        frequent = self._counts >= min(self.threshold(n) for n in self.posts.values())
        return Boilerplate(self._keys[frequent], self._counts[frequent],
                           {ch: self.threshold(n) for ch, n in self.posts.items()})

    def threshold(self, posts: int) -> int:
        return max(self.min_posts, math.ceil(self.min_share * posts))


@dataclass(frozen=True)
class Boilerplate:
    """The frequent line keys (sorted) with the posts each occurs in, and the channels'
    thresholds."""

    keys: np.ndarray
    posts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    thresholds: dict[str, int] = field(default_factory=dict)  # channel -> posts needed

    def strip(self, posts: list[Post], removed: Counter) -> list[tuple[Post, int]]:
        """Each post without its boilerplate lines, and how many lines went; `removed`
        counts them: (channel, line) -> occurrences."""
        if not len(self.keys):
            return [(p, 0) for p in posts]
        keys, post_of, lines = line_keys(posts)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[at] == keys
        need = np.array([self.thresholds.get(p.channel, 0) for p in posts], dtype=np.int64)
        hit = found & (self.posts[at] >= need[post_of])
        if not hit.any():
            return [(p, 0) for p in posts]
        out = []
        hit_posts = set(post_of[hit].tolist())
        first = np.concatenate(([0], np.cumsum([len(x) for x in lines])))
        for i, post in enumerate(posts):
            if i not in hit_posts:
                out.append((post, 0))
                continue
            mask = hit[first[i] : first[i + 1]].tolist()
            kept = [line for line, drop in zip(lines[i], mask, strict=True) if not drop]
            for line, drop in zip(lines[i], mask, strict=True):
                if drop:
                    removed[(post.channel, line)] += 1
            out.append((evolve(post, text="\n".join(kept)), len(mask) - len(kept)))
        return out

def summary(removed: Counter, top: int = 10) -> dict:
    """Distinct lines removed (copies that normalise alike are one line, shown by their most
    frequent spelling), their occurrences, and the most frequent lines."""
    groups: dict[tuple[str, bytes], Counter] = {}
    for (channel, line), n in removed.items():
        groups.setdefault((channel, normalise([line]).tobytes()), Counter())[line] += n
    ranked = sorted(
        ((sum(c.values()), channel, min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0])
         for (channel, _), c in groups.items()),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    return {
        "distinct_lines": len(groups),
        "occurrences": sum(removed.values()),
        "top_lines": [{"channel": ch, "line": line, "occurrences": n}
                      for n, ch, line in ranked[:top]],
    }


TOP_LINES = 10


class BoilerplateStep(TwoPassStep):
    """The pipeline step: counts every channel's lines over all posts, then removes its
    boilerplate lines from each post (a post left empty is dropped)."""

    name = "channel_boilerplate"
    stage = "clean"

    def __init__(self, config: BoilerplateConfig):
        super().__init__()
        self.config = config
        self.lines = LineCounts(config.min_share, config.min_posts)
        self.found: Boilerplate | None = None

    def params(self) -> dict:
        return {"min_share": self.config.min_share, "min_posts": self.config.min_posts,
                "compare": "lower-case, letters and digits"}

    def observe(self, batch: list[Doc]) -> LineCounts:
        part = LineCounts(self.config.min_share, self.config.min_posts)
        part.observe([doc.post for doc in batch if not doc.dropped])
        return part

    def absorb(self, partial: LineCounts) -> None:
        self.lines.merge(partial)

    def prepare(self) -> None:
        self.found, self.lines = self.lines.finish(), None

    def run(self, batch: list[Doc]) -> list[Doc]:
        live = [doc for doc in batch if not doc.dropped]
        # lines removed are counted in `counts` as (channel, line) -> occurrences: the
        # executors bring `counts` back from the workers
        stripped = iter(self.found.strip([doc.post for doc in live], self.counts))
        out = []
        for doc in batch:
            if doc.dropped:
                out.append(doc)
                continue
            post, removed = next(stripped)
            if not removed:
                out.append(doc)
            elif is_empty(post):
                out.append(self.drop_post(doc, "boilerplate_only"))
            else:
                out.append(evolve(doc, post=post))
        return out

    def manifest_counts(self) -> dict[str, dict]:
        return {"boilerplate": summary(self.counts, TOP_LINES)}

    def card_rows(self) -> list[dict]:
        s = summary(self.counts, TOP_LINES)
        rows = [{"stage": self.stage, "count": s["occurrences"],
                 "step": f"boilerplate removed: {s['distinct_lines']} distinct lines, "
                         f"{s['occurrences']} occurrences"}]
        rows += [{"stage": self.stage, "count": top["occurrences"],
                  "step": f"boilerplate line of {code_span(top['channel'], table=True)}: "
                          f"{code_span(top['line'], table=True)}"}
                 for top in s["top_lines"]]
        rows += [{"stage": self.stage, "step": f"dropped: {reason}", "count": n}
                 for reason, n in sorted(self.drops.items())]
        return rows
