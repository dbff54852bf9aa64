"""The translation step of the pipeline: every kept segment into each target language
(`<src>-<tgt>` configs, and `multiway` with two or more targets)."""

from __future__ import annotations

from builder.mt.models import ModelSpec
from builder.mt.stage import TranslateStage
from builder.output.parquet import pair_row
from builder.pipeline.step import StepBase
from builder.records import Rejected

GENERATION_PARAMS = {"max_batch_tokens", "max_batch_size", "max_input_tokens", "max_new_tokens",
                     "num_beams", "length_penalty", "qa"}


class TranslateStep(StepBase):
    name = "marian"
    stage = "translate"

    def __init__(self, stage: TranslateStage, specs: list[ModelSpec]):
        super().__init__()
        self.mt = stage
        self.specs = specs
        self.mt_counts: dict[str, dict] = {}

    def params(self) -> dict:
        return self.mt.settings.model_dump(mode="json", include=GENERATION_PARAMS)

    def run(self, corpus) -> None:
        src = self.mt.config.source_lang
        kept = list(corpus.kept_segments())
        multi: dict[str, dict[str, str]] = {}
        for spec in self.specs:
            name = f"{src}-{spec.target}"
            pairs = 0
            for pair, reason in self.mt.pairs(spec, kept):
                if reason:
                    reason = f"{reason}:{spec.target}"
                    self.drops[reason] += 1
                    corpus.reject(Rejected(self.stage, reason, pair.id, pair.target))
                    continue
                corpus.add_row(name, pair.split, pair_row(pair, src, spec.target))
                pairs += 1
                if len(self.specs) > 1:
                    multi.setdefault(pair.id, {})[spec.target] = pair.target
            self.mt_counts[spec.target] = {
                "pairs": pairs,
                "flags": dict(sorted(self.mt.flag_counts.get(spec.target, {}).items())),
            }
        if len(self.specs) > 1:
            for ref in kept:
                outputs = multi.get(ref.id, {})
                if len(outputs) != len(self.specs):
                    continue
                corpus.add_row("multiway", ref.split, {
                    "id": ref.id, "post_id": ref.post_id, "segment_index": ref.segment_index,
                    "translation": {src: ref.text, **outputs}})

    def manifest_counts(self) -> dict[str, dict]:
        return {"translate": self.mt_counts} if self.mt_counts else {}
