"""Where the DP looks: a band around a guide path (the length diagonal at first, then the
previous pass's alignment), widened until the best path no longer runs along its edge.
Work and memory grow with (rows x band width), not rows x columns."""

from __future__ import annotations

import logging
from collections.abc import Callable

from builder.align.dp import Band, CostModel, Span, path_of, solve

log = logging.getLogger(__name__)

FIRST_WIDTH = 64  # columns either side of the length diagonal
REFINE_WIDTH = 32  # columns either side of a previous pass's path

Beads = list[Span]


def diagonal(n: int, m: int) -> list[tuple[int, int]]:
    return path_of([Span(0, n, 0, m)])


def best_path(make_model: Callable[[Band], CostModel], n: int, m: int,
              guide: list[tuple[int, int]], width: int) -> tuple[Beads, Band]:
    """The cheapest beads in a band around `guide`, doubling the band's width while the
    path touches its edge (an edge that is not the grid's own)."""
    while True:
        band = Band.around(guide, n, m, width)
        beads, _ = solve(make_model(band), band)
        if width >= m or not band.touches(path_of(beads), m):
            return beads, band
        log.debug("path touches the band (width %d) on %d x %d sentences; widening", width, n, m)
        width *= 2
