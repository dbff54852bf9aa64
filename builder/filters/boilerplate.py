"""Channel boilerplate (a pipeline step): lines that recur in a large share of one channel's posts (signatures,
"Subscribe: @channel", link lists, disclaimers), found over the whole channel, then removed.

Two passes. `LineCounts.observe` keeps, per channel, the lines of each post (a line once a
post; lines compared case-folded with punctuation and symbols ignored, so that copies
differing by a colon or an emoji are one line). After every post was seen,
`LineCounts.finish` gives the `Boilerplate` set: the lines in at least `min_share` of their
channel's posts, in at least `min_posts` posts and (`sqrt_rule`) in at least √N posts of a
channel of N, where copies of one post (posts whose other lines are the same but for their
digits: a repost, a reminder with another date) count once.
`Boilerplate.strip` removes them from a cleaned post, before segmentation, so offsets index
the text that is kept.

Lines are held as arrays of 64-bit keys (28 bytes a line of a post until `finish`), exact,
and the same however the posts were batched or in which order partial counts were added.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from builder.config import BoilerplateConfig
from builder.filters.hashing import line_hashes, mix64, normalise, normalise_lines, text_hashes
from builder.output.card import code_span
from builder.pipeline.step import TwoPassStep
from builder.records import Doc, Post, evolve
from builder.text.clean import is_empty

SEED = 0xB01E


def line_keys(posts: list[Post], loose: bool = False) -> tuple[np.ndarray, ...]:
    """(key of each line, post of each line, lines of each post), and with `loose` each
    line's key read without its digits (`digit_free`). A key hashes the channel and the
    normalised line; a line with nothing left after normalising gets 0. (The posts' texts
    are normalised as one: lines joined by newlines are the texts so joined.)"""
    counts = np.array([p.text.count("\n") + 1 for p in posts], dtype=np.int64)
    post_of = np.repeat(np.arange(len(posts)), counts)
    if not posts:
        empty = np.zeros(0, dtype=np.uint64)
        return (empty, post_of, counts, empty) if loose else (empty, post_of, counts)
    codes, breaks = normalise_lines([p.text for p in posts])
    hashes, starts, ends = line_hashes(codes, SEED, breaks)
    channel_of = np.array([_channel_key(p.channel) for p in posts], dtype=np.uint64)
    keys = mix64(hashes ^ channel_of[post_of], SEED)
    keys[starts == ends] = 0
    if loose:
        return keys, post_of, counts, digit_free(codes, keys, starts, ends)
    return keys, post_of, counts


def digit_free(codes: np.ndarray, keys: np.ndarray, starts: np.ndarray,
               ends: np.ndarray) -> np.ndarray:
    """Each line's key with its digits left out: a line without digits keeps its key, a line
    with digits gets the hash of its other characters (`Reminder, March 3` and `Reminder,
    March 10` are one). The text is hashed again without its digits, a line at a time
    (`line_hashes`: no running sum); the lines that held a digit take that hash."""
    out = keys.copy()
    digit = (codes >= ord("0")) & (codes <= ord("9"))
    if not digit.any():
        return out
    # the lines of the text without its digits are its lines without theirs: those that
    # lost a character held a digit
    hashes, rest_starts, rest_ends = line_hashes(codes[~digit], SEED + 5)
    lines = np.flatnonzero(rest_ends - rest_starts != ends - starts)
    out[lines] = hashes[lines]
    return out


@cache
def _channel_key(name: str) -> int:
    """A channel name's hash (a build has few channels; a batch asks for each post's)."""
    return int(text_hashes([name], SEED)[0])


class LineCounts:
    """Per channel, the number of posts, and the line keys of each post; `finish` counts, for
    each line, the distinct posts it occurs in.

    Posts are told apart by what they hold besides their recurring lines (digits left out):
    copies of one post (a repost, or a post whose other lines are the same but for a date)
    count once, so a post reposted a few
    times is left to the near-duplicate step (which keeps one copy) instead of being removed
    from every copy as boilerplate. A footer counts once a post that carries it, since the
    rest of those posts differs."""

    def __init__(self, min_share: float, min_posts: int, sqrt_rule: bool = True):
        self.min_share = min_share
        self.min_posts = min_posts
        self.sqrt_rule = sqrt_rule
        self.posts: Counter = Counter()  # channel -> posts
        self._channels: dict[str, int] = {}  # channel -> its number in `_parts`
        # a (post, line) once: key, post, channel, key without digits
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._post_count = 0  # posts numbered so far (a post's number is unique here)

    def _channel(self, name: str) -> int:
        return self._channels.setdefault(name, len(self._channels))

    def observe(self, posts: list[Post], keyed: tuple | None = None) -> None:
        """Count the posts' lines (`keyed`: what `line_keys(posts, loose=True)` gave, if
        known)."""
        keys, post_of, _, loose = line_keys(posts, loose=True) if keyed is None else keyed
        self.posts.update(p.channel for p in posts)
        channel_of = np.array([self._channel(p.channel) for p in posts], dtype=np.int32)
        first_post, self._post_count = self._post_count, self._post_count + len(posts)
        if not len(keys):
            return
        # once a post: one of each (post, key) pair
        live = keys != 0
        keys, post_of, loose = keys[live], post_of[live], loose[live]
        _, first = np.unique(mix64(keys ^ post_of.astype(np.uint64), SEED + 1), return_index=True)
        keys, post_of, loose = keys[first], post_of[first], loose[first]
        self._parts.append((keys, post_of + first_post, channel_of[post_of], loose))

    def merge(self, other: LineCounts) -> None:
        """Add another part's counts (from posts this one did not see)."""
        self.posts.update(other.posts)
        renumber = np.array([self._channel(ch) for ch in other._channels], dtype=np.int32)
        for keys, post_no, channel_no, loose in other._parts:
            self._parts.append((keys, post_no + self._post_count, renumber[channel_no], loose))
        self._post_count += other._post_count

    def finish(self) -> Boilerplate:
        """The boilerplate set: the keys at or over their channel's threshold (a key hashes
        its channel in; `Boilerplate.strip` checks it against the post's channel).

        Two counts. First the posts each key occurs in: the keys at or over the threshold are
        candidates. Then each post's rest (the set of its lines that are not candidates, read
        without their digits) is hashed, and a candidate counts the distinct rests of its
        posts: copies of a post, whatever their recurring lines and dates, count once. Both counts are over sets, so the result
        does not depend on how the posts were batched or merged."""
        if not self._parts:
            return Boilerplate(np.zeros(0, dtype=np.uint64))
        keys, post_no, channel_no, loose = (np.concatenate(a) for a in zip(*self._parts,
                                                                             strict=True))
        self._parts = [(keys, post_no, channel_no, loose)]
        if not len(keys):
            return Boilerplate(np.zeros(0, dtype=np.uint64))
        needs = np.array([self.threshold(self.posts[ch]) for ch in self._channels],
                         dtype=np.int64)
        need = needs[channel_no]
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        candidate = counts[inverse.reshape(-1)] >= need
        if not candidate.any():
            return Boilerplate(np.zeros(0, dtype=np.uint64))
        rest = np.zeros(self._post_count, dtype=np.uint64)  # a sum: the same in any order
        np.add.at(rest, post_no[~candidate], mix64(loose[~candidate], SEED + 2))
        keys, post_no, need = keys[candidate], post_no[candidate], need[candidate]
        _, first = np.unique(mix64(keys ^ mix64(rest[post_no], SEED + 3), SEED + 4),
                             return_index=True)
        found, at, distinct = np.unique(keys[first], return_index=True, return_counts=True)
        frequent = distinct >= need[first][at]
        return Boilerplate(found[frequent], distinct[frequent],
                           {ch: self.threshold(n) for ch, n in self.posts.items()})

    def threshold(self, posts: int) -> int:
        """Posts a line must occur in, in a channel of `posts` posts: `min_posts`, `min_share`
        of the posts, and (`sqrt_rule`) √posts, whichever is most: a small channel needs a
        larger share (5 of 20 posts, 10 of 100), which falls to `min_share` from 400 posts."""
        root = math.isqrt(posts - 1) + 1 if self.sqrt_rule and posts > 0 else 0
        return max(self.min_posts, math.ceil(self.min_share * posts), root)


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
        self.lines = LineCounts(config.min_share, config.min_posts, config.sqrt_rule)
        self._seen: list[_Observed] = []
        # after `prepare`: posts with boilerplate (sorted positions), and their lines
        self.hit_positions = np.zeros(0, dtype=np.int64)
        self.hit_starts = np.zeros(1, dtype=np.int64)
        self.hit_lines = np.zeros(0, dtype=np.int32)

    def params(self) -> dict:
        return {"min_share": self.config.min_share, "min_posts": self.config.min_posts,
                "sqrt_rule": self.config.sqrt_rule, "compare": "lower-case, letters and digits",
                "copies": "a post's copies (same other lines) count once"}

    def observe(self, batch: list[Doc]) -> _Observed:
        posts = [doc.post for doc in batch if not doc.dropped]
        keys, post_of, counts, _ = keyed = line_keys(posts, loose=True)
        part = LineCounts(self.config.min_share, self.config.min_posts,
                          self.config.sqrt_rule)
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
