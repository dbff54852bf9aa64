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
        """Per target, the `<src>-<tgt>` rows (QA drops rejected); then, with two or more
        targets, `multiway` rows for the segments every target kept. The segments stream
        from the corpus's spill; only the ids QA dropped are held."""
        src = self.mt.config.source_lang
        dropped: dict[str, set[str]] = {}
        for spec in self.specs:
            name = f"{src}-{spec.target}"
            pairs = 0
            dropped[spec.target] = set()
            for pair, reason in self.mt.pairs(spec, corpus.kept_chunks):
                if reason:
                    reason = f"{reason}:{spec.target}"
                    self.drops[reason] += 1
                    corpus.reject(Rejected(self.stage, reason, pair.id, pair.target))
                    dropped[spec.target].add(pair.id)
                    continue
                corpus.add_row(name, pair.split, pair_row(pair, src, spec.target))
                pairs += 1
            self.mt_counts[spec.target] = {
                "pairs": pairs,
                "flags": dict(sorted(self.mt.flag_counts.get(spec.target, {}).items())),
            }
        if len(self.specs) > 1:
            self._multiway(corpus, src, dropped)

    def _multiway(self, corpus, src: str, dropped: dict[str, set[str]]) -> None:
        from builder.mt.cache import text_key  # noqa: PLC0415

        prefixes = {spec.target: self.mt.key_prefix(spec) for spec in self.specs}
        for chunk in corpus.kept_chunks():
            outputs = {}
            for target, prefix in prefixes.items():
                got = self.mt.cache.get_many([text_key(prefix, ref.text) for ref in chunk])
                outputs[target] = [got[text_key(prefix, ref.text)].text for ref in chunk]
            for k, ref in enumerate(chunk):
                if any(ref.id in dropped[t] for t in prefixes):
                    continue
                corpus.add_row("multiway", ref.split, {
                    "id": ref.id, "post_id": ref.post_id, "segment_index": ref.segment_index,
                    "translation": {src: ref.text, **{t: outputs[t][k] for t in prefixes}}})

    def manifest_counts(self) -> dict[str, dict]:
        return {"translate": self.mt_counts} if self.mt_counts else {}
