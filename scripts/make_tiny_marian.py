"""Make a MarianMT model offline, for tests and benchmarks (random weights, real layout).

    python scripts/make_tiny_marian.py DIR [--size tiny|base] [--targets ru de]

- SentencePiece (unigram) trained on the bundled sample, written as source.spm/target.spm.
- vocab.json in the opus-mt layout: `</s>`=0, `<unk>`=1, the pieces, `>>xxx<<` target tokens
  when --targets names two or more languages (a multi-target model like opus-mt-en-mul),
  `<pad>` last.
- Random weights with init_std 0.5 (so that outputs depend on inputs); random models never
  emit EOS, so always cap generation with max_new_tokens.
- `tiny`: d_model 32, 1+1 layers (under 1 MB, for tests); `base`: the opus-mt-en-de shape
  (d_model 512, 6+6 layers, 8 heads, ffn 2048, vocab 58101; about 74 M parameters).
The same arguments give the same files.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "builder" / "data" / "telegram_channel_sample.txt"
SIZES = {
    "tiny": dict(d_model=32, layers=1, heads=2, ffn=64, vocab=None, spm_vocab=600),
    "base": dict(d_model=512, layers=6, heads=8, ffn=2048, vocab=58101, spm_vocab=2000),
}


def train_spm(vocab_size: int) -> bytes:
    import sentencepiece as spm

    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    spm.set_random_generator_seed(1234)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        model_type="unigram",
        normalization_rule_name="identity",
        minloglevel=2,
    )
    return model.getvalue()


def make(out: Path, size: str = "tiny", targets: tuple[str, ...] = ("ru",)) -> Path:
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    dims = SIZES[size]
    spm_bytes = train_spm(dims["spm_vocab"])
    proc = spm.SentencePieceProcessor(model_proto=spm_bytes)
    pieces = [
        proc.id_to_piece(i)
        for i in range(proc.get_piece_size())
        if not (proc.is_control(i) or proc.is_unknown(i))
    ]
    tokens = ["</s>", "<unk>"] + pieces
    if len(targets) > 1:
        tokens += [f">>{t}<<" for t in targets]
    if dims["vocab"]:
        tokens += [f"<extra_{i}>" for i in range(dims["vocab"] - 1 - len(tokens))]
    tokens.append("<pad>")
    vocab = {tok: i for i, tok in enumerate(tokens)}
    V = len(tokens)

    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    work = out / "_spm"
    work.mkdir()
    for name in ("source.spm", "target.spm"):
        (work / name).write_bytes(spm_bytes)
    (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tok = MarianTokenizer(
        source_spm=str(work / "source.spm"),
        target_spm=str(work / "target.spm"),
        vocab=str(work / "vocab.json"),
        source_lang="en",
        target_lang=targets[0] if len(targets) == 1 else "mul",
    )
    config = MarianConfig(
        vocab_size=V,
        decoder_vocab_size=V,
        d_model=dims["d_model"],
        encoder_layers=dims["layers"],
        decoder_layers=dims["layers"],
        encoder_attention_heads=dims["heads"],
        decoder_attention_heads=dims["heads"],
        encoder_ffn_dim=dims["ffn"],
        decoder_ffn_dim=dims["ffn"],
        max_position_embeddings=512,
        pad_token_id=V - 1,
        decoder_start_token_id=V - 1,
        eos_token_id=0,
        forced_eos_token_id=0,
        bos_token_id=0,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        init_std=0.5,
        bad_words_ids=[[V - 1]],
        max_length=512,
        num_beams=1,
    )
    torch.manual_seed(0)
    model = MarianMTModel(config)
    model.eval()
    model.save_pretrained(out)
    tok.save_pretrained(out)
    shutil.rmtree(work)
    for f in out.iterdir():
        f.chmod(0o644)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--size", choices=sorted(SIZES), default="tiny")
    ap.add_argument("--targets", nargs="+", default=["ru"])
    args = ap.parse_args()
    path = make(Path(args.dir), args.size, tuple(args.targets))
    total = sum(f.stat().st_size for f in path.iterdir())
    print(f"{path}: MarianMT ({args.size}, targets {' '.join(args.targets)}), {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
