"""Language identification with each backend: long segments, short ones, determinism."""

import pytest

from builder.config import LangIdConfig
from builder.text.langid import LanguageIdentifier

EN = "The two Foreign Ministers had an in-depth discussion on bilateral relations."
DE = "Die beiden Außenminister haben ausführlich über die bilateralen Beziehungen gesprochen."


@pytest.fixture(scope="module", params=["langdetect", "lingua"])
def lid(request):
    return LanguageIdentifier(LangIdConfig(backend=request.param), "en")


@pytest.mark.slow  # a subprocess or a large sweep: several seconds
def test_long_segments_detected(lid):
    assert lid.segment(EN, "en")[0] == "en"
    lang, score = lid.segment(DE, "en")
    assert lang == "de" and score >= 0.95


def test_short_segment_takes_post_language(lid):
    lang, _ = lid.segment("Sergey Lavrov: Excellent.", "en")
    assert lang == "en"


def test_deterministic_across_instances():
    texts = ["Key talking points:", "UN Web TV", EN, "Sergey Lavrov: Excellent."]
    a = LanguageIdentifier(LangIdConfig(), "en")
    b = LanguageIdentifier(LangIdConfig(), "en")
    assert [a.best(t) for t in texts] == [b.best(t) for t in texts]


def test_empty_text_falls_back():
    assert LanguageIdentifier(LangIdConfig(), "en").best("🎉 12") == ("en", 0.0)
