"""Typed, validated build configuration (YAML in, frozen pydantic models out)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    model_validator,
)

from builder.errors import ConfigError, utf8_error_at
from builder.languages import LanguageCode

FORMATS = ("auto", "telegram-text", "telegram-json", "telegram-html", "tme-html", "jsonl")
Format = Literal["auto", "telegram-text", "telegram-json", "telegram-html", "tme-html", "jsonl"]
BUNDLED_PREFIX = "bundled:"
STDIN_PATH = "-"  # `--input -`: standard input
SAMPLE_INPUT = BUNDLED_PREFIX + "telegram_channel_sample.txt"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _input_path(path: str) -> str:
    if not path.strip():
        raise ValueError("an empty path (it would name the config's own folder); remove it")
    return path


InputPath = Annotated[str, AfterValidator(_input_path)]


class JsonlFields(_Strict):
    text: str = "text"
    # the text of a line whose text field is missing, null or empty (Pyrogram's media
    # captions); null: none
    caption: str | None = "caption"
    id: str = "id"
    date: str = "date"
    channel: str = "channel"


class InputConfig(_Strict):
    paths: list[InputPath] = Field(default_factory=lambda: [SAMPLE_INPUT], min_length=1)
    format: Format = "auto"
    chat: str | None = None
    # the longest line, JSON string or JSON message read, in bytes (memory stays bounded)
    max_line_chars: int = Field(default=1_000_000, ge=1000, le=64 * 1024 * 1024)
    jsonl_fields: JsonlFields = Field(default_factory=JsonlFields)


class CleanConfig(_Strict):
    undouble: bool = True


class SegmentConfig(_Strict):
    protected_names: list[str] = Field(default_factory=list)  # e.g. ["Moscow. Kremlin. Putin"]


class LangIdConfig(_Strict):
    backend: Literal["langdetect", "lingua"] = "langdetect"
    candidates: list[LanguageCode] = Field(
        default_factory=lambda: ["en", "ru", "uk", "de", "fr", "es"], min_length=1
    )
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    drop_min_words: int = Field(default=6, ge=1, le=1000)
    drop_min_score: float = Field(default=0.95, ge=0.0, le=1.0)
    post_prefix_chars: int = Field(default=400, ge=50, le=1_000_000)
    segment_gate: bool = True
    outside_candidates: bool = True


class FilterConfig(_Strict):
    min_words: int = Field(default=2, ge=0, le=10_000)
    max_chars: int = Field(default=2000, ge=1, le=64 * 1024 * 1024)
    min_letter_ratio: float = Field(default=0.5, ge=0.0, le=1.0)


class BoilerplateConfig(_Strict):
    """Lines recurring in a channel's posts (signatures, "Subscribe: …") are removed."""

    enabled: bool = True
    min_share: float = Field(default=0.05, gt=0.0, le=1.0)  # of the channel's posts
    min_posts: int = Field(default=3, ge=2, le=10**9)
    # and in at least √(the channel's posts): 5 of 20, 10 of 100 (a larger share when small)
    sqrt_rule: bool = True


class NearDedupPostsConfig(_Strict):
    enabled: bool = True
    shingle_words: int = Field(default=3, ge=1, le=10)
    threshold: float = Field(default=0.7, gt=0.0, le=1.0)  # estimated Jaccard similarity
    keep: Literal["first", "later", "longer"] = "later"
    # posts whose numbers differ in this many places are different reports (0: not checked)
    changed_numbers: int = Field(default=3, ge=0, le=10**6)


class NearDedupSegmentsConfig(_Strict):
    enabled: bool = True
    shingle_chars: int = Field(default=4, ge=2, le=12)
    threshold: float = Field(default=0.7, gt=0.0, le=1.0)
    min_words: int = Field(default=5, ge=1, le=10_000)


class NearDedupConfig(_Strict):
    posts: NearDedupPostsConfig = Field(default_factory=NearDedupPostsConfig)
    segments: NearDedupSegmentsConfig = Field(default_factory=NearDedupSegmentsConfig)


