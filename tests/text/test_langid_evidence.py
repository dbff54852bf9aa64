"""What a language is told from (issue 11, point 9, on real channels): words, not letters, of
the text's own script; links and addresses are no evidence.

Real exports showed Arabic lines ending in a link labelled `en` (the URL's letters outweighed
two Arabic words) and Chinese sentences naming two English products labelled `en`, in a
default build and in a `zh` build whose candidates were `zh` and `en`."""

import pytest

from builder.config import LangIdConfig
from builder.text.langid import LanguageIdentifier, language_evidence
from builder.text.scripts import ScriptCheck, dominant_script, main_script

DEFAULT = ("en", "ru", "uk", "de", "fr", "es")
# Chinese sentences naming Latin-script products: more Latin letters than Han characters in
# the first, but far fewer words.
ZH_WITH_NAMES = [
    "据说公司正在开发一款名为“Nova Pad”的 Windows PC 掌机",
    "此外，用户登录时仍然可以选择继续使用 Google 或 Apple 帐户。",
    "Linux Mint 已经开始为 Cinnamon 提供 Wayland 支持，但预计要到明年才能完成。",
    "Ubuntu 桌面版 23.10 因为翻译问题被召回",
]


@pytest.fixture(scope="module")
def default_lid():
    return LanguageIdentifier(LangIdConfig(), "en")


@pytest.fixture(scope="module")
def zh_lid():
    return LanguageIdentifier(LangIdConfig(candidates=["zh", "en"]), "zh")


def test_links_and_addresses_are_no_evidence():
    assert language_evidence("ذكريات الشهر https://example.org/blog/8473/").split() == [
        "ذكريات", "الشهر"]
    assert language_evidence("مراجعة الكتاب @some_writer").split() == ["مراجعة", "الكتاب"]
    assert language_evidence("اكتب إلينا: desk@example.org").split() == ["اكتب", "إلينا:"]
    assert language_evidence("قناتنا الجديدة t.me/some_channel_name").split() == [
        "قناتنا", "الجديدة"]
    assert language_evidence("نقرأ WWW.EXAMPLE.ORG/ARTICLE يوميا").split() == ["نقرأ", "يوميا"]
    assert language_evidence("https://example.org/only") == "https://example.org/only"
    assert language_evidence("Plain text, no link.") == "Plain text, no link."


@pytest.mark.parametrize("text", [
    "ذكريات الشهر https://example.org/blog/8473/",
    "الموقع : https://example.org/new",
    "تابعونا على @some_channel_name",
    "قناتنا الجديدة t.me/some_channel_name_here",
])
def test_arabic_line_with_a_link_is_arabic(default_lid, text):
    for lang, _ in (default_lid.segment(text, "ar", 0.9), default_lid.segment(text, "en", 0.9),
                    default_lid.post(text)):
        assert lang == "ar"


def test_script_shares_count_words_not_letters():
    check = ScriptCheck(DEFAULT)
    assert check.foreign(ZH_WITH_NAMES[0])  # 15 Han words against 4 Latin ones
    assert not check.foreign("Reuters, AP and AFP report: عاجل")
    assert dominant_script("作者：5pb.") == "Han"  # two words against one, two letters each
    assert main_script(ZH_WITH_NAMES[0], ("Latin", "Han")) == "Han"
    assert main_script("Release notes for 3.0 are online 今天", ("Latin", "Han")) == "Latin"
    assert main_script("12 345 !", ("Latin", "Han")) is None


def test_chinese_with_english_names_outside_the_candidates(default_lid):
    for text in ZH_WITH_NAMES[:1] + ["作者：5pb."]:
        assert default_lid.segment(text, "en", 0.99)[0] == "zh"
        assert default_lid.post(text)[0] == "zh"


@pytest.mark.parametrize("text", ZH_WITH_NAMES)
def test_label_is_written_in_the_main_script(zh_lid, text):
    """langdetect over zh and en calls these English with near certainty."""
    for lang, score in (zh_lid.post(text), zh_lid.segment(text, "zh", 0.9),
                        zh_lid.segment(text, "en", 0.9)):
        assert lang == "zh"
        assert score > 0.5


def test_segment_in_another_script_than_its_post(zh_lid, default_lid):
    assert zh_lid.segment("原文", "en", 0.9) == ("zh", 0.0)  # short: no detector call
    assert zh_lid.segment("Release notes for version 3.0 are online.", "zh", 0.9) == ("en", 1.0)
    assert default_lid.segment("«Мы готовы к диалогу»", "en", 0.99)[0] == "ru"
    assert default_lid.segment("The talks resume on Monday in Geneva.", "en", 0.99)[0] == "en"
