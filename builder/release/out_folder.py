"""What `build --out` may replace, and one build per output folder at a time.

- A lock (`flock` on `.<out>.lock` beside the folder) is held for the whole build (and the
  whole `finetune`, `locked_out`); a second build of the same folder fails at once with
  "another build is writing OUT" (exit 2; "another finetune" when a finetune holds it).
- Under the lock, a build first repairs what a killed build left: it puts a `.<out>.old-*`
  back when `<out>` is missing (killed mid-swap), and removes `.<out>.tmp-*` and
  `.<out>.old-*` folders whose process is gone.
- Then the guard: `<out>` may be replaced only when it is absent, empty, or a dataset this
  tool built (a valid manifest and only the files it lists, plus `rejects.jsonl` and a
  review report that `report` wrote into `report/`), never
  when it is, or holds, an input or the current folder; a folder of another dataset name
  needs `--force`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from builder.config import BUNDLED_PREFIX, STDIN_PATH, BuildConfig
from builder.errors import BuilderError, ConfigError
from builder.output.layout import REJECTS_FILE
from builder.pid_files import left_by_dead, named_by_pid
from builder.release.dataset_files import strangers
from builder.release.manifest_schema import ManifestProblem, load_manifest
from builder.report.folder import report_files

log = logging.getLogger(__name__)
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}  # writing the build failed
_MAX_NAME_BYTES = 200  # leaves room for `.<name>.tmp-<pid>` within the usual 255


def resolve_out(out: Path) -> Path:
    """The absolute, link-free output path (`--out .` names the current folder)."""
    path = Path(out).expanduser().resolve()
    if path.parent == path:
        raise ConfigError(f"{out}: the file-system root cannot be an output folder")
    if len(os.fsencode(path.name)) > _MAX_NAME_BYTES:
        raise ConfigError(f"{out}: output folder name longer than {_MAX_NAME_BYTES} bytes")
    return path


def temporary_sibling(out: Path) -> Path:
    """A fresh, empty `.<out>.tmp-<pid>` beside `out`, where this build writes."""
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
    except OSError as err:
        raise ConfigError(f"{out.parent}: cannot write the build here: {err.strerror}") from err
    return tmp


def protected_paths(config: BuildConfig) -> list[Path]:
    """Everything a build reads or keeps that an output folder must never be or contain."""
    paths = [*config.input.paths, *(p for side in config.parallel for p in side.paths)]
    local = [p for p in paths if p != STDIN_PATH and not p.startswith(BUNDLED_PREFIX)]
    local += [m for m in config.translate.models.values() if Path(m).exists()]
    if config.align.mt_model and Path(config.align.mt_model).exists():
        local.append(config.align.mt_model)
    from builder.mt.cache import cache_folder  # noqa: PLC0415

    local.append(str(cache_folder(config.translate)))
    work = config.translate.ray.work_dir
    if work and "://" not in work:
        local.append(work)
    return [Path(p).expanduser().resolve() for p in local]


def _leftovers(out: Path, kind: str) -> list[tuple[Path, int]]:
    return named_by_pid(out.parent, re.compile(rf"\.{re.escape(out.name)}\.{kind}-(\d+)"))


def recover(out: Path) -> None:
    """Repair what a build killed mid-swap left (call with the lock held)."""
    olds = _leftovers(out, "old")
    if olds and not os.path.lexists(out):
        path, _ = max(olds, key=lambda item: item[0].lstat().st_ctime)
        os.rename(path, out)
        log.warning("%s: put back the previous build from %s (a build was killed while "
                    "replacing it)", out, path.name)
    for path in left_by_dead(_leftovers(out, "tmp") + _leftovers(out, "old")):
        log.info("removing %s, left by a build that was killed", path)
        shutil.rmtree(path, ignore_errors=True)


def refuse(out: Path, why: str) -> ConfigError:
    return ConfigError(f"{out}: {why}; refusing to replace it (choose an empty or new --out)")


def first_few(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def check_not_protected(out: Path, protected: Iterable[Path], *, inside: bool = False,
                        command: str = "build") -> None:
    """ConfigError where `out` is, or is above, an input or the current folder (with
    `inside`, also where it is below an input folder)."""
    for path in protected:
        if path == out or out in path.parents or (inside and path in out.parents):
            what = "is" if path == out else "holds" if out in path.parents else "is inside"
            raise refuse(out, f"{what} an input of this {command} ({path})")
    with contextlib.suppress(OSError):  # a current folder that was removed holds nothing
        here = Path.cwd().resolve()
        if here == out or out in here.parents:
            raise ConfigError(f"{out}: is the current folder or above it; a build replaces the "
                              "whole folder, which would leave this shell in a deleted one: "
                              "run it from outside that folder")


def is_empty_or_absent(out: Path) -> bool:
    """True for no `out` or an empty folder; ConfigError when it is not a folder."""
    if not os.path.lexists(out):
        return True
    if not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder")
    try:
        return not any(out.iterdir())
    except OSError as err:
        raise ConfigError(f"{out}: cannot read the output folder: {err.strerror or err}") from err


def check_replaceable(out: Path, name: str, protected: Iterable[Path], force: bool) -> dict | None:
    """The manifest of the dataset `out` holds (None: absent, empty, or another dataset
    replaced with --force), or ConfigError where `out` must not be replaced."""
    check_not_protected(out, protected)
    if is_empty_or_absent(out):
        return None
    try:
        manifest, _ = load_manifest(out)
        extra = strangers(out, {o["path"] for o in manifest["outputs"]},
                          allowed=frozenset({REJECTS_FILE}) | report_files(out))
    except ManifestProblem as err:
        raise refuse(out, f"not empty and not a dataset built by bitext-builder ({err})") from err
    except OSError as err:
        raise ConfigError(f"{out}: cannot read the output folder: {err.strerror or err}") from err
    if extra:
        raise refuse(out, f"holds files that are not part of its dataset: {first_few(extra)}")
    held = manifest["dataset"]["name"]
    if held != name:
        if not force:
            raise ConfigError(f"{out}: holds dataset '{held}', not '{name}'; choose another "
                              "--out, or pass --force to replace it")
        log.warning("%s: replacing dataset '%s' with '%s' (--force); its release history is "
                    "not carried over", out, held, name)
        return None
    return manifest


def _file_above(out: Path) -> Path | None:
    """The nearest existing path above `out` when it is not a folder (a file, a FIFO)."""
    for path in out.parents:
        if os.path.lexists(path):
            return None if path.is_dir() else path
    return None


class _Lock:
    """`flock` on `.<out>.lock`, removed again on release (the holder unlinks it while still
    holding it; a build that locked a file that is no longer at that path tries again). The
    holder writes its command ("build", "finetune") and pid into the file, so that the run
    it turns away can name it."""

    def __init__(self, out: Path, command: str = "build"):
        self.out = out
        self.command = command
        self.path = out.parent / f".{out.name}.lock"
        self.fd: int | None = None

    @staticmethod
    def _holder(fd: int) -> str:
        """The holder's command as it wrote it ("build" when it cannot be read)."""
        try:
            words = os.pread(fd, 64, 0).decode("ascii").split()
        except (OSError, UnicodeDecodeError):
            words = []
        return words[0] if words and words[0].isalpha() else "build"

    def acquire(self) -> None:
        import fcntl  # noqa: PLC0415

        while self.fd is None:
            try:
                self.out.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            except OSError as err:
                blocker = _file_above(self.out)
                if blocker is not None:
                    raise ConfigError(f"{blocker}: is a file, not a folder: --out {self.out} "
                                      "cannot be made inside it") from err
                raise ConfigError(f"{self.out.parent}: cannot write the build here: "
                                  f"{err.strerror or err}") from err
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                holder = self._holder(fd)
                os.close(fd)
                if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise ConfigError(f"another {holder} is writing {self.out}; wait for it "
                                      "to finish") from err
                raise
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self.fd = fd
                with contextlib.suppress(OSError):  # only names the holder to others
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, f"{self.command} {os.getpid()}\n".encode("ascii"), 0)
            else:
                os.close(fd)  # the holder before us removed it meanwhile: lock the new one

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            os.close(self.fd)  # closing drops the flock
            self.fd = None


@dataclass(frozen=True)
class Claim:
    out: Path  # absolute
    previous: dict | None  # manifest of the build being replaced


@contextlib.contextmanager
def locked_out(out: Path, command: str = "build") -> Iterator[Path]:
    """Lock `out` for `command` and repair what a killed run left; yields the absolute `out`
    and holds the lock until the block ends (build and finetune: one writer per folder)."""
    out = resolve_out(out)
    lock = _Lock(out, command)
    lock.acquire()
    try:
        recover(out)
        yield out
    except OSError as err:
        if err.errno not in _NO_ROOM:
            raise
        raise BuilderError(f"{out.parent}: cannot write the build: {os.strerror(err.errno)}; "
                           f"{out} was left as it was") from err
    finally:
        lock.release()


@contextlib.contextmanager
def claim_out(out: Path, config: BuildConfig, force: bool) -> Iterator[Claim]:
    """Lock `out`, repair, check it may be replaced; hold the lock until the block ends."""
    with locked_out(out) as out:
        previous = check_replaceable(out, config.name, protected_paths(config), force)
        yield Claim(out, previous)
