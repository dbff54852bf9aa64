"""Make a sentence-transformers model offline, for tests (random weights, real layout): a
one-layer BERT over a character-level WordPiece vocabulary (Latin and Cyrillic letters, digits,
punctuation) with mean pooling. Its embeddings mean nothing, but the folder loads with
`SentenceTransformer(DIR)` like any downloaded model.

    python scripts/make_tiny_embedder.py DIR [--seed 0]

The same arguments give the same files.
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path

CHARS = (string.ascii_lowercase + string.digits + ".,;:!?'\"()-«»"
         + "абвгдеёжзийклмнопрстуфхцчшщъыьэюя" + "äöüßéèêàâçôûîïë")


def make(folder: Path, seed: int = 0) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:  # sentence-transformers 6
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # 3 to 5
        from sentence_transformers.models import Pooling, Transformer

    folder = Path(folder)
    work = folder.parent / (folder.name + ".parts")
    work.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *CHARS, *("##" + c for c in CHARS)]
    (work / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(work / "vocab.txt"), do_lower_case=True).save_pretrained(work)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    BertModel(config).save_pretrained(work, safe_serialization=True)
    word = Transformer(str(work), max_seq_length=256)
    dimension = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    pool = Pooling(dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[word, pool], device="cpu").save(str(folder))
    for f in work.iterdir():
        f.unlink()
    work.rmdir()
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(make(args.dir, args.seed))


if __name__ == "__main__":
    main()
