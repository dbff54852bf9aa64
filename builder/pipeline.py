"""The only module that knows stage order: read -> clean -> segment -> filter -> dedup ->
language ID -> package (Parquet, card, manifest), written to a temporary sibling and renamed."""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from builder import __version__
from builder.align.posts import AlignPost
from builder.align.stage import AlignStage, ParallelSide, aligned_rows
from builder.config import BuildConfig, ParallelInput
from builder.errors import InputError
from builder.filters.dedup import ExactDedup
from builder.filters.text import first_failure, language_filter, text_filters
from builder.mt.models import ModelSpec, resolve_model, resolve_models
from builder.mt.stage import SegmentRef, TranslateStage
from builder.mt.translator import resolve_runtime
from builder.output.card import render_card
from builder.output.card_location import region as snippet_region
from builder.output.manifest import (
    MANIFEST_FILE,
    build_id,
    dumps,
    sha256_path,
    signature_string,
)
from builder.output.parquet import (
    DatasetWriter,
    aligned_features,
    arrow_bytes,
    multiway_features,
    pair_features,
    pair_row,
    post_row,
    posts_features,
    segment_row,
    segments_features,
)
from builder.output.plots import card_images
from builder.output.splits import SPLITS, PreviousRelease, SplitAssigner, with_moves
from builder.readers import InputFile, plan_inputs, read_inputs
from builder.readers.naming import named
from builder.records import Post, Rejected
from builder.release.history import release_history, replace_dir
from builder.release.out_folder import claim_out, temporary_sibling
from builder.release.versions import check_not_older
from builder.text.clean import Cleaner, is_empty, raw_excerpt
from builder.text.langid import LanguageIdentifier, backend_version
from builder.text.segment import Segmenter, segmenter_version

log = logging.getLogger(__name__)
CARD_FILE = "README.md"


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


def _steps(cleaner: Cleaner, config: BuildConfig, langid_version: str) -> list[dict]:
    steps = [
        {"stage": "read", "name": "readers", "params": {"format": config.input.format}},
    ]
    steps += [{"stage": "clean", "name": n, "params": {}} for n in cleaner.step_names]
    steps += [
        {
            "stage": "segment",
            "name": segmenter_version(),
            "params": {"protected_names": list(config.segment.protected_names)},
        },
        {"stage": "filter", "name": "length", "params": config.filters.model_dump()},
        {"stage": "dedup", "name": "exact_dedup", "params": {"normalise": "nfkc-casefold-ws"}},
        {"stage": "langid", "name": langid_version, "params": config.langid.model_dump()},
    ]
    if config.parallel:
        steps.append({"stage": "align", "name": "channels-gale-church-anchors",
                      "params": config.align.model_dump()})
    if config.translate.targets:
        params = config.translate.model_dump(
            mode="json", include={"max_batch_tokens", "max_batch_size", "max_input_tokens",
                                  "max_new_tokens", "num_beams", "length_penalty", "qa"})
        steps.append({"stage": "translate", "name": "marian", "params": params})
    return steps


