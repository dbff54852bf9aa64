"""What a finished build reports: the counts gathered from every step, the card's step table
(the steps in the order they ran), and the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from builder import __version__
from builder.digests import sha256_file
from builder.output.card import render_card
from builder.output.card_location import region as snippet_region
from builder.output.layout import CARD_FILE, MANIFEST_FILE, REJECTS_FILE
from builder.output.manifest import build_id, dumps
from builder.output.parquet import arrow_bytes
from builder.output.plots import card_images
from builder.text.detectors import backend_version
from builder.text.segment import segmenter_version

if TYPE_CHECKING:
    from builder.pipeline.corpus import Corpus
    from builder.pipeline.run import BuildResult, Plan


def gather_counts(plan: Plan, corpus: Corpus) -> dict:
    """The manifest's `counts`: each step's sections merged, drops of every step together."""
    pipeline = plan.pipeline
    counts: dict[str, dict] = {}
    for part in (corpus, pipeline.source, *pipeline.all_steps()):
        for section, values in part.manifest_counts().items():
            counts.setdefault(section, {}).update(values)
    counts["drops"] = pipeline.drops()
    return counts


def card_steps(plan: Plan, corpus: Corpus) -> list[dict]:
    """The card's step table: the steps in the order they ran, each with its counters."""
    pipeline = plan.pipeline
    rows = [{"stage": "read", "step": "input files skipped (not an export of the folder's format)",
             "count": len(plan.skipped_inputs)}]
    rows += pipeline.source.card_rows(corpus.counts["posts_read"]) + corpus.metadata_rows()
    for step in pipeline.steps:
        rows += step.card_rows()
    rows += corpus.card_rows()
    for step in pipeline.corpus:
        rows += step.card_rows()
    return rows


def write_card_and_manifest(tmp: Path, plan: Plan, corpus: Corpus, files, releases: list
                            ) -> BuildResult:
    from builder.pipeline.run import BuildResult  # noqa: PLC0415

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
    counts = gather_counts(plan, corpus)
    images = card_images(tmp, [f.path for f in files])
    card = render_card(
        config=config, features=corpus.writer.features, split_rows=split_rows, file_sizes=sizes,
        examples=corpus.examples, steps=card_steps(plan, corpus), inputs=plan.input_records,
        signature=signature, langid=backend_version(config.langid),
        segmenter=segmenter_version(), models=plan.models, mt_counts=counts.get("translate"),
        releases=releases, alignment=counts.get("align"), images=images,
        num_bytes=num_bytes,
    )
    (tmp / CARD_FILE).write_text(card, encoding="utf-8", newline="\n")
    outputs = [{"path": CARD_FILE, "rows": None}]
    outputs += [{"path": f.path, "rows": f.rows} for f in files]
    outputs.append({"path": REJECTS_FILE, "rows": corpus.writer.rejects_rows})
    outputs += [{"path": image["path"], "rows": None} for image in images]
    for o in outputs:
        o["sha256"] = sha256_file(tmp / o["path"])
    manifest = {
        "builder": {"name": "bitext-builder", "version": __version__},
        "dataset": {"name": config.name, "version": config.version},
        "config": config.recorded(),
        "config_hash": plan.config_hash,
        "inputs": plan.input_records,
        "skipped_inputs": [{"name": s.name, "reason": s.reason} for s in plan.skipped_inputs],
        "models": plan.models,
        "steps": plan.steps,
        **({"engine": engine} if engine else {}),
        "counts": counts,
        "signature": signature,
        "releases": releases,
        "splits": corpus.splits.record(),
        "card": {"load_snippet": snippet_region(card)},  # publish swaps it; verify swaps back
    }
    manifest["build_id"] = build_id(manifest)
    manifest["outputs"] = sorted(outputs, key=lambda o: o["path"])
    (tmp / MANIFEST_FILE).write_text(dumps(manifest), encoding="utf-8", newline="\n")
    return BuildResult(tmp, signature, split_rows=split_rows, counts=counts)
