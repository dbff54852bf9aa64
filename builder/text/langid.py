"""Language identification: the labels of posts and segments, inside or outside the
candidates (the detectors are in `text.detectors`)."""

from __future__ import annotations

import functools
import re
from collections import Counter

from builder.config import LangIdConfig
from builder.pipeline.step import BatchStep
from builder.records import Doc, evolve
from builder.text.detectors import (
    LangdetectBackend,
    backend_version,
    make_backend,
    profile_path,
)
from builder.text.function_words import clearly_in, has_any
from builder.text.scripts import (
    UNSPACED_SCRIPTS,
    ScriptCheck,
    dominant_script,
    foreign_letters,
    main_script,
    script_runs,
    scripts_of,
)
from builder.text.telegram import may_hold_url, remove_urls
from builder.text.words import fewer_words_than

UNDETERMINED = "und"  # ISO 639-2: a text in no language the detector can name
# An e-mail address or an @handle: like a URL, written in Latin letters whatever the text's
# language, so no evidence of it.
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w.@])@\w+")
_LETTER = re.compile(r"[^\W\d_]")


def language_evidence(text: str) -> str:
    """The text a language is told from: without URLs, e-mail addresses and @handles (an
    Arabic line ending in a link is Arabic), unless nothing else has a letter."""
    if "@" not in text and not may_hold_url(text):
        return text
    bare = _ADDRESS.sub(" ", remove_urls(text))
    return bare if _LETTER.search(bare) else text


def _top(scores: dict[str, float]) -> str:
    return max(scores, key=lambda k: (scores[k], k))


