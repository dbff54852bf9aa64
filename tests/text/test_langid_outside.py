"""Text in none of `langid.candidates` is labelled with what it is (or `und`), counted, and
dropped by the language filter (issue 11, point 9)."""

import json

import pytest

from builder.config import BuildConfig, InputConfig, LangIdConfig, NearDedupConfig
from builder.errors import InputError
from builder.filters.text import language_filter
from builder.pipeline import build
from builder.records import Segment
from builder.text.langid import LanguageIdentifier
from builder.text.scripts import ScriptCheck, dominant_script
from tests.helpers import SHARED_DATA, read_rows

DEFAULT = ("en", "ru", "uk", "de", "fr", "es")
ARABIC = [
    "ناقش الوزيران التجارة والطاقة والوضع في المنطقة",
    "ستستمر المحادثات الأسبوع المقبل في جنيف",
    "وافقت اللجنة على الميزانية الجديدة بعد نقاش طويل",
    "من المتوقع هطول أمطار غزيرة يوم الجمعة في شمال البلاد",
    "يعيد المتحف فتح أبوابه للزوار بعد عامين من أعمال الترميم",
]
CHINESE = [
    "两国外长讨论了贸易、能源和地区局势。",
    "会谈将于下周在日内瓦继续进行。",
    "经过长时间辩论，委员会批准了新预算。",
    "预计周五该国北部将有大雨。",
    "Flatpak 是最受欢迎的 linux 通用软件包管理之一。",
]
ENGLISH = [
    "The two ministers discussed trade, energy and the situation in the region.",
    "Talks will continue next week in Geneva, the ministry said on Monday.",
    "The committee approved the new budget after a long debate in parliament.",
]


@pytest.fixture(scope="module")
def lid():
    return LanguageIdentifier(LangIdConfig(), "en")


def test_script_check_counts_words_of_letters_not_characters():
    check = ScriptCheck(DEFAULT)
    assert check.scripts == ("Cyrillic", "Latin")
    assert not check.foreign("The minister said: «Мы готовы к диалогу» and left.")
    assert check.foreign("Breaking: الرئيس يلتقي وزير الخارجية في القصر اليوم")
    assert not check.foreign("Reuters, AP and AFP report: عاجل")  # mostly Latin words
    assert not check.foreign("🎉 12 345 — !!")  # no letters at all
    assert check.foreign("Flatpak是最受欢迎的linux通用软件包管理之一。")
    assert not ScriptCheck(["en", "zh"]).foreign("会谈将于下周在日内瓦继续进行。")
    assert ScriptCheck(["ru", "uk"]).foreign("Talks will continue next week in Geneva.")
    assert not ScriptCheck(["en", "xx"]).foreign("会谈将于下周在日内瓦继续进行。")  # unknown script: off
    assert dominant_script("Breaking: الرئيس يلتقي وزير") == "Arabic"


def test_every_script_of_the_multilingual_set_is_named(lid):
    rows = json.loads((SHARED_DATA / "langid_multilingual.json").read_text(encoding="utf-8"))
    foreign = [r for r in rows if r["lang"] and ScriptCheck(DEFAULT).foreign(r["text"])]
    assert len(foreign) == 75  # 9 languages in 8 scripts, 1 to 15 words each
    wrong = []
    for row in foreign:  # short or long: script evidence does not depend on length
        for lang, _ in (lid.segment(row["text"], "en", 0.99), lid.post(row["text"])):
            assert lang not in DEFAULT
            if lang != row["lang"]:
                wrong.append((row["text"], lang))
    assert wrong == [("خیلی ممنون!", "ar")] * 2  # two Persian words read as Arabic


def test_long_latin_text_outside_the_candidates_by_detector(lid):
    rows = json.loads((SHARED_DATA / "langid_multilingual.json").read_text(encoding="utf-8"))
    long_other = [r for r in rows if r["lang"] in ("it", "pt", "pl", "tr")
                  and len(r["text"].split()) >= 6]
    labels = [lid.segment(r["text"], "en", 0.99)[0] for r in long_other]
    assert sum(label == r["lang"] for label, r in zip(labels, long_other, strict=True)) >= len(long_other) - 1
    assert not set(labels) & set(DEFAULT)


def test_short_arabic_segment_in_english_post_is_not_gated(lid):
    assert lid.segment("عاجل", "en", 0.99)[0] == "ar"
    lang, score = lid.segment("Talks resume.", "ar", 0.99)  # a Latin segment of an Arabic post
    assert (lang, score) == ("en", 0.0)


def test_unknown_script_is_und(lid):
    assert lid.segment("საქართველოს საგარეო საქმეთა სამინისტრო", "en", 0.99) == ("und", 0.0)


def test_switch_off_keeps_labels_within_the_candidates():
    lid = LanguageIdentifier(LangIdConfig(outside_candidates=False), "en")
    assert lid.segment("عاجل", "en", 0.99)[0] == "en"
    assert lid.outside == {}
    assert language_filter(LangIdConfig(outside_candidates=False), "en").candidates is None


