"""Run the CLI and SIGKILL it (or pause it) just before its N-th file-system event under a
watched folder: a rename, a folder exchange, a file opened for writing, a Parquet write or
close, a folder created or removed.

    python -m tests.release.kill_runner --watch DIR --log EVENTS [--kill-at N]
        [--kill-on KIND:PREFIX] [--pause-at N --pause-file F] [--no-exchange] -- build ...

Each event is appended to EVENTS (`N<TAB>kind<TAB>path`) before it happens, so a run with
no --kill-at lists the points a later run can be killed at. --kill-on kills at the first
event of that kind whose path (relative to DIR) starts with PREFIX.
"""

from __future__ import annotations

import argparse
import builtins
import io
import os
import shutil
import signal
import sys
import time
from pathlib import Path


class Events:
    def __init__(self, watch: Path, log: Path, kill_at: int, pause_at: int, pause_file: str | None,
                 kill_on: str | None = None):
        self.watch = str(watch.resolve())
        self.log = log
        self.count = 0
        self.kill_at, self.pause_at, self.pause_file = kill_at, pause_at, pause_file
        self.kill_on = tuple(kill_on.split(":", 1)) if kill_on else None

    def watched(self, path) -> bool:
        try:
            path = os.path.abspath(os.fsdecode(path))
        except TypeError:
            return False  # a file descriptor
        return path == self.watch or path.startswith(self.watch + os.sep)

    def __call__(self, kind: str, path) -> None:
        if not self.watched(path):
            return
        self.count += 1
        rel = os.path.relpath(os.fsdecode(path), self.watch)
        with self.log.open("a", encoding="utf-8") as f:  # the real open: not an event
            f.write(f"{self.count}\t{kind}\t{rel}\n")
        if self.kill_on and kind == self.kill_on[0] and rel.startswith(self.kill_on[1]):
            os.kill(os.getpid(), signal.SIGKILL)
        if self.count == self.pause_at:
            Path(self.pause_file + ".paused").touch()
            deadline = time.monotonic() + 120
            while not Path(self.pause_file + ".go").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        if self.count == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


def _wrap(owner, name: str, event, kind: str, path_of):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        path = path_of(*args, **kwargs)
        if path is not None:
            event(kind, path)
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)
    return original


def install(events: Events, exchange: bool) -> None:
    from builder.release import history

    if exchange:
        _wrap(history, "exchange", events, "exchange", lambda a, b: a)
    else:
        history._renameat2 = lambda: None
    _wrap(os, "rename", events, "rename", lambda src, dst, **_: src)
    _wrap(os, "replace", events, "rename", lambda src, dst, **_: src)
    _wrap(os, "mkdir", events, "mkdir", lambda path, *a, **k: path)
    _wrap(shutil, "rmtree", events, "rmtree", lambda path, *a, **k: path)

    def writing(file, mode="r", *args, **kwargs):
        return file if any(c in mode for c in "wax+") else None

    _wrap(builtins, "open", events, "open-write", writing)
    io.open = builtins.open

    import pyarrow.parquet as pq

    class Writer(pq.ParquetWriter):
        def __init__(self, where, *args, **kwargs):
            events("parquet-create", where)
            self._where = where
            super().__init__(where, *args, **kwargs)

        def write_table(self, *args, **kwargs):
            events("parquet-write", self._where)
            return super().write_table(*args, **kwargs)

        def close(self):
            if getattr(self, "is_open", False):
                events("parquet-close", self._where)
            return super().close()

    pq.ParquetWriter = Writer


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--watch", required=True, type=Path)
    p.add_argument("--log", required=True, type=Path)
    p.add_argument("--kill-at", type=int, default=0)
    p.add_argument("--kill-on", metavar="KIND:PREFIX")
    p.add_argument("--pause-at", type=int, default=0)
    p.add_argument("--pause-file")
    p.add_argument("--no-exchange", action="store_true")
    p.add_argument("cli", nargs=argparse.REMAINDER)
    args = p.parse_args()
    cli = args.cli[1:] if args.cli[:1] == ["--"] else args.cli
    install(Events(args.watch, args.log, args.kill_at, args.pause_at, args.pause_file,
                   args.kill_on),
            exchange=not args.no_exchange)
    from builder.cli import main as cli_main

    return cli_main(cli)


if __name__ == "__main__":
    sys.exit(main())