class _Run:
    """The state of one build pass: counters, writer and the stage objects."""

    def __init__(self, config: BuildConfig, writer: DatasetWriter, splits: SplitAssigner):
        self.config = config
        self.writer = writer
        self.splits = splits
        self.clean_counts: Counter = Counter()
        self.counts: Counter = Counter()
        self.drops: Counter = Counter()
        self.post_langs: Counter = Counter()
        self.metadata: Counter = Counter({key: 0 for key in METADATA_COUNTS})
        self.cleaner = Cleaner(config.clean.undouble, self.clean_counts)
        self.segmenter = Segmenter(config.source_lang, config.segment.protected_names)
        self.langid = LanguageIdentifier(config.langid, config.source_lang)
        self.text_filters = text_filters(config.filters)
        self.lang_filter = language_filter(config.langid, config.source_lang)
        self.dedup = ExactDedup()
        self.post_ids: set[str] = set()
        self.examples: dict[str, dict | None] = {"segments": None, "posts": None}
        self.keep_refs = bool(config.translate.targets)
        self.kept: list[SegmentRef] = []
        self.mt_counts: dict[str, dict] = {}
        self.read_stats: Counter = Counter()
        self.align_posts: list[AlignPost] | None = [] if config.parallel else None
        self.align_counts: dict[str, dict] = {}

    def drop(self, stage: str, reason: str, rec_id: str, text: str) -> None:
        self.drops[reason] += 1
        self.writer.reject(Rejected(stage, reason, rec_id, text))

    def process(self, posts: Iterator) -> None:
        for raw in posts:
            self.counts["posts_read"] += 1
            post = self.cleaner.clean(raw)
            if is_empty(post):
                self.drop("clean", "empty_after_cleaning", post.post_id, raw_excerpt(raw))
                continue
            if post.post_id in self.post_ids:
                self.drop("clean", "duplicate_post", post.post_id, post.text)
                continue
            self.post_ids.add(post.post_id)
            lang, score = self.langid.post(post.text)
            post = replace(post, lang=lang, lang_score=score)
            self.post_langs[lang] += 1
            split = self.splits.assign(post.post_id, post.text)
            sentences = self._segments(post, split)
            if self.align_posts is not None:
                self.align_posts.append(AlignPost.of(post, raw.lines, sentences, split))
            row = post_row(post)
            self.writer.add("posts", split, row)
            self.counts["posts_kept"] += 1
            self.metadata.update(metadata_counts(post))
            if self.examples["posts"] is None:
                self.examples["posts"] = row

    def balance_splits(self) -> None:
        """After the last post: fill an empty validation/test split of a small build."""
        moves = self.splits.balance()
        self.writer.move_posts({m.post_id: (m.from_split, m.to_split) for m in moves})
        self.kept = with_moves(self.kept, moves)
        if self.align_posts is not None:
            self.align_posts = with_moves(self.align_posts, moves)

    def _segments(self, post: Post, split: str) -> list[tuple[int, str, int, int]]:
        """Write the post's kept segments; return all its sentences (for alignment)."""
        sentences = []
        for seg in self.segmenter.segment(post):
            sentences.append((seg.segment_index, seg.text, seg.char_start, seg.char_end))
            self.counts["segments_segmented"] += 1
            reason = first_failure(self.text_filters, seg)
            if reason:
                self.drop("filter", reason, seg.id, seg.text)
                continue
            if not self.dedup.is_new(seg.text):
                self.drop("dedup", "duplicate", seg.id, seg.text)
                continue
            lang, score = self.langid.segment(seg.text, post.lang, post.lang_score)
            seg = replace(seg, lang=lang, lang_score=score)
            reason = first_failure((self.lang_filter,), seg)
            if reason:
                self.drop("filter", reason, seg.id, seg.text)
                continue
            row = segment_row(seg)
            self.writer.add("segments", split, row)
            if self.keep_refs:
                self.kept.append(SegmentRef(seg.id, seg.post_id, seg.segment_index, seg.text, split))
            self.counts["segments_kept"] += 1
            if self.examples["segments"] is None:
                self.examples["segments"] = row
        return sentences


    def translate(self, stage: TranslateStage, specs: list[ModelSpec]) -> None:
        src = self.config.source_lang
        multi: dict[str, dict[str, str]] = {}
        for spec in specs:
            name = f"{src}-{spec.target}"
            kept = 0
            for pair, reason in stage.pairs(spec, self.kept):
                if reason:
                    self.drop("translate", f"{reason}:{spec.target}", pair.id, pair.target)
                    continue
                row = pair_row(pair, src, spec.target)
                self.writer.add(name, pair.split, row)
                kept += 1
                if self.examples.get(name) is None:
                    self.examples[name] = row
                if len(specs) > 1:
                    multi.setdefault(pair.id, {})[spec.target] = pair.target
            self.mt_counts[spec.target] = {
                "pairs": kept,
                "flags": dict(sorted(stage.flag_counts.get(spec.target, {}).items())),
            }
        if len(specs) > 1:
            for ref in self.kept:
                outputs = multi.get(ref.id, {})
                if len(outputs) != len(specs):
                    continue
                row = {"id": ref.id, "post_id": ref.post_id, "segment_index": ref.segment_index,
                       "translation": {src: ref.text, **outputs}}
                self.writer.add("multiway", ref.split, row)
                if self.examples.get("multiway") is None:
                    self.examples["multiway"] = row


    def align(self, sides: list[tuple[ParallelInput, list[InputFile]]],
              bridges: dict[str, ModelSpec]) -> None:
        stage = AlignStage(self.config)
        for side, plan in sides:
            bridge = None
            if side.lang in bridges:
                from builder.align.bridge import MtBridge  # noqa: PLC0415

                bridge = MtBridge(self.config, bridges[side.lang])
            result = stage.run(self.align_posts or [], ParallelSide(self.config, side, plan), bridge)
            name = f"{self.config.source_lang}-{side.lang}-aligned"
            for split, row in aligned_rows(result):
                self.writer.add(name, split, row)
                if self.examples.get(name) is None:
                    self.examples[name] = row
            for reason, rec_id, text in result.rejects:
                self.drop("align", reason, rec_id, text)
            self.align_counts[side.lang] = result.counts
            if result.message:
                log.warning("%s", result.message)


