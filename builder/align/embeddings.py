"""Embedding mode: a sentence-transformers model (Hub id or local folder, e.g.
`sentence-transformers/LaBSE`) scores beads by the cosine of the source and target embeddings,
a multi-sentence side embedded as its joined text (Vecalign's cost, normalised by each side's
mean distance to a sample of the other side's sentences). Every text is embedded once per
model and revision and kept in an SQLite cache beside the translations."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from builder.align.costs import BeadType, LengthCosts, LengthScale, Params
from builder.errors import ModelError
from builder.extras import require
from builder.mt.cache import default_cache_dir, named_db_errors, open_cache_db, text_key

log = logging.getLogger(__name__)

NORM_SAMPLES = 100  # other-side sentences each text is compared with to normalise its distances
BATCH = 64


class EmbeddingCache:
    """Vectors by (model, revision, text), committed per batch; every database error is one
    BuilderError naming the cache file."""

    def __init__(self, folder: Path):
        self.path = folder / "embeddings.sqlite3"
        self.db = open_cache_db(self.path, "embedding cache", "vectors (key BLOB PRIMARY KEY, vec BLOB)")

    def _named(self, doing: str):
        return named_db_errors(self.path, "embedding cache", doing)

    def get(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        out = {}
        with self._named("cannot read"):
            for k in range(0, len(keys), 500):
                chunk = keys[k:k + 500]
                rows = self.db.execute("SELECT key, vec FROM vectors WHERE key IN "
                                       f"({','.join('?' * len(chunk))})", chunk).fetchall()
                out.update({key: np.frombuffer(vec, dtype=np.float32) for key, vec in rows})
        return out

    def put(self, items: list[tuple[bytes, np.ndarray]]) -> None:
        with self._named("cannot write"), self.db:
            self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                [(k, v.astype(np.float32).tobytes()) for k, v in items])

    def close(self) -> None:
        self.db.close()


@dataclass
class Embedder:
    """A loaded sentence-transformers model, pinned by revision, with its cache."""

    model_id: str
    revision: str
    model: object
    cache: EmbeddingCache | None = None
    computed: int = 0  # texts embedded by the model (not found in the cache)

    @classmethod
    def load(cls, model: str, cache_dir: Path | None = None) -> Embedder:
        path, model_id, revision = resolve(model)
        SentenceTransformer = require(  # noqa: N806
            "sentence_transformers", "embeddings", needed_by="embedding mode",
            error=ModelError).SentenceTransformer
        try:
            loaded = SentenceTransformer(str(path), device="cpu")
        except Exception as err:  # noqa: BLE001 - any loading failure is one model error line
            raise ModelError(f"embedding model {model_id}: cannot load ({type(err).__name__}: "
                             f"{str(err).splitlines()[0] if str(err) else ''})") from err
        if cache_dir is None:
            cache_dir = default_cache_dir()  # no build settings: the user cache
        return cls(model_id, revision, loaded, EmbeddingCache(Path(cache_dir)))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text."""
        unique = list(dict.fromkeys(texts))
        prefix = f"{self.model_id}@{self.revision}"
        keys = [text_key(prefix, t) for t in unique]
        found = self.cache.get(keys) if self.cache else {}
        todo = [k for k, key in enumerate(keys) if key not in found]
        for start in range(0, len(todo), BATCH * 16):
            batch = todo[start:start + BATCH * 16]
            vectors = np.asarray(self.model.encode([unique[k] for k in batch], batch_size=BATCH,
                                                   convert_to_numpy=True, show_progress_bar=False),
                                 dtype=np.float32)
            items = [(keys[k], v) for k, v in zip(batch, vectors, strict=True)]
            found.update(items)
            if self.cache:
                self.cache.put(items)
            self.computed += len(batch)
        index = {t: k for k, t in enumerate(unique)}
        if not texts:
            return np.zeros((0, _dimension(self.model)), dtype=np.float32)
        out = np.stack([found[keys[index[t]]] for t in texts])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def record(self) -> dict:
        return {"use": "align-embeddings", "id": self.model_id, "revision": self.revision}


def resolve(model: str) -> tuple[Path, str, str]:
    """(folder, id to show, revision): a local folder is pinned by the hash of its files, a
    Hub id by the snapshot's commit."""
    from builder.config import model_display_name  # noqa: PLC0415
    from builder.mt.models import folder_hash  # noqa: PLC0415

    path = Path(model).expanduser()
    if path.is_dir():
        return path, model_display_name(model), folder_hash(path)
    if path.exists() or model.startswith((".", "/", "~")) or model.count("/") > 1:
        raise ModelError(f"embedding model {model}: not a folder and not a Hub id like "
                         "sentence-transformers/LaBSE")
    try:
        from huggingface_hub import snapshot_download  # noqa: PLC0415

        folder = Path(snapshot_download(model))
    except Exception as err:  # noqa: BLE001 - every Hub failure is one model error line
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ModelError(f"embedding model {model}: not a local folder, and the Hub or its cache "
                         f"does not have it ({reason})") from err
    return folder, model, folder.name


