"""Persistent translation cache: SQLite, keyed by everything that shapes an output.

Each batch is committed on its own, so a killed run loses at most the batch in flight.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from pathlib import Path

from builder.errors import BuilderError
from builder.mt.translator import Hypothesis

_CHUNK = 500


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bitext-builder"


def cache_folder(settings) -> Path:
    """The cache folder of a build (`translate.cache_dir`, else the user cache): one answer
    for translations, embeddings, converted models and the Ray work folder."""
    return Path(settings.cache_dir) if settings.cache_dir else default_cache_dir()


def settings_key(*, model: str, revision: str, backend: str, compute_type: str,
                 target_token: str | None, generation: dict) -> str:
    """The part of every key that is the same for one model run."""
    data = [model, revision, backend, compute_type, target_token, generation]
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def text_key(prefix: str, text: str) -> bytes:
    """A text's key under a model run's `prefix` (translation and embedding caches)."""
    return hashlib.sha256(f"{prefix}\0{text}".encode()).digest()


@contextlib.contextmanager
def named_db_errors(path: Path, cache: str, doing: str):
    """Any database error of a cache file (corrupt, full disk, read-only folder) as one
    BuilderError naming the file."""
    try:
        yield
    except (sqlite3.DatabaseError, OSError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise BuilderError(f"{path}: {cache}: {doing}: {reason} (delete the file to start an "
                           "empty cache, or set translate.cache_dir)") from err


def open_cache_db(path: Path, cache: str, table: str) -> sqlite3.Connection:
    """A cache's SQLite file (write-ahead log, created with `table` if new), any failure
    named by named_db_errors."""
    with named_db_errors(path, cache, "cannot open"):
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"CREATE TABLE IF NOT EXISTS {table}")
        db.commit()
    return db


class TranslationCache:
    """Every database error (a corrupt file, a full disk, a read-only folder) is one
    BuilderError naming the cache file."""

    def __init__(self, folder: Path):
        self.path = folder / "translations.sqlite3"
        self.db = open_cache_db(self.path, "translation cache",
                                "mt (key BLOB PRIMARY KEY, text TEXT NOT NULL, "
                                "score REAL NOT NULL, truncated INTEGER NOT NULL)")

    def _named(self, what: str):
        return named_db_errors(self.path, "translation cache", what)

    def get_many(self, keys: list[bytes]) -> dict[bytes, Hypothesis]:
        found: dict[bytes, Hypothesis] = {}
        with self._named("cannot read"):
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for key, text, score, truncated in self.db.execute(
                    f"SELECT key, text, score, truncated FROM mt WHERE key IN ({marks})", chunk
                ):
                    found[key] = Hypothesis(text, score, bool(truncated))
        return found

    def put_many(self, items: list[tuple[bytes, Hypothesis]]) -> None:
        with self._named("cannot write"), self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO mt (key, text, score, truncated) VALUES (?, ?, ?, ?)",
                [(k, h.text, h.score, int(h.truncated)) for k, h in items],
            )

    def close(self) -> None:
        self.db.close()
