"""Two-pass steps in any executor: the posts held between the passes, where they were made.

A chunk of posts that reaches a `TwoPassStep` stays on the worker that made it: the worker
`observe`s it there and sends only the partial result to the driver, which `absorb`s the
partials in input order. Once every chunk has been observed the driver calls `prepare()` and
sends the prepared step to the workers (with the first chunk each resumes), and every chunk
goes on from where it waited, that step first (`schedule.py`). So the posts cross no process
boundary for a two-pass step, and the observing runs on every worker. A worker holds its
chunks in `HeldChunks`: in memory up to its share of `HOLD_MEMORY`, then in an anonymous
temporary file (so a small input pays no pickling, and a large one keeps memory bounded).
"""

from __future__ import annotations

import pickle
import tempfile

from builder.records import Doc

HOLD_MEMORY = 256 * 1024 * 1024  # bytes of posts (estimated) held in memory, all workers


def estimate(docs: list[Doc]) -> int:
    """Rough bytes a chunk holds: its texts (twice: post and segments) and the objects."""
    return sum(1024 + 2 * len(d.post.text if d.post is not None else "".join(d.raw.lines))
               for d in docs)


class HeldChunks:
    """Chunks waiting on a worker, by chunk id: in memory up to `memory` bytes, the others
    pickled to an anonymous temporary file (read back by offset, in any order)."""

    def __init__(self, memory: int = HOLD_MEMORY) -> None:
        self._memory: dict[int, tuple[int, list[Doc]]] = {}
        self._room = memory
        self._file = None
        self._offsets: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._memory) + len(self._offsets)

    @property
    def on_disk(self) -> bool:
        return self._file is not None

    def put(self, chunk: int, docs: list[Doc]) -> None:
        size = estimate(docs)
        if size <= self._room:
            self._memory[chunk] = (size, docs)
            self._room -= size
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()
        self._file.seek(0, 2)
        self._offsets[chunk] = self._file.tell()
        pickle.dump(docs, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def take(self, chunk: int) -> list[Doc]:
        if chunk in self._memory:
            size, docs = self._memory.pop(chunk)
            self._room += size
            return docs
        self._file.seek(self._offsets.pop(chunk))
        docs = pickle.load(self._file)
        if not self._offsets:  # all read back: the file goes
            self._file.close()
            self._file = None
        return docs

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
