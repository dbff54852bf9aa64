"""Ray Data engine: translation on a pool of model actors, locally or on a cluster.

The segments missing from the cache are planned into the very batches the local engine would
run, written as Parquet to a work folder (a local path or any fsspec URL), read by Ray,
translated by `map_batches` over an `ActorPoolStrategy` of actors that each load the model
once, and written back as result shards that are merged into the cache. A rerun after a
killed job finds the plan and the result shards and translates only the batches without
results; a failed batch or a dead actor is retried by Ray. Output is the same as the local
engine's, so the engine is not part of the build signature.
"""

from __future__ import annotations

import hashlib
import logging
import os
import posixpath
from pathlib import Path

from builder.config import RayConfig
from builder.errors import ModelError
from builder.extras import require
from builder.mt.models import ModelSpec
from builder.mt.translator import Hypothesis, load_pieces, make_translator

log = logging.getLogger(__name__)


def _ray():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    return require("ray", "ray", needed_by="--engine ray (translate.engine: ray)")


_started_here = False  # whether this process started the Ray it is connected to


def init_ray(settings: RayConfig):
    """Ray, connected: to `settings.address`, else a local Ray started here (once per build:
    the per-post steps and translation share it); a Ray already connected is used as is."""
    global _started_here
    ray = _ray()
    if not ray.is_initialized():
        kwargs = dict(include_dashboard=False, log_to_driver=False, logging_level="WARNING",
                      configure_logging=False)
        if settings.address:
            ray.init(address=settings.address, **kwargs)
        else:
            ray.init(num_cpus=settings.num_cpus or max(4, os.cpu_count() or 1), **kwargs)
        _started_here = True
    return ray


def shutdown_ray() -> None:
    """Stop the Ray `init_ray` started (a Ray someone else started keeps running)."""
    global _started_here
    if _started_here:
        _ray().shutdown()
        _started_here = False


class TranslatorActor:
    """A Ray actor around our `Translator`: the model loads once, in `__init__`; `__call__`
    translates one planned batch per row."""

    def __init__(self, spec: ModelSpec, settings, runtime, cache_root: str, factory=None):
        self.translator = (factory or make_translator)(spec, settings, runtime, Path(cache_root))

    def __call__(self, rows: dict) -> dict:
        out: dict[str, list] = {"batch": [], "key": [], "text": [], "score": [], "truncated": []}
        for batch, keys, texts in zip(rows["batch"], rows["keys"], rows["texts"], strict=True):
            hyps: list[Hypothesis] = self.translator(list(texts))
            for key, hyp in zip(keys, hyps, strict=True):
                out["batch"].append(int(batch))
                out["key"].append(bytes(key))
                out["text"].append(hyp.text)
                out["score"].append(float(hyp.score))
                out["truncated"].append(bool(hyp.truncated))
        return out


