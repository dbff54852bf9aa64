"""One build: settle the plan (inputs, models, the pipeline and its signature), run the
pipeline's steps into a temporary sibling folder, write card and manifest, swap it into place."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from builder.config import BuildConfig, ParallelInput
from builder.output.layout import WORK_DIR
from builder.output.manifest import signature_string
from builder.output.parquet import (
    DatasetWriter,
    aligned_features,
    multiway_features,
    pair_features,
    posts_features,
    segments_features,
)
from builder.output.splits import PreviousRelease, SplitAssigner
from builder.pipeline.collector import fewer_collections
from builder.pipeline.corpus import Corpus
from builder.pipeline.executors import choose_executor, input_bytes
from builder.pipeline.report import write_card_and_manifest
from builder.pipeline.steps import Pipeline
from builder.readers import InputFile, SkippedFile, plan_inputs, read_inputs
from builder.readers.files import remove_dead_stdin_copies
from builder.readers.naming import named
from builder.release.history import release_history, replace_dir
from builder.release.out_folder import claim_out, temporary_sibling
from builder.release.versions import check_not_older

if TYPE_CHECKING:  # (imported in `make_plan` where a build translates)
    from builder.mt.models import ModelSpec
    from builder.mt.stage import TranslateStage

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    out: Path
    signature: str
    up_to_date: bool = False
    split_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    translated: dict[str, int] = field(default_factory=dict)  # new, not from the cache


def default_out(config: BuildConfig) -> Path:
    return Path(config.out) if config.out else Path("dist") / config.name


@dataclass
class Plan:
    """Everything settled before any input is read: checked inputs and models, the pipeline,
    and the signature its steps give."""

    config: BuildConfig
    out: Path
    inputs: list[InputFile]
    sides: list[tuple[ParallelInput, list[InputFile]]]
    specs: list[ModelSpec]
    stage: TranslateStage | None
    models: list[dict]
    input_records: list[dict]
    bridges: dict[str, ModelSpec]
    pipeline: Pipeline | None = None
    steps: list[dict] = field(default_factory=list)
    config_hash: str = ""
    signature: str = ""
    skipped_inputs: list[SkippedFile] = field(default_factory=list)


def make_plan(config: BuildConfig, out: Path, progress: bool) -> Plan:
    skipped: list[SkippedFile] = []
    inputs = plan_inputs(config.input, skipped)
    for item in skipped:
        log.warning("%s: skipped, not an export of its folder's format (%s)", item.name, item.reason)
    sides = [(side, plan_inputs(config.parallel_input(side))) for side in config.parallel]
    specs, stage = [], None
    if config.translate.targets or (config.align.mt_model and config.parallel):
        from builder.mt.models import resolve_model, resolve_models  # noqa: PLC0415
        from builder.mt.stage import TranslateStage  # noqa: PLC0415
        from builder.mt.translator import resolve_runtime  # noqa: PLC0415
    if config.translate.targets:
        specs = resolve_models(config)
        stage = TranslateStage(config, progress) if specs else None
    models = [stage.model_record(spec) for spec in specs] if stage else []
    bridges = {}
    if config.align.mt_model and config.parallel:
        model = None if config.align.mt_model == "auto" else config.align.mt_model
        bridges = {side.lang: resolve_model(side.lang, config.source_lang, model,
                                            setting="align.mt_model")
                   for side in config.parallel}
        runtime = resolve_runtime(config.translate)
        models += [{"target": spec.target, "source": lang, "use": "align-bridge",
                    "id": spec.model_id, "revision": spec.revision, "backend": runtime.backend,
                    "compute_type": runtime.compute_type, "target_token": spec.target_token}
                   for lang, spec in bridges.items()]
    if config.align.embedding_model and config.parallel:
        from builder.align.embeddings import resolve as resolve_embedder  # noqa: PLC0415

        _, model_id, revision = resolve_embedder(config.align.embedding_model)
        models.append({"use": "align-embeddings", "id": model_id, "revision": revision})
    records = [item.describe() for item in inputs]
    for side, side_plan in sides:
        records += [{**item.describe(), "parallel": side.lang} for item in side_plan]
    plan = Plan(config, out, inputs, sides, specs, stage, models, records, bridges,
                skipped_inputs=skipped)
    plan.pipeline = Pipeline.of(config, plan)
    plan.steps = plan.pipeline.describe()
    plan.config_hash = config.config_hash()
    plan.signature = signature_string(
        name=config.name, dataset_version=config.version, config_hash=plan.config_hash,
        inputs=records, steps=plan.steps, models=models,
    )
    return plan


def build(config: BuildConfig, out: Path | None = None, *, force: bool = False,
          progress: bool = False) -> BuildResult:
    remove_dead_stdin_copies()
    config = named(config)  # a config without a name takes its input's
    with claim_out(Path(out) if out else default_out(config), config, force) as claim:
        plan = make_plan(config, claim.out, progress)
        try:
            with fewer_collections():
                return _build(plan, claim.previous, force, progress)
        finally:
            if plan.stage is not None:
                plan.stage.close()
            if config.translate.engine == "ray":
                from builder.mt.engines.ray_data import shutdown_ray  # noqa: PLC0415

                shutdown_ray()


def _progress(iterable, enabled: bool, desc: str):
    if not enabled:
        return iterable
    from tqdm import tqdm  # noqa: PLC0415

    return tqdm(iterable, desc=desc, unit=" posts", mininterval=0.5)


def _add_configs(writer: DatasetWriter, plan: Plan) -> None:
    config, src = plan.config, plan.config.source_lang
    writer.add_config("segments", segments_features())
    writer.add_config("posts", posts_features())
    for spec in plan.specs:
        writer.add_config(f"{src}-{spec.target}", pair_features(src, spec.target))
    if len(plan.specs) > 1:
        writer.add_config("multiway", multiway_features([src, *config.translate.targets]))
    for side, _ in plan.sides:
        writer.add_config(f"{src}-{side.lang}-aligned", aligned_features(src, side.lang))


def _build(plan: Plan, previous: dict | None, force: bool, progress: bool) -> BuildResult:
    config, out, pipeline = plan.config, plan.out, plan.pipeline
    if previous is not None and not force:
        if previous.get("signature") == plan.signature:
            return BuildResult(out, plan.signature, up_to_date=True)
        check_not_older(out, previous, config.version, plan.signature)
    tmp = temporary_sibling(out)
    writer = DatasetWriter(tmp)
    executor = choose_executor(config, input_bytes(plan.inputs))
    log.debug("per-post steps run %s", executor.describe())
    try:
        _add_configs(writer, plan)
        previous_posts = PreviousRelease.read(out) if previous is not None else None
        corpus = Corpus(config, writer, SplitAssigner(config.splits, previous_posts),
                        keep_segments=bool(plan.specs), keep_align_posts=bool(plan.sides),
                        work=tmp / WORK_DIR)
        posts = read_inputs(plan.inputs, config.input, pipeline.source.stats)
        finish = None if executor.kind == "in-process" else corpus.finisher()
        for finished in executor.run_chunks(pipeline.steps, _progress(posts, progress, "build"),
                                            finish):
            corpus.add(finished)
        log.debug("per-post steps: posts %s, steps %s, drops %s", dict(corpus.counts),
                  {step.name: dict(step.counts) for step in pipeline.steps if step.counts},
                  pipeline.drops())
        corpus.check_kept(", ".join(item.name for item in plan.inputs), pipeline.drops())
        corpus.balance_splits()
        for step in pipeline.corpus:
            step.run(corpus)
        shutil.rmtree(tmp / WORK_DIR, ignore_errors=True)  # spilled segments: not output
        files = writer.close()
        releases = release_history(previous, out, tmp, config.version, plan.signature)
        result = write_card_and_manifest(tmp, plan, corpus, files, releases)
        replace_dir(tmp, out)
        if plan.stage is not None:
            result.translated = dict(plan.stage.translated)
    except BaseException:
        writer.abort()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        executor.close()
    result.out = out
    return result