def overlaps(sentences: Sequence[str], size: int) -> list[str]:
    """The joined texts of `size` consecutive sentences, one per start."""
    return [" ".join(s.strip() for s in sentences[k:k + size])
            for k in range(max(len(sentences) - size + 1, 0))]


class EmbeddingCosts(LengthCosts):
    """Length costs plus `lexical_weight` x (a + b) / 2 x Vecalign's normalised distance
    2 (1 - cos) / (n_src + n_tgt), where n is a side's mean distance to a sample of the other
    side's sentences (about 1 for an unrelated pair)."""

    def __init__(self, src_len: np.ndarray, tgt_len: np.ndarray, src_vecs: dict[int, np.ndarray],
                 tgt_vecs: dict[int, np.ndarray], samples: tuple[np.ndarray, np.ndarray],
                 params: Params, scale: LengthScale | None = None):
        """`samples`: source and target sentence vectors to normalise distances against."""
        super().__init__(src_len, tgt_len, params, scale)
        self.src_vecs, self.tgt_vecs = src_vecs, tgt_vecs
        sample_s, sample_t = samples
        self.src_norm = {a: np.maximum(1 - (v @ sample_t.T).mean(axis=1), 1e-3)
                         for a, v in src_vecs.items()}
        self.tgt_norm = {b: np.maximum(1 - (v @ sample_s.T).mean(axis=1), 1e-3)
                         for b, v in tgt_vecs.items()}

    def distance(self, a: int, b: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Normalised distance of the beads (a, b) ending at (rows, cols), broadcast."""
        rows, cols = np.broadcast_arrays(rows, cols)
        if not len(self.src_vecs[a]) or not len(self.tgt_vecs[b]):  # a bead larger than a side
            return np.full(rows.shape, np.inf)
        si = np.clip(rows - a, 0, len(self.src_vecs[a]) - 1)
        tj = np.clip(cols - b, 0, len(self.tgt_vecs[b]) - 1)
        out = np.empty(rows.shape)
        for r in range(rows.shape[0]):  # one row at a time: a (width x dim) block at most
            cos = self.tgt_vecs[b][tj[r]] @ self.src_vecs[a][si[r, 0]]
            out[r] = 2 * (1 - cos) / (self.src_norm[a][si[r, 0]] + self.tgt_norm[b][tj[r]])
        return out

    def evidence_costs(self, rows: np.ndarray, cols: np.ndarray) -> dict[BeadType, np.ndarray]:
        w = self.params.lexical_weight
        return {(a, b): w * (a + b) / 2 * self.distance(a, b, rows, cols) for a, b in self.types}

    def bead_scores(self, a: int, b: int, ends: np.ndarray) -> np.ndarray:
        """Half length agreement, half 1 - the normalised distance (clipped)."""
        d = self.distance(a, b, ends[:, :1], ends[:, 1:])[:, 0]
        return 0.5 * super().bead_scores(a, b, ends) + 0.5 * np.clip(1 - d, 0.0, 1.0)


def embed_documents(embedder: Embedder, pairs, max_sizes: tuple[int, int]):
    """Per document pair, {size: vectors of the joined overlaps} for each side; and samples of
    single source and target sentences over all pairs (a fixed seed), to normalise with."""
    out = []
    for src, tgt in pairs:
        sides = []
        for sentences, largest in ((src, max_sizes[0]), (tgt, max_sizes[1])):
            vecs = {1: np.asarray(embedder.encode(overlaps(sentences, 1)), dtype=np.float64)}
            for size in range(2, largest + 1):
                texts = overlaps(sentences, size)
                vecs[size] = (np.asarray(embedder.encode(texts), dtype=np.float64) if texts
                              else np.zeros((0, vecs[1].shape[1])))
            sides.append(vecs)
        out.append(tuple(sides))
    rnd = np.random.default_rng(0)
    samples = []
    for side in (0, 1):
        pool = np.concatenate([doc[side][1] for doc in out])
        samples.append(pool[rnd.choice(len(pool), min(NORM_SAMPLES, len(pool)), replace=False)])
    return out, tuple(samples)


def _dimension(model) -> int:
    for name in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
        if hasattr(model, name):
            return int(getattr(model, name)())
    raise ModelError("embedding model: cannot tell its embedding size")
