"""Debug lines around a step of the build (`-v`): `NAME: start`, then `NAME: done in 1.23 s
(posts 20, segments 194)`. Steps fill in their counts as they go."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator


@contextlib.contextmanager
def logged_step(log: logging.Logger, name: str, **context) -> Iterator[dict]:
    """Yields a dict the step fills with its counts; nothing is formatted unless -v is on."""
    counts: dict = {}
    if not log.isEnabledFor(logging.DEBUG):
        yield counts
        return
    log.debug("%s: start%s", name, _fields(context))
    start = time.perf_counter()
    yield counts
    log.debug("%s: done in %.2f s%s", name, time.perf_counter() - start, _fields(counts))


def _fields(values: dict) -> str:
    return f" ({', '.join(f'{k} {v}' for k, v in values.items())})" if values else ""
