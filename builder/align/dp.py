"""Dynamic programming over sentence beads inside a band of the alignment grid.

The grid has a node (i, j) for "the first i source and j target sentences are aligned". A
bead of a source and b target sentences ending at (i, j) links node (i - a, j - b) to it. The
band gives, for each row i, the columns lo[i]..hi[i] that may be visited (both non-decreasing,
lo[0] = 0, hi[n] = m). Rows are filled one at a time with numpy; target skips (0-1 beads)
chain along a row and are solved with a running minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

BeadType = tuple[int, int]
SKIP_TGT, SKIP_SRC = (0, 1), (1, 0)


class Span(NamedTuple):
    """A bead on the grid: source sentences i0..i1 and target sentences j0..j1, half-open."""

    i0: int
    i1: int
    j0: int
    j1: int


class CostModel(Protocol):
    """Bead costs for a pair of documents (lower is better)."""

    n: int
    m: int
    types: tuple[BeadType, ...]  # bead types with sentences on both sides

    def skip_src(self) -> np.ndarray:  # (n,) cost of leaving each source sentence unaligned
        ...

    def skip_tgt(self) -> np.ndarray:  # (m,)
        ...

    def block_costs(self, i0: int, i1: int, lo: np.ndarray,
                    width: int) -> dict[BeadType, np.ndarray]:
        """For each bead type (a, b), an (i1 - i0, width) array: the cost of the bead of
        source sentences i-a..i-1 and target sentences j-b..j-1, for rows i0 <= i < i1 and
        columns j = lo[i] + k (values where i < a, j < b or j > m are ignored)."""
        ...


@dataclass(frozen=True)
class Band:
    lo: np.ndarray  # (n + 1,) first allowed column of each row
    hi: np.ndarray  # (n + 1,) last allowed column of each row

    @classmethod
    def full(cls, n: int, m: int) -> Band:
        return cls(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))

    @classmethod
    def around(cls, path: list[tuple[int, int]], n: int, m: int, width: int) -> Band:
        """Every node within `width` columns of a monotone path through the grid."""
        lo = np.full(n + 1, m, dtype=np.int64)
        hi = np.zeros(n + 1, dtype=np.int64)
        for i, j in path:
            lo[i] = min(lo[i], j)
            hi[i] = max(hi[i], j)
        # rows the path jumps over (it does not: paths step one row at most) keep neighbours'
        lo = np.minimum.accumulate(lo[::-1])[::-1]
        hi = np.maximum.accumulate(hi)
        lo = np.clip(lo - width, 0, m)
        hi = np.clip(hi + width, 0, m)
        lo[0], hi[n] = 0, m
        return cls(lo, hi)

    @property
    def cells(self) -> int:
        return int((self.hi - self.lo + 1).sum())

    def touches(self, path: list[tuple[int, int]], m: int) -> list[int]:
        """Rows where the path runs along an edge of the band that is not the grid's edge."""
        return [i for i, j in path
                if (j == self.lo[i] and j > 0) or (j == self.hi[i] and j < m)]


CHUNK_ROWS = 256


def solve(model: CostModel, band: Band) -> tuple[list[Span], float]:
    """The cheapest path through the band: its beads as `Span`s, and
    the path's total cost."""
    n, m = model.n, model.m
    lo, hi = band.lo.tolist(), band.hi.tolist()
    kinds = (SKIP_SRC, *model.types)
    pad = max(b for _, b in kinds)
    skip_src = model.skip_src()
    skip_cum = np.concatenate(([0.0], np.cumsum(model.skip_tgt())))
    rows: list[np.ndarray] = []  # row p: `pad` infinities, then the costs of lo[p]..hi[p]
    back: list[np.ndarray] = []
    inf = np.inf
    block = np.empty(0)
    block_start = 0
    for i in range(n + 1):
        size = hi[i] - lo[i] + 1
        if i >= 1 and (i == 1 or i - block_start >= CHUNK_ROWS):
            end = min(n + 1, i + CHUNK_ROWS)
            width = int((band.hi[i:end] - band.lo[i:end]).max()) + 1
            costs = model.block_costs(i, end, band.lo, width)
            block, block_start = np.stack([costs[t] for t in model.types]), i
        candidates = np.full((len(kinds), size), inf)
        if i == 0:
            candidates[0, 0] = 0.0
        for k, (a, b) in enumerate(kinds):
            if a > i:
                continue
            start = lo[i] - b - lo[i - a] + pad  # where column lo[i] - b sits in row i - a
            prev = rows[i - a][start:start + size]
            candidates[k, :len(prev)] = prev
        if i >= 1:
            candidates[0] += skip_src[i - 1]
            candidates[1:] += block[:, i - block_start, :size]
        arg = candidates.argmin(axis=0).astype(np.int8)
        best = candidates[arg, np.arange(size)]
        # target skips: best[j] = min over k <= j of (best[k] + skips k..j-1)
        cum = skip_cum[lo[i]:hi[i] + 1]
        shifted = best - cum
        run = np.minimum.accumulate(shifted)
        arg[shifted > run] = len(kinds)  # reached from the left by a target skip
        rows.append(np.concatenate((np.full(pad, inf), run + cum)))
        back.append(arg)
    total = float(rows[n][pad + m - lo[n]])
    if not np.isfinite(total):
        raise ValueError("the band does not connect the two ends of the grid")
    beads = []
    i, j = n, m
    while i or j:
        k = int(back[i][j - lo[i]])
        a, b = SKIP_TGT if k == len(kinds) else kinds[k]
        beads.append(Span(i - a, i, j - b, j))
        i, j = i - a, j - b
    beads.reverse()
    return beads, total


def path_of(beads: list[Span]) -> list[tuple[int, int]]:
    """The grid nodes a list of beads passes through, one row or column at a time (a bead
    is drawn as a straight line), so a band around it covers every row."""
    path = [(0, 0)]
    for i0, i1, j0, j1 in beads:
        steps = (i1 - i0) + (j1 - j0)
        for s in range(1, steps + 1):
            path.append((i0 + round((i1 - i0) * s / steps), j0 + round((j1 - j0) * s / steps)))
    return path
