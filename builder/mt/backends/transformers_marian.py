"""transformers backend: MarianMTModel + `generate`, float32 on CPU, float16 on GPU."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from builder.config import TranslateConfig
from builder.errors import ModelError
from builder.mt.models import ModelSpec
from builder.mt.translator import (
    Hypothesis,
    Runtime,
    _import_torch,
    count_tokens,
    load_pieces,
    source_text,
)


class TransformersTranslator:
    """MarianMTModel on CPU (float32) or GPU (float16), greedy or beam search."""

    def __init__(self, spec: ModelSpec, settings: TranslateConfig, runtime: Runtime):
        torch = _import_torch()
        from transformers import MarianMTModel  # noqa: PLC0415

        self.spec, self.settings, self.runtime = spec, settings, runtime
        self.pieces = load_pieces(spec)
        self.tokenizer = self.pieces.tok
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
        full = self.pieces.ids(sources)
        cut = [len(ids) > self.max_input for ids in full]
        enc = self._batch(full)
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
        kept, means, capped = [], [], []
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
            means.append(float(scores.mean()) if len(scores) else 0.0)
            kept.append(row[:n].tolist())
            capped.append(cut[i] or hit_cap)
        decoded = self.pieces.decode_ids(kept)
        return [Hypothesis(t, round(m, 4), c) for t, m, c in zip(decoded, means, capped, strict=True)]

    def stream(self, batches: Iterable[list[str]]) -> Iterator[list[Hypothesis]]:
        for texts in batches:
            yield self(texts)

    def _batch(self, full: list[list[int]]) -> dict:
        """What `tokenizer(sources, padding=True, truncation=True, max_length=max_input,
        return_tensors="pt")` gives: a row longer than the limit keeps its first (or, where
        the tokenizer truncates on the left, its last) tokens and ends with `</s>`; rows
        padded on the tokenizer's side; on the model's device."""
        torch, eos, limit = self._torch, self.tokenizer.eos_token_id, self.max_input
        if self.tokenizer.truncation_side == "left":
            rows = [ids if len(ids) <= limit else ids[:-1][len(ids) - limit :] + [eos] for ids in full]
        else:
            rows = [ids if len(ids) <= limit else ids[: limit - 1] + [eos] for ids in full]
        width = max(map(len, rows))
        ids = torch.full((len(rows), width), self.tokenizer.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        left = self.tokenizer.padding_side == "left"
        for i, row in enumerate(rows):
            span = slice(width - len(row), width) if left else slice(0, len(row))
            ids[i, span] = torch.tensor(row, dtype=torch.long)
            mask[i, span] = 1
        device = self.runtime.device
        return {"input_ids": ids.to(device), "attention_mask": mask.to(device)}

    def close(self) -> None:
        if self._threads_before is not None:
            self._torch.set_num_threads(self._threads_before)
            self._threads_before = None

    def count_tokens(self, texts: list[str]) -> list[int]:
        return count_tokens(self.pieces, self.spec, texts)