# Metadata of the kept posts, counted in the manifest and the card (key: card wording).
METADATA_COUNTS = {
    "dates_utc": "dates in UTC",
    "dates_local": "dates marked local (no time zone in the source)",
    "dates_missing": "posts without a date",
    "reactions": "reactions read",
    "posts_with_reactions": "posts with reactions",
}


def metadata_counts(post: Post) -> dict[str, int]:
    date = "dates_local" if post.date_is_local else "dates_utc" if post.date else "dates_missing"
    return {date: 1, "reactions": len(post.reactions), "posts_with_reactions": int(bool(post.reactions))}


def check_kept(names: str, counts: Counter, drops: Counter) -> None:
    """A build that keeps no post or no segment is an input error (there is nothing to
    load): one line with how many posts were read and why all were dropped."""
    read, posts, segments = counts["posts_read"], counts["posts_kept"], counts["segments_kept"]
    if read == 0:
        raise InputError(f"{names}: no posts found in the input")
    why = ", ".join(f"{reason} {n}" for reason, n in sorted(drops.items()))
    read_text = f"{read} post{'s' if read != 1 else ''} read"
    if posts == 0:
        raise InputError(f"{names}: {read_text}, all dropped ({why}); nothing to build")
    if segments == 0:
        raise InputError(f"{names}: {read_text}, {posts} kept, but every segment was dropped "
                         f"({why}); nothing to build")


def _progress(iterable, enabled: bool, desc: str):
    if not enabled:
        return iterable
    from tqdm import tqdm  # noqa: PLC0415

    return tqdm(iterable, desc=desc, unit=" posts", mininterval=0.5)


@dataclass
class _Plan:
    """Everything settled before any input is read: checked inputs and models, the steps,
    and the signature they give."""

    config: BuildConfig
    out: Path
    inputs: list[InputFile]
    sides: list[tuple[ParallelInput, list[InputFile]]]
    specs: list[ModelSpec]
    stage: TranslateStage | None
    models: list[dict]
    input_records: list[dict]
    steps: list[dict]
    cleaner_names: list[str]
    langid_version: str
    config_hash: str
    signature: str
    bridges: dict[str, ModelSpec]


