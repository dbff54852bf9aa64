"""What `finetune --out` may replace, and writing the model folder there as `build` writes a
dataset: one lock per folder, the repair of a killed run, a temporary `.<out>.tmp-<pid>`
swapped into place atomically (`release/out_folder.py`, `release/history.py`).

`--out` may be replaced only when it is absent, empty, or a model folder `finetune` wrote:
its `finetune.json` lists every file written with it, and the folder holds nothing else
(no other file, folder, link or FIFO). Never when it is, holds, or lies inside an input (the
dataset folder, a local model, the dataset and model caches: a model written into the
dataset folder would make its files fail `verify`), nor the current folder.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from builder.errors import BuilderError, ConfigError
from builder.release.dataset_files import NotRegular, path_problem, read_inside, strangers, walk
from builder.release.out_folder import (
    check_not_protected,
    first_few,
    is_empty_or_absent,
    locked_out,
    refuse,
)

RESULT_FILE = "finetune.json"
_MAX_RESULT_BYTES = 1 << 20
_NOT_OURS = "not empty and not a model written by bitext-builder finetune"


def check_model_replaceable(out: Path, protected: Iterable[Path]) -> None:
    """ConfigError unless `out` (absolute) may be replaced by a fine-tuned model."""
    check_not_protected(out, protected, inside=True, command="finetune")
    if is_empty_or_absent(out):
        return
    try:
        data = json.loads(read_inside(out, RESULT_FILE, _MAX_RESULT_BYTES))
    except FileNotFoundError as err:
        raise refuse(out, f"{_NOT_OURS} (no {RESULT_FILE})") from err
    except (NotRegular, ValueError) as err:  # a link, a FIFO, not JSON, not UTF-8
        raise refuse(out, f"{_NOT_OURS} ({RESULT_FILE}: {err})") from err
    except OSError as err:
        raise ConfigError(f"{out}: cannot read the output folder: {err.strerror or err}") from err
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or any(path_problem(f) for f in files):
        raise refuse(out, f"{_NOT_OURS} ({RESULT_FILE} has no valid 'files' list; a folder "
                          "written before finetune listed its files is not replaced either)")
    try:
        extra = strangers(out, set(files), index=RESULT_FILE)
    except OSError as err:
        raise ConfigError(f"{out}: cannot read the output folder: {err.strerror or err}") from err
    if extra:
        raise refuse(out, f"holds files that are not part of its model: {first_few(extra)}")


@contextlib.contextmanager
def claim_model_out(out: Path, protected: Iterable[Path]) -> Iterator[Path]:
    """Lock `out`, repair what a killed run left, check it may be replaced; yields the
    absolute `out` and holds the lock until the block ends."""
    with locked_out(out, "finetune") as out:
        check_model_replaceable(out, [Path(p).expanduser().resolve() for p in protected])
        yield out


def written_files(folder: Path) -> list[str]:
    """The files under `folder` (relative, sorted) for `finetune.json` to list; BuilderError
    when something there could not be recognised later (a link, a name outside the rules)."""
    found = []
    for entry in walk(folder):
        if entry.kind == "dir":
            continue
        problem = path_problem(entry.path) if entry.kind == "file" else f"a {entry.kind}"
        if problem or entry.path == RESULT_FILE:
            raise BuilderError(f"{folder / entry.path}: cannot be listed in {RESULT_FILE} "
                               f"({problem or 'written twice'})")
        found.append(entry.path)
    return found


def write_result(folder: Path, data: dict) -> None:
    """`finetune.json` (the result, and the files it lists) into the finished folder."""
    text = json.dumps({**data, "files": written_files(folder)}, indent=2, sort_keys=True,
                      ensure_ascii=False) + "\n"
    (folder / RESULT_FILE).write_text(text, encoding="utf-8")
