"""Embedding mode: Vecalign's cost on sentence-transformers embeddings, cached; offline with a
tiny random model made here, and with an oracle embedder that knows the gold beads."""

import json

import numpy as np
import pytest

from builder.align.scoring import score
from builder.align.sentences import SentenceAligner
from builder.cli import main
from tests.helpers import SHARED_DATA, load_script

GOLD = json.loads((SHARED_DATA / "align_gold_en_ru.json").read_text(encoding="utf-8"))["pairs"]


class OracleEmbedder:
    """Each gold bead gets a random direction; each sentence of a bead a random part of it, so
    that only the whole bead's joined text points the bead's way; untranslated sentences get
    directions of their own."""

    model_id, revision = "oracle", "0"

    def __init__(self, pairs, dim=64):
        rnd = np.random.default_rng(1)
        self.vec: dict[str, np.ndarray] = {}
        for p in pairs:
            for s, t in p["beads"]:
                whole = rnd.normal(size=dim)
                for side, idx in ((p["src"], s), (p["tgt"], t)):
                    if not idx:
                        continue
                    parts = [rnd.normal(size=dim) for _ in idx[:-1]]
                    parts.append(whole - sum(parts) if parts else whole)
                    for k, v in zip(idx, parts, strict=True):
                        self.vec[side[k].strip()] = v

    def encode(self, texts):
        out = []
        for text in texts:
            total, rest = np.zeros(64), text
            while rest:  # a joined text is its sentences in order
                head = next(s for s in self.vec if rest.startswith(s))
                total, rest = total + self.vec[head], rest[len(head):].lstrip()
            out.append(total / np.linalg.norm(total))
        return np.array(out)


def test_embedding_cost_finds_the_gold_beads_with_a_model_that_knows_them():
    aligner = SentenceAligner(embedder=OracleEmbedder(GOLD))
    found = aligner.align_many([(p["src"], p["tgt"]) for p in GOLD])
    gold = [[(tuple(s), tuple(t)) for s, t in p["beads"]] for p in GOLD]
    result = score(gold, [[(b.src, b.tgt) for b in beads] for beads in found])
    assert result["strict"]["f1"] == 1.0


@pytest.fixture(scope="module")
def tiny_embedder(tmp_path_factory):
    pytest.importorskip("sentence_transformers")
    return load_script("make_tiny_embedder").make(tmp_path_factory.mktemp("st") / "tiny-st")


@pytest.mark.mt
def test_embeddings_are_computed_once_and_cached(tiny_embedder, tmp_path):
    from builder.align.embeddings import Embedder

    src, tgt = GOLD[0]["src"], GOLD[0]["tgt"]
    first = Embedder.load(str(tiny_embedder), tmp_path / "cache")
    beads = SentenceAligner(embedder=first).align(src, tgt)
    assert first.computed > len(src) + len(tgt)  # sentences and the joined texts of larger beads
    assert first.revision.startswith("sha256:") and first.model_id == "tiny-st"
    second = Embedder.load(str(tiny_embedder), tmp_path / "cache")
    again = SentenceAligner(embedder=second).align(src, tgt)
    assert second.computed == 0 and again == beads
    vectors = second.encode(["one", "two", "one"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1) and np.allclose(vectors[0], vectors[2])


@pytest.mark.mt
def test_align_command_with_an_embedding_model(tiny_embedder, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    src, tgt = tmp_path / "a.en", tmp_path / "a.ru"
    src.write_text("\n".join(GOLD[0]["src"]), encoding="utf-8")
    tgt.write_text("\n".join(GOLD[0]["tgt"]), encoding="utf-8")
    assert main(["align", str(src), str(tgt), "--src-lang", "en", "--tgt-lang", "ru",
                 "--embedding-model", str(tiny_embedder), "--format", "jsonl"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    covered = sorted(k for r in rows for k in r["src"])
    assert covered == list(range(len(GOLD[0]["src"]))) and all(0 <= r["score"] <= 1 for r in rows)
    assert (tmp_path / "xdg" / "bitext-builder" / "embeddings.sqlite3").is_file()
    code = main(["align", str(src), str(tgt), "--src-lang", "en", "--tgt-lang", "ru",
                 "--embedding-model", str(tmp_path / "no-such-model")])
    err = capsys.readouterr().err
    assert code == 4 and "no-such-model" in err and err.count("\n") == 1


@pytest.mark.mt
def test_build_names_the_embedding_model_in_manifest_and_card(tiny_embedder, tmp_path):
    en, ru = tmp_path / "en.jsonl", tmp_path / "ru.jsonl"
    en.write_text("\n".join(json.dumps({"id": 10 + k, "date": 1709276400 + k * 86400,
                                        "text": " ".join(p["src"])}) for k, p in enumerate(GOLD)))
    ru.write_text("\n".join(json.dumps({"id": 50 + k, "date": 1709280000 + k * 86400,
                                        "text": " ".join(p["tgt"])}, ensure_ascii=False)
                            for k, p in enumerate(GOLD)), encoding="utf-8")
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({
        "name": "emb", "input": {"paths": [str(en)]}, "parallel": [{"lang": "ru", "paths": [str(ru)]}],
        "align": {"embedding_model": str(tiny_embedder)},
        "translate": {"cache_dir": str(tmp_path / "cache")}}), encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", str(cfg), "--out", str(out), "-q"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    (model,) = [m for m in manifest["models"] if m.get("use") == "align-embeddings"]
    assert model["id"] == "tiny-st" and model["revision"].startswith("sha256:")
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"tiny-st@{model['revision']}" in card and "embeddings" in card
    assert manifest["counts"]["align"]["ru"]["pairs"] == len(GOLD)
