"""Garbage-collector settings for a build: fewer collections while millions of records go by.

A build allocates millions of small acyclic records (posts, segments, rejects, their tuples)
and unpickles them in batches; CPython's default thresholds (700, 10, 10) then run a young
collection every few hundred of them and traverse the growing heap again and again (measured
on a 20 MB build: the per-post steps 10% and the round trip of finished posts through pickle
50% of their CPU time). Freezing what exists (modules, classes, profiles) and collecting less
often changes no output: the records have no cycles for the collector to find.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (100_000, 50, 100)  # allocations before a young collection; older generations


def collect_less() -> None:
    """For a process that only runs the steps (a worker): freeze what is loaded and raise
    the thresholds for the rest of its life."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """`collect_less` for the length of a build; the previous settings afterwards."""
    old = gc.get_threshold()
    collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()
