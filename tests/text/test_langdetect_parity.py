"""langdetect-rs stands in for langdetect only while both give the same labels and scores."""

import json

import pytest

from builder.text.detectors import LangdetectBackend, langdetect_module, profile_path
from tests.helpers import SAMPLE, SHARED_DATA

langdetect = pytest.importorskip("langdetect")
langdetect_rs = pytest.importorskip("langdetect_rs")

DEFAULT = ["en", "ru", "uk", "de", "fr", "es"]


def _corpus() -> list[str]:
    """Every script and length at hand: the hand-written multilingual set (21 languages, 13
    scripts, mixed, empty-of-letters), the sample's lines and its posts joined, the golden
    segmentation sets (their texts and expected sentences)."""
    texts = [r["text"] for r in json.loads((SHARED_DATA / "langid_multilingual.json").read_text())]
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    texts += [line for line in lines if line.strip()]
    texts += ["\n".join(lines[i : i + 40]) for i in range(0, len(lines), 40)]
    for name in ("segmentation_golden_rules_en.json", "segmentation_abbreviations_en.json"):
        for case in json.loads((SHARED_DATA / name).read_text(encoding="utf-8")):
            texts += [case["text"], *case["expected"]]
    return list(dict.fromkeys(texts))


@pytest.mark.parametrize("seed", [0, 7])
def test_same_labels_and_scores_on_candidates(seed):
    rust = LangdetectBackend(DEFAULT, seed, langdetect_rs)
    python = LangdetectBackend(DEFAULT, seed, langdetect)
    texts = _corpus()
    assert len(texts) > 450
    differ = [t for t in texts if rust.scores(t) != python.scores(t)]
    assert differ == []
    assert sum(bool(rust.scores(t)) for t in texts) > 400  # most texts have features


def test_same_labels_and_scores_on_all_profiles():
    rows = json.loads((SHARED_DATA / "langid_multilingual.json").read_text(encoding="utf-8"))
    codes = sorted(p.name for p in profile_path("en").parent.iterdir())
    rust = LangdetectBackend(codes, 0, langdetect_rs)
    python = LangdetectBackend(codes, 0, langdetect)
    got = [(rust.scores(r["text"]), python.scores(r["text"])) for r in rows]
    assert [a for a, b in got if a != b] == []
    labelled = {max(a, key=a.get) for a, _ in got if a}
    assert {"ar", "zh", "el", "he", "ja", "ko", "ru", "th"} <= labelled


def test_rust_port_is_preferred_when_installed():
    assert langdetect_module() is langdetect_rs
    assert LangdetectBackend(DEFAULT, 0).implementation == "langdetect_rs"


def test_pure_langdetect_is_the_fallback(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "langdetect_rs", None)  # import fails as if not installed
    assert langdetect_module() is langdetect
    backend = LangdetectBackend(DEFAULT, 0)
    assert backend.implementation == "langdetect" and backend._direct is None
    text = "Die beiden Minister sprachen lange miteinander."
    assert backend.scores(text) == LangdetectBackend(DEFAULT, 0, langdetect_rs).scores(text)
