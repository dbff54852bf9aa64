"""A growing multimap from 64-bit keys to int32 values, held as sorted numpy runs.

About 14 bytes an entry (a Python dict holds 70 or more). A new run merges into the run
before it while that one holds at most `MERGE_RATIO` times as many entries (a binary counter
in base 8): adding N entries costs O(N log N) in all and a lookup searches O(log N) runs,
few in practice (each costs a lookup a binary search of every needle). A key holds
at most `per_key` values, the first ones added: a bucket that every templated sentence falls
into stays small, and which values a key holds depends only on the order of insertion, never
on how the additions were batched.
"""

from __future__ import annotations

import numpy as np

MERGE_RATIO = 8  # 1 would be a binary counter: twice the runs (lookups cost more than merges)


class KeyIndex:
    """`lookup` first asks a bit table of the keys held (one bit a key's low bits, 16 bits a
    key, 2 bytes): most keys looked up were never added, and those skip the runs."""

    _MIN_BITS = 16

    def __init__(self, per_key: int = 16):
        self.per_key = per_key
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._bits = self._MIN_BITS
        self._table = np.zeros(1 << (self._bits - 3), dtype=np.uint8)
        self._size = 0

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return (keys & np.uint64((1 << self._bits) - 1)).astype(np.int64)

    def _set(self, keys: np.ndarray) -> None:
        slots = self._slots(keys)
        np.bitwise_or.at(self._table, slots >> 3, (1 << (slots & 7)).astype(np.uint8))

    def _maybe(self, keys: np.ndarray) -> np.ndarray:
        """Where a key may be held (never False for a key that is)."""
        slots = self._slots(keys)
        return ((self._table[slots >> 3] >> (slots & 7).astype(np.uint8)) & 1).astype(bool)

    def _mark(self, keys: np.ndarray) -> None:
        self._size += len(keys)
        if self._size * 16 > (1 << self._bits):
            while self._size * 16 > (1 << self._bits):
                self._bits += 1
            self._table = np.zeros(1 << (self._bits - 3), dtype=np.uint8)
            for run_keys, _ in self._runs:
                self._set(run_keys)
        self._set(keys)

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self._runs)

    def counts(self, keys: np.ndarray) -> np.ndarray:
        order = np.argsort(keys)  # sorted needles search faster
        needles = keys[order]
        total = np.zeros(len(keys), dtype=np.int64)
        for run_keys, _ in self._runs:
            total += (np.searchsorted(run_keys, needles, "right")
                      - np.searchsorted(run_keys, needles))
        out = np.empty_like(total)
        out[order] = total
        return out

    def add(self, keys: np.ndarray, values: np.ndarray, held: np.ndarray | None = None) -> None:
        """Add entries in the given order (earlier entries first), up to `per_key` a key;
        `held`: how many values each key holds already, where the caller knows."""
        keys = np.asarray(keys, dtype=np.uint64)
        values = np.asarray(values, dtype=np.int32)
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        rank = np.arange(len(keys)) - np.repeat(starts, np.diff(np.append(starts, len(keys))))
        held = self.counts(keys[starts]) if held is None else np.asarray(held)[order][starts]
        room = self.per_key - held
        keep = rank < np.repeat(room, np.diff(np.append(starts, len(keys))))
        run = (keys[keep], values[keep])
        self._mark(run[0])
        while self._runs and len(self._runs[-1][0]) <= MERGE_RATIO * len(run[0]):
            old_keys, old_values = self._runs.pop()
            merged_keys = np.concatenate((old_keys, run[0]))
            order = np.argsort(merged_keys, kind="stable")  # older entries stay first
            run = (merged_keys[order], np.concatenate((old_values, run[1]))[order])
        if len(run[0]):
            self._runs.append(run)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (query position, value) pair whose key matches."""
        keys = np.asarray(keys, dtype=np.uint64)
        maybe = np.flatnonzero(self._maybe(keys))
        order = maybe[np.argsort(keys[maybe])]  # sorted needles search faster
        needles = keys[order]
        queries, values = [], []
        for run_keys, run_values in self._runs:
            left = np.searchsorted(run_keys, needles)
            # most needles match nothing: the end of the match only for those that do
            hit = np.flatnonzero(run_keys[np.minimum(left, len(run_keys) - 1)] == needles)
            if not len(hit):
                continue
            left = left[hit]
            n = np.searchsorted(run_keys, needles[hit], "right") - left
            total = int(n.sum())
            offsets = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
            queries.append(np.repeat(order[hit], n))
            values.append(run_values[np.repeat(left, n) + offsets])
        if not queries:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        return np.concatenate(queries), np.concatenate(values)
