"""Reading `rejects.jsonl` once for the report: counts per stage and reason, a stable sample
of each reason's rows, and the unaligned sentences of the target posts the page shows."""

from __future__ import annotations

import heapq
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import InputError
from builder.output.layout import REJECTS_FILE
from builder.report.sample import id_key

PER_REASON = 1_000


@dataclass
class RejectsSummary:
    counts: Counter = field(default_factory=Counter)  # (stage, reason) -> rows
    rows: list[dict] = field(default_factory=list)  # sampled, in file order
    unaligned_targets: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


def read_rejects(root: Path, target_posts: set[str], per_reason: int = PER_REASON) -> RejectsSummary:
    """Stream the rejects file: every row is counted; per reason the `per_reason` rows whose id
    hashes smallest are kept; unaligned target sentences of `target_posts` are collected."""
    path = Path(root) / REJECTS_FILE
    summary = RejectsSummary()
    if not path.is_file():
        return summary
    heaps: dict[str, list] = {}
    try:
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    stage, reason, rec_id, text = (str(rec["stage"]), str(rec["reason"]),
                                                   str(rec["id"]), str(rec["text"]))
                except (ValueError, KeyError, TypeError) as err:
                    raise InputError(f"{path}:{number}: not a reject record "
                                     f"(stage, reason, id, text): {err}") from err
                summary.counts[(stage, reason)] += 1
                if reason.startswith("unaligned_target:"):
                    post_id, _, index = rec_id.rpartition(":")
                    if post_id in target_posts and index.isdigit():
                        summary.unaligned_targets.setdefault(post_id, []).append((int(index), text))
                heap = heaps.setdefault(reason, [])
                item = (-int.from_bytes(id_key(rec_id), "big"), -number,
                        {"n": number, "id": rec_id, "stage": stage, "reason": reason, "text": text})
                if len(heap) < per_reason:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 ({err})") from err
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err}") from err
    rows = sorted((item[2] for heap in heaps.values() for item in heap), key=lambda r: r["n"])
    for row in rows:
        del row["n"]
    summary.rows = rows
    return summary
