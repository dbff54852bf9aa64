"""Sentence segmentation: golden rules, abbreviations, protected names, offsets, lines."""

import json

import pytest

from builder.records import Post
from builder.text.segment import Segmenter
from tests.helpers import SHARED_DATA


@pytest.fixture(scope="module")
def seg():
    return Segmenter("en", ["Moscow. Kremlin. Putin"])


def _score(seg, name):
    cases = json.loads((SHARED_DATA / name).read_text(encoding="utf-8"))
    return sum(seg.sentences(c["text"]) == c["expected"] for c in cases), len(cases)


def test_golden_rules_score(seg):
    ok, total = _score(seg, "segmentation_golden_rules_en.json")
    assert total == 48 and ok >= 43


def test_abbreviations_score(seg):
    ok, total = _score(seg, "segmentation_abbreviations_en.json")
    assert total == 18 and ok >= 17


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Sergey Lavrov: Excellent. We share a complete understanding.",
         ["Sergey Lavrov: Excellent.", "We share a complete understanding."]),
        ("answers to the Moscow. Kremlin. Putin TV programme (3 July 2024, Astana)",
         ["answers to the Moscow. Kremlin. Putin TV programme (3 July 2024, Astana)"]),
        ("Who could disagree?", ["Who could disagree?"]),
        ("1. The first item. 2. The second item.", ["1. The first item.", "2. The second item."]),
    ],
)
def test_sentences(seg, line, expected):
    assert seg.sentences(line) == expected


def test_protected_names_are_configurable():
    assert len(Segmenter("en", []).sentences("of the Moscow. Kremlin. Putin TV programme")) == 3


def test_offsets_point_into_cleaned_text(seg):
    text = "First line. Second sentence.\nSecond line here."
    post = Post("p1", 0, "c", None, text, (), (), ())
    segs = list(seg.segment(post))
    assert [s.text for s in segs] == ["First line.", "Second sentence.", "Second line here."]
    assert [s.segment_index for s in segs] == [0, 1, 2]
    for s in segs:
        assert text[s.char_start : s.char_end] == s.text
    assert segs[2].char_start == text.index("Second line")


def test_segments_never_cross_lines(seg):
    post = Post("p", 0, "c", None, "No full stop here\nand this continues", (), (), ())
    assert [s.text for s in seg.segment(post)] == ["No full stop here", "and this continues"]