def test_language_filter_drops_outside_labels_whatever_their_length():
    f = language_filter(LangIdConfig(), "en")

    def reason(text, lang, score):
        seg = Segment("p", 0, text, 0, len(text), "c", None, lang, score)
        return f.keep(f.score(seg))

    assert reason("عاجل", "ar", 0.5) == "wrong_language:ar"
    assert reason("საქართველო", "und", 0.0) == "wrong_language:und"
    assert reason("Merci beaucoup", "fr", 0.99) is None  # a short candidate: kept as before
    assert reason("Thank you all", "en", 0.99) is None


# The posts of these tests are one template filled with a number, near-duplicates of each
# other: near-duplicate removal (issue 14) is off so that every segment reaches language ID.
NO_NEAR_DEDUP = NearDedupConfig(posts={"enabled": False}, segments={"enabled": False})


def _write_jsonl(path, posts):
    lines = [json.dumps({"id": i + 1, "date": 1700000000 + i, "channel": "Desk",
                         "text": "\n".join(p)}, ensure_ascii=False) for i, p in enumerate(posts)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_english_channel_with_200_arabic_segments(tmp_path):
    posts = [[f"{s[:-1]} on day {i}." for s in ENGLISH] for i in range(10)]
    arabic = [f"{ARABIC[k % 5]} رقم {k} (Reuters)" for k in range(200)]
    posts += [arabic[i : i + 20] for i in range(0, 200, 20)]  # Arabic posts
    posts += [[f"{ENGLISH[1][:-1]} at noon {i}.", f"عاجل: {ARABIC[i % 5]} {i}"] for i in range(5)]  # mixed
    _write_jsonl(tmp_path / "desk.jsonl", posts)
    config = BuildConfig(name="desk", input=InputConfig(paths=[str(tmp_path / "desk.jsonl")]),
                         near_dedup=NO_NEAR_DEDUP)
    result = build(config, tmp_path / "out")

    rows = read_rows(tmp_path / "out", "segments")
    assert rows and all(r["lang"] == "en" for r in rows)
    assert not any("\u0600" <= ch <= "\u06ff" for r in rows for ch in r["text"])
    assert len(rows) == 35
    langid = result.counts["segment_langid"]
    assert langid["outside_candidates"] == {"ar": 205}
    assert langid["by_script"] == 205
    assert result.counts["drops"]["wrong_language:ar"] == 205
    assert result.counts["post_languages"] == {"ar": 10, "en": 15}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["segment_langid"]["outside_candidates"] == {"ar": 205}
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "| langid | segments labelled outside langid.candidates | 205 |" in card


def test_chinese_channel_in_a_default_build(tmp_path):
    posts = [[f"第{i}号：{s}" for s in CHINESE] for i in range(8)]
    _write_jsonl(tmp_path / "zh.jsonl", posts)
    config = BuildConfig(name="zh", input=InputConfig(paths=[str(tmp_path / "zh.jsonl")]),
                         near_dedup=NO_NEAR_DEDUP)
    with pytest.raises(InputError, match=r"every segment was dropped \(wrong_language:zh 40\)"):
        build(config, tmp_path / "out")

    _write_jsonl(tmp_path / "zh.jsonl", posts + [[f"{ENGLISH[2][:-1]} today."]])
    result = build(config, tmp_path / "out")
    assert [r["lang"] for r in read_rows(tmp_path / "out", "segments")] == ["en"]
    assert result.counts["segment_langid"]["outside_candidates"] == {"zh": 40}
    assert result.counts["post_languages"] == {"en": 1, "zh": 8}
    rejects = [json.loads(line) for line in
               (tmp_path / "out" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["reason"] for r in rejects} == {"wrong_language:zh"}

    zh = BuildConfig(name="zh", source_lang="zh",
                     input=InputConfig(paths=[str(tmp_path / "zh.jsonl")]),
                     near_dedup=NO_NEAR_DEDUP)
    kept = read_rows(build(zh, tmp_path / "out-zh").out, "segments")
    assert len(kept) == 40 and {r["lang"] for r in kept} == {"zh"}


def test_words_are_counted_per_script():
    """A Chinese sentence is 14 words (as the length filters count), not one: with zh among
    the candidates it goes to the detector instead of taking its post's label as short."""
    lid = LanguageIdentifier(LangIdConfig(candidates=["en", "zh"]), "zh")
    assert lid.segment("会谈将于下周在日内瓦继续进行。", "zh", 0.9)[0] == "zh"
    assert (lid.gated, lid.detected) == (0, 1)
    lid.segment("会谈继续。", "zh", 0.9)  # 4 words: short
    assert (lid.gated, lid.detected) == (1, 1)


def test_detector_evidence_must_fit_the_main_script():
    """langdetect over Latin and Han profiles calls `Flatpak是…linux…` Estonian: a Latin
    label for text mostly in Han is no evidence."""
    lid = LanguageIdentifier(LangIdConfig(candidates=["zh", "en"]), "zh")
    assert lid.segment("Flatpak是最受欢迎的linux通用软件包管理之一。", "zh", 0.9)[0] == "zh"
    assert lid.outside == {}
