"""Language identification backends (langdetect, seeded; lingua, restricted to candidates)."""

from __future__ import annotations

import importlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from builder.config import LangIdConfig
from builder.errors import ConfigError
from builder.text.function_words import clearly_in


def langdetect_module():
    """`langdetect_rs` (a Rust port giving langdetect's results bit for bit, tens of times
    faster) when installed, else the pure-Python `langdetect`."""
    try:
        import langdetect_rs as module  # noqa: PLC0415
    except ImportError:
        import langdetect as module  # noqa: PLC0415
    return module


def profile_path(code: str) -> Path:
    """langdetect's profile of an ISO 639-1 code (`zh` is `zh-cn`); both implementations
    read the profiles that langdetect ships."""
    import langdetect  # noqa: PLC0415

    return Path(langdetect.__file__).parent / "profiles" / {"zh": "zh-cn"}.get(code, code)


class LangdetectBackend:
    name = "langdetect"

    def __init__(self, candidates: list[str], seed: int, module=None):
        module = module or langdetect_module()
        lang_profile = importlib.import_module(f"{module.__name__}.utils.lang_profile")

        # Only the candidate languages' profiles: the detector's work grows with the number
        # of profiles (measured 3.6x faster for 6 of 55), and short text is confused less.
        factory = module.DetectorFactory()
        for index, code in enumerate(candidates):
            path = profile_path(code)
            if not path.is_file():
                raise ConfigError(f"langid.candidates: langdetect does not know '{code}'")
            data = json.loads(path.read_text(encoding="utf-8"))
            factory.add_profile(lang_profile.LangProfile(**data), index, len(candidates))
        factory.set_seed(seed)
        self._factory = factory
        self._error = module.LangDetectException
        self._seed = seed
        self.implementation = module.__name__
        self.candidates = candidates

    def scores(self, text: str) -> dict[str, float]:
        detector = self._factory.create()
        detector.seed = self._seed
        detector.append(text)
        try:
            probs = detector.get_probabilities()
        except self._error:
            return {}
        return {p.lang.split("-")[0]: p.prob for p in probs}


class LinguaBackend:
    name = "lingua"

    def __init__(self, candidates: list[str], seed: int):
        try:
            from lingua import IsoCode639_1, Language, LanguageDetectorBuilder  # noqa: PLC0415
        except ImportError:
            raise ConfigError(
                "langid.backend: lingua is not installed; pip install 'bitext-builder[lingua]'"
            ) from None
        languages = []
        for code in candidates:
            try:
                languages.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
            except (AttributeError, ValueError):
                raise ConfigError(f"langid.candidates: lingua does not know '{code}'") from None
        if len(languages) < 2:
            raise ConfigError("langid.candidates: lingua needs at least two candidate languages")
        self._detector = LanguageDetectorBuilder.from_languages(*languages).build()
        self.candidates = candidates

    def scores(self, text: str) -> dict[str, float]:
        values = self._detector.compute_language_confidence_values(text)
        return {v.language.iso_code_639_1.name.lower(): v.value for v in values if v.value > 0}


def backend_version(config: LangIdConfig) -> str:
    """The detector's name and version, without loading its profiles."""
    package = "lingua-language-detector" if config.backend == "lingua" else "langdetect"
    try:
        return f"{config.backend}-{version(package)}"
    except PackageNotFoundError:
        return config.backend


def make_backend(config: LangIdConfig) -> LangdetectBackend | LinguaBackend:
    cls = LinguaBackend if config.backend == "lingua" else LangdetectBackend
    return cls(list(config.candidates), config.seed)


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
    """

    def __init__(self, config: LangIdConfig, default_lang: str):
        self.backend = make_backend(config)
        self.config = config
        self.default_lang = default_lang
        self.gated = 0
        self.detected = 0

    def best(self, text: str) -> tuple[str, float]:
        scores = self.backend.scores(text)
        if not scores:
            return self.default_lang, 0.0
        lang = max(scores, key=lambda k: (scores[k], k))
        return lang, round(float(scores[lang]), 6)

    def post(self, text: str) -> tuple[str, float]:
        return self.best(text[: self.config.post_prefix_chars])

    def segment(self, text: str, post_lang: str, post_score: float = 0.0) -> tuple[str, float]:
        short = len(text.split()) < self.config.drop_min_words
        if self.config.segment_gate and (
            short or clearly_in(text, post_lang, self.config.drop_min_words)
        ):
            self.gated += 1
            return post_lang, post_score
        self.detected += 1
        scores = self.backend.scores(text)
        if not scores:
            return post_lang, 0.0
        lang = max(scores, key=lambda k: (scores[k], k))
        if not short and scores[lang] >= self.config.drop_min_score:
            return lang, round(float(scores[lang]), 6)
        return post_lang, round(float(scores.get(post_lang, 0.0)), 6)
