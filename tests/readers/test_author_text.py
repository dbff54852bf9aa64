"""The author's text of JSON, HTML, t.me/s and JSON-lines posts is never taken for the web
copy's furniture (a reactions line) and loses no separator (custom emoji), end to end."""

import json

import pytest

from builder.cli import main
from builder.records import RawPost, Reaction
from builder.text.clean import Cleaner
from tests.helpers import read_rows

BODY = "In an emergency in Europe call the following number."
# last lines that parse_reactions_line reads as reactions in a plain-text copy, and what
# cleaning keeps of them (the emoji go, rule 1; the numbers stay)
LAST_LINES = [("☎️ 112", "112"), ("🎉 2024", "2024"), ("👍 120 👎 30", "120 30"), ("⭐ 4.5", "4.5")]


def _result_json(path, text) -> None:
    path.write_text(json.dumps({"name": "C", "type": "public_channel", "id": 1, "messages": [
        {"id": 1, "type": "message", "date": "2024-03-01T10:00:00",
         "date_unixtime": "1709287200", "text": text}]}, ensure_ascii=False), encoding="utf-8")


def _write(form: str, folder, text: str):
    if form == "telegram-json":
        path = folder / "result.json"
        _result_json(path, text)
    elif form == "jsonl":
        path = folder / "dump.jsonl"
        path.write_text(json.dumps({"id": 1, "channel": "C", "date": 1709287200, "text": text},
                                   ensure_ascii=False) + "\n", encoding="utf-8")
    elif form == "telegram-html":
        path = folder / "messages.html"
        path.write_text(
            '<div class="history"><div class="message default clearfix" id="message1">'
            '<div class="body"><div class="pull_right date details" '
            'title="01.03.2024 10:00:00 UTC+00:00">10:00</div><div class="from_name">C</div>'
            f'<div class="text">{text.replace(chr(10), "<br>")}</div></div></div></div>',
            encoding="utf-8")
    else:  # tme-html
        path = folder / "page.html"
        path.write_text(
            '<div class="tgme_widget_message_wrap"><div class="tgme_widget_message" '
            'data-post="c/1"><div class="tgme_widget_message_text js-message_text">'
            f'{text.replace(chr(10), "<br/>")}</div>'
            '<time datetime="2024-03-01T10:00:00+00:00" class="time">10:00</time></div></div>',
            encoding="utf-8")
    return path


def _build(tmp_path, path) -> tuple[dict, dict]:
    out = tmp_path / "ds"
    assert main(["build", "--input", str(path), "--out", str(out), "-q"]) == 0
    (post,) = read_rows(out, "posts")
    manifest = json.loads((out / "manifest.json").read_text())
    return post, manifest


@pytest.mark.parametrize("last, kept", LAST_LINES)
@pytest.mark.parametrize("form", ["telegram-json", "jsonl", "telegram-html", "tme-html"])
def test_last_line_of_a_structured_post_is_text_not_reactions(tmp_path, form, last, kept):
    post, manifest = _build(tmp_path, _write(form, tmp_path, f"{BODY}\n{last}"))
    assert post["text"].split("\n") == [BODY, kept]
    assert not post["reactions"]
    assert manifest["counts"]["clean"]["reactions_line"] == 0


def test_plain_text_copy_still_reads_its_reactions_line():
    raw = RawPost("t.txt", 0, (BODY, "☎️ 112"), channel="C", format="telegram-text")
    post = Cleaner().clean(raw)
    assert post.text == BODY and post.reactions == (Reaction("☎", 112),)


PRICE = ["The price is", {"type": "custom_emoji", "text": "💲", "document_id": "s.webp"},
         "100 dollars for the whole package."]


@pytest.mark.parametrize("entities, expected", [
    (PRICE, "The price is 100 dollars for the whole package."),
    (["Done", {"type": "custom_emoji", "text": "✅", "document_id": "d.webp"}, "! Thanks all."],
     "Done! Thanks all."),
])
def test_custom_emoji_between_words_leaves_them_apart(tmp_path, entities, expected):
    """A Desktop JSON custom emoji keeps its fallback emoji, which cleaning removes as any
    emoji (rule 1): the words beside it are not glued (`is100`), as the HTML export gives."""
    (tmp_path / "json").mkdir()
    path = tmp_path / "json" / "result.json"
    _result_json(path, entities)
    post, _ = _build(tmp_path / "json", path)
    assert post["text"] == expected
    (tmp_path / "html").mkdir()
    text = "".join(e if isinstance(e, str) else e["text"] for e in entities)
    html_post, _ = _build(tmp_path / "html", _write("telegram-html", tmp_path / "html", text))
    assert html_post["text"] == post["text"]
