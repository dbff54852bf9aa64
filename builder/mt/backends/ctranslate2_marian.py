"""CTranslate2 backend: the Marian model converted once (cached by model, revision and compute
type), int8 on CPU, float16 or int8_float16 on GPU."""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

from builder.config import TranslateConfig
from builder.errors import ModelError
from builder.mt.models import ModelSpec
from builder.mt.translator import (
    Hypothesis,
    Runtime,
    _import_ct2,
    count_tokens,
    load_tokenizer,
    source_text,
)

log = logging.getLogger(__name__)


def converted_dir(cache_root: Path, spec: ModelSpec, compute_type: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", spec.model_id)
    rev = re.sub(r"[^A-Za-z0-9]+", "", spec.revision)[:16]
    return cache_root / "ct2" / f"{safe}-{rev}-{compute_type}"


def convert(spec: ModelSpec, target: Path, compute_type: str) -> Path:
    """Convert once; a half-written conversion is never used (temporary folder, then rename)."""
    if (target / "model.bin").is_file():
        return target
    ct2 = _import_ct2()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    log.info("converting %s to CTranslate2 (%s), once", spec.model_id, compute_type)
    try:
        ct2.converters.TransformersConverter(str(spec.path)).convert(
            str(tmp), quantization=compute_type, force=True
        )
        os.replace(tmp, target)
    except Exception as err:  # noqa: BLE001
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelError(f"target '{spec.target}': cannot convert {spec.model_id} to CTranslate2: {err}") from err
    return target


class CT2Translator:
    def __init__(self, spec: ModelSpec, settings: TranslateConfig, runtime: Runtime, cache_root: Path):
        ct2 = _import_ct2()
        self.spec, self.settings, self.runtime = spec, settings, runtime
        self.tokenizer = load_tokenizer(spec)
        folder = convert(spec, converted_dir(Path(cache_root), spec, runtime.compute_type),
                         runtime.compute_type)
        try:
            self.translator = ct2.Translator(
                str(folder), device=runtime.device, compute_type=runtime.compute_type,
                inter_threads=1, intra_threads=settings.threads,
            )
        except Exception as err:  # noqa: BLE001
            raise ModelError(f"target '{spec.target}': cannot load CTranslate2 model: {err}") from err
        self.max_input = settings.max_input_tokens

    def tokens(self, texts: list[str]) -> list[list[str]]:
        # ending the source with "</s>" is what makes greedy output match transformers
        ids = self.tokenizer([source_text(self.spec, t) for t in texts])["input_ids"]
        return [self.tokenizer.convert_ids_to_tokens(i) for i in ids]

    def count_tokens(self, texts: list[str]) -> list[int]:
        return count_tokens(self.tokenizer, self.spec, texts)

    def __call__(self, texts: list[str]) -> list[Hypothesis]:
        s = self.settings
        toks = self.tokens(texts)
        cut = [len(t) > self.max_input for t in toks]
        toks = [t if len(t) <= self.max_input else t[: self.max_input - 1] + ["</s>"] for t in toks]
        results = self.translator.translate_batch(
            toks, beam_size=s.num_beams, length_penalty=s.length_penalty,
            max_decoding_length=s.max_new_tokens, return_scores=True,
            max_input_length=self.max_input, disable_unk=False,
        )
        out = []
        for i, r in enumerate(results):
            hyp = r.hypotheses[0]
            ids = self.tokenizer.convert_tokens_to_ids(hyp)
            text = self.tokenizer.decode(ids, skip_special_tokens=True)
            hit_cap = len(hyp) >= s.max_new_tokens
            out.append(Hypothesis(text, round(float(r.scores[0]), 4), cut[i] or hit_cap))
        return out
