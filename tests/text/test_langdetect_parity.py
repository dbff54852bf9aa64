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


def _from_json_files(monkeypatch, codes, seed):
    """A backend whose profiles are read from langdetect's JSON files (the plain way)."""
    from builder.text import detectors

    with monkeypatch.context() as m:
        m.setattr(detectors, "_load_builtin", lambda module, factory, names: False)
        return LangdetectBackend(codes, seed, langdetect_rs)


@pytest.mark.parametrize("codes", [DEFAULT, ["ru", "en"], "wide", "all"])
def test_builtin_profiles_equal_the_json_files(monkeypatch, codes):
    """langdetect-rs's built-in profiles, loaded for a subset in a given order, give the
    labels and scores of the same profiles read from langdetect's JSON files."""
    from builder.text.scripts import scripts_of

    names = sorted(p.name for p in profile_path("en").parent.iterdir())
    if codes == "all":
        codes = names
    elif codes == "wide":  # what language ID loads for Latin and Cyrillic candidates
        codes = [n for n in names if {"Latin", "Cyrillic"} & set(scripts_of(n))]
    builtin = LangdetectBackend(codes, 0, langdetect_rs)
    assert builtin._factory.get_lang_list() == [profile_path(c).name for c in codes]
    plain = _from_json_files(monkeypatch, codes, 0)
    texts = _corpus()
    assert [t for t in texts if builtin.scores(t) != plain.scores(t)] == []


def test_remembered_scores_equal_fresh_ones(monkeypatch):
    """The scores a detector keeps for texts it saw are those a fresh detector gives, also
    after older ones were let go, and changing a returned dict changes nothing kept."""
    from builder.text import detectors

    monkeypatch.setattr(detectors, "MEMO_TEXTS", 50)
    texts = _corpus()[:200]
    backend = LangdetectBackend(DEFAULT, 0)
    rng = __import__("random").Random(3)
    order = [rng.choice(texts) for _ in range(1500)]
    for text in order:
        got = backend.scores(text)
        got["xx"] = 1.0  # the caller's dict is its own
    assert len(backend._memo) == 50
    fresh = [LangdetectBackend(DEFAULT, 0).scores(t) for t in texts]
    assert [backend.scores(t) for t in texts] == fresh
    assert [backend.scores(t) for t in texts] == fresh
