"""`bitext-builder align SRC TGT`: formats, output file, bad input."""

import json

import pytest

from builder.cli import main
from tests.helpers import SHARED_DATA

GOLD = json.loads((SHARED_DATA / "align_gold_en_ru.json").read_text(encoding="utf-8"))["pairs"]


@pytest.fixture
def docs(tmp_path):
    src, tgt = tmp_path / "doc.en", tmp_path / "doc.ru"
    src.write_text("\n".join(s for p in GOLD for s in p["src"]) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(t for p in GOLD for t in p["tgt"]) + "\n", encoding="utf-8")
    return src, tgt


def _align(capsys, *args):
    code = main(["align", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_vecalign_lines_cover_every_sentence(docs, capsys):
    code, out, _ = _align(capsys, *docs, "--src-lang", "en", "--tgt-lang", "ru")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "[0]:[0]" and all(":" in x and x.startswith("[") for x in lines)
    n_src = sum(len(p["src"]) for p in GOLD)
    n_tgt = sum(len(p["tgt"]) for p in GOLD)
    src_ids = [int(x) for line in lines for x in line.split(":")[0].strip("[]").split(",") if x]
    tgt_ids = [int(x) for line in lines for x in line.split(":")[1].strip("[]").split(",") if x]
    assert src_ids == list(range(n_src)) and tgt_ids == list(range(n_tgt))
    assert any(x.endswith(":[]") or x.startswith("[]") for x in lines)  # an untranslated sentence


def test_tsv_and_jsonl_carry_texts_and_scores(docs, capsys, tmp_path):
    _, tsv, _ = _align(capsys, *docs, "--src-lang", "en", "--tgt-lang", "ru", "--format", "tsv")
    first = tsv.splitlines()[0].split("\t")
    assert first[0] == GOLD[0]["src"][0] and first[1] == GOLD[0]["tgt"][0]
    assert 0 < float(first[2]) <= 1 and first[3] == "[0]:[0]"
    out = tmp_path / "beads.jsonl"
    code, printed, _ = _align(capsys, *docs, "--src-lang", "en", "--tgt-lang", "ru", "--format",
                              "jsonl", "--out", out, "--no-lexicon")
    assert code == 0 and printed == ""
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["translation"] == {"en": GOLD[0]["src"][0], "ru": GOLD[0]["tgt"][0]}
    assert rows[0]["src"] == [0] and rows[0]["tgt"] == [0] and 0 < rows[0]["score"] <= 1
    assert not list(tmp_path.glob(".beads.jsonl.*"))  # no temporary file left


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"", "empty"),
    (b"\n  \n", "empty"),
    (b"\x00\x01binary\x00", "looks binary"),
    (b"caf\xe9\n", "bad.txt:1: invalid UTF-8 (invalid continuation byte at byte 3)"),
    # named as the build's readers name it: the line, and the byte within it
    (b"One line.\nTwo caf\xe9s.\n", "bad.txt:2: invalid UTF-8 (invalid continuation byte at byte 7)"),
])
def test_bad_input_is_one_line_and_exit_3(docs, capsys, tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    if content is not None:
        bad.write_bytes(content)
    code, out, err = _align(capsys, docs[0], bad, "--src-lang", "en", "--tgt-lang", "ru")
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and str(bad) in err and message in err


def test_usage_errors_exit_2(docs, capsys, tmp_path):
    code, _, err = _align(capsys, *docs, "--src-lang", "English", "--tgt-lang", "ru")
    assert code == 2 and "--src-lang 'English'" in err
    code, _, err = _align(capsys, *docs, "--src-lang", "en")
    assert code == 2 and "--tgt-lang" in err
    code, _, err = _align(capsys, *docs, "--src-lang", "en", "--tgt-lang", "ru", "--out",
                          tmp_path / "missing" / "out.txt")
    assert code == 2 and "does not exist" in err and not (tmp_path / "missing").exists()