def _make_plan(config: BuildConfig, out: Path, progress: bool) -> _Plan:
    inputs = plan_inputs(config.input)
    sides = [(side, plan_inputs(config.parallel_input(side))) for side in config.parallel]
    specs = resolve_models(config) if config.translate.targets else []
    stage = TranslateStage(config, progress) if specs else None
    models = [stage.model_record(spec) for spec in specs] if stage else []
    bridges = {}
    if config.align.mt_model and config.parallel:
        model = None if config.align.mt_model == "auto" else config.align.mt_model
        bridges = {side.lang: resolve_model(side.lang, config.source_lang, model)
                   for side in config.parallel}
        runtime = resolve_runtime(config.translate)
        models += [{"target": spec.target, "source": lang, "use": "align-bridge",
                    "id": spec.model_id, "revision": spec.revision, "backend": runtime.backend,
                    "compute_type": runtime.compute_type, "target_token": spec.target_token}
                   for lang, spec in bridges.items()]
    records = [item.describe() for item in inputs]
    for side, side_plan in sides:
        records += [{**item.describe(), "parallel": side.lang} for item in side_plan]
    langid_version = backend_version(config.langid)
    cleaner = Cleaner(config.clean.undouble)
    steps = _steps(cleaner, config, langid_version)
    config_hash = config.config_hash()
    signature = signature_string(
        name=config.name, dataset_version=config.version, config_hash=config_hash,
        inputs=records, steps=steps, models=models,
    )
    return _Plan(config, out, inputs, sides, specs, stage, models, records, steps,
                 cleaner.step_names, langid_version, config_hash, signature, bridges)


def build(config: BuildConfig, out: Path | None = None, *, force: bool = False,
          progress: bool = False) -> BuildResult:
    config = named(config)  # a config without a name takes its input's
    with claim_out(Path(out) if out else default_out(config), config, force) as claim:
        plan = _make_plan(config, claim.out, progress)
        try:
            return _build(plan, claim.previous, force, progress)
        finally:
            if plan.stage is not None:
                plan.stage.close()


def _build(plan: _Plan, previous: dict | None, force: bool, progress: bool) -> BuildResult:
    config, out, stage = plan.config, plan.out, plan.stage
    if previous is not None and not force:
        if previous.get("signature") == plan.signature:
            return BuildResult(out, plan.signature, up_to_date=True)
        check_not_older(out, previous, config.version, plan.signature)
    tmp = temporary_sibling(out)
    writer = DatasetWriter(tmp)
    try:
        writer.add_config("segments", segments_features())
        writer.add_config("posts", posts_features())
        src = config.source_lang
        for spec in plan.specs:
            writer.add_config(f"{src}-{spec.target}", pair_features(src, spec.target))
        if len(plan.specs) > 1:
            writer.add_config("multiway", multiway_features([src, *config.translate.targets]))
        for side, _ in plan.sides:
            writer.add_config(f"{src}-{side.lang}-aligned", aligned_features(src, side.lang))
        previous_posts = PreviousRelease.read(out) if previous is not None else None
        run = _Run(config, writer, SplitAssigner(config.splits, previous_posts))
        posts = read_inputs(plan.inputs, config.input, run.read_stats)
        run.process(_progress(posts, progress, "build"))
        log.debug("per-post steps: posts %s, clean %s, segments %s, drops %s, segment langid by "
                  "post/function words %d, by detector %d", dict(run.counts),
                  dict(run.clean_counts), run.counts["segments_segmented"], dict(run.drops),
                  run.langid.gated, run.langid.detected)
        check_kept(", ".join(item.name for item in plan.inputs), run.counts, run.drops)
        run.balance_splits()
        if stage is not None:
            run.translate(stage, plan.specs)
        if plan.sides:
            run.align(plan.sides, plan.bridges)
        files = writer.close()
        releases = release_history(previous, out, tmp, config.version, plan.signature)
        result = _finish(tmp, plan, run, files, releases)
        replace_dir(tmp, out)
        if stage is not None:
            result.translated = dict(stage.translated)
    except BaseException:
        writer.abort()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.out = out
    return result


