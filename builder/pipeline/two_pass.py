"""Two-pass steps in any executor: the step list cut before each `TwoPassStep`, and the posts
held between the passes.

The executor runs the steps before a two-pass step over every post (on its workers), hands
each batch of finished posts to the step's `observe` and `absorb` (in input order, in the
driver), holds the posts (`Spill`: in memory up to `SPILL_MEMORY`, then an anonymous
temporary file), calls `prepare()`, and runs the rest of the list, that step first, over the
posts held. One extra hold per two-pass step; nothing is computed twice.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice

from builder.pipeline.step import Step
from builder.records import Doc

SPILL_MEMORY = 256 * 1024 * 1024  # bytes of posts (estimated) held before writing to disk
OBSERVE_POSTS = 256  # posts a step observes at a time


def parts(steps: list[Step]) -> list[tuple[list[Step], Step | None]]:
    """The steps cut before each two-pass step: (steps of the part, the two-pass step that
    observes the part's output, or None for the last part)."""
    out, current = [], []
    for step in steps:
        if getattr(step, "two_pass", False):
            out.append((current, step))
            current = []
        current.append(step)
    out.append((current, None))
    return out


def observe_all(step: Step, docs: Iterable[Doc], memory: int | None = None) -> Iterator[Doc]:
    """Every post observed by `step` (in batches, in input order) and held, then the step
    prepared, all before this returns (so the next part's workers get the prepared step);
    then an iterator over the posts held, in order."""
    spill = Spill(SPILL_MEMORY if memory is None else memory)
    it = iter(docs)
    while batch := list(islice(it, OBSERVE_POSTS)):
        step.absorb(step.observe(batch))
        spill.write(batch)
    step.prepare()
    return (doc for batch in spill.read() for doc in batch)


def _estimate(batch: list[Doc]) -> int:
    """Rough bytes a batch holds: its texts (twice: post and segments) and the objects."""
    return sum(1024 + 2 * len(d.post.text if d.post is not None else "".join(d.raw.lines))
               for d in batch)


class Spill:
    """Batches kept in order and read back once: held in memory up to `memory` bytes, the
    rest written to an anonymous temporary file (so a small input pays no pickling, and a
    large one keeps memory bounded)."""

    def __init__(self, memory: int = SPILL_MEMORY) -> None:
        self._held: list[list[Doc]] = []
        self._room = memory
        self._file = None

    def write(self, batch: list[Doc]) -> None:
        size = _estimate(batch)
        if self._file is None and size <= self._room:
            self._held.append(batch)
            self._room -= size
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()
        pickle.dump(batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def read(self) -> Iterator[list[Doc]]:
        held, self._held = self._held, []
        held.reverse()
        while held:
            yield held.pop()
        if self._file is None:
            return
        try:
            self._file.seek(0)
            while True:
                try:
                    yield pickle.load(self._file)
                except EOFError:
                    return
        finally:
            self._file.close()
