"""Running the per-post steps in chunks, on workers, with the output of one process.

The step list is cut into phases at each ordered step and before each two-pass step. A chunk
of posts stays with one worker through every phase (`ChunkWork`); between phases only
compact keys (an ordered step's) or partial results (a two-pass step's `observe`) travel to
the driver, whose `Scheduler` answers the keys in input order (the ordered steps' single
pass) and absorbs the partials in input order; the answers travel back. At a two-pass step
every chunk waits on its worker (`two_pass.HeldChunks`) until all are observed; the driver
prepares the step and sends it with the first chunk each worker resumes. Finished chunks
come back with the workers' counters and are handed on in input order, so every executor
and worker count gives the same bytes.

A transport moves messages between the driver and its workers: `LocalTransport` (this
process), `processes.ProcessTransport` (local processes), `ray_steps.RayTransport` (Ray actors).
"""

from __future__ import annotations

import copy
import pickle
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Protocol

from builder.pipeline import two_pass
from builder.pipeline.step import Step
from builder.records import Doc, RawPost, make

if TYPE_CHECKING:
    from builder.pipeline.finished import FinishedChunk


@dataclass(frozen=True)
class Phase:
    """Per-post steps that run together on a worker, and what ends them: an ordered step
    (its keys go to the driver) or a two-pass step (its observation goes to the driver; the
    step itself runs first in the next phase); neither for the last phase."""

    steps: tuple[Step, ...]
    ordered: Step | None = None
    barrier: Step | None = None


def phases(steps: list[Step]) -> list[Phase]:
    out, current = [], []
    for step in steps:
        if getattr(step, "two_pass", False):
            out.append(Phase(tuple(current), barrier=step))
            current = [step]
        elif step.ordered:
            out.append(Phase(tuple(current), ordered=step))
            current = []
        else:
            current.append(step)
    out.append(Phase(tuple(current)))
    return out


@dataclass(frozen=True)
class Start:
    chunk: int
    posts: list[RawPost]


@dataclass(frozen=True)
class Resume:
    chunk: int
    answers: list | None  # an ordered step's answers, one per post (None: dropped post);
    # None after a two-pass step
    prepared: tuple[int, bytes] | None = None  # (its index, the prepared two-pass step)


@dataclass(frozen=True)
class Reply:
    chunk: int
    phase: int
    keys: list | None = None  # the ordered step's keys, one per post (None: dropped)
    docs: list[Doc] | FinishedChunk | None = None  # the finished chunk (as the worker's
    # `finish` made it, if it has one)
    counts: list[tuple[Counter, Counter]] = field(default_factory=list)  # per step
    partial: object = None  # the two-pass step's observation of the chunk


class ChunkWork:
    """The worker's side: its own copy of the steps and the chunks it holds between phases."""

    def __init__(self, steps: list[Step], report_counts: bool = True,
                 hold_memory: int | None = None, finish=None):
        self.steps = list(steps)
        self.finish = finish  # what a finished chunk is sent as (default: its `Doc`s)
        self.phases = phases(self.steps)
        self.report_counts = report_counts
        self.held: dict[int, tuple[int, list[Doc]]] = {}  # at an ordered step
        self.waiting = two_pass.HeldChunks(
            two_pass.HOLD_MEMORY if hold_memory is None else hold_memory)
        self.waiting_phase: dict[int, int] = {}  # chunk -> phase it waits after

    def handle(self, message: Start | Resume) -> Reply:
        if isinstance(message, Start):
            return self._advance(message.chunk, 0, [make(Doc, raw=p) for p in message.posts])
        if message.prepared is not None:
            index, blob = message.prepared
            self.steps[index] = pickle.loads(blob)
            self.phases = phases(self.steps)
        if message.answers is None:  # after a two-pass step: on from where it waited
            k = self.waiting_phase.pop(message.chunk)
            return self._advance(message.chunk, k + 1, self.waiting.take(message.chunk))
        k, docs = self.held.pop(message.chunk)
        ordered = self.phases[k].ordered
        docs = [doc if answer is None else ordered.settle(doc, answer)
                for doc, answer in zip(docs, message.answers, strict=True)]
        return self._advance(message.chunk, k + 1, docs)

    def _advance(self, chunk: int, k: int, docs: list[Doc]) -> Reply:
        phase = self.phases[k]
        for step in phase.steps:
            docs = step.run(docs)
        if phase.barrier is not None:
            partial = phase.barrier.observe(docs)
            self.waiting.put(chunk, docs)
            self.waiting_phase[chunk] = k
            return Reply(chunk, k, partial=partial)
        if phase.ordered is None:
            finished = docs if self.finish is None else self.finish(docs)
            return Reply(chunk, k, docs=finished, counts=self._take_counts())
        self.held[chunk] = (k, docs)
        return Reply(chunk, k, keys=phase.ordered.keys_batch(docs))

    def _take_counts(self) -> list[tuple[Counter, Counter]]:
        if not self.report_counts:
            return []
        taken = []
        for step in self.steps:
            taken.append((Counter(step.counts), Counter(step.drops)))
            step.counts.clear()
            step.drops.clear()
        return taken

    def close(self) -> None:
        self.waiting.close()


class Transport(Protocol):
    workers: int

    def send(self, worker: int, message: Start | Resume) -> None: ...

    def receive(self) -> Reply: ...

    def close(self) -> None: ...