PiiType = Literal["email", "phone", "ip", "card"]


class PiiConfig(_Strict):
    """Personal data: `replace` by typed placeholders, `drop` the segments holding it, or
    `keep` it (only counted)."""

    action: Literal["replace", "drop", "keep"] = "replace"
    types: list[PiiType] = Field(default_factory=lambda: ["email", "phone", "ip", "card"],
                                 min_length=1)


class SplitConfig(_Strict):
    train: float = Field(default=0.8, ge=0.0, le=1.0)
    validation: float = Field(default=0.1, ge=0.0, le=1.0)
    test: float = Field(default=0.1, ge=0.0, le=1.0)
    salt: str = ""

    @model_validator(mode="after")
    def _sum_to_one(self) -> SplitConfig:
        total = self.train + self.validation + self.test
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"train + validation + test must be 1.0, got {total:g}")
        return self


class CardConfig(_Strict):
    pretty_name: str | None = None
    # a Hub license id (https://hf.co/docs/hub/repositories-licenses), "unknown", or "other"
    # with license_name (an id like my-license-1.0) and license_link (a URL, or LICENSE.md)
    license: str = Field(default="unknown", pattern=r"^[a-z0-9][a-z0-9.+-]*$")
    license_name: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]*$")
    license_link: str | None = None
    # what the source is; None: neutral prose naming the inputs (the bundled sample's prose
    # belongs to its config, configs/sample.yaml)
    source_description: str | None = None
    limitations: list[str] = Field(default_factory=list)  # extra bullets of the card's Limitations
    homepage: str | None = None

    @model_validator(mode="after")
    def _other_license_named(self) -> CardConfig:
        if self.license == "other" and not (self.license_name and self.license_link):
            raise ValueError("license 'other' needs card.license_name (an id like "
                             "my-license-1.0) and card.license_link (a URL or LICENSE.md): "
                             "the Hub requires both")
        return self


class QaConfig(_Strict):
    length_ratio_min: float = Field(default=0.5, gt=0.0, le=1000.0)
    length_ratio_max: float = Field(default=2.0, gt=0.0, le=1000.0)
    repetition_ngram: int = Field(default=3, ge=1, le=100)
    repetition_count: int = Field(default=3, ge=2, le=10_000)
    drop_flags: list[Literal["copy", "repetition", "truncated", "wrong_lang", "length_ratio"]] = (
        Field(default_factory=list)
    )


class RayConfig(_Strict):
    address: str | None = None  # None: start a local Ray; "auto" or "ray://host:port": join one
    actors: int = Field(default=1, ge=1, le=10_000)  # model actors per target
    cpus_per_actor: float = Field(default=0.5, gt=0.0, le=1024.0)  # fractional: two 1-CPU actors hung on 2 cores
    gpus_per_actor: float = Field(default=0.0, ge=0.0, le=1024.0)
    num_cpus: int | None = Field(default=None, ge=1, le=1_000_000)  # logical CPUs of a local Ray (default: max(4, cores))
    work_dir: str | None = None  # shards of work and results; a local path or an fsspec URL


def AutoOrInt(minimum: int, maximum: int = 10_000_000):  # noqa: N802 - a type
    """`auto`, or a whole number from `minimum` to `maximum` (one clear message for both)."""

    def check(value):
        if value == "auto":
            return value
        if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum:
            return value
        raise ValueError(f"expected 'auto' or a whole number from {minimum} to {maximum}, "
                         f"got {value!r}")

    return Annotated[int | Literal["auto"], PlainValidator(check)]


