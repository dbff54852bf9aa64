"""Translation model resolution: language codes, default opus-mt ids, local folders or Hub
snapshots pinned by revision, and multi-target `>>xxx<<` tokens. Runs before any work."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from builder.config import BuildConfig, model_display_name
from builder.digests import sha256_folder
from builder.errors import ConfigError, ModelError

# ISO 639-1 -> ISO 639-3 for the languages opus-mt models commonly serve. A target outside
# this table is a config error before any work.
LANGUAGES = {
    "af": "afr", "ar": "ara", "az": "aze", "be": "bel", "bg": "bul", "bn": "ben", "ca": "cat",
    "cs": "ces", "cy": "cym", "da": "dan", "de": "deu", "el": "ell", "en": "eng", "eo": "epo",
    "es": "spa", "et": "est", "eu": "eus", "fa": "fas", "fi": "fin", "fr": "fra", "ga": "gle",
    "gl": "glg", "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun", "hy": "hye", "id": "ind",
    "is": "isl", "it": "ita", "ja": "jpn", "ka": "kat", "kk": "kaz", "ko": "kor", "lt": "lit",
    "lv": "lav", "mk": "mkd", "ms": "msa", "mt": "mlt", "nl": "nld", "no": "nor", "pl": "pol",
    "pt": "por", "ro": "ron", "ru": "rus", "sk": "slk", "sl": "slv", "sq": "sqi", "sr": "srp",
    "sv": "swe", "sw": "swa", "ta": "tam", "th": "tha", "tr": "tur", "uk": "ukr", "ur": "urd",
    "uz": "uzb", "vi": "vie", "zh": "zho",
}
MODEL_FILES = ["config.json", "generation_config.json", "*.safetensors", "pytorch_model.bin",
               "*.spm", "vocab.json", "tokenizer_config.json", "special_tokens_map.json"]


@dataclass(frozen=True)
class ModelSpec:
    target: str
    model_id: str  # Hub id, or the local folder's name
    path: Path  # local folder holding the files
    revision: str  # Hub commit, or sha256 of a local folder's files
    target_token: str | None  # ">>rus<<" for multi-target models

    @property
    def pinned(self) -> str:
        return f"{self.model_id}@{self.revision}"


def folder_hash(path: Path) -> str:
    return "sha256:" + sha256_folder(path)[:16]


def _hub_snapshot(repo_id: str, revision: str | None, label: str,
                  setting: str) -> tuple[Path, str]:
    from huggingface_hub import snapshot_download  # noqa: PLC0415

    try:
        folder = Path(
            snapshot_download(repo_id, revision=revision, allow_patterns=MODEL_FILES)
        )
    except Exception as err:  # noqa: BLE001 - every Hub failure is one model error line
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ModelError(
            f"{label}: cannot get model {repo_id} (not a local folder, and the Hub "
            f"or its cache does not have it: {reason}); set {setting} to a "
            "local folder or a Hub id you can reach"
        ) from err
    return folder, folder.name  # snapshots/<commit>


def _target_token(path: Path, target: str, model_id: str) -> str | None:
    vocab_file = path / "vocab.json"
    if not vocab_file.is_file():
        raise ModelError(f"target '{target}': {model_id} has no vocab.json (not a Marian model)")
    try:
        vocab = json.loads(vocab_file.read_text(encoding="utf-8"))
    except ValueError as err:
        raise ModelError(f"target '{target}': {vocab_file.name} of {model_id} is invalid: {err}") from err
    codes = sorted(t for t in vocab if t.startswith(">>") and t.endswith("<<"))
    if not codes:
        return None
    for candidate in (f">>{target}<<", f">>{LANGUAGES[target]}<<"):
        if candidate in vocab:
            return candidate
    shown = ", ".join(codes[:12]) + (" …" if len(codes) > 12 else "")
    raise ConfigError(
        f"translate.targets: {model_id} is multi-target but has no token for '{target}' "
        f"(it has {shown})"
    )


def resolve_model(source: str, target: str, model: str | None = None,
                  revision: str | None = None, *, setting: str | None = None) -> ModelSpec:
    """One model for source -> target: a local folder, or a Hub id pinned by its commit.
    Errors name `setting`, where the user chose the model (default: the build config's
    `translate.models.<target>`; `align` passes its `--mt-model`)."""
    if target not in LANGUAGES:
        raise ConfigError(f"translate.targets: '{target}' is not a known language code")
    label = f"target '{target}'" if setting is None else f"{setting} ({source} into {target})"
    model = model or f"Helsinki-NLP/opus-mt-{source}-{target}"
    local = Path(model)
    if local.is_dir():
        path, pinned = local, folder_hash(local)
    elif local.is_absolute() or model.startswith(".") or model.count("/") > 1:
        raise ModelError(f"{label}: model folder {local.resolve()} does not exist")
    else:
        path, pinned = _hub_snapshot(model, revision, label,
                                     setting or f"translate.models.{target}")
    if not (path / "config.json").is_file():
        raise ModelError(f"{label}: {model} has no config.json (not a model folder)")
    token = _target_token(path, target, model_display_name(model))
    return ModelSpec(target, model_display_name(model), path, pinned, token)


def resolve_models(config: BuildConfig) -> list[ModelSpec]:
    """Check every target and pin its model; raise before any input is read."""
    tr = config.translate
    return [resolve_model(config.source_lang, t, tr.models.get(t), tr.revisions.get(t))
            for t in tr.targets]