class LocalTransport:
    """The workers' side run in this process, on the driver's own steps."""

    workers = 1
    shares_steps = True  # a prepared step is already the workers' step

    def __init__(self, steps: list[Step], finish=None):
        self.work = ChunkWork(steps, report_counts=False, finish=finish)
        self.replies: deque[Reply] = deque()

    def send(self, worker: int, message: Start | Resume) -> None:
        self.replies.append(self.work.handle(message))

    def receive(self) -> Reply:
        return self.replies.popleft()

    def close(self) -> None:
        self.work.close()


def chunks(posts: Iterable[RawPost], size: int) -> Iterator[list[RawPost]]:
    it = iter(posts)
    while chunk := list(islice(it, size)):
        yield chunk


class Scheduler:
    """The driver's side: hands chunks to workers (a bounded number at work), answers the
    ordered steps' keys chunk by chunk in input order, absorbs two-pass observations in input
    order and prepares each two-pass step once every chunk waits on it, yields finished
    chunks in input order."""

    def __init__(self, steps: list[Step], transport: Transport, chunk_posts: int,
                 in_flight: int):
        self.steps = steps
        self.phases = phases(steps)
        self.transport = transport
        self.chunk_posts = chunk_posts
        self.in_flight = max(1, in_flight)

    def run(self, posts: Iterable[RawPost]) -> Iterator[list[Doc] | FinishedChunk]:
        t = self.transport
        self._owner: dict[int, int] = {}
        self._load = [0] * t.workers
        self._keys: dict[int, dict[int, list]] = {}
        self._next_answer: Counter = Counter()
        source: Iterator[tuple[int, Start | Resume]] = self._starts(posts)
        for k, phase in enumerate(self.phases):
            if phase.barrier is None and k < len(self.phases) - 1:
                continue
            yield from self._epoch(source, phase, k)
            if phase.barrier is None:
                return
            phase.barrier.prepare()
            source = self._resumes(phase.barrier)

    def _starts(self, posts: Iterable[RawPost]) -> Iterator[tuple[int, Start]]:
        for chunk, batch in enumerate(chunks(posts, self.chunk_posts)):
            worker = min(range(self.transport.workers), key=lambda w: self._load[w])
            self._owner[chunk] = worker
            yield worker, Start(chunk, batch)

    def _resumes(self, step: Step) -> Iterator[tuple[int, Resume]]:
        """Every chunk on from the two-pass step it waits on, in input order; the first
        chunk each worker resumes carries the prepared step."""
        blob = None
        if not getattr(self.transport, "shares_steps", False):
            fresh = copy.copy(step)  # its counters are the workers' to fill and report
            fresh.counts, fresh.drops = Counter(), Counter()
            index = next(i for i, s in enumerate(self.steps) if s is step)
            blob = (index, pickle.dumps(fresh, protocol=pickle.HIGHEST_PROTOCOL))
        given: set[int] = set()
        for chunk in range(len(self._owner)):
            worker = self._owner[chunk]
            prepared = blob if worker not in given else None
            given.add(worker)
            yield worker, Resume(chunk, None, prepared)

    def _epoch(self, source: Iterator, end: Phase, end_k: int) -> Iterator:
        """Runs every chunk from `source` up to the phase `end` (a two-pass step's, where
        each chunk then waits, or the last, whose chunks are yielded in order)."""
        t, load = self.transport, self._load
        working = 0  # sent in this epoch, neither waiting at `end` nor yielded
        partials: dict[int, object] = {}
        finished: dict[int, list[Doc] | FinishedChunk] = {}
        next_absorb = next_out = 0
        exhausted = False
        while True:
            while not exhausted and working < self.in_flight:
                item = next(source, None)
                if item is None:
                    exhausted = True
                    break
                worker, message = item
                load[worker] += 1
                t.send(worker, message)
                working += 1
            if exhausted and working == 0:
                return
            reply = t.receive()
            if reply.phase == end_k:
                load[self._owner[reply.chunk]] -= 1
                if end.barrier is not None:
                    working -= 1
                    partials[reply.chunk] = reply.partial
                    while next_absorb in partials:  # absorbed in input order
                        end.barrier.absorb(partials.pop(next_absorb))
                        next_absorb += 1
                    continue
                self._merge_counts(reply.counts)
                finished[reply.chunk] = reply.docs
                while next_out in finished:
                    yield finished.pop(next_out)
                    next_out += 1
                    working -= 1
                continue
            # an ordered step's keys (the only other reply)
            self._keys.setdefault(reply.phase, {})[reply.chunk] = reply.keys
            self._answer()

    def _answer(self) -> None:
        """Answer the ordered steps' keys in input order, step by step."""
        for k in sorted(self._keys):
            waiting, ordered = self._keys[k], self.phases[k].ordered
            while self._next_answer[k] in waiting:
                chunk = self._next_answer[k]
                answers = ordered.admit_batch(waiting.pop(chunk))
                self.transport.send(self._owner[chunk], Resume(chunk, answers))
                self._next_answer[k] += 1

    def _merge_counts(self, counts: list[tuple[Counter, Counter]]) -> None:
        for step, (step_counts, step_drops) in zip(self.steps, counts, strict=False):
            step.counts.update(step_counts)
            step.drops.update(step_drops)
