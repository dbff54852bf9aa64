"""transformers backend: MarianMTModel + `generate`, float32 on CPU, float16 on GPU."""

from __future__ import annotations

from builder.config import TranslateConfig
from builder.errors import ModelError
from builder.mt.models import ModelSpec
from builder.mt.translator import (
    Hypothesis,
    Runtime,
    _import_torch,
    count_tokens,
    load_tokenizer,
    source_text,
)


class TransformersTranslator:
    """MarianMTModel on CPU (float32) or GPU (float16), greedy or beam search."""

    def __init__(self, spec: ModelSpec, settings: TranslateConfig, runtime: Runtime):
        torch = _import_torch()
        from transformers import MarianMTModel  # noqa: PLC0415

        self.spec, self.settings, self.runtime = spec, settings, runtime
        self.tokenizer = load_tokenizer(spec)
        dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16}.get(runtime.compute_type,
                                                                         torch.float32)
        try:
            model = MarianMTModel.from_pretrained(str(spec.path), local_files_only=True, dtype=dtype)
        except Exception as err:  # noqa: BLE001
            raise ModelError(f"target '{spec.target}': cannot load {spec.model_id}: {err}") from err
        self.model = model.to(runtime.device).eval()
        self._threads_before = None
        if settings.threads and runtime.device == "cpu":  # process-wide: put back by close()
            self._threads_before = torch.get_num_threads()
            torch.set_num_threads(settings.threads)
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

    def close(self) -> None:
        if self._threads_before is not None:
            self._torch.set_num_threads(self._threads_before)
            self._threads_before = None

    def count_tokens(self, texts: list[str]) -> list[int]:
        return count_tokens(self.tokenizer, self.spec, texts)
