"""Local worker processes for the per-post steps (`--workers N`).

Workers are forked from a fork server (no thread of the driver is copied), each with its own
copy of the steps and two one-way pipes: chunks and answers in, keys and finished chunks out.
Only the driver holds the writing end of a worker's inbox and the reading end of its outbox,
so a killed driver is an end-of-file to its workers, which then exit (and the fork server
after them): a killed build leaves no process behind. The driver sends from one feeder thread
per worker and reads with `connection.wait`, so neither side can wait on the other. A
worker's error is raised in the driver; a worker that dies is an error naming its exit code.
"""

from __future__ import annotations

import logging
import pickle
import queue
import signal
import sys
import threading
import traceback

from builder.errors import BuilderError
from builder.pipeline.collector import collect_less
from builder.pipeline.schedule import ChunkWork, Reply, Resume, Start
from builder.pipeline.step import Step
from builder.pipeline.two_pass import HOLD_MEMORY

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0


class WorkerError(BuilderError):
    """A worker process died or failed in a way that is not one of the builder's errors."""


class _NoPandas:
    """An import hook under which `import pandas` fails (see `arrow_without_pandas`)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def arrow_without_pandas() -> None:
    """pyarrow imports pandas on its first conversion of a Python list, only to ask whether
    the list is a pandas object (0.6 CPU seconds a process). A worker never holds one: its
    pyarrow is told once, while `import pandas` fails, that there is no pandas (it does
    not ask again; the conversions of lists are the same). For worker processes only."""
    if "pandas" in sys.modules:
        return  # already paid for
    import pyarrow as pa  # noqa: PLC0415

    hook = _NoPandas()
    sys.meta_path.insert(0, hook)
    try:
        pa.array([], type=pa.null())
    finally:
        sys.meta_path.remove(hook)


def _worker(steps_blob: bytes, inbox, outbox, hold_memory: int, finish) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle
    collect_less()
    if finish is not None:
        arrow_without_pandas()
    work = ChunkWork(pickle.loads(steps_blob), hold_memory=hold_memory, finish=finish)
    try:
        _serve(work, inbox, outbox)
    finally:
        work.close()


def _serve(work: ChunkWork, inbox, outbox) -> None:
    while True:
        try:
            message = inbox.recv()
        except (EOFError, OSError):  # the driver is gone
            return
        if message is None:
            return
        try:
            reply = work.handle(message)
        except BaseException as err:  # noqa: BLE001 - handed to the driver, which raises it
            reply = _portable(err)
        try:
            outbox.send(reply)
        except (BrokenPipeError, OSError):
            return
        if isinstance(reply, BaseException):
            return


def _portable(err: BaseException) -> BaseException:
    """The error itself when it survives pickling (the builder's errors do), else a
    `WorkerError` carrying its type, message and traceback."""
    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:  # noqa: BLE001
        text = "".join(traceback.format_exception(err)).rstrip()
        return WorkerError(f"a worker failed: {type(err).__name__}: {err}\n{text}")


class _Feeder:
    """Sends a worker its messages from a thread, so that the driver never blocks on a full
    pipe while the worker is busy."""

    def __init__(self, conn, name: str):
        self.conn = conn
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            message = self.queue.get()
            try:
                self.conn.send(message)
            except (BrokenPipeError, OSError):
                return  # the worker is gone; the driver finds out from its sentinel
            if message is None:
                return

    def close(self, timeout: float) -> None:
        self.queue.put(None)
        self.thread.join(timeout)
        self.conn.close()


def preload_modules(steps: list[Step]) -> list[str]:
    """What the fork server imports once for every worker: the steps' modules and the
    libraries they name in `preload` (a worker then starts without importing them), and
    what makes the compact finished chunks (`finished.py`, pyarrow)."""
    named = {m for step in steps for m in getattr(step, "preload", ())}
    named |= {"builder.pipeline.finished", "pyarrow"}
    return ["builder.pipeline.processes", *sorted({type(s).__module__ for s in steps} | named)]


def step_preloads() -> list[str]:
    """Import the libraries that the step classes defined so far name in `preload` (the fork
    server runs this after importing the steps' modules: `builder.pipeline.worker_preload`);
    their names."""
    import importlib  # noqa: PLC0415

    from builder.pipeline.step import StepBase  # noqa: PLC0415

    todo, names = [StepBase], set()
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        names.update(getattr(cls, "preload", ()))
    for name in sorted(names):
        try:
            importlib.import_module(name)
        except ImportError:  # an optional library (a fallback stands in): the step says so
            pass
    return sorted(names)


def early_preload() -> list[str]:
    """What the fork server imports when it is started before the build knows its steps:
    every step module (`steps.STEP_MODULES`), then their libraries, then what makes the
    compact finished chunks."""
    from builder.pipeline.steps import STEP_MODULES  # noqa: PLC0415

    return ["builder.pipeline.processes", *STEP_MODULES, "builder.pipeline.worker_preload",
            "builder.pipeline.finished", "pyarrow"]


def start_early() -> None:
    """Start the fork server now, without waiting for it: it imports what every worker needs
    (`early_preload`) while this process goes on with its own imports and plan. The build's
    `ProcessTransport` then finds it running (a later call starts nothing)."""
    import multiprocessing  # noqa: PLC0415
    from multiprocessing import forkserver  # noqa: PLC0415

    multiprocessing.get_context("forkserver").set_forkserver_preload(early_preload())
    forkserver.ensure_running()


class ProcessTransport:
    def __init__(self, steps: list[Step], workers: int, finish=None):
        import multiprocessing  # noqa: PLC0415

        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(preload_modules(steps))
        self.workers = workers
        blob = pickle.dumps(steps)
        self.procs, self.feeders, self.replies = [], [], []
        for i in range(workers):
            inbox_r, inbox_w = ctx.Pipe(duplex=False)
            outbox_r, outbox_w = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker, daemon=True, name=f"bitext-builder-worker-{i}",
                               args=(blob, inbox_r, outbox_w, HOLD_MEMORY // workers, finish))
            proc.start()
            inbox_r.close()  # the worker's ends: only the worker holds them now
            outbox_w.close()
            self.procs.append(proc)
            self.feeders.append(_Feeder(inbox_w, f"bitext-builder-feeder-{i}"))
            self.replies.append(outbox_r)
        log.info("started %d worker processes", workers)

    def send(self, worker: int, message: Start | Resume) -> None:
        self.feeders[worker].queue.put(message)

    def receive(self) -> Reply:
        from multiprocessing.connection import wait  # noqa: PLC0415

        while True:
            ready = wait(self.replies, timeout=POLL_SECONDS)
            if not ready:
                self._check_alive()
                continue
            try:
                reply = ready[0].recv()
            except (EOFError, OSError) as err:
                self._check_alive(wait_s=5.0)
                raise WorkerError("a worker process closed its pipe") from err
            if isinstance(reply, BaseException):
                raise reply
            return reply

    def _check_alive(self, wait_s: float = 0.0) -> None:
        for i, proc in enumerate(self.procs):
            if wait_s:
                proc.join(wait_s)
            if not proc.is_alive():
                raise WorkerError(f"worker process {i} died (exit code {proc.exitcode})")

    def close(self) -> None:
        for feeder in self.feeders:
            feeder.close(timeout=5)
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
        for conn in self.replies:
            conn.close()
