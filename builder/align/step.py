"""The alignment step of the pipeline: the main channel's posts against each sister channel
(`<src>-<tgt>-aligned` configs)."""

from __future__ import annotations

import logging

from builder.align.stage import AlignStage, ParallelSide, aligned_rows
from builder.config import BuildConfig, ParallelInput
from builder.mt.models import ModelSpec
from builder.pipeline.step import StepBase
from builder.readers import InputFile

log = logging.getLogger(__name__)


class AlignStep(StepBase):
    name = "channels-lexical-banded-dp"
    stage = "align"

    def __init__(self, config: BuildConfig, sides: list[tuple[ParallelInput, list[InputFile]]],
                 bridges: dict[str, ModelSpec]):
        super().__init__()
        self.config = config
        self.sides = sides
        self.bridges = bridges
        self.align_counts: dict[str, dict] = {}

    def params(self) -> dict:
        return self.config.align.model_dump()

    def run(self, corpus) -> None:
        stage = AlignStage(self.config)
        embedder = None
        if self.config.align.embedding_model:
            from builder.align.embeddings import Embedder  # noqa: PLC0415
            from builder.mt.cache import cache_folder  # noqa: PLC0415

            embedder = Embedder.load(self.config.align.embedding_model,
                                     cache_folder(self.config.translate))
        for side, plan in self.sides:
            bridge = None
            if side.lang in self.bridges:
                from builder.align.bridge import MtBridge  # noqa: PLC0415

                bridge = MtBridge(self.config, self.bridges[side.lang])
            result = stage.run(corpus.align_posts or [], ParallelSide(self.config, side, plan),
                               bridge, embedder)
            name = f"{self.config.source_lang}-{side.lang}-aligned"
            for split, row in aligned_rows(result):
                corpus.add_row(name, split, row)
            for rec in result.rejects:
                self.drops[rec.reason] += 1
                corpus.reject(rec)
            self.align_counts[side.lang] = result.counts
            if result.message:
                log.warning("%s", result.message)

    def manifest_counts(self) -> dict[str, dict]:
        return {"align": self.align_counts} if self.align_counts else {}
