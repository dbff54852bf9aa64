"""The translation stage: Segment -> Pair per target, batched by token budget over the
length-sorted segments still missing from the cache, order restored on output."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from builder.config import BuildConfig, LangIdConfig
from builder.mt.batch_limits import BatchLimits, resolve_batch_limits
from builder.mt.cache import TranslationCache, cache_folder, settings_key, text_key
from builder.mt.engines import Engine
from builder.mt.engines.local import LocalEngine
from builder.mt.models import ModelSpec
from builder.mt.qa import QualityChecker
from builder.mt.translator import (
    Hypothesis,
    Translator,
    count_tokens,
    make_translator,
    resolve_runtime,
)
from builder.step_log import logged_step

log = logging.getLogger(__name__)

FRESH_LIMIT = 200_000  # fresh translations kept in memory per target (~0.5 KB each)


@dataclass(frozen=True)
class SegmentRef:
    id: str
    post_id: str
    segment_index: int
    text: str
    split: str


@dataclass(frozen=True)
class Pair:
    id: str
    post_id: str
    segment_index: int
    split: str
    source: str
    target: str
    mt_model: str
    mt_score: float
    qa_flags: tuple[str, ...]


def token_budget_batches(lengths: list[int], max_tokens: int, max_size: int) -> list[list[int]]:
    """Indices sorted by length, cut into batches whose padded size fits `max_tokens`."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = max(lengths[i], lengths[current[-1]] if current else 0)
        if current and (len(current) >= max_size or (len(current) + 1) * longest > max_tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def _wrong_lang_detector(config: BuildConfig, target: str):
    """A detector that knows the target language, or None where ours cannot."""
    from builder.errors import ConfigError  # noqa: PLC0415
    from builder.text.langid import LanguageIdentifier  # noqa: PLC0415

    candidates = sorted({*config.langid.candidates, config.source_lang, target})
    try:
        return LanguageIdentifier(
            LangIdConfig(backend=config.langid.backend, candidates=candidates,
                         seed=config.langid.seed),
            config.source_lang,
        )
    except ConfigError:
        return None


class TranslateStage:
    def __init__(self, config: BuildConfig, progress: bool = False):
        self.config = config
        self.settings = config.translate
        self.runtime = resolve_runtime(self.settings)
        folder = cache_folder(self.settings)
        self.cache_root = folder
        self.cache = TranslationCache(folder)
        self.progress = progress
        self.translated: Counter = Counter()  # new translations per target (not from cache)
        self.flag_counts: dict[str, Counter] = {}
        self._translators: dict[str, Translator] = {}
        self._limits: dict[str, BatchLimits] = {}
        self._checkers: dict[str, QualityChecker] = {}
        # translations made by this stage, with their QA flags, until `pairs` reads them
        self._fresh: dict[str, dict[bytes, tuple[Hypothesis, tuple[str, ...]]]] = {}
        self.engine: Engine
        if self.settings.engine == "ray":
            from builder.mt.engines.ray_data import RayEngine  # noqa: PLC0415

            self.engine = RayEngine(self.settings.ray, folder)
        else:
            self.engine = LocalEngine()

    def translator_for(self, spec: ModelSpec):
        """The loaded translator of a target (loaded once, on first need)."""
        if spec.target not in self._translators:
            self._translators[spec.target] = make_translator(
                spec, self.settings, self.runtime, self.cache_root
            )
        return self._translators[spec.target]

    def model_record(self, spec: ModelSpec) -> dict:
        return {
            "target": spec.target,
            "id": spec.model_id,
            "revision": spec.revision,
            "backend": self.runtime.backend,
            "compute_type": self.runtime.compute_type,
            "target_token": spec.target_token,
        }

    def key_prefix(self, spec: ModelSpec) -> str:
        s = self.settings
        generation = {
            "max_new_tokens": s.max_new_tokens, "num_beams": s.num_beams,
            "length_penalty": s.length_penalty, "max_input_tokens": s.max_input_tokens,
        }
        return settings_key(
            model=spec.model_id, revision=spec.revision, backend=self.runtime.backend,
            compute_type=self.runtime.compute_type, target_token=spec.target_token,
            generation=generation,
        )

    def _fill_cache(self, spec: ModelSpec, chunks: Callable[[], Iterable[list[SegmentRef]]],
                    prefix: str) -> tuple[int, int]:
        """Translate what the cache lacks; returns (segments, missing). Only the missing
        texts are held in memory (to sort them by length into batches)."""
        texts: list[str] = []
        keys: list[bytes] = []
        total = 0
        for chunk in chunks():
            chunk_keys = [text_key(prefix, s.text) for s in chunk]
            have = self.cache.get_many(chunk_keys)
            for seg, key in zip(chunk, chunk_keys, strict=True):
                if key not in have:
                    texts.append(seg.text)
                    keys.append(key)
            total += len(chunk)
        if keys:
            self.engine.fill(self, spec, texts, keys)
        return total, len(keys)

    def checker(self, spec: ModelSpec) -> QualityChecker:
        """The QA of a target's translations (made once: its detector loads profiles)."""
        if spec.target not in self._checkers:
            self._checkers[spec.target] = QualityChecker(
                self.settings.qa, _wrong_lang_detector(self.config, spec.target), spec.target)
        return self._checkers[spec.target]

    def translated_batch(self, spec: ModelSpec, keys: list[bytes], sources: list[str],
                         hyps: list[Hypothesis]) -> None:
        """An engine's finished batch: into the cache, counted, and (up to FRESH_LIMIT
        segments a target) checked by QA now and kept for `pairs`: the local engine calls
        this while the model runs its next batch, so QA costs no time of its own there."""
        self.cache.put_many(list(zip(keys, hyps, strict=True)))
        self.translated[spec.target] += len(keys)
        fresh = self._fresh.setdefault(spec.target, {})
        if len(fresh) + len(keys) > FRESH_LIMIT:
            for key in keys:  # a text translated again: the cache's newer one is the answer
                fresh.pop(key, None)
            return
        # what the cache gives back (a -0.0 score comes back 0.0), so that pairs read from
        # here and pairs read from the cache are the same to the byte
        stored = self.cache.get_many(keys)
        qa = self.checker(spec)
        for key, source in zip(keys, sources, strict=True):
            hyp = stored[key]
            fresh[key] = (hyp, tuple(qa.flags(source, hyp.text, hyp.truncated)))

    def plan(self, spec: ModelSpec, texts: list[str], tokenizer=None) -> list[list[int]]:
        """The batches every engine runs: indices into `texts`, by token budget."""
        if tokenizer is None:
            lengths = self.translator_for(spec).count_tokens(texts)
        else:
            lengths = count_tokens(tokenizer, spec, texts)
        limits = self.batch_limits(spec)
        return token_budget_batches(lengths, limits.max_tokens, limits.max_size)

    def batch_limits(self, spec: ModelSpec) -> BatchLimits:
        """The batch limits of a target's model on this stage's device (resolved once)."""
        if spec.target not in self._limits:
            self._limits[spec.target] = resolve_batch_limits(self.settings, self.runtime, spec.path)
        return self._limits[spec.target]

    def limits_record(self, specs: list[ModelSpec]) -> dict:
        """The limits per target, for the manifest (not the signature: they depend on the
        device, and the outputs do not); the same whether or not anything was translated."""
        return {spec.target: self.batch_limits(spec).record()
                for spec in sorted(specs, key=lambda s: s.target)}

    def progress_bar(self, spec: ModelSpec, total: int):
        if not self.progress:
            return None
        from tqdm import tqdm  # noqa: PLC0415

        return tqdm(total=total, unit=" seg", desc=f"translate {spec.target}", mininterval=0.5)


    def pairs(self, spec: ModelSpec, chunks: Callable[[], Iterable[list[SegmentRef]]],
              count_flags: bool = True) -> Iterator[tuple[Pair, str | None]]:
        """Every segment's pair in input order, with a drop reason where QA drops it.
        `chunks()` gives the segments in chunks, afresh on each call (it is read twice)."""
        prefix = self.key_prefix(spec)
        with logged_step(log, f"translate {spec.target}", model=spec.pinned) as counts:
            before = self.translated[spec.target]
            total, _ = self._fill_cache(spec, chunks, prefix)
            counts["segments"] = total
            counts["translated"] = self.translated[spec.target] - before
            counts["from cache"] = total - counts["translated"]
        qa = self.checker(spec)
        fresh = self._fresh.pop(spec.target, {})
        flags_seen = self.flag_counts.setdefault(spec.target, Counter())
        for chunk in chunks():
            keys = [text_key(prefix, s.text) for s in chunk]
            got: dict[bytes, Hypothesis] = self.cache.get_many([k for k in keys if k not in fresh])
            for seg, key in zip(chunk, keys, strict=True):
                if key in fresh:
                    hyp, flags = fresh[key]
                else:
                    hyp = got[key]
                    flags = qa.flags(seg.text, hyp.text, hyp.truncated)
                if count_flags:
                    flags_seen.update(flags)
                pair = Pair(seg.id, seg.post_id, seg.segment_index, seg.split, seg.text,
                            hyp.text, spec.pinned, hyp.score, tuple(flags))
                yield pair, qa.drop_reason(flags)

    def close(self) -> None:
        for translator in self._translators.values():
            close = getattr(translator, "close", None)
            if close is not None:
                close()
        self.engine.close()
        self.cache.close()

