"""Kept segments spilled to Parquet: read back in order and in chunks, split moves applied,
the same dataset however small the row groups, nothing left in the output folder."""

import pytest

from builder.mt.stage import SegmentRef
from builder.pipeline import spill as spill_module
from builder.pipeline.spill import SegmentSpill
from tests.helpers import write_mt_config


def test_spill_reads_back_in_order_in_chunks_with_moves(tmp_path):
    refs = [SegmentRef(f"p{i // 3}:{i % 3}", f"p{i // 3}", i % 3, f"text {i}", "train")
            for i in range(10)]
    spill = SegmentSpill(tmp_path / "w" / "kept.parquet", rows_per_group=4)
    for ref in refs:
        spill.add(ref)
    spill.moves["p1"] = "test"
    assert [len(c) for c in spill.chunks()] == [4, 4, 2]
    back = list(spill)
    assert [r.id for r in back] == [r.id for r in refs] and len(spill) == 10
    assert [r.split for r in back if r.post_id == "p1"] == ["test"] * 3
    assert {r.split for r in back if r.post_id != "p1"} == {"train"}


def test_an_empty_spill_writes_nothing(tmp_path):
    spill = SegmentSpill(tmp_path / "kept.parquet")
    assert list(spill.chunks()) == [] and not (tmp_path / "kept.parquet").exists()


def test_translation_reads_the_spill_and_the_output_does_not_depend_on_its_row_groups(
        tiny_models, tmp_path, monkeypatch):
    from builder.cli import main

    cfg = write_mt_config(tmp_path / "c.yaml", {"ru": tiny_models["mul"], "de": tiny_models["mul"]},
                          tmp_path / "cache", targets=("ru", "de"))
    assert main(["build", str(cfg), "--out", str(tmp_path / "a"), "-q"]) == 0
    monkeypatch.setattr(spill_module, "ROWS_PER_GROUP", 7)
    assert main(["build", str(cfg), "--out", str(tmp_path / "b"), "-q"]) == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*")
                   if p.is_file())
    assert any(str(f).startswith("data/multiway/") for f in files)
    assert not any(".work" in str(f) for f in files)
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


@pytest.mark.parametrize("n", [3, 2_501])
def test_token_counts_are_the_same_in_chunks(n, tiny_models, monkeypatch):
    from builder.mt import translator
    from builder.mt.models import ModelSpec
    from builder.mt.translator import count_tokens, load_pieces

    spec = ModelSpec("ru", "tiny", tiny_models["ru"], "local", None)
    pieces = load_pieces(spec)
    texts = [f"Sentence number {i} of a test." for i in range(n)]
    whole = [len(ids) for ids in pieces.tok([translator.source_text(spec, t) for t in texts])["input_ids"]]
    monkeypatch.setattr(translator, "COUNT_CHUNK", 1_000)
    assert count_tokens(pieces, spec, texts) == whole