class TranslateConfig(_Strict):
    targets: list[LanguageCode] = Field(default_factory=list)
    # per-target model: a Hub id or a local folder; default Helsinki-NLP/opus-mt-<src>-<tgt>
    models: dict[str, str] = Field(default_factory=dict)
    revisions: dict[str, str] = Field(default_factory=dict)  # per-target Hub revision
    backend: Literal["transformers", "ctranslate2"] = "transformers"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: Literal["auto", "float32", "float16", "bfloat16", "int8", "int8_float16"] = "auto"
    # "auto": 4096 tokens / 64 segments on the CPU; on a GPU sized from its memory (batch_limits)
    max_batch_tokens: AutoOrInt(16) = "auto"
    max_batch_size: AutoOrInt(1) = "auto"
    max_input_tokens: int = Field(default=512, ge=8, le=1_000_000)
    max_new_tokens: int = Field(default=256, ge=1, le=100_000)
    num_beams: int = Field(default=1, ge=1, le=64)
    length_penalty: float = Field(default=1.0, ge=-100.0, le=100.0)
    # CPU threads per model: 0 leaves the engine's default (torch: the cores; CTranslate2: 4;
    # a Ray actor: its CPUs). Float sums depend on the thread count, so a score's last digit
    # can too: pin it for byte-identical rebuilds on other machines or engines.
    threads: int = Field(default=0, ge=0, le=1024)
    cache_dir: str | None = None  # default: <user cache>/bitext-builder
    qa: QaConfig = Field(default_factory=QaConfig)
    engine: Literal["local", "ray"] = "local"
    ray: RayConfig = Field(default_factory=RayConfig)

    @model_validator(mode="after")
    def _targets_known(self) -> TranslateConfig:
        if len(set(self.targets)) != len(self.targets):
            raise ValueError("targets repeat a language")
        for key in list(self.models) + list(self.revisions):
            if key not in self.targets:
                raise ValueError(f"'{key}' has a model setting but is not among the targets")
        return self


class ParallelInput(_Strict):
    """A sister channel with human translations of the main channel's posts."""

    lang: LanguageCode
    paths: list[InputPath] = Field(min_length=1)
    format: Format = "auto"
    chat: str | None = None


class AlignConfig(_Strict):
    doc_threshold: float = Field(default=0.55, ge=0.0, le=1.0)
    date_window_hours: float = Field(default=72.0, gt=0.0, le=24.0 * 366 * 100)
    min_align_score: float = Field(default=0.0, ge=0.0, le=1.0)
    learn_lexicon: bool = True  # learn word pairs from the channel's own confident beads
    # MT bridge: a model translating the sister channel's language into the source language
    # ("auto": Helsinki-NLP/opus-mt-<lang>-<source>; a Hub id; a local folder). None: no model.
    mt_model: str | None = None
    # embedding mode: a sentence-transformers model (Hub id or local folder). None: no model.
    embedding_model: str | None = None

    @model_validator(mode="after")
    def _one_model(self) -> AlignConfig:
        if self.mt_model and self.embedding_model:
            raise ValueError("set mt_model or embedding_model, not both")
        return self


