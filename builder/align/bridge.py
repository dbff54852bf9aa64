"""MT bridge (Bleualign-style): the sister channel's sentences are machine-translated into the
source language once, with our `Translator`. Posts are compared with the translations by
character trigram overlap (a chrF-like F-score); the sentence aligner matches the translations'
words with the source words (see `sentences.py`)."""

from __future__ import annotations

from collections import Counter

from builder.config import BuildConfig
from builder.mt.batch_limits import resolve_batch_limits
from builder.mt.cache import cache_folder
from builder.mt.models import ModelSpec
from builder.mt.stage import token_budget_batches
from builder.mt.translator import make_translator, resolve_runtime


def trigrams(text: str) -> Counter:
    t = " ".join(text.lower().split())
    return Counter(t[i : i + 3] for i in range(max(0, len(t) - 2)))


def chrf(a: str, b: str) -> float:
    ga, gb = trigrams(a), trigrams(b)
    total = sum(ga.values()) + sum(gb.values())
    return 2 * sum((ga & gb).values()) / total if total else 0.0


class MtBridge:
    def __init__(self, config: BuildConfig, spec: ModelSpec):
        tr = config.translate
        cache = cache_folder(tr)
        self.settings = tr
        runtime = resolve_runtime(tr)
        self.translator = make_translator(spec, tr, runtime, cache)
        self.limits = resolve_batch_limits(tr, runtime, spec.path)
        self.mt: dict[str, str] = {}

    def prepare(self, sentences: list[str]) -> None:
        todo = list(dict.fromkeys(s for s in sentences if s not in self.mt))
        if not todo:
            return
        lengths = self.translator.count_tokens(todo)
        for batch in token_budget_batches(lengths, self.limits.max_tokens, self.limits.max_size):
            hyps = self.translator([todo[i] for i in batch])
            self.mt.update({todo[i]: h.text for i, h in zip(batch, hyps, strict=True)})

    def translations(self, sentences: list[str]) -> list[str]:
        """The machine translations of sentences given to `prepare` ("" for others)."""
        return [self.mt.get(t, "") for t in sentences]

    def post_similarity(self, a, b) -> float:
        return chrf(a.text, " ".join(self.mt.get(s.text, "") for s in b.sentences))