class RayEngine:
    """The `Engine` on Ray Data: batches planned to Parquet, translated by model actors,
    merged back into the cache (see the module docstring)."""

    name = "ray"
    default_factory = None  # a translator factory for the actors (tests inject faults here)

    def __init__(self, settings: RayConfig, cache_root: Path, factory=None):
        self.settings = settings
        self.cache_root = Path(cache_root)
        self.work = settings.work_dir or str(self.cache_root / "ray-work")
        self.factory = factory or self.default_factory  # None: make_translator

    def record(self) -> dict:
        s = self.settings
        return {"name": self.name, "address": s.address or "local", "actors": s.actors,
                "cpus_per_actor": s.cpus_per_actor, "gpus_per_actor": s.gpus_per_actor}

    def _init(self, progress: bool = False):
        ray = init_ray(self.settings)
        ctx = ray.data.DataContext.get_current()
        ctx.actor_task_retry_on_errors = True  # a batch that raises is retried
        ctx.enable_progress_bars = progress  # rows done / total, with rate, across the cluster
        return ray

    def _fs(self):
        import pyarrow.fs as pafs  # noqa: PLC0415

        if "://" not in self.work:
            return pafs.LocalFileSystem(), str(Path(self.work).absolute())
        try:  # s3://, gs://, hdfs://, file:// natively
            return pafs.FileSystem.from_uri(self.work)
        except Exception:  # noqa: BLE001 - any other fsspec URL, through fsspec
            import fsspec  # noqa: PLC0415

            fs, root = fsspec.core.url_to_fs(self.work)
            return pafs.PyFileSystem(pafs.FSSpecHandler(fs)), root

    def fill(self, stage, spec: ModelSpec, texts: list[str], keys: list[bytes]) -> None:
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415

        fs, root = self._fs()
        digest = hashlib.sha256(b"".join(sorted(keys))).hexdigest()[:16]
        run = posixpath.join(root, f"{spec.target}-{digest}")
        plan_dir, results_dir = posixpath.join(run, "plan"), posixpath.join(run, "results")
        fs.create_dir(run, recursive=True)
        if fs.get_file_info(posixpath.join(plan_dir, "plan.parquet")).type.name != "File":
            batches = stage.plan(spec, texts, tokenizer=load_pieces(spec))
            table = pa.table({
                "batch": pa.array(range(len(batches)), pa.int32()),
                "keys": [[keys[i] for i in b] for b in batches],
                "texts": [[texts[i] for i in b] for b in batches],
            })
            fs.create_dir(plan_dir, recursive=True)
            tmp = posixpath.join(plan_dir, ".plan.parquet.tmp")
            pq.write_table(table, tmp, filesystem=fs, row_group_size=1)
            fs.move(tmp, posixpath.join(plan_dir, "plan.parquet"))
        plan = pq.read_table(posixpath.join(plan_dir, "plan.parquet"), filesystem=fs)
        done = self._merge(stage, fs, results_dir)
        todo = [b for b in plan.column("batch").to_pylist() if b not in done]
        todo_dir = posixpath.join(run, "todo")
        if todo:  # the batches without results, for Ray to read
            import pyarrow.compute as pc  # noqa: PLC0415

            fs.create_dir(todo_dir, recursive=True)
            for info in fs.get_file_info(pa.fs.FileSelector(todo_dir)):
                fs.delete_file(info.path)
            pq.write_table(plan.filter(pc.is_in(plan.column("batch"), pa.array(todo, pa.int32()))),
                           posixpath.join(todo_dir, "todo.parquet"), filesystem=fs,
                           row_group_size=1)
        total_rows = sum(len(k) for k in plan.column("keys").to_pylist())
        if todo:
            log.info("ray: %d of %d batches to translate for %s (%d rows in all)",
                     len(todo), plan.num_rows, spec.target, total_rows)
            self._run(stage, spec, todo_dir, results_dir, len(todo))
            done = self._merge(stage, fs, results_dir)
            sizes = dict(zip(plan.column("batch").to_pylist(),
                             (len(k) for k in plan.column("keys").to_pylist()), strict=True))
            stage.translated[spec.target] += sum(sizes[b] for b in todo)
        missing = set(plan.column("batch").to_pylist()) - done
        if missing:
            raise ModelError(f"target '{spec.target}': the Ray job left {len(missing)} batches "
                             "untranslated; run the build again to resume")
        fs.delete_dir(run)

    def _run(self, stage, spec, todo_dir, results_dir, n: int) -> None:
        import time  # noqa: PLC0415

        ray = self._init(stage.progress)
        s = self.settings
        t0 = time.perf_counter()
        ds = ray.data.read_parquet(todo_dir, filesystem=self._fs()[0])
        ds = ds.repartition(max(1, min(n, 4 * s.actors * 8)))  # small inputs are one block
        ds = ds.map_batches(
            TranslatorActor,
            fn_constructor_kwargs={"spec": spec, "settings": stage.settings,
                                   "runtime": stage.runtime, "cache_root": str(stage.cache_root),
                                   "factory": self.factory},
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=s.actors),
            num_cpus=s.cpus_per_actor,
            num_gpus=s.gpus_per_actor or None,
        )
        ds.write_parquet(results_dir, filesystem=self._fs()[0])
        seconds = time.perf_counter() - t0
        log.info("ray: %d batches for %s in %.1f s (%.1f batches/s across the cluster)",
                 n, spec.target, seconds, n / max(seconds, 1e-9))

    def _merge(self, stage, fs, results_dir: str) -> set[int]:
        """Put every readable result shard into the cache; return the batches they cover."""
        import pyarrow.fs as pafs  # noqa: PLC0415
        import pyarrow.parquet as pq  # noqa: PLC0415

        done: set[int] = set()
        if fs.get_file_info(results_dir).type == pafs.FileType.NotFound:
            return done
        for info in fs.get_file_info(pafs.FileSelector(results_dir, recursive=True)):
            if info.type != pafs.FileType.File or not info.path.endswith(".parquet"):
                continue
            try:
                table = pq.read_table(info.path, filesystem=fs)
            except Exception:  # noqa: BLE001 - a shard cut by a kill is redone
                log.info("ray: skipping unreadable shard %s", info.base_name)
                continue
            rows = table.to_pylist()
            stage.cache.put_many([(r["key"], Hypothesis(r["text"], r["score"], r["truncated"]))
                                  for r in rows])
            done.update(r["batch"] for r in rows)
        return done

    def close(self) -> None:
        shutdown_ray()