class LanguageIdentifier:
    """Labels posts and segments.

    - A post: the detector on its first `post_prefix_chars` characters.
    - A segment too short to be dropped as foreign (under `drop_min_words`), or whose
      function words clearly match its post's language (`function_words.clearly_in`), takes
      the post's language and score without a detector call (`segment_gate`, on by default:
      the detector is otherwise most of the cost of a build).
    - Any other segment goes to the detector; a short or unsure result falls back to the
      post's language with the detector's probability for it (short English text is often
      misdetected).
    - Outside the candidates (`outside_candidates`, on by default), before the above: a text
      whose letters are mostly in scripts no candidate is written in (`scripts.ScriptCheck`)
      is labelled with the language langdetect prefers among those written in its main
      script (`und` when it knows none). A text long enough to be dropped as foreign whose
      restricted label does not confirm the expected language (the post's for a segment,
      the channel's for a post: another label, under `drop_min_score`, or none of its
      function words) goes to langdetect over every language of the candidates' scripts; a
      label there outside the candidates, at least as sure and written in the text's main
      script, wins. These labels are counted
      (`outside`, `by_script`) and the language filter drops them whatever their length. A
      segment of a post labelled outside the candidates takes that label only when written
      in its script, else the channel's language (score 0).
    - Main script: a label is written in the script most of the text's words are in. A
      segment whose main script its post's language is not written in does not take the
      post's label; a detector label in another script than the text's main one gives way to
      the best candidate written in the main script (langdetect weighs letters, so two
      English names outweigh a Chinese sentence).
    - URLs, e-mail addresses and @handles are no evidence of a language
      (`language_evidence`).
    """

    def __init__(self, config: LangIdConfig, default_lang: str):
        self.backend = make_backend(config)
        self.config = config
        self.default_lang = default_lang
        self.candidates = frozenset(config.candidates)
        self.scripts = ScriptCheck(config.candidates) if config.outside_candidates else None
        # the scripts the candidates are written in, each with the candidates written in it
        self.written: dict[str, list[str]] = {}
        for code in config.candidates:
            for script in scripts_of(code):
                self.written.setdefault(script, []).append(code)
        self.candidate_scripts = tuple(self.written)
        self._by_scripts: dict[tuple[str, ...], LangdetectBackend | None] = {}
        self.gated = 0
        self.detected = 0
        self.by_script = 0
        self.outside: Counter = Counter()  # segment labels outside the candidates

    def written_in(self, scripts: tuple[str, ...]) -> LangdetectBackend | None:
        """langdetect over the profiles of every language written in `scripts` (loaded on
        first use); None when it has no such profile."""
        if scripts not in self._by_scripts:
            codes = sorted(
                p.name for p in profile_path("en").parent.iterdir()
                if set(scripts_of(p.name)) & set(scripts)
            )
            self._by_scripts[scripts] = LangdetectBackend(codes, self.config.seed) if codes else None
        return self._by_scripts[scripts]

    def best(self, text: str) -> tuple[str, float]:
        scores = self._in_main_script(text, self.backend.scores(text))
        if not scores:
            return self.default_lang, 0.0
        lang = _top(scores)
        return lang, round(float(scores[lang]), 6)

    def _main_script(self, text: str, also: str) -> str | None:
        """The script most of the text's words are in, of the candidates' scripts and those
        of `also` (a label to test against them)."""
        scripts = self.candidate_scripts + tuple(
            s for s in scripts_of(also) if s not in self.written
        )
        return main_script(text, scripts)

    def _in_main_script(self, text: str, scores: dict[str, float]) -> dict[str, float]:
        """The detector's scores; when its label is written in another script than most of
        the text's words, that script is one written without spaces (langdetect weighs
        letters, and a Chinese sentence has few against two English names) and a candidate
        is written in it, the scores of those words alone among the candidates written in
        that script (the best of them wins)."""
        if not scores or len(self.written) < 2 or text.isascii():
            return scores
        lang = _top(scores)
        own = scripts_of(lang)
        if not foreign_letters(own).search(text):
            return scores  # every letter in the label's script: the common case
        main = self._main_script(text, lang)
        if main not in UNSPACED_SCRIPTS or main in own or main not in self.written:
            return scores
        fitting = self.written[main]
        again = self.backend.scores(" ".join(script_runs(text, main)))
        again = {code: p for code, p in again.items() if code in fitting}
        return again or {fitting[0]: 0.0}

    def _by_script(self, text: str) -> tuple[str, float] | None:
        """The label of a text whose letters are mostly in no candidate's script: the best
        language written in its main script, or `und`."""
        if self.scripts is None or not self.scripts.foreign(text):
            return None
        script = dominant_script(text)
        backend = self.written_in((script,)) if script else None
        scores = backend.scores(text) if backend else {}
        if not scores:
            return UNDETERMINED, 0.0
        lang = _top(scores)
        return lang, round(float(scores[lang]), 6)

    def _by_detector(self, text: str) -> tuple[str, float] | None:
        """The label of a long text that langdetect over every language written in the
        candidates' scripts confidently places outside the candidates."""
        backend = self.written_in(self.scripts.scripts) if self.scripts is not None else None
        if backend is None:
            return None
        scores = backend.scores(text)
        if not scores:
            return None
        lang = _top(scores)
        if lang in self.candidates or scores[lang] < self.config.drop_min_score:
            return None
        if dominant_script(text) not in scripts_of(lang):  # mixed scripts mislead langdetect
            return None
        return lang, round(float(scores[lang]), 6)

    def _unconfirmed(self, text: str, lang: str, score: float, expected: str) -> bool:
        """The restricted detector does not confirm `expected`: another label, a low score,
        or not one of the expected language's function words (text in a language outside
        the candidates is often given a candidate's label with full confidence)."""
        return (lang != expected or score < self.config.drop_min_score
                or has_any(text, expected) is False)

    def post(self, text: str) -> tuple[str, float]:
        text = language_evidence(text[: self.config.post_prefix_chars])
        found = self._by_script(text)
        if found is not None:
            return found
        lang, score = self.best(text)
        if (not fewer_words_than(text, self.config.drop_min_words)
                and self._unconfirmed(text, lang, score, self.default_lang)):
            found = self._by_detector(text)
        return found or (lang, score)

    def _instead_of_post(self, text: str, post_lang: str) -> str | None:
        """The label a segment takes instead of its post's when it is not written in the
        post language's script (none of its letters are, or most of its words are in a
        script written without spaces): the channel's language if written in the segment's
        main script, else the first candidate that is (else the channel's); None when it
        fits. A segment mixing two alphabets keeps its post's label (a Russian sentence
        naming English funds)."""
        own = scripts_of(post_lang)
        if text.isascii() and "Latin" in own:
            return None  # every letter Latin, like the post language's: the common case
        if own and not text.isascii() and not foreign_letters(own).search(text):
            return None  # every letter in the post language's script
        main = self._main_script(text, post_lang)
        if main is None or main in own:
            return None
        if main not in UNSPACED_SCRIPTS and any(script_runs(text, s) for s in own):
            return None
        if main in scripts_of(self.default_lang) or main not in self.written:
            return self.default_lang
        return self.written[main][0]

    def segment(self, text: str, post_lang: str, post_score: float = 0.0) -> tuple[str, float]:
        text = language_evidence(text)
        found = self._by_script(text)
        if found is not None:
            self.by_script += 1
            self.outside[found[0]] += 1
            return found
        instead = self._instead_of_post(text, post_lang) if self.scripts is not None else None
        if instead is not None:
            post_lang, post_score = instead, 0.0
        short = fewer_words_than(text, self.config.drop_min_words)
        if self.config.segment_gate and (
            short or (instead is None and clearly_in(text, post_lang, self.config.drop_min_words))
        ):
            self.gated += 1
            return post_lang, post_score
        self.detected += 1
        scores = self._in_main_script(text, self.backend.scores(text))
        if not scores:
            return post_lang, 0.0
        lang = _top(scores)
        if not short and self._unconfirmed(text, lang, scores[lang], post_lang):
            found = self._by_detector(text)
            if found is not None:
                self.outside[found[0]] += 1
                return found
        if not short and scores[lang] >= self.config.drop_min_score:
            return lang, round(float(scores[lang]), 6)
        return post_lang, round(float(scores.get(post_lang, 0.0)), 6)


