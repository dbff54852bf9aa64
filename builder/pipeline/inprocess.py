"""The in-process executor: every per-post step over small batches of posts, in this process,
in input order (the embedded default, and what the other executors must match byte for byte)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from builder.pipeline.step import Step
from builder.records import Doc, RawPost

BATCH_POSTS = 64


def batches(posts: Iterable[RawPost], size: int) -> Iterator[list[Doc]]:
    it = iter(posts)
    while batch := [Doc(raw) for raw in islice(it, size)]:
        yield batch


def run_steps(steps: list[Step], batch: list[Doc]) -> list[Doc]:
    for step in steps:
        batch = step.run(batch)
    return batch


class InProcess:
    name = "in-process"

    def __init__(self, batch_posts: int | None = None):
        self.batch_posts = batch_posts or BATCH_POSTS

    def run(self, steps: list[Step], posts: Iterable[RawPost]) -> Iterator[Doc]:
        """Every post's finished `Doc`, in input order."""
        for batch in batches(posts, self.batch_posts):
            yield from run_steps(steps, batch)

    def close(self) -> None:
        pass
