"""Language detectors: langdetect-rs or langdetect (seeded, restricted to the candidates'
profiles) and lingua, each giving a text's scores per language."""

from __future__ import annotations

import importlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from builder.config import LangIdConfig
from builder.errors import ConfigError
from builder.extras import require

MEMO_TEXTS = 4096  # texts whose scores a detector keeps


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
        paths = [profile_path(code) for code in candidates]
        for code, path in zip(candidates, paths, strict=True):
            if not path.is_file():
                raise ConfigError(f"langid.candidates: langdetect does not know '{code}'")
        if not _load_builtin(module, factory, [path.name for path in paths]):
            for index, path in enumerate(paths):
                data = json.loads(path.read_text(encoding="utf-8"))
                factory.add_profile(lang_profile.LangProfile(**data), index, len(paths))
        factory.set_seed(seed)
        self._factory = factory
        self._error = module.LangDetectException
        self._seed = seed
        self._direct = _direct_call(module, factory, seed)
        self.implementation = module.__name__
        self.candidates = candidates
        self._memo: dict[str, dict[str, float]] = {}

    def _probabilities(self, text: str) -> list[tuple[str, float]]:
        if self._direct is not None:
            return self._direct(text) or []
        detector = self._factory.create()
        detector.seed = self._seed
        detector.append(text)
        try:
            return [(p.lang, p.prob) for p in detector.get_probabilities()]
        except self._error:
            return []

    def scores(self, text: str) -> dict[str, float]:
        """The text's score per language (a new dict each call). The detector is seeded
        afresh for every text, so the same text always has the same scores: the last
        `MEMO_TEXTS` texts' are kept (a one-line post's segment is its text again, and
        channels repeat posts)."""
        memo = self._memo
        out = memo.get(text)
        if out is None:
            out = {}
            for lang, prob in self._probabilities(text):  # highest first: zh-cn and zh-tw
                out.setdefault(lang.split("-")[0], prob)  # are both zh, at the higher score
            memo[text] = out
            if len(memo) > MEMO_TEXTS:
                del memo[next(iter(memo))]  # the oldest
        return dict(out)


def _load_builtin(module, factory, names: list[str]) -> bool:
    """Loads the named profiles (in this order) from langdetect-rs's built-in copies of
    langdetect's (parsed in Rust: 3.5x faster than reading the JSON files, paid once per
    process for each detector); False where this version cannot (then the JSON files are
    read). The parity test holds it to the profiles read from langdetect's files."""
    core = getattr(factory, "_core", None)
    if module.__name__ != "langdetect_rs" or not hasattr(core, "load_builtin"):
        return False
    builtin = getattr(importlib.import_module(f"{module.__name__}._core"), "builtin_files", None)
    if builtin is None or not set(names) <= set(builtin()):
        return False
    core.load_builtin(names)
    factory.langlist[:] = core.langs()
    return True


def _direct_call(module, factory, seed: int):
    """langdetect-rs's own one-call path (what its `detect_langs` runs: no Detector object,
    2.5x less per text), or None where this version lacks it. The parity test holds it to
    langdetect's results."""
    core = getattr(factory, "_core", None)
    if module.__name__ != "langdetect_rs" or not hasattr(core, "detect_langs"):
        return None
    try:
        from langdetect_rs._seed import seed_state  # noqa: PLC0415
    except ImportError:
        return None
    state = seed_state(seed)
    return lambda text: core.detect_langs(text, state)


class LinguaBackend:
    name = "lingua"

    def __init__(self, candidates: list[str], seed: int):
        lingua = require("lingua", "lingua", needed_by="langid.backend lingua")
        IsoCode639_1, Language = lingua.IsoCode639_1, lingua.Language  # noqa: N806
        LanguageDetectorBuilder = lingua.LanguageDetectorBuilder  # noqa: N806
        languages = []
        for code in candidates:
            try:
                languages.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
            except (AttributeError, ValueError) as err:
                raise ConfigError(f"langid.candidates: lingua does not know '{code}'") from err
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