@functools.lru_cache(maxsize=4)
def _shared_identifier(config_json: str, default_lang: str) -> LanguageIdentifier:
    return LanguageIdentifier(LangIdConfig.model_validate_json(config_json), default_lang)


class _LanguageStep(BatchStep):
    """Holds the settings; the detector is loaded on first use, once per process, and
    shared by the post and segment steps (it is never pickled to a worker)."""

    stage = "langid"
    preload = ("langdetect_rs", "langdetect")

    def __init__(self, config: LangIdConfig, default_lang: str):
        super().__init__()
        self.config = config
        self.default_lang = default_lang
        self.version = backend_version(config)
        self._config_json = config.model_dump_json()  # the shared identifier's key

    @property
    def identifier(self) -> LanguageIdentifier:
        return _shared_identifier(self._config_json, self.default_lang)


class PostLanguage(_LanguageStep):
    """The pipeline step: labels each post with the detector (its first characters)."""

    name = "post_language"

    def params(self) -> dict:
        c = self.config
        return {"backend": c.backend, "candidates": list(c.candidates), "seed": c.seed,
                "post_prefix_chars": c.post_prefix_chars}

    def apply(self, doc: Doc) -> Doc:
        lang, score = self.identifier.post(doc.post.text)
        return evolve(doc, post=evolve(doc.post, lang=lang, lang_score=score))


class SegmentLanguage(_LanguageStep):
    """The pipeline step: labels each kept segment (its post's language where the gate
    allows, else the detector's, or a label outside the candidates); counts which way each
    was labelled."""

    name = "segment_language"
    count_labels = {"by_post_or_function_words": "segments labelled by post or function words",
                    "by_detector": "segments labelled by the detector",
                    "outside_candidates": "segments labelled outside langid.candidates"}

    def params(self) -> dict:
        return self.config.model_dump()

    def apply(self, doc: Doc) -> Doc:
        if not doc.segments:
            return doc
        ident, post = self.identifier, doc.post
        gated, detected, by_script = ident.gated, ident.detected, ident.by_script
        outside = ident.outside.total()
        before = dict(ident.outside) if outside else None  # a plain copy (a Counter's costs more)
        labelled = []
        for seg in doc.segments:
            lang, score = ident.segment(seg.text, post.lang, post.lang_score)
            labelled.append(evolve(seg, lang=lang, lang_score=score))
        self.counts["by_post_or_function_words"] += ident.gated - gated
        self.counts["by_detector"] += ident.detected - detected
        self.counts["by_script"] += ident.by_script - by_script
        if ident.outside.total() != outside:  # a label outside the candidates in this post
            for lang, n in (ident.outside - Counter(before or {})).items():
                self.counts[f"outside:{lang}"] += n
                self.counts["outside_candidates"] += n
        return evolve(doc, segments=tuple(labelled))

    def manifest_counts(self) -> dict[str, dict]:
        outside = {key.split(":", 1)[1]: n for key, n in self.counts.items()
                   if key.startswith("outside:") and n}
        return {"segment_langid": {
            "by_post_or_function_words": self.counts["by_post_or_function_words"],
            "by_detector": self.counts["by_detector"],
            "by_script": self.counts["by_script"],
            "outside_candidates": dict(sorted(outside.items())),
        }}
