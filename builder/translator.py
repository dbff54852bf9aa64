"""The `Translator` interface and its transformers backend (MarianMTModel + `generate`).

A translator loads its model once in `__init__` and translates a batch of source texts in
`__call__`; the same class serves every engine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from builder.config import TranslateConfig
from builder.errors import ConfigError, ModelError
from builder.mt_models import ModelSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hypothesis:
    text: str
    score: float  # mean token log-probability
    truncated: bool  # the input was cut to the model's limit, or the output hit the cap


@dataclass(frozen=True)
class Runtime:
    """Where and how a model runs; part of every cache key and of the signature."""

    backend: str
    device: str
    compute_type: str


def resolve_runtime(settings: TranslateConfig) -> Runtime:
    device = settings.device
    if settings.backend == "ctranslate2":
        ct2 = _import_ct2()
        if device == "auto":
            device = "cuda" if ct2.get_cuda_device_count() > 0 else "cpu"
        compute = settings.compute_type
        if compute == "auto":
            compute = "float16" if device == "cuda" else "int8"
        return Runtime("ctranslate2", device, compute)
    torch = _import_torch()
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("translate.device: cuda asked for, but torch sees no GPU")
    compute = settings.compute_type
    if compute == "auto":
        compute = "float16" if device == "cuda" else "float32"
    if compute not in ("float32", "float16"):
        raise ConfigError(
            f"translate.compute_type: {compute} is for the ctranslate2 backend; transformers "
            "runs float32 (CPU) or float16 (GPU)"
        )
    if compute == "float16" and device == "cpu":
        raise ConfigError("translate.compute_type: float16 needs device cuda")
    return Runtime("transformers", device, compute)


def _import_torch():
    try:
        import torch  # noqa: PLC0415
    except ImportError:
        raise ConfigError(
            "translation needs torch: pip install torch==2.13.0 (CPU) and "
            "pip install 'bitext-builder[mt]'"
        ) from None
    return torch


def _import_ct2():
    try:
        import ctranslate2  # noqa: PLC0415
    except ImportError:
        raise ConfigError(
            "translate.backend ctranslate2 needs: pip install 'bitext-builder[ct2]'"
        ) from None
    return ctranslate2


def source_text(spec: ModelSpec, text: str) -> str:
    """What the model reads: the text, after the `>>xxx<<` token of a multi-target model."""
    return f"{spec.target_token} {text}" if spec.target_token else text


def count_tokens(tokenizer, spec: ModelSpec, texts: list[str]) -> list[int]:
    """Source lengths in tokens (with `</s>`), as every engine batches by them."""
    return [len(ids) for ids in tokenizer([source_text(spec, t) for t in texts])["input_ids"]]


def load_tokenizer(spec: ModelSpec):
    from transformers import MarianTokenizer  # noqa: PLC0415

    try:
        return MarianTokenizer.from_pretrained(str(spec.path), local_files_only=True)
    except Exception as err:  # noqa: BLE001
        raise ModelError(f"target '{spec.target}': cannot load the tokenizer of {spec.model_id}: {err}") from None


class TransformersTranslator:
    """MarianMTModel on CPU (float32) or GPU (float16), greedy or beam search."""

    def __init__(self, spec: ModelSpec, settings: TranslateConfig, runtime: Runtime):
        torch = _import_torch()
        from transformers import MarianMTModel  # noqa: PLC0415

        self.spec, self.settings, self.runtime = spec, settings, runtime
        self.tokenizer = load_tokenizer(spec)
        dtype = torch.float16 if runtime.compute_type == "float16" else torch.float32
        try:
            model = MarianMTModel.from_pretrained(str(spec.path), local_files_only=True, dtype=dtype)
        except Exception as err:  # noqa: BLE001
            raise ModelError(f"target '{spec.target}': cannot load {spec.model_id}: {err}") from None
        self.model = model.to(runtime.device).eval()
        self.max_input = min(settings.max_input_tokens, model.config.max_position_embeddings)
        self._torch = torch

    def __call__(self, texts: list[str]) -> list[Hypothesis]:
        torch = self._torch
        sources = [source_text(self.spec, t) for t in texts]
        full = self.tokenizer(sources)["input_ids"]
        cut = [len(ids) > self.max_input for ids in full]
        enc = self.tokenizer(sources, return_tensors="pt", padding=True, truncation=True,
                             max_length=self.max_input).to(self.runtime.device)
        s = self.settings
        with torch.inference_mode():
            out = self.model.generate(
                **enc, max_new_tokens=s.max_new_tokens, num_beams=s.num_beams,
                length_penalty=s.length_penalty, do_sample=False, output_scores=True,
                return_dict_in_generate=True,
            )
            steps = self.model.compute_transition_scores(
                out.sequences, out.scores, getattr(out, "beam_indices", None),
                normalize_logits=s.num_beams == 1,
            ).float().cpu()
        seqs = out.sequences.cpu()
        gen = seqs[:, 1:]  # drop the decoder start token
        cfg = self.model.config
        results = []
        for i in range(len(texts)):
            row = gen[i]
            valid = row != cfg.pad_token_id
            eos_at = (row == cfg.eos_token_id).nonzero()
            n = int(eos_at[0]) + 1 if len(eos_at) else int(valid.sum())
            # transformers forces </s> at the cap: an output that reached the cap was cut,
            # and the forced token's (certain) score is not the model's
            hit_cap = n >= s.max_new_tokens
            scores = steps[i][: n - 1 if hit_cap else n]
            scores = scores[torch.isfinite(scores)]
            mean = float(scores.mean()) if len(scores) else 0.0
            text = self.tokenizer.decode(row[:n], skip_special_tokens=True)
            results.append(Hypothesis(text, round(mean, 4), cut[i] or hit_cap))
        return results

    def count_tokens(self, texts: list[str]) -> list[int]:
        return count_tokens(self.tokenizer, self.spec, texts)


def make_translator(spec: ModelSpec, settings: TranslateConfig, runtime: Runtime, cache_root=None):
    if runtime.backend == "ctranslate2":
        from builder.translator_ct2 import CT2Translator  # noqa: PLC0415

        return CT2Translator(spec, settings, runtime, cache_root)
    return TransformersTranslator(spec, settings, runtime)
