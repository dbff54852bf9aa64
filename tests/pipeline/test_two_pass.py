"""Two-pass steps: every executor observes every post before the step runs, holds the posts
(in memory or spilled) in order, and several two-pass steps chain; a prepared step reaches
the workers with its state."""

from dataclasses import replace

import pytest

from builder.pipeline import two_pass
from builder.pipeline.executors import Executor
from builder.pipeline.step import BatchStep, TwoPassStep
from builder.pipeline.two_pass import SPILL_MEMORY, Spill, parts
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


def test_parts_cut_before_each_two_pass_step():
    a, b, t1, c, t2 = ToPost(), DropOdd(), Total(), ToPost(), Total()
    assert parts([a, b, t1, c, t2]) == [([a, b], t1), ([t1, c], t2), ([t2], None)]
    assert parts([a, b]) == [([a, b], None)]


@pytest.mark.parametrize("memory", [0, 5000, SPILL_MEMORY])  # on disk, partly, in memory
def test_every_post_observed_before_any_runs_and_order_kept(memory, monkeypatch):
    monkeypatch.setattr(two_pass, "SPILL_MEMORY", memory)
    monkeypatch.setattr(two_pass, "OBSERVE_POSTS", 3)
    raws = [RawPost("f", i, (f"post {i}",)) for i in range(10)]
    docs = list(Executor(chunk_posts=4).run([ToPost(), DropOdd(), Total(), Total()], raws))
    assert [d.post.position for d in docs] == list(range(10))
    kept = [d.post.text for d in docs if not d.dropped]
    assert kept == [f"post {i} 5 5" for i in range(0, 10, 2)]
    assert [d.post.text for d in docs if d.dropped] == [f"post {i}" for i in range(1, 10, 2)]


def test_prepared_step_reaches_worker_processes():
    raws = [RawPost("f", i, (f"post {i}",)) for i in range(40)]
    steps = [ToPost(), DropOdd(), Total()]
    docs = list(Executor("processes", 2, chunk_posts=7).run(steps, raws))
    assert [d.post.text for d in docs if not d.dropped] == [f"post {i} 20" for i in range(0, 40, 2)]
    assert steps[1].drops == {"odd": 20}  # counters come back from the workers


@pytest.mark.parametrize("memory, on_disk", [(0, True), (2 * 1100, True), (10**9, False)])
def test_spill_holds_then_writes_in_order(memory, on_disk):
    spill = Spill(memory)
    batches = [[ToPost().apply(Doc(RawPost("f", i, (f"post {i}",))))] for i in range(5)]
    for batch in batches:
        spill.write(batch)
    assert (spill._file is not None) is on_disk
    assert [b[0].post.text for b in spill.read()] == [f"post {i}" for i in range(5)]
