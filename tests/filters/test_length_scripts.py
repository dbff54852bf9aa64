"""Length filters count words per script: a Chinese channel keeps its sentences."""

import json

from builder.cli import main
from builder.config import FilterConfig
from builder.filters.text import first_failure, text_filters
from builder.records import Segment
from tests.helpers import read_rows

ZH_POSTS = [
    "Flatpak是最受欢迎的linux通用软件包管理之一。它可以在多个发行版上运行。",
    "今天我们发布了新版本。欢迎大家试用并反馈问题！",
    "这个项目的文档已经更新，请查看。好的。",
]


def _seg(text):
    return Segment("1", 0, text, 0, len(text), "c", None)


def test_chinese_sentence_is_not_one_word():
    filters = text_filters(FilterConfig())
    assert first_failure(filters, _seg("Flatpak是最受欢迎的linux通用软件包管理之一。")) is None
    assert first_failure(filters, _seg("好。")) == "too_few_words"


def test_chinese_build_keeps_its_sentences(tmp_path):
    data = tmp_path / "zh.jsonl"
    data.write_text("".join(json.dumps({"id": i, "text": t, "channel": "Linux中文"},
                                       ensure_ascii=False) + "\n"
                            for i, t in enumerate(ZH_POSTS, 1)), encoding="utf-8")
    cfg = tmp_path / "zh.yaml"
    cfg.write_text("name: zh-test\nsource_lang: zh\ninput: {paths: [zh.jsonl]}\n"
                   "langid: {candidates: [zh, en]}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(cfg), "--out", str(out), "-q"]) == 0
    texts = [r["text"] for r in read_rows(out, "segments")]
    assert sorted(texts) == sorted([
        "Flatpak是最受欢迎的linux通用软件包管理之一。", "它可以在多个发行版上运行。",
        "今天我们发布了新版本。", "欢迎大家试用并反馈问题！", "这个项目的文档已经更新，请查看。",
        "好的。"])
