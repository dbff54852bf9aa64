"""Ray actors for the per-post steps (`--engine ray`): the same chunk conversation as local
processes, on a local Ray or a cluster.

Each actor holds its own copy of the steps (`ChunkWork`); Ray runs one actor's calls in the
order they were sent, which is all the scheduler needs. Translation keeps its own Ray Data
engine (`builder/mt/engines/ray_data.py`); both share one `ray.init`.
"""

from __future__ import annotations

import logging
import pickle

from builder.config import RayConfig
from builder.pipeline.collector import collect_less
from builder.pipeline.processes import arrow_without_pandas
from builder.pipeline.schedule import ChunkWork, Reply, Resume, Start
from builder.pipeline.step import Step
from builder.pipeline.two_pass import HOLD_MEMORY

log = logging.getLogger(__name__)


class StepsActor:
    def __init__(self, steps_blob: bytes, hold_memory: int, finish=None):
        collect_less()
        if finish is not None:  # the actor's process is its own
            arrow_without_pandas()
        self.work = ChunkWork(pickle.loads(steps_blob), hold_memory=hold_memory, finish=finish)

    def handle(self, message: Start | Resume) -> Reply:
        return self.work.handle(message)


class RayTransport:
    def __init__(self, steps: list[Step], settings: RayConfig, workers: int, finish=None):
        from builder.mt.engines.ray_data import init_ray  # noqa: PLC0415

        self.ray = init_ray(settings)
        actor = self.ray.remote(num_cpus=1)(StepsActor)
        blob = pickle.dumps(steps)
        self.workers = workers
        self.actors = [actor.remote(blob, HOLD_MEMORY // workers, finish) for _ in range(workers)]
        self.pending: dict = {}  # object ref -> worker
        log.info("started %d Ray actors for the per-post steps", workers)

    def send(self, worker: int, message: Start | Resume) -> None:
        self.pending[self.actors[worker].handle.remote(message)] = worker

    def receive(self) -> Reply:
        (ref,), _ = self.ray.wait(list(self.pending), num_returns=1)
        self.pending.pop(ref)
        return self.ray.get(ref)

    def close(self) -> None:
        """Stop the actors; Ray itself stays up for translation (the build stops it)."""
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []
