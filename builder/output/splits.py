"""Split assignment per post, stable across releases.

- A post gets its split from a stable hash of `post_id` (ratios and salt in the config), so
  adding posts never moves old ones.
- A post of the previous release keeps that release's split, and a new post that pairs with
  one of its posts (an edit: a content-hash id changed, see `release/edits.py`) keeps that
  post's split: rows a model trained on never reach a later validation or test split.
- A build of at least `SMALL_BUILD_POSTS` posts gets at least one post in each split whose
  ratio is above 0: the new post whose hash lies nearest the empty split's range moves there.
  Posts of an earlier release never move.
"""

from __future__ import annotations

import hashlib
import logging
from bisect import insort
from dataclasses import dataclass, replace
from pathlib import Path

from builder.config import SplitConfig
from builder.output.layout import split_files

log = logging.getLogger(__name__)
SPLITS = ("train", "validation", "test")
SMALL_BUILD_POSTS = 10
_KEEP = 2  # best candidates kept per (empty split, split it would come from)


def hash_position(post_id: str, salt: str) -> float:
    """The post's place in [0, 1): the split whose range holds it is its split."""
    digest = hashlib.sha256(f"{salt}{post_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def ranges(config: SplitConfig) -> dict[str, tuple[float, float]]:
    cut1, cut2 = config.train, config.train + config.validation
    return {"train": (0.0, cut1), "validation": (cut1, cut2), "test": (cut2, 1.0)}


def split_for(post_id: str, config: SplitConfig) -> str:
    x = hash_position(post_id, config.salt)
    if x < config.train:
        return "train"
    if x < config.train + config.validation:
        return "validation"
    return "test"


class PreviousRelease:
    """The posts of the release a build replaces: each id's split, and an index that finds
    the post an edited post comes from."""

    def __init__(self, ids: list[str], texts, splits: list[str]):
        from builder.release.edits import EditIndex  # noqa: PLC0415

        self.split_of = dict(zip(ids, splits, strict=True))
        self._texts = texts  # an Arrow column: texts stay out of Python objects
        self.index = EditIndex(lambda row: self._texts[row].as_py())
        row = 0
        for start in range(0, len(ids), 10_000):  # Python strings for a slice at a time
            for text in self._texts.slice(start, 10_000).to_pylist():
                self.index.add(ids[row], text)
                row += 1

    @classmethod
    def read(cls, root: Path) -> PreviousRelease | None:
        """From a built folder's `posts` files (post_id, text, split from the file name)."""
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415

        tables, splits = [], []
        for split in SPLITS:
            for f in split_files(root, "posts", split):
                # (ParquetFile: read_table imports pyarrow.dataset, and that pandas)
                table = pq.ParquetFile(f).read(columns=["post_id", "text"])
                tables.append(table)
                splits += [split] * table.num_rows
        if not tables:
            return None
        table = pa.concat_tables(tables)
        log.debug("previous release: %d posts (their splits are kept)", table.num_rows)
        return cls(table.column("post_id").to_pylist(), table.column("text"), splits)


@dataclass(frozen=True)
class Inherited:
    post_id: str
    previous_post_id: str
    split: str
    similarity: float


@dataclass(frozen=True)
class Move:
    post_id: str
    from_split: str
    to_split: str


class SplitAssigner:
    """The split of each post of one build, called in input order (in the driver, whatever
    executor ran the steps); then `balance()` once, at the end of the post stream."""

    def __init__(self, config: SplitConfig, previous: PreviousRelease | None = None):
        self.config = config
        self.previous = previous
        self.ranges = ranges(config)
        self.counts = dict.fromkeys(SPLITS, 0)
        self.inherited: list[Inherited] = []
        self.moves: list[Move] = []
        # (empty split, source split) -> the nearest new posts: [(distance, post_id)]
        self._nearest: dict[tuple[str, str], list[tuple[float, str]]] = {}
        self._ends = [(s, self.ranges[s][1]) for s in SPLITS]  # a position's split: the first
        # whose range ends after it
        # a split's posts are candidates for these (empty split, lo, hi): not train, not itself
        self._targets = {split: [(target, lo, hi) for target, (lo, hi) in self.ranges.items()
                                 if target not in (split, "train")] for split in SPLITS}

    def assign(self, post_id: str, text: str, same_as: str = "",
               position: float | None = None) -> str:
        """`same_as`: the post whose split this one takes (a near-duplicate's first copy);
        `position`: its `hash_position`, where the caller has it (a worker made it)."""
        split = None
        if same_as and self.previous is not None:
            split = self.previous.split_of.get(same_as)
        if split is None:
            split = self._previous_split(post_id, text)
        if split is None:
            x = (hash_position(same_as or post_id, self.config.salt) if position is None
                 else position)
            split = "test"  # also at 1.0, which the division can round up to
            if x < 1.0:
                for name, end in self._ends:
                    if x < end:
                        split = name
                        break
            self._remember(post_id, x, split)
        self.counts[split] += 1
        return split

    def _previous_split(self, post_id: str, text: str) -> str | None:
        if self.previous is None:
            return None
        if post_id in self.previous.split_of:
            return self.previous.split_of[post_id]
        found = self.previous.index.match(text)
        if found is None:
            return None
        old, ratio = found
        split = self.previous.split_of[old]
        self.inherited.append(Inherited(post_id, old, split, round(ratio, 4)))
        return split

    def _remember(self, post_id: str, x: float, split: str) -> None:
        for target, lo, hi in self._targets[split]:
            item = (lo - x if x < lo else x - hi, post_id)
            best = self._nearest.get((target, split))
            if best is None:
                self._nearest[(target, split)] = [item]
            elif len(best) < _KEEP or item < best[-1]:  # the _KEEP nearest, sorted
                insort(best, item)
                del best[_KEEP:]

    def balance(self) -> list[Move]:
        """At least one post in validation and test (where their ratio is above 0) once the
        build has SMALL_BUILD_POSTS posts: the nearest new post of the largest split moves."""
        if sum(self.counts.values()) < SMALL_BUILD_POSTS:
            return []
        ratios = {"validation": self.config.validation, "test": self.config.test}
        moved: set[str] = set()
        for target in ("validation", "test"):
            if self.counts[target] or ratios[target] <= 0:
                continue
            sources = sorted((s for s in SPLITS if s != target and self.counts[s] > 1),
                             key=lambda s: (-self.counts[s], SPLITS.index(s)))
            for source in sources:
                pick = next((pid for _, pid in self._nearest.get((target, source), [])
                             if pid not in moved), None)
                if pick is not None:
                    self.moves.append(Move(pick, source, target))
                    moved.add(pick)
                    self.counts[source] -= 1
                    self.counts[target] += 1
                    log.debug("split %s was empty: post %s moved there from %s", target, pick,
                              source)
                    break
        return self.moves

    def record(self) -> dict:
        """What the manifest says about splits that did not come from the hash alone."""
        return {
            "kept_from_previous_release": [
                {"post_id": i.post_id, "previous_post_id": i.previous_post_id,
                 "split": i.split, "similarity": i.similarity} for i in self.inherited],
            "moved_to_fill_small_splits": [
                {"post_id": m.post_id, "from": m.from_split, "to": m.to_split}
                for m in self.moves],
        }


def with_moves(records: list, moves: list[Move]) -> list:
    """Records that carry `post_id` and `split` (segment refs, align posts), moves applied."""
    if not moves:
        return records
    to = {m.post_id: m.to_split for m in moves}
    return [replace(r, split=to[r.post_id]) if r.post_id in to else r for r in records]
