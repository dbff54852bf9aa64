"""The pipeline: the one ordered list of steps a build runs.

Only this list knows stage order. The signature, the manifest's `steps`, the card's step
table, the executors and `scripts/bench_pipeline.py` all read it. To add a step: write a
module with a class that follows `builder.pipeline.step.Step` (subclass `BatchStep`), and add
one entry to `per_post_steps` (or `corpus_steps` for a step over the whole kept corpus).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from builder.config import BuildConfig
from builder.pipeline.step import CorpusStep, Step


class ReadPosts:
    """The source: the readers stream every input's posts (not a batch step; first in the
    list so that the manifest and the card name it)."""

    name = "readers"
    stage = "read"
    version = ""
    ordered = True

    def __init__(self, config: BuildConfig):
        self.format = config.input.format
        self.stats: Counter = Counter()  # skipped service/media messages, per reader

    def describe(self) -> list[dict]:
        return [{"stage": self.stage, "name": self.name, "params": {"format": self.format}}]

    def manifest_counts(self) -> dict[str, dict]:
        return {"posts": dict(sorted(self.stats.items()))}

    def card_rows(self, posts_read: int) -> list[dict]:
        return [{"stage": self.stage, "step": "posts read", "count": posts_read}]


# the modules that define per-post steps (whatever a config enables): a worker process's fork
# server imports them before any worker starts (`processes.start_early`); a step in a module
# not listed here still runs, each worker then imports its module itself (tested)
STEP_MODULES = (
    "builder.text.clean",
    "builder.text.pii",
    "builder.filters.dedup",
    "builder.filters.boilerplate",
    "builder.text.langid",
    "builder.filters.near_dedup",
    "builder.text.segment",
    "builder.filters.text",
)


def per_post_steps(config: BuildConfig) -> list[Step]:
    """The per-post steps, in the order they run."""
    from builder.filters.boilerplate import BoilerplateStep  # noqa: PLC0415
    from builder.filters.dedup import ExactDedupStep, UniquePostIds  # noqa: PLC0415
    from builder.filters.near_dedup import PostNearDedup, SegmentNearDedup  # noqa: PLC0415
    from builder.filters.text import (  # noqa: PLC0415
        FilterStep,
        language_filter,
        text_filters,
    )
    from builder.text.clean import CleanPosts, DropEmptyPosts  # noqa: PLC0415
    from builder.text.langid import PostLanguage, SegmentLanguage  # noqa: PLC0415
    from builder.text.pii import PiiSegmentDrop, PiiStep  # noqa: PLC0415
    from builder.text.segment import SegmentPosts  # noqa: PLC0415

    near = config.near_dedup
    pii = PiiStep(config.pii)
    return [
        CleanPosts(config.clean.undouble, keep_lines=bool(config.parallel)),
        pii,
        DropEmptyPosts(pii.scrubber.redact if pii.scrubber.replace else None),
        UniquePostIds(),
        *([BoilerplateStep(config.boilerplate)] if config.boilerplate.enabled else []),
        PostLanguage(config.langid, config.source_lang),
        *([PostNearDedup(near.posts)] if near.posts.enabled else []),
        SegmentPosts(config.source_lang, config.segment.protected_names,
                     keep_sentences=bool(config.parallel)),
        *([PiiSegmentDrop()] if config.pii.action == "drop" else []),
        *(FilterStep(f) for f in text_filters(config.filters)),
        ExactDedupStep(),
        *([SegmentNearDedup(near.segments)] if near.segments.enabled else []),
        SegmentLanguage(config.langid, config.source_lang),
        FilterStep(language_filter(config.langid, config.source_lang)),
    ]


def corpus_steps(config: BuildConfig, plan) -> list[CorpusStep]:
    """The steps over the whole kept corpus, in the order they run: translation, then
    alignment with each sister channel (each only where the config asks for it)."""
    steps: list[CorpusStep] = []
    if plan.specs:
        from builder.mt.step import TranslateStep  # noqa: PLC0415

        steps.append(TranslateStep(plan.stage, plan.specs))
    if plan.sides:
        from builder.align.step import AlignStep  # noqa: PLC0415

        steps.append(AlignStep(config, plan.sides, plan.bridges))
    return steps


@dataclass
class Pipeline:
    """The source, the per-post steps and the corpus steps of one build, in order."""

    source: ReadPosts
    steps: list[Step]
    corpus: list[CorpusStep] = field(default_factory=list)

    @classmethod
    def of(cls, config: BuildConfig, plan=None) -> Pipeline:
        return cls(ReadPosts(config), per_post_steps(config),
                   corpus_steps(config, plan) if plan is not None else [])

    def all_steps(self) -> list:
        return [*self.steps, *self.corpus]

    def describe(self) -> list[dict]:
        """The manifest's `steps`: every step's entries, in the order they run."""
        entries = self.source.describe()
        for step in self.all_steps():
            entries += step.describe()
        return entries

    def drops(self) -> dict[str, int]:
        total: Counter = Counter()
        for step in self.all_steps():
            total.update(step.drops)
        return dict(sorted(total.items()))
