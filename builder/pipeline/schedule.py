"""Running the per-post steps in chunks, on workers, with the output of one process.

The step list is cut into phases at each ordered step. A chunk of posts stays with one
worker through every phase (`ChunkWork`); between phases only compact keys travel to the
driver, whose `Scheduler` answers them in input order (the ordered steps' single pass), and
the answers travel back. Finished chunks come back with the workers' counters and are handed
on in input order, so every executor and worker count gives the same bytes.

A transport moves messages between the driver and its workers: `LocalTransport` (this
process), `processes.ProcessTransport` (local processes), `ray_steps.RayTransport` (Ray actors).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol

from builder.pipeline.step import Step
from builder.records import Doc, RawPost


@dataclass(frozen=True)
class Phase:
    """Per-post steps that run together on a worker, and the ordered step that ends them."""

    steps: tuple[Step, ...]
    ordered: Step | None


def phases(steps: list[Step]) -> list[Phase]:
    out, current = [], []
    for step in steps:
        if step.ordered:
            out.append(Phase(tuple(current), step))
            current = []
        else:
            current.append(step)
    out.append(Phase(tuple(current), None))
    return out


@dataclass(frozen=True)
class Start:
    chunk: int
    posts: list[RawPost] | list[Doc]


@dataclass(frozen=True)
class Resume:
    chunk: int
    answers: list  # one per post: the ordered step's answer, None for a dropped post


@dataclass(frozen=True)
class Reply:
    chunk: int
    phase: int
    keys: list | None = None  # the ordered step's keys, one per post (None: dropped)
    docs: list[Doc] | None = None  # the finished chunk
    counts: list[tuple[Counter, Counter]] = field(default_factory=list)  # per step


class ChunkWork:
    """The worker's side: its own copy of the steps and the chunks it holds between phases."""

    def __init__(self, steps: list[Step], report_counts: bool = True):
        self.steps = steps
        self.phases = phases(steps)
        self.report_counts = report_counts
        self.held: dict[int, tuple[int, list[Doc]]] = {}

    def handle(self, message: Start | Resume) -> Reply:
        if isinstance(message, Start):  # raw posts, or posts a two-pass step held
            docs = [p if isinstance(p, Doc) else Doc(p) for p in message.posts]
            return self._advance(message.chunk, 0, docs)
        k, docs = self.held.pop(message.chunk)
        ordered = self.phases[k].ordered
        docs = [doc if answer is None else ordered.settle(doc, answer)
                for doc, answer in zip(docs, message.answers, strict=True)]
        return self._advance(message.chunk, k + 1, docs)

    def _advance(self, chunk: int, k: int, docs: list[Doc]) -> Reply:
        phase = self.phases[k]
        for step in phase.steps:
            docs = step.run(docs)
        if phase.ordered is None:
            return Reply(chunk, k, docs=docs, counts=self._take_counts())
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


class Transport(Protocol):
    workers: int

    def send(self, worker: int, message: Start | Resume) -> None: ...

    def receive(self) -> Reply: ...

    def close(self) -> None: ...


class LocalTransport:
    """The workers' side run in this process, on the driver's own steps."""

    workers = 1

    def __init__(self, steps: list[Step]):
        self.work = ChunkWork(steps, report_counts=False)
        self.replies: deque[Reply] = deque()

    def send(self, worker: int, message: Start | Resume) -> None:
        self.replies.append(self.work.handle(message))

    def receive(self) -> Reply:
        return self.replies.popleft()

    def close(self) -> None:
        pass


def chunks(posts: Iterable[RawPost], size: int) -> Iterator[list[RawPost]]:
    it = iter(posts)
    while chunk := list(islice(it, size)):
        yield chunk


class Scheduler:
    """The driver's side: hands chunks to workers (a bounded number in flight), answers the
    ordered steps' keys chunk by chunk in input order, yields finished posts in input order."""

    def __init__(self, steps: list[Step], transport: Transport, chunk_posts: int,
                 in_flight: int):
        self.steps = steps
        self.ordered = [p.ordered for p in phases(steps)[:-1]]
        self.transport = transport
        self.chunk_posts = chunk_posts
        self.in_flight = max(1, in_flight)

    def run(self, posts: Iterable[RawPost]) -> Iterator[Doc]:
        t = self.transport
        todo = chunks(posts, self.chunk_posts)
        owner: dict[int, int] = {}
        load = [0] * t.workers
        keys: list[dict[int, list]] = [{} for _ in self.ordered]
        next_answer = [0] * len(self.ordered)
        finished: dict[int, list[Doc]] = {}
        next_out = sent = 0
        exhausted = False
        while True:
            while not exhausted and sent - next_out < self.in_flight:
                chunk = next(todo, None)
                if chunk is None:
                    exhausted = True
                    break
                worker = min(range(t.workers), key=lambda w: load[w])
                owner[sent] = worker
                load[worker] += 1
                t.send(worker, Start(sent, chunk))
                sent += 1
            if next_out == sent:
                return
            reply = t.receive()
            if reply.docs is not None:
                self._merge_counts(reply.counts)
                load[owner.pop(reply.chunk)] -= 1
                finished[reply.chunk] = reply.docs
                while next_out in finished:
                    yield from finished.pop(next_out)
                    next_out += 1
                continue
            keys[reply.phase][reply.chunk] = reply.keys
            for k, ordered in enumerate(self.ordered):  # answer in input order, step by step
                while next_answer[k] in keys[k]:
                    chunk_id = next_answer[k]
                    answers = ordered.admit_batch(keys[k].pop(chunk_id))
                    t.send(owner[chunk_id], Resume(chunk_id, answers))
                    next_answer[k] += 1

    def _merge_counts(self, counts: list[tuple[Counter, Counter]]) -> None:
        for step, (step_counts, step_drops) in zip(self.steps, counts, strict=False):
            step.counts.update(step_counts)
            step.drops.update(step_drops)