class BuildConfig(_Strict):
    # None: named from the input (its main channel, else its file name; readers/naming.py);
    # a Hub repo name is at most 96 characters, and the name is a folder's too (dist/<name>)
    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                             max_length=96)
    version: str = Field(default="1.0.0", pattern=r"^\d+\.\d+\.\d+$", max_length=64)
    source_lang: LanguageCode = "en"
    input: InputConfig = Field(default_factory=InputConfig)
    clean: CleanConfig = Field(default_factory=CleanConfig)
    segment: SegmentConfig = Field(default_factory=SegmentConfig)
    langid: LangIdConfig = Field(default_factory=LangIdConfig)
    filters: FilterConfig = Field(default_factory=FilterConfig)
    boilerplate: BoilerplateConfig = Field(default_factory=BoilerplateConfig)
    near_dedup: NearDedupConfig = Field(default_factory=NearDedupConfig)
    pii: PiiConfig = Field(default_factory=PiiConfig)
    splits: SplitConfig = Field(default_factory=SplitConfig)
    card: CardConfig = Field(default_factory=CardConfig)
    translate: TranslateConfig = Field(default_factory=TranslateConfig)
    parallel: list[ParallelInput] = Field(default_factory=list)
    align: AlignConfig = Field(default_factory=AlignConfig)
    out: str | None = None
    # processes for the per-post steps: None = one per core (in-process for a small input),
    # 0 = in this process; where they run never changes the output (not in the config hash)
    workers: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _source_not_target(self) -> BuildConfig:
        if self.source_lang not in self.langid.candidates and not _detectable(self):
            raise ValueError(
                f"langid.candidates: the source language '{self.source_lang}' is not among "
                f"{list(self.langid.candidates)}, and the detector cannot name it otherwise, "
                "so every long segment would be dropped as another language; add it"
            )
        stdin = [p for p in [*self.input.paths, *(q for s in self.parallel for q in s.paths)]
                 if p == STDIN_PATH]
        if len(stdin) > 1:
            raise ValueError(f"'{STDIN_PATH}' (standard input) can be read only once")
        if self.source_lang in self.translate.targets:
            raise ValueError(
                f"translate.targets: '{self.source_lang}' is the source language itself"
            )
        langs = [p.lang for p in self.parallel]
        if self.source_lang in langs:
            raise ValueError(f"parallel: '{self.source_lang}' is the source language itself")
        if len(set(langs)) != len(langs):
            raise ValueError("parallel: one entry per language")
        return self

    def parallel_input(self, side: ParallelInput) -> InputConfig:
        """The input settings of a parallel channel (line limit and JSONL fields shared)."""
        return InputConfig(paths=side.paths, format=side.format, chat=side.chat,
                           max_line_chars=self.input.max_line_chars,
                           jsonl_fields=self.input.jsonl_fields)

    def recorded(self) -> dict:
        """The config as written to the manifest: no output location, input paths by file name."""
        data = self.model_dump(mode="json", exclude={"out", "workers"})
        data["input"]["paths"] = [input_display_name(p) for p in self.input.paths]
        tr = data["translate"]
        tr.pop("cache_dir")  # where the cache lives does not change the output
        tr.pop("engine")  # nor does the engine that ran the models (recorded apart)
        tr.pop("ray")
        tr["models"] = {k: model_display_name(v) for k, v in tr["models"].items()}
        for side in data["parallel"]:
            side["paths"] = [input_display_name(p) for p in side["paths"]]
        if data["align"]["mt_model"] not in (None, "auto"):
            data["align"]["mt_model"] = model_display_name(data["align"]["mt_model"])
        if data["align"]["embedding_model"]:
            data["align"]["embedding_model"] = model_display_name(data["align"]["embedding_model"])
        return data

    def config_hash(self) -> str:
        text = json.dumps(self.recorded(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _detectable(config: BuildConfig) -> bool:
    """Whether language ID can label text `source_lang` though it is not a candidate: with
    `outside_candidates`, when langdetect has a profile of it."""
    if not config.langid.outside_candidates:
        return False
    from builder.text.detectors import profile_path  # noqa: PLC0415

    return profile_path(config.source_lang).is_file()


def input_display_name(path: str) -> str:
    if path == STDIN_PATH:
        return "stdin"
    if path.startswith(BUNDLED_PREFIX):
        return path[len(BUNDLED_PREFIX) :]
    return Path(path).name


def model_display_name(model: str) -> str:
    """A Hub id as is; a local folder by its name (no absolute path in any output)."""
    path = Path(model)
    if path.is_absolute() or path.exists() or model.startswith("."):
        return path.name
    return model


# What a pattern-checked field expects, in words (pydantic would show the regular expression).
EXPECTED = {
    "version": "expected X.Y.Z, e.g. 1.0.0",
    "name": "expected letters, digits, '.', '_' or '-', starting with a letter or digit",
    "source_lang": "expected a language code like 'en'",
    "lang": "expected a language code like 'ru'",
    "license": "expected a Hub license id like 'cc-by-4.0', 'unknown' or 'other'",
    "license_name": "expected an id like 'my-license-1.0' (lowercase letters, digits, '.', '-')",
}


def _yaml_text_whole_number(value: object) -> int | None:
    """A YAML scalar that PyYAML reads as text but that names a whole number (`1e6`,
    `2E1`): the number, else None."""
    if not isinstance(value, str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number.is_integer() else None


# pydantic's wording of a value out of bounds, in this tool's "expected ..., got ..." form
_BOUNDS = {
    "greater_than_equal": "expected {ge} or more, got {got}",
    "less_than_equal": "expected {le} or less, got {got}",
    "greater_than": "expected more than {gt}, got {got}",
    "less_than": "expected less than {lt}, got {got}",
    "string_too_long": "expected at most {max_length} characters, got {got}",
    "string_too_short": "expected at least {min_length} characters, got {got}",
    "too_short": "expected at least {min_length} item(s), got {got}",
    "too_long": "expected at most {max_length} item(s), got {got}",
}


def _shown(value: object) -> str:
    """A bad value as an error line shows it: short ones whole, long text by its length."""
    if isinstance(value, str) and len(value) > 40:
        return f"{len(value)} characters"
    if isinstance(value, list | tuple | dict) and len(repr(value)) > 60:
        return f"{len(value)} items"
    return repr(value)


def _problem(error: dict) -> tuple[str, str]:
    """(dotted location, message in words) of one pydantic error."""
    loc = ".".join(str(p) for p in error["loc"])
    msg = error["msg"]
    if error["type"] == "extra_forbidden":
        msg = "unknown key"
    elif error["type"] == "string_pattern_mismatch":
        field = str(error["loc"][-1]) if error["loc"] else ""
        msg = f"{EXPECTED.get(field, msg)}, got {error['input']!r}"
    elif error["type"] == "string_type" and isinstance(error.get("input"), bool):
        msg = (f"expected text, got the boolean {error['input']!r} (YAML reads yes, no, on, "
               f"off, true and false as booleans: quote it)")
    elif error["type"] == "string_type" and isinstance(error.get("input"), int | float):
        field = str(error["loc"][-1]) if error["loc"] else ""
        if field == "version":
            msg = f"expected X.Y.Z, e.g. 1.0.0, got the number {error['input']!r} (write 1.0.0, not 1.0)"
        else:
            msg = f"expected text, got the number {error['input']!r} (YAML reads 1.0 as a number: quote it)"
    elif error["type"] == "int_parsing" and (
            (number := _yaml_text_whole_number(error.get("input"))) is not None):
        msg = (f"expected a whole number, got the text {error['input']!r} (YAML reads 1e6 as "
               f"text: write {number})")
    elif error["type"] in _BOUNDS:
        msg = _BOUNDS[error["type"]].format(**error.get("ctx", {}), got=_shown(error.get("input")))
    msg = msg.removeprefix("Value error, ")
    if not loc:  # a check across fields names its key at the start of its message
        key, sep, rest = msg.partition(": ")
        if sep and re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", key):
            loc, msg = key, rest
    return loc, msg


def format_validation_error(source: str, err: ValidationError,
                            flags: dict[str, str] | None = None) -> str:
    """One line: `SOURCE: key.path: problem`, or `--flag value: problem` where a command-line
    flag set that key."""
    loc, msg = _problem(err.errors()[0])
    more = len(err.errors()) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    flag = next((flags[k] for k in flags or {} if loc == k or loc.startswith(k + ".")), None)
    if flag:  # also for one item of a list the flag set (translate.targets.0)
        return f"{flag}: {msg}{tail}"
    return f"{source}: {loc}: {msg}{tail}" if loc else f"{source}: {msg}{tail}"


def validate_config(data: object, source: str, flags: dict[str, str] | None = None) -> BuildConfig:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the config must be a mapping of keys, got {type(data).__name__}")
    try:
        return BuildConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(format_validation_error(source, err, flags)) from err


def _beside(base: Path, path: str) -> str:
    """An input path as given in a config in folder `base`: relative ones are relative to it."""
    if path == STDIN_PATH or path.startswith(BUNDLED_PREFIX) or Path(path).is_absolute():
        return path
    return str(base / path)


MAX_CONFIG_DEPTH = 32  # the deepest key of a config is 4 levels down


def _check_nesting(text: str, path: Path) -> None:
    """Refuse YAML nested deeper than MAX_CONFIG_DEPTH, counted on the parser's events (no
    recursion) before the recursive composer sees it."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                raise ConfigError(f"{path}: line {event.start_mark.line + 1}: YAML nested "
                                  f"deeper than {MAX_CONFIG_DEPTH} levels (a config needs at most 4)")
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a mapping that gives one key twice (PyYAML keeps the
    last silently: `name: one` then `name: two` built dataset two)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node.start_mark.line + 1)
                except TypeError:  # an unhashable key: the constructor below says so
                    continue
                if first != key_node.start_mark.line + 1:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key '{key}' given twice (first on line {first})",
                        key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def load_config(path: str | Path) -> BuildConfig:
    """Read and validate a YAML config; relative input paths resolve against its folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ConfigError(f"{path}: config file not found") from err
    except IsADirectoryError as err:
        raise ConfigError(f"{path}: is a directory, expected a YAML config file") from err
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}:{utf8_error_at(err.object, err)}; save the config as "
                          "UTF-8") from err
    except OSError as err:
        raise ConfigError(f"{path}: cannot read config: {err.strerror or err}") from err
    try:
        _check_nesting(text, path)
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} invalid YAML: {getattr(err, 'problem', err)}") from err
    config = validate_config(data, str(path))
    base = path.parent
    paths = [_beside(base, p) for p in config.input.paths]
    # a model given as a relative path (that exists next to the config, or that can only be
    # a path: ./x, ../x, a/b/c) is a folder relative to the config: shown resolved if missing
    models = {t: _model_path(base, m) for t, m in config.translate.models.items()}
    parallel = [
        {**side.model_dump(), "paths": [_beside(base, p) for p in side.paths]}
        for side in config.parallel
    ]
    changes = {"input.paths": paths, "translate.models": models, "parallel": parallel}
    bridge = config.align.mt_model
    if bridge and bridge != "auto":
        changes["align.mt_model"] = _model_path(base, bridge)
    if config.align.embedding_model:
        changes["align.embedding_model"] = _model_path(base, config.align.embedding_model)
    for key, value in (("translate.cache_dir", config.translate.cache_dir),
                       ("translate.ray.work_dir", config.translate.ray.work_dir)):
        if value and "://" not in value and not Path(value).is_absolute():
            changes[key] = str(base / value)  # relative to the config file, like inputs
    return override(config, changes)


def _model_path(base: Path, model: str) -> str:
    if Path(model).is_absolute():
        return model
    if (base / model).exists() or model.startswith(".") or model.count("/") > 1:
        return str((base / model).resolve())
    return model  # a Hub id


def override(config: BuildConfig, changes: dict[str, object], source: str = "command line",
             flags: dict[str, str] | None = None) -> BuildConfig:
    """Apply dotted-key overrides (CLI flags) and validate the result again; `flags` names
    the flag that set a key (`{"version": "--version 1.1"}`) for the error message."""
    if not changes:
        return config
    data = config.model_dump(mode="python")
    for dotted, value in changes.items():
        node = data
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node[key]
        node[leaf] = value
    return validate_config(data, source, flags)


def sample_config() -> BuildConfig:
    """The bundled sample's config (`configs/sample.yaml`, shipped inside the package)."""
    from importlib import resources  # noqa: PLC0415

    ref = resources.files("builder.configs").joinpath("sample.yaml")
    return load_config(Path(str(ref)))


def input_build_config() -> BuildConfig:
    """The config of an `--input` build without CONFIG: the defaults, none of the sample's
    choices (its name and card prose, its protected names, its split ratios); the input's
    channel names it."""
    return validate_config({}, "--input build")
