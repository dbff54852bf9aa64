"""Two-pass steps: every executor observes every post before the step runs, holds the posts
on the worker that made them (in memory or spilled) and keeps their order, several two-pass
steps chain, and a prepared step reaches the workers with its state."""

import os
from dataclasses import replace

import pytest

from builder.pipeline import processes, two_pass
from builder.pipeline.executors import Executor
from builder.pipeline.schedule import phases
from builder.pipeline.step import BatchStep, TwoPassStep
from builder.pipeline.two_pass import HeldChunks
from builder.records import Doc, Post, RawPost


class Total(TwoPassStep):
    """Appends to each post the number of posts seen in the first pass."""

    name = "total"

    def __init__(self):
        super().__init__()
        self.total = 0
        self.prepared = False

    def observe(self, batch):
        return sum(not d.dropped for d in batch)

    def absorb(self, partial):
        assert not self.prepared
        self.total += partial

    def prepare(self):
        self.prepared = True

    def apply(self, doc):
        assert self.prepared
        return replace(doc, post=replace(doc.post, text=f"{doc.post.text} {self.total}"))


class ObservedWhere(Total):
    """Records which processes observed the posts."""

    name = "observed_where"

    def __init__(self):
        super().__init__()
        self.pids = set()

    def observe(self, batch):
        return os.getpid(), super().observe(batch)

    def absorb(self, partial):
        pid, n = partial
        self.pids.add(pid)
        super().absorb(n)


class ToPost(BatchStep):
    name = "to_post"

    def apply(self, doc):
        raw = doc.raw
        return replace(doc, raw=None,
                       post=Post(str(raw.position), raw.position, "c", None, raw.lines[0], (), (),
                                 ()))


class DropOdd(BatchStep):
    name = "drop_odd"

    def apply(self, doc):
        return self.drop_post(doc, "odd") if doc.post.position % 2 else doc


def test_phases_end_before_each_two_pass_step_which_opens_the_next():
    a, b, t1, c, t2 = ToPost(), DropOdd(), Total(), ToPost(), Total()
    cut = phases([a, b, t1, c, t2])
    assert [(p.steps, p.barrier) for p in cut] == [((a, b), t1), ((t1, c), t2), ((t2,), None)]
    assert [(p.steps, p.barrier) for p in phases([a, b])] == [((a, b), None)]


@pytest.mark.parametrize("memory", [0, 5000, two_pass.HOLD_MEMORY])  # on disk, partly, memory
@pytest.mark.parametrize("kind, workers", [("in-process", 0), ("processes", 2)])
def test_every_post_observed_before_any_runs_and_order_kept(memory, kind, workers, monkeypatch):
    monkeypatch.setattr(two_pass, "HOLD_MEMORY", memory)
    monkeypatch.setattr(processes, "HOLD_MEMORY", memory)
    raws = [RawPost("f", i, (f"post {i}",)) for i in range(10)]
    docs = list(Executor(kind, workers, chunk_posts=3).run(
        [ToPost(), DropOdd(), Total(), Total()], raws))
    assert [d.post.position for d in docs] == list(range(10))
    kept = [d.post.text for d in docs if not d.dropped]
    assert kept == [f"post {i} 5 5" for i in range(0, 10, 2)]
    assert [d.post.text for d in docs if d.dropped] == [f"post {i}" for i in range(1, 10, 2)]


def test_prepared_step_reaches_worker_processes_which_observe_on_their_side(monkeypatch):
    started = []
    real = processes.ProcessTransport.__init__

    def spy(self, *args, **kwargs):
        started.append(args)
        real(self, *args, **kwargs)

    monkeypatch.setattr(processes.ProcessTransport, "__init__", spy)
    raws = [RawPost("f", i, (f"post {i}",)) for i in range(40)]
    steps = [ToPost(), DropOdd(), ObservedWhere()]
    docs = list(Executor("processes", 2, chunk_posts=7).run(steps, raws))
    assert [d.post.text for d in docs if not d.dropped] == [f"post {i} 20" for i in range(0, 40, 2)]
    assert steps[1].drops == {"odd": 20}  # counters come back from the workers
    assert len(started) == 1  # one set of workers for the whole list
    assert steps[2].pids and os.getpid() not in steps[2].pids  # observed on the workers


class Broken(Total):
    def observe(self, batch):
        raise ValueError("observe failed")


def test_a_failure_while_observing_is_the_builds_error():
    raws = [RawPost("f", i, (f"post {i}",)) for i in range(10)]
    for executor in (Executor(chunk_posts=3), Executor("processes", 2, chunk_posts=3)):
        with pytest.raises(Exception, match="observe failed"):
            list(executor.run([ToPost(), Broken()], raws))


@pytest.mark.parametrize("memory, on_disk", [(0, True), (2 * 1100, True), (10**9, False)])
def test_held_chunks_come_back_by_id_in_any_order(memory, on_disk):
    held = HeldChunks(memory)
    batches = {i: [ToPost().apply(Doc(RawPost("f", i, (f"post {i}",))))] for i in range(5)}
    for i, batch in batches.items():
        held.put(i, batch)
    assert held.on_disk is on_disk
    assert [held.take(i)[0].post.text for i in (3, 0, 4, 1, 2)] == [
        f"post {i}" for i in (3, 0, 4, 1, 2)]
    assert len(held) == 0 and not held.on_disk
