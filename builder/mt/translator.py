"""The `Translator` interface, the runtime it runs on, and the factory for its backends.

A translator loads its model once in `__init__` and translates a batch of source texts in
`__call__`; the same class serves every engine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from builder.config import TranslateConfig
from builder.errors import ConfigError, ModelError
from builder.extras import require
from builder.mt.models import ModelSpec
from builder.mt.pieces import MarianPieces

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hypothesis:
    text: str
    score: float  # mean token log-probability
    truncated: bool  # the input was cut to the model's limit, or the output hit the cap


class Translator(Protocol):
    """A loaded model: `__call__` translates one batch, `count_tokens` measures source texts
    (with `</s>`) the way batches are planned. Backends: `builder/mt/backends/`."""

    def __call__(self, texts: list[str]) -> list[Hypothesis]: ...

    def stream(self, batches: Iterable[list[str]]) -> Iterator[list[Hypothesis]]:
        """`__call__` over batches, in order (a backend may prepare the next batch while its
        engine runs this one)."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]: ...


@dataclass(frozen=True)
class Runtime:
    """Where and how a model runs; part of every cache key and of the signature."""

    backend: str
    device: str
    compute_type: str


def resolve_runtime(settings: TranslateConfig) -> Runtime:
    device = settings.device
    if settings.backend == "ctranslate2":
        return _ct2_runtime(settings, _import_ct2())
    torch = _import_torch()
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError(
            "translate.device: cuda asked for, but torch sees no GPU (a CPU-only torch, or no "
            "NVIDIA driver); install a CUDA build of torch, or use device: cpu or auto"
        )
    compute = settings.compute_type
    if compute == "auto":
        compute = "float16" if device == "cuda" else "float32"
    if compute not in ("float32", "float16", "bfloat16"):
        raise ConfigError(
            f"translate.compute_type: {compute} is for the ctranslate2 backend; transformers "
            "runs float32 (CPU) or float16/bfloat16 (GPU)"
        )
    if compute in ("float16", "bfloat16") and device == "cpu":
        raise ConfigError(f"translate.compute_type: {compute} needs device cuda")
    return Runtime("transformers", device, compute)


def _ct2_runtime(settings: TranslateConfig, ct2) -> Runtime:
    from builder.mt.cuda import GPU_EXTRA, REQUIRED, loadable, require_cuda12  # noqa: PLC0415

    device = settings.device
    gpus = ct2.get_cuda_device_count()
    if device == "cuda":
        require_cuda12(gpus)
    elif device == "auto":
        device = "cuda" if gpus > 0 and loadable(REQUIRED) else "cpu"
        if gpus > 0 and device == "cpu":
            log.warning("a GPU is present but CTranslate2 cannot use it (%s missing): "
                        "translating on the CPU; %s", REQUIRED, GPU_EXTRA)
    compute = settings.compute_type
    if compute == "auto":
        compute = "float16" if device == "cuda" else "int8"
    return Runtime("ctranslate2", device, compute)


def _import_torch():
    return require("torch", "mt", needed_by="translation",
                   install="pip install torch==2.13.0 (CPU) and pip install 'bitext-builder[mt]'")


def _import_ct2():
    from builder.mt.cuda import preload_cuda12  # noqa: PLC0415

    preload_cuda12()  # CUDA 12 libraries from the [gpu] extra's wheels, before CTranslate2 needs them
    return require("ctranslate2", "ct2", needed_by="translate.backend ctranslate2")


def source_text(spec: ModelSpec, text: str) -> str:
    """What the model reads: the text, after the `>>xxx<<` token of a multi-target model."""
    return f"{spec.target_token} {text}" if spec.target_token else text


COUNT_CHUNK = 10_000  # texts tokenized at a time: the token ids of a whole corpus never exist


def count_tokens(pieces: MarianPieces, spec: ModelSpec, texts: list[str]) -> list[int]:
    """Source lengths in tokens (with `</s>`), as every engine batches by them."""
    lengths: list[int] = []
    for i in range(0, len(texts), COUNT_CHUNK):
        lengths += pieces.count([source_text(spec, t) for t in texts[i : i + COUNT_CHUNK]])
    return lengths


def load_tokenizer(spec: ModelSpec):
    from transformers import MarianTokenizer  # noqa: PLC0415

    try:
        return MarianTokenizer.from_pretrained(str(spec.path), local_files_only=True)
    except Exception as err:  # noqa: BLE001
        raise ModelError(f"target '{spec.target}': cannot load the tokenizer of {spec.model_id}: {err}") from err


def load_pieces(spec: ModelSpec) -> MarianPieces:
    """The model's tokenizer, for bulk encoding and decoding (`builder/mt/pieces.py`)."""
    return MarianPieces(load_tokenizer(spec), spec.target_token)


def make_translator(spec: ModelSpec, settings: TranslateConfig, runtime: Runtime,
                    cache_root=None) -> Translator:
    if runtime.backend == "ctranslate2":
        from builder.mt.backends.ctranslate2_marian import CT2Translator  # noqa: PLC0415

        return CT2Translator(spec, settings, runtime, cache_root)
    from builder.mt.backends.transformers_marian import TransformersTranslator  # noqa: PLC0415

    return TransformersTranslator(spec, settings, runtime)
