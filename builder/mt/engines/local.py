"""The local engine: translation in the build process, one planned batch at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from builder.mt.models import ModelSpec
    from builder.mt.stage import TranslateStage


class LocalEngine:
    """Translates in this process, batch after batch (a backend may prepare the next while its
    engine runs one), each committed to the cache."""

    name = "local"

    def record(self) -> dict:
        return {"name": self.name}

    def fill(self, stage: TranslateStage, spec: ModelSpec, texts: list[str],
             keys: list[bytes]) -> None:
        translator = stage.translator_for(spec)
        bar = stage.progress_bar(spec, len(texts))
        batches = stage.plan(spec, texts)
        sources = [[texts[i] for i in batch] for batch in batches]
        stream = getattr(translator, "stream", None)  # a translator without one: batch by batch
        translated = stream(sources) if stream else map(translator, sources)
        for batch, source, hyps in zip(batches, sources, translated, strict=True):
            stage.translated_batch(spec, [keys[i] for i in batch], source, hyps)
            if bar is not None:
                bar.update(len(batch))
        if bar is not None:
            bar.close()

    def close(self) -> None:
        pass
