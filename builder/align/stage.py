"""The alignment stage: read a sister channel (human translations), pair its posts with the
main channel's, align their sentences, and yield the `<src>-<tgt>-aligned` rows."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from builder.align.posts import AlignPost, PostMatcher
from builder.align.sentences import SentenceAligner
from builder.config import BoilerplateConfig, BuildConfig, LangIdConfig, ParallelInput
from builder.filters.boilerplate import LineCounts
from builder.readers import InputFile, read_inputs
from builder.records import Post, Rejected
from builder.step_log import logged_step
from builder.text.clean import Cleaner, is_empty
from builder.text.langid import LanguageIdentifier
from builder.text.pii import PiiScrubber, placeholder_kinds, scrub_post
from builder.text.segment import Segmenter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlignedRow:
    """One `<src>-<tgt>-aligned` row, with the split of its source post."""

    split: str
    row: dict


@dataclass
class AlignResult:
    lang: str
    rows: list[AlignedRow] = field(default_factory=list)
    rejects: list[Rejected] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    message: str | None = None


class ParallelSide:
    """One sister channel: read, clean, check language, segment."""

    def __init__(self, config: BuildConfig, side: ParallelInput, plan: list[InputFile]):
        self.config, self.side, self.plan = config, side, plan
        candidates = sorted({*config.langid.candidates, side.lang})
        self.langid = LanguageIdentifier(
            LangIdConfig(backend=config.langid.backend, candidates=candidates,
                         seed=config.langid.seed), side.lang)
        self.segmenter = Segmenter(side.lang, config.segment.protected_names)

    def posts(self, stats: Counter) -> list[AlignPost]:
        cleaner = Cleaner(self.config.clean.undouble)
        langs: Counter = Counter()
        kept: list[tuple[str, Post]] = []  # the raw first line (its emoji), the post
        seen: set[str] = set()
        scrubber = PiiScrubber(self.config.pii.types, replace=self.config.pii.action != "keep")
        for raw in read_inputs(self.plan, self.config.parallel_input(self.side), stats):
            stats["posts_read"] += 1
            post, found = scrub_post(scrubber, cleaner.clean(raw))
            for kind, n in found.items():
                stats[f"personal_data_{kind}"] += n
            if is_empty(post) or post.post_id in seen:
                continue
            seen.add(post.post_id)
            kept.append((next((line for line in raw.lines if line.strip()), ""), post))
        if self.config.boilerplate.enabled:
            kept = strip_boilerplate(kept, self.config.boilerplate, stats)
        out: list[AlignPost] = []
        for first_line, post in kept:
            lang, score = self.langid.post(post.text)
            langs[lang] += 1
            if lang != self.side.lang and score >= self.config.langid.drop_min_score:
                stats["wrong_language_posts"] += 1
                continue
            out.append(AlignPost.of(post, (first_line,), self.segmenter.segment(post)))
        self.detected = langs
        return out


def strip_boilerplate(posts: list[tuple[str, Post]], config: BoilerplateConfig,
                      stats: Counter) -> list[tuple[str, Post]]:
    """A sister channel's posts without its boilerplate lines (its own footer, counted over
    its own posts as the main channel's are), so that they cannot join an aligned bead; a
    post left empty goes."""
    lines = LineCounts(config.min_share, config.min_posts, config.sqrt_rule)
    lines.observe([post for _, post in posts])
    removed: Counter = Counter()
    stripped = lines.finish().strip([post for _, post in posts], removed)
    stats["boilerplate_lines_removed"] += sum(removed.values())
    out = []
    for (first_line, _), (post, n) in zip(posts, stripped, strict=True):
        if n and is_empty(post):
            stats["boilerplate_only_posts"] += 1
            continue
        out.append((first_line, post))
    return out


class AlignStage:
    def __init__(self, config: BuildConfig):
        self.config = config

    def run(self, src_posts: list[AlignPost], side: ParallelSide, bridge=None,
            embedder=None) -> AlignResult:
        """`bridge`: a `bridge.MtBridge` for MT-bridged scores; `embedder`: an
        `embeddings.Embedder` for embedding mode; neither: no model."""
        with logged_step(log, f"align {side.side.lang}", posts=len(src_posts)) as counts:
            result = self._run(src_posts, side, bridge, embedder)
            counts.update({k: v for k, v in result.counts.items() if isinstance(v, int)})
        return result

    def _run(self, src_posts: list[AlignPost], side: ParallelSide, bridge=None,
             embedder=None) -> AlignResult:
        src, tgt = self.config.source_lang, side.side.lang
        stats: Counter = Counter()
        other = side.posts(stats)
        result = AlignResult(tgt)
        if bridge is not None:
            bridge.prepare([s.text for post in other for s in post.sentences])
        matcher = PostMatcher(self.config.align.doc_threshold, self.config.align.date_window_hours,
                              similarity=bridge.post_similarity if bridge else None)
        self.aligner = SentenceAligner(learn_lexicon=self.config.align.learn_lexicon,
                                       bridge=bridge.translations if bridge else None,
                                       embedder=embedder)
        pairs = matcher.match(src_posts, other)
        # all post pairs at once: word weights and the learned lexicon come from the whole channel
        aligned = self.aligner.align_many(
            [([s.text for s in src_posts[p.main].sentences],
              [s.text for s in other[p.other].sentences]) for p in pairs])
        if self.aligner.lexicon is not None:
            stats["lexicon_pairs"] = len(self.aligner.lexicon)
        beads: Counter = Counter()
        scores: list[float] = []
        for pair, post_beads in zip(pairs, aligned, strict=True):
            a, b = src_posts[pair.main], other[pair.other]
            for bead in post_beads:
                if not bead.src or not bead.tgt:
                    post, side_name, idx = (a, "source", bead.src) if bead.src else (b, "target", bead.tgt)
                    for k in idx:
                        s = post.sentences[k]
                        result.rejects.append(Rejected("align", f"unaligned_{side_name}:{tgt}",
                                                       f"{post.post_id}:{s.segment_index}", s.text))
                    stats[f"unaligned_{side_name}_sentences"] += len(idx)
                    continue
                if bead.score < self.config.align.min_align_score:
                    stats["low_score_beads"] += 1
                    first = a.sentences[bead.src[0]]
                    result.rejects.append(Rejected(
                        "align", f"low_align_score:{tgt}", f"{a.post_id}:{first.segment_index}",
                        " ".join(a.sentences[k].text for k in bead.src)))
                    continue
                ss = [a.sentences[k] for k in bead.src]
                ts = [b.sentences[k] for k in bead.tgt]
                kinds = placeholder_kinds(" ".join(x.text for x in ss + ts))
                if kinds and self.config.pii.action == "drop":
                    stats["personal_data_beads"] += 1
                    result.rejects.append(Rejected(
                        "align", f"personal_data:{kinds[0]}", f"{a.post_id}:{ss[0].segment_index}",
                        " ".join(x.text for x in ss)))
                    continue
                result.rows.append(AlignedRow(a.split, {
                    "id": f"{a.post_id}:{ss[0].segment_index}",
                    "post_id": a.post_id,
                    f"{tgt}_post_id": b.post_id,
                    "translation": {src: " ".join(s.text for s in ss),
                                    tgt: " ".join(t.text for t in ts)},
                    "bead": bead.kind,
                    "align_score": bead.score,
                    "src_segment_indices": [s.segment_index for s in ss],
                    "tgt_segment_indices": [t.segment_index for t in ts],
                    "src_char_start": ss[0].char_start, "src_char_end": ss[-1].char_end,
                    "tgt_char_start": ts[0].char_start, "tgt_char_end": ts[-1].char_end,
                }))
                beads[bead.kind] += 1
                scores.append(bead.score)
        result.counts = {
            "posts_main": len(src_posts), "posts_parallel": len(other),
            "pairs": len(pairs), "unpaired_main": len(src_posts) - len(pairs),
            "unpaired_parallel": len(other) - len(pairs), "beads": dict(sorted(beads.items())),
            "score_quartiles": _quartiles(scores), **dict(sorted(stats.items())),
        }
        if not other:
            langs = ", ".join(f"{k} {v}" for k, v in side.detected.most_common(3)) or "none"
            result.message = (f"parallel input {tgt}: no post is in '{tgt}' (detected: {langs}); "
                              "the aligned config is empty")
        elif not pairs:
            result.message = (f"parallel input {tgt}: no post matches a post of the main channel; "
                              "the aligned config is empty")
        return result


def _quartiles(values: list[float]) -> list[float]:
    if not values:
        return []
    v = sorted(values)
    return [round(v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))], 4) for q in (0, 0.25, 0.5, 0.75, 1)]


def aligned_rows(result: AlignResult) -> Iterator[tuple[str, dict]]:
    for aligned in result.rows:
        yield aligned.split, aligned.row
