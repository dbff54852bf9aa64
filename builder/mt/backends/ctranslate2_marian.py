"""CTranslate2 backend: the Marian model converted once (cached by model, revision and compute
type), int8 on CPU, float16 or int8_float16 on GPU."""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from builder.config import TranslateConfig
from builder.errors import ModelError
from builder.mt.models import ModelSpec
from builder.mt.translator import (
    Hypothesis,
    Runtime,
    _import_ct2,
    count_tokens,
    load_pieces,
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
    """A converted Marian model in CTranslate2. On a GPU `stream` keeps the engine busy: the
    next batch is tokenized and queued while the engine translates this one (CTranslate2 runs
    batches on its own thread, without the GIL), and this one is decoded while it runs the
    next."""

    def __init__(self, spec: ModelSpec, settings: TranslateConfig, runtime: Runtime, cache_root: Path):
        ct2 = _import_ct2()
        self.spec, self.settings, self.runtime = spec, settings, runtime
        self.pieces = load_pieces(spec)
        self.tokenizer = self.pieces.tok
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
        # on the CPU the engine's threads and this one share the cores: overlapping them only
        # makes the engine's threads wait for each other
        self.overlap = runtime.device == "cuda"

    def tokens(self, texts: list[str]) -> list[list[str]]:
        # ending the source with "</s>" is what makes greedy output match transformers
        return self.pieces.source_tokens([source_text(self.spec, t) for t in texts])

    def count_tokens(self, texts: list[str]) -> list[int]:
        return count_tokens(self.pieces, self.spec, texts)

    def _submit(self, texts: list[str], asynchronous: bool):
        s = self.settings
        toks = self.tokens(texts)
        cut = [len(t) > self.max_input for t in toks]
        toks = [t if len(t) <= self.max_input else t[: self.max_input - 1] + ["</s>"] for t in toks]
        results = self.translator.translate_batch(
            toks, beam_size=s.num_beams, length_penalty=s.length_penalty,
            max_decoding_length=s.max_new_tokens, return_scores=True,
            max_input_length=self.max_input, disable_unk=False, asynchronous=asynchronous,
        )
        return results, cut

    def _finish(self, results, cut: list[bool]) -> list[Hypothesis]:
        results = [r.result() if hasattr(r, "result") else r for r in results]
        best = [r.hypotheses[0] for r in results]
        texts = self.pieces.decode_pieces(best)
        cap = self.settings.max_new_tokens
        return [Hypothesis(text, round(float(r.scores[0]), 4), cut[i] or len(best[i]) >= cap)
                for i, (r, text) in enumerate(zip(results, texts, strict=True))]

    def __call__(self, texts: list[str]) -> list[Hypothesis]:
        return self._finish(*self._submit(texts, asynchronous=False))

    def stream(self, batches: Iterable[list[str]]) -> Iterator[list[Hypothesis]]:
        if not self.overlap:
            for texts in batches:
                yield self(texts)
            return
        pending = None
        for texts in batches:
            job = self._submit(texts, asynchronous=True)
            if pending is not None:
                yield self._finish(*pending)
            pending = job
        if pending is not None:
            yield self._finish(*pending)
