"""Executors of the per-post steps: in this process, on local processes, or on Ray actors.

All three run the same `Scheduler` (`schedule.py`) and differ only in where `ChunkWork` runs,
so they give the same bytes. The default (`workers` unset) runs a small input in this process
(a pool's start-up costs more than it saves below `SMALL_INPUT_BYTES`) and a larger one on
one process per core; `workers: 0` is always in-process, `workers: N` always N processes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from builder.config import BuildConfig, RayConfig
from builder.pipeline.finished import FinishedChunk, Finisher
from builder.pipeline.schedule import LocalTransport, Scheduler, Transport
from builder.pipeline.step import Step
from builder.records import Doc, RawPost

log = logging.getLogger(__name__)

SMALL_INPUT_BYTES = 8 << 20  # below this the default build runs in-process
IN_PROCESS_CHUNK = 256  # posts per chunk in this process (as a worker's: per-chunk costs of the steps)
WORKER_CHUNK = 256  # posts per chunk sent to a worker
CHUNKS_PER_WORKER = 3  # chunks in flight per worker: one working, others queued or waiting


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Executor:
    """Runs the per-post steps over the posts; yields every post's `Doc` in input order."""

    def __init__(self, kind: str = "in-process", workers: int = 0, *,
                 chunk_posts: int | None = None, ray: RayConfig | None = None):
        self.kind = kind
        self.workers = workers
        self.ray = ray
        local = kind == "in-process"
        self.chunk_posts = chunk_posts or (IN_PROCESS_CHUNK if local else WORKER_CHUNK)
        self.in_flight = 1 if local else CHUNKS_PER_WORKER * workers
        self._transport: Transport | None = None

    def describe(self) -> str:
        return self.kind if self.kind == "in-process" else f"{self.kind} x{self.workers}"

    def _open(self, steps: list[Step], finish) -> Transport:
        if self.kind == "processes":
            from builder.pipeline.processes import ProcessTransport  # noqa: PLC0415

            return ProcessTransport(steps, self.workers, finish)
        if self.kind == "ray":
            from builder.pipeline.ray_steps import RayTransport  # noqa: PLC0415

            return RayTransport(steps, self.ray or RayConfig(), self.workers, finish)
        return LocalTransport(steps)

    def run(self, steps: list[Step], posts: Iterable[RawPost]) -> Iterator[Doc]:
        for docs in self.run_chunks(steps, posts):
            yield from docs

    def run_chunks(self, steps: list[Step], posts: Iterable[RawPost],
                   finish: Finisher | None = None) -> Iterator[list[Doc] | FinishedChunk]:
        """Every chunk, finished, in input order: its `Doc`s, or what `finish` makes of them
        on the worker that finished it (workers only: in this process the `Doc`s are
        already where the driver needs them)."""
        self._transport = self._open(steps, finish)
        try:
            yield from Scheduler(steps, self._transport, self.chunk_posts,
                                 self.in_flight).run(posts)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers (also when the build failed half-way); safe to call twice."""
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()


def input_bytes(inputs) -> int:
    """The inputs' size; a stream of unknown size counts as large."""
    return sum(item.path.stat().st_size if item.path.is_file() else SMALL_INPUT_BYTES
               for item in inputs)


def start_workers_early(config: BuildConfig) -> bool:
    """Start the local worker processes' fork server before the build settles its plan, when
    `choose_executor` will choose local processes: the fork server then imports what workers
    need while this process imports and plans (otherwise the first worker waits for both, one
    after the other). Only where that is known from the config alone: a default build's
    inputs must be plain files (their sizes decide it). True if started."""
    size = 0  # read by choose_executor only for a default build
    if config.workers is None and config.translate.engine != "ray":
        paths = [Path(p) for p in config.input.paths]
        if not all(p.is_file() for p in paths):
            return False
        size = sum(p.stat().st_size for p in paths)
    if choose_executor(config, size).kind != "processes":
        return False
    from builder.pipeline.processes import start_early  # noqa: PLC0415

    start_early()
    return True


def choose_executor(config: BuildConfig, input_bytes: int) -> Executor:
    """The executor a build runs its per-post steps on (see the module's docstring)."""
    if config.translate.engine == "ray":
        return Executor("ray", config.workers or cores(), ray=config.translate.ray)
    workers = config.workers
    if workers is None:
        workers = 0 if input_bytes < SMALL_INPUT_BYTES or cores() < 2 else cores()
    if workers == 0:
        return Executor()
    return Executor("processes", workers)