def _finish(tmp: Path, plan: _Plan, run: _Run, files, releases: list) -> BuildResult:
    config, signature = plan.config, plan.signature
    engine = ({**plan.stage.engine.record(), "batches": plan.stage.limits_record(plan.specs)}
              if plan.stage is not None else None)
    split_rows: dict[str, dict[str, int]] = {}
    sizes: dict[str, dict[str, int]] = {}
    num_bytes: dict[str, dict[str, int]] = {}
    for f in files:
        split_rows.setdefault(f.config, {})[f.split] = f.rows
        sizes.setdefault(f.config, {})[f.split] = (tmp / f.path).stat().st_size
        num_bytes.setdefault(f.config, {})[f.split] = arrow_bytes(tmp / f.path)
    counts = {
        "posts": {"read": run.counts["posts_read"], "kept": run.counts["posts_kept"],
                  **dict(sorted(run.read_stats.items()))},
        "clean": {name: run.clean_counts[name] for name in plan.cleaner_names},
        "segments": {
            "segmented": run.counts["segments_segmented"],
            "kept": run.counts["segments_kept"],
        },
        "drops": dict(sorted(run.drops.items())),
        "metadata": dict(run.metadata),
        "post_languages": dict(sorted(run.post_langs.items())),
        "segment_langid": {"by_post_or_function_words": run.langid.gated,
                           "by_detector": run.langid.detected,
                           "by_script": run.langid.by_script,
                           "outside_candidates": dict(sorted(run.langid.outside.items()))},
    }
    if run.mt_counts:
        counts["translate"] = run.mt_counts
    if run.align_counts:
        counts["align"] = run.align_counts
    step_rows = [{"stage": "read", "step": "posts read", "count": counts["posts"]["read"]}]
    step_rows += [{"stage": "read", "step": METADATA_COUNTS[k], "count": c}
                  for k, c in counts["metadata"].items()]
    step_rows += [
        {"stage": "clean", "step": f"{n} removed", "count": c} for n, c in counts["clean"].items()
    ]
    step_rows.append(
        {"stage": "segment", "step": "segments produced", "count": counts["segments"]["segmented"]}
    )
    step_rows.append({"stage": "langid", "step": "segments labelled outside langid.candidates",
                      "count": sum(run.langid.outside.values())})
    step_rows += [{"stage": "drop", "step": r, "count": c} for r, c in counts["drops"].items()]
    step_rows.append({"stage": "package", "step": "segments kept", "count": counts["segments"]["kept"]})
    images = card_images(tmp, [f.path for f in files])
    card = render_card(
        config=config, features=run.writer.features, split_rows=split_rows, file_sizes=sizes,
        examples=run.examples, steps=step_rows, inputs=plan.input_records, signature=signature,
        langid=plan.langid_version, segmenter=segmenter_version(), models=plan.models,
        mt_counts=run.mt_counts, releases=releases, alignment=run.align_counts, images=images,
        num_bytes=num_bytes,
    )
    (tmp / CARD_FILE).write_text(card, encoding="utf-8", newline="\n")
    outputs = [{"path": CARD_FILE, "rows": None}]
    outputs += [{"path": f.path, "rows": f.rows} for f in files]
    outputs.append({"path": "rejects.jsonl", "rows": run.writer.rejects_rows})
    outputs += [{"path": image["path"], "rows": None} for image in images]
    for o in outputs:
        o["sha256"] = sha256_path(tmp / o["path"])
    manifest = {
        "builder": {"name": "bitext-builder", "version": __version__},
        "dataset": {"name": config.name, "version": config.version},
        "config": config.recorded(),
        "config_hash": plan.config_hash,
        "inputs": plan.input_records,
        "models": plan.models,
        "steps": plan.steps,
        **({"engine": engine} if engine else {}),
        "counts": counts,
        "signature": signature,
        "releases": releases,
        "splits": run.splits.record(),
        "card": {"load_snippet": snippet_region(card)},  # publish swaps it; verify swaps back
    }
    manifest["build_id"] = build_id(manifest)
    manifest["outputs"] = sorted(outputs, key=lambda o: o["path"])
    (tmp / MANIFEST_FILE).write_text(dumps(manifest), encoding="utf-8", newline="\n")
    return BuildResult(tmp, signature, split_rows=split_rows, counts=counts)


__all__ = ["BuildResult", "build", "default_out", "SPLITS"]
