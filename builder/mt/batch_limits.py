"""How large a translation batch may be: the config's numbers, or (`auto`) the CPU defaults on
the CPU and, on a GPU, limits sized from the device's memory and the model's shape."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CPU_MAX_TOKENS = 4096
CPU_MAX_SIZE = 64
# 4096: on an H100 raw CTranslate2 (base Marian, float16 weights) ran 6,208 segments/s in
# batches of 4096, 5,741 in 2048 and 4,744 in 1024 (docs/bench/bench_mt_h100.txt)
GPU_MIN_SIZE, GPU_MAX_SIZE = 64, 4096
TOKENS_PER_SEGMENT = 128  # padded source tokens a full batch is sized for
MEMORY_SHARE = 0.6  # of the device's total memory, for weights and batch together

_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8_float16": 2, "int8_bfloat16": 2,
          "int8": 4, "int8_float32": 4}
_WEIGHT_BYTES = {"int8": 1, "int8_float16": 1, "int8_bfloat16": 1, "int8_float32": 1}


@dataclass(frozen=True)
class BatchLimits:
    max_tokens: int  # padded tokens (batch length x longest source)
    max_size: int  # segments
    basis: str  # "config", "cpu default" or "device: <GiB> GiB"

    def record(self) -> dict:
        return {"max_batch_tokens": self.max_tokens, "max_batch_size": self.max_size,
                "basis": self.basis}


@dataclass(frozen=True)
class ModelShape:
    d_model: int
    encoder_layers: int
    decoder_layers: int
    ffn_dim: int
    vocab_size: int

    @property
    def parameters(self) -> int:
        d, f = self.d_model, self.ffn_dim
        layer = 4 * d * d + 2 * d * f
        return self.vocab_size * d + self.encoder_layers * layer + self.decoder_layers * (layer + 4 * d * d)

    @classmethod
    def of(cls, model_dir: Path) -> ModelShape:
        """Read from the model's config.json (Marian field names); base-size defaults."""
        try:
            cfg = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cfg = {}
        return cls(
            d_model=int(cfg.get("d_model", 512)),
            encoder_layers=int(cfg.get("encoder_layers", 6)),
            decoder_layers=int(cfg.get("decoder_layers", 6)),
            ffn_dim=int(cfg.get("decoder_ffn_dim", cfg.get("encoder_ffn_dim", 2048))),
            vocab_size=int(cfg.get("vocab_size", 58101)),
        )


def _pow2_floor(n: float) -> int:
    n = max(1, int(n))
    return 1 << (n.bit_length() - 1)


def device_limits(total_bytes: int, shape: ModelShape, compute_type: str, num_beams: int,
                  max_new_tokens: int, backend: str = "ctranslate2") -> tuple[int, int]:
    """(max_tokens, max_size) whose batch fits a share of the device's memory.

    Per segment: the decoder's self-attention cache over the output and the float32 logits of
    a step; per padded source token: the cross-attention cache and the encoder's activations.
    transformers also keeps every step's float32 scores (`output_scores`, for the segment's
    score), which `compute_transition_scores` copies twice (stacked, log-softmaxed): three
    copies of steps x vocabulary floats a segment (4096 segments of 40 tokens ran out of an
    H100's 80 GB there). The size is a power of two between 64 and 4096, the token budget 128
    tokens a segment."""
    b = _BYTES.get(compute_type, 4)
    d, layers = shape.d_model, shape.decoder_layers
    weights = shape.parameters * _WEIGHT_BYTES.get(compute_type, b)
    usable = MEMORY_SHARE * total_bytes - weights
    per_segment = num_beams * (2 * layers * d * max_new_tokens * b + shape.vocab_size * 4)
    if backend == "transformers":
        per_segment += num_beams * 3 * max_new_tokens * shape.vocab_size * 4
    per_token = num_beams * 2 * layers * d * b + (4 * d + shape.ffn_dim) * b
    fits = usable / (per_segment + TOKENS_PER_SEGMENT * per_token) if usable > 0 else 0
    size = min(GPU_MAX_SIZE, max(GPU_MIN_SIZE, _pow2_floor(fits)))
    return size * TOKENS_PER_SEGMENT, size


def resolve_batch_limits(settings, runtime, model_dir: Path, total_bytes: int | None = None) -> BatchLimits:
    """The limits a stage batches by. Numbers in the config win; `auto` means the CPU defaults
    on the CPU and device-sized limits on a GPU (`total_bytes` given, or read from the device)."""
    tokens, size = settings.max_batch_tokens, settings.max_batch_size
    if tokens != "auto" and size != "auto":
        return BatchLimits(int(tokens), int(size), "config")
    if runtime.device != "cuda":
        auto_tokens, auto_size, basis = CPU_MAX_TOKENS, CPU_MAX_SIZE, "cpu default"
    else:
        if total_bytes is None:
            from builder.mt.cuda import total_memory_bytes  # noqa: PLC0415

            total_bytes = total_memory_bytes()
        if total_bytes is None:
            log.warning("cannot read the GPU's memory; batching with the CPU defaults")
            auto_tokens, auto_size, basis = CPU_MAX_TOKENS, CPU_MAX_SIZE, "cpu default"
        else:
            auto_tokens, auto_size = device_limits(
                total_bytes, ModelShape.of(model_dir), runtime.compute_type,
                settings.num_beams, settings.max_new_tokens, runtime.backend)
            basis = f"device: {total_bytes / 2**30:.0f} GiB"
    return BatchLimits(
        auto_tokens if tokens == "auto" else int(tokens),
        auto_size if size == "auto" else int(size),
        basis,
    )
