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


def line_keys(posts: list[Post]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(key of each line, post of each line, lines of each post). A key hashes the channel
    and the normalised line; a line with nothing left after normalising gets 0. (The posts'
    texts are normalised as one: lines joined by newlines are the texts so joined.)"""
    counts = np.array([p.text.count("\n") + 1 for p in posts], dtype=np.int64)
    post_of = np.repeat(np.arange(len(posts)), counts)
    if not posts:
        return np.zeros(0, dtype=np.uint64), post_of, counts
    hashes, starts, ends = SpanHasher(normalise([p.text for p in posts])).lines(SEED)
    names = {p.channel: 0 for p in posts}  # each channel once (a batch holds few)
    channels = dict(zip(names, text_hashes(list(names), SEED).tolist(), strict=True))
    channel_of = np.array([channels[p.channel] for p in posts], dtype=np.uint64)
    keys = mix64(hashes ^ channel_of[post_of], SEED)
    keys[starts == ends] = 0
    return keys, post_of, counts


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

    def observe(self, posts: list[Post], keyed: tuple | None = None) -> None:
        """Count the posts' lines (`keyed`: what `line_keys(posts)` gave, if known)."""
        keys, post_of, _ = line_keys(posts) if keyed is None else keyed
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
        keys, post_of, counts = line_keys(posts)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[at] == keys
        need = np.array([self.thresholds.get(p.channel, 0) for p in posts], dtype=np.int64)
        hit = found & (self.posts[at] >= need[post_of])
        if not hit.any():
            return [(p, 0) for p in posts]
        out = []
        hit_posts = set(post_of[hit].tolist())
        first = np.concatenate(([0], np.cumsum(counts)))
        for i, post in enumerate(posts):
            if i not in hit_posts:
                out.append((post, 0))
                continue
            drop = np.flatnonzero(hit[first[i] : first[i + 1]]).tolist()
            out.append((evolve(post, text=_cut(post, drop, removed)), len(drop)))
        return out

def _cut(post: Post, drop: list[int], removed: Counter) -> str:
    """The post's text without its lines `drop` (sorted, distinct line numbers); `removed`
    counts them: (channel, line) -> occurrences. Only the lines from the first one dropped
    on are split apart (boilerplate is mostly a footer: the text before it stays whole)."""
    text = post.text
    first = drop[0]
    if first:
        head, *lines = text.rsplit("\n", text.count("\n") - first + 1)
    else:
        head, lines = None, text.split("\n")
    for n in drop:
        removed[(post.channel, lines[n - first])] += 1
    for n in reversed(drop):
        del lines[n - first]
    return "\n".join(lines if head is None else [head, *lines])


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


@dataclass(frozen=True)
class _Observed:
    """What `BoilerplateStep.observe` gives for a chunk: the partial counts, and each line's
    key with its post and its place in the post (so that the run pass knows which lines go
    without normalising and hashing the posts again): 16 bytes a line."""

    counts: LineCounts
    keys: np.ndarray  # uint64, one a line with anything left after normalising
    post_of: np.ndarray  # int32, the line's post (an index into `positions`)
    lines: np.ndarray  # int32, the line's index in its post's text
    positions: np.ndarray  # int64, each post's `position`
    channel_of: np.ndarray  # int32, each post's channel (an index into `channels`)
    channels: list[str]


class BoilerplateStep(TwoPassStep):
    """The pipeline step: counts every channel's lines over all posts, then removes its
    boilerplate lines from each post (a post left empty is dropped).

    `observe` keeps each line's key (16 bytes a line until `prepare`), so `prepare`
    knows which lines of which posts go, and `run` only cuts them out: a post is normalised
    and hashed once."""

    name = "channel_boilerplate"
    stage = "clean"

    def __init__(self, config: BoilerplateConfig):
        super().__init__()
        self.config = config
        self.lines = LineCounts(config.min_share, config.min_posts)
        self._seen: list[_Observed] = []
        # after `prepare`: posts with boilerplate (sorted positions), and their lines
        self.hit_positions = np.zeros(0, dtype=np.int64)
        self.hit_starts = np.zeros(1, dtype=np.int64)
        self.hit_lines = np.zeros(0, dtype=np.int32)

    def params(self) -> dict:
        return {"min_share": self.config.min_share, "min_posts": self.config.min_posts,
                "compare": "lower-case, letters and digits"}

    def observe(self, batch: list[Doc]) -> _Observed:
        posts = [doc.post for doc in batch if not doc.dropped]
        keys, post_of, counts = keyed = line_keys(posts)
        part = LineCounts(self.config.min_share, self.config.min_posts)
        part.observe(posts, keyed)
        first = np.concatenate(([0], np.cumsum(counts)))
        line_no = (np.arange(len(keys)) - first[post_of]).astype(np.int32)
        live = keys != 0
        channels = sorted({p.channel for p in posts})
        index = {ch: i for i, ch in enumerate(channels)}
        return _Observed(part, keys[live], post_of[live].astype(np.int32), line_no[live],
                         np.array([p.position for p in posts], dtype=np.int64),
                         np.array([index[p.channel] for p in posts], dtype=np.int32), channels)

    def absorb(self, partial: _Observed) -> None:
        self.lines.merge(partial.counts)
        self._seen.append(partial)

    def prepare(self) -> None:
        found = self.lines.finish()
        self.lines = None
        hit_pos, hit_line = [], []
        for part in self._seen:
            if not len(found.keys) or not len(part.keys):
                continue
            at = np.minimum(np.searchsorted(found.keys, part.keys), len(found.keys) - 1)
            need = np.array([found.thresholds.get(ch, 0) for ch in part.channels],
                            dtype=np.int64)[part.channel_of[part.post_of]]
            hit = (found.keys[at] == part.keys) & (found.posts[at] >= need)
            hit_pos.append(part.positions[part.post_of[hit]])
            hit_line.append(part.lines[hit])
        self._seen = []
        if not hit_pos:
            return
        positions, lines = np.concatenate(hit_pos), np.concatenate(hit_line)
        order = np.lexsort((lines, positions))
        positions, self.hit_lines = positions[order], lines[order]
        self.hit_positions, starts = np.unique(positions, return_index=True)
        self.hit_starts = np.append(starts, len(positions))

    def run(self, batch: list[Doc]) -> list[Doc]:
        if not len(self.hit_positions):
            return batch
        live = [i for i, doc in enumerate(batch) if not doc.dropped]
        positions = np.array([batch[i].post.position for i in live], dtype=np.int64)
        at = np.minimum(np.searchsorted(self.hit_positions, positions),
                        len(self.hit_positions) - 1)
        found = self.hit_positions[at] == positions
        out = list(batch)
        # lines removed are counted in `counts` as (channel, line) -> occurrences: the
        # executors bring `counts` back from the workers
        for i, k in zip(np.asarray(live)[found].tolist(), at[found].tolist(), strict=True):
            doc = batch[i]
            drop = self.hit_lines[self.hit_starts[k] : self.hit_starts[k + 1]].tolist()
            post = evolve(doc.post, text=_cut(doc.post, drop, self.counts))
            out[i] = (self.drop_post(doc, "boilerplate_only") if is_empty(post)
                      else evolve(doc, post=post))
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
