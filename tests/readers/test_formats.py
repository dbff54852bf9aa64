"""Every input form, read through the same cleaning and segmentation."""

import json

import pytest

from builder.cli import main
from builder.config import InputConfig, JsonlFields
from builder.errors import InputError
from builder.readers import detect_format, plan_inputs, read_inputs
from builder.readers.telegram_json import _FixEscapes
from builder.records import Reaction
from builder.text.clean import Cleaner
from builder.text.segment import Segmenter
from tests.helpers import SHARED_DATA
from tests.readers import formats

FORMS = {
    "telegram-text": lambda d: (formats.write_text(d / "posts.txt"), d / "posts.txt")[1],
    "telegram-json": lambda d: (formats.write_desktop_json(d / "result.json"), d / "result.json")[1],
    "telegram-html": lambda d: (formats.write_desktop_html(d / "export"), d / "export")[1],
    "tme-html": lambda d: (formats.write_tme(d / "page.html"), d / "page.html")[1],
    "jsonl": lambda d: (formats.write_jsonl(d / "dump.jsonl.gz", gz=True), d / "dump.jsonl.gz")[1],
}


def read(path, **kw):
    cfg = InputConfig(paths=[str(path)], **kw)
    return list(read_inputs(plan_inputs(cfg), cfg))


def segments(posts):
    cleaner, seg = Cleaner(), Segmenter("en")
    return [[s.text for s in seg.segment(cleaner.clean(p))] for p in posts]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_format_detected_by_content(tmp_path, form):
    path = FORMS[form](tmp_path)
    first = sorted(path.iterdir())[0] if path.is_dir() else path
    renamed = first.with_name("noext")
    renamed.write_bytes(first.read_bytes())
    assert detect_format(renamed) == form


def test_same_posts_in_every_form_give_the_same_segments(tmp_path):
    results = {}
    for form, write in FORMS.items():
        folder = tmp_path / form
        folder.mkdir()
        results[form] = segments(read(write(folder)))
    expected = results["telegram-text"]
    assert expected[0][0] == "Fog lifts by noon over the harbour."
    for form, got in results.items():
        assert got == expected, form


@pytest.mark.parametrize("form", ["telegram-json", "telegram-html", "tme-html", "jsonl"])
def test_ids_dates_channels(tmp_path, form):
    posts = read(FORMS[form](tmp_path))
    cleaned = [Cleaner().clean(p) for p in posts]
    assert [formats.iso(p["unix"]) for p in formats.POSTS] == [p.date for p in cleaned]
    assert [c.channel for c in cleaned] == [p["channel"] for p in formats.POSTS]
    ids = [c.post_id for c in cleaned]
    if form == "tme-html":
        assert ids == ["harbourwx/101", "harbourwx/102", "harbourwx/103"]
    else:
        assert ids == ["101", "102", "103"]
    if form != "jsonl":  # JSON lines carry no metadata beyond the text
        assert cleaned[0].hashtags == ("weather", "harbour")
        assert cleaned[1].urls == ("https://example.org/roadworks",)
        assert cleaned[0].reactions == (Reaction("👍", 1200), Reaction("❤", 3))


def test_shared_desktop_example():
    posts = read(SHARED_DATA / "telegram_desktop_export_example.json")
    cleaned = [Cleaner().clean(p) for p in posts]
    assert [c.post_id for c in cleaned] == ["2", "3", "4", "5", "8"]
    third = cleaned[1]
    assert third.text == ("Spring outlook from the regional weather office is out.\n"
                          "Main point: nights stay mild through March. weather spring\n"
                          "Full report: https://example.org/report")  # a URL in text stays
    assert third.hashtags == ("weather", "spring")
    assert third.urls == ("https://example.org/outlook", "https://example.org/report")
    assert third.reactions == (Reaction("👍", 14), Reaction("❤", 3),
                               Reaction("custom_emoji:sticker (2).webp", 2), Reaction("paid", 5))
    assert third.date == "2024-03-04T08:30:00Z"
    assert cleaned[2].channel == "Example City Bulletin"
    assert cleaned[0].channel == "Example Weather Notes"


def test_build_counts_skipped_messages(tmp_path):
    path = FORMS["telegram-json"](tmp_path)
    out = tmp_path / "ds"
    assert main(["build", "--input", str(path), "--out", str(out), "-q"]) == 0
    counts = json.loads((out / "manifest.json").read_text())["counts"]["posts"]
    assert counts["skipped_service_messages"] == 1 and counts["skipped_media_only_messages"] == 1
    assert counts["kept"] == 3


def test_full_export_needs_chat(tmp_path):
    path = tmp_path / "result.json"
    formats.write_desktop_json(path, layout="full")
    with pytest.raises(InputError, match="holds 2 chats; pick one with --chat: Other Chat"):
        read(path)
    with pytest.raises(InputError, match="no chat 'Nope'.*Harbour Weather Notes \\(id 1234\\)"):
        read(path, chat="Nope")
    by_name = read(path, chat=formats.OWNER)
    by_id = read(path, chat="1234")
    assert [p.message_id for p in by_name] == [p.message_id for p in by_id] == ["101", "102", "103"]


def test_control_character_escapes_are_read(tmp_path):
    path = tmp_path / "result.json"
    formats.write_desktop_json(path)
    text = path.read_text(encoding="utf-8").replace('"Fog"', '"F\\x0bog"')
    text = text.replace('"Clear"', '"Cl\\\\x41ear"')  # an escaped backslash stays
    path.write_text(text, encoding="utf-8")
    lines = [p.lines for p in read(path)]
    assert lines[0][0].startswith("F\x0bog lifts") and lines[2][0].startswith("Cl\\x41ear")


def test_escape_fixer_across_chunk_boundaries():
    import io

    data = b'["a\\x41b", "c\\\\x41d", "\\u0041"]' * 50
    for size in (1, 2, 3, 5, 7):
        fixer = _FixEscapes(io.BytesIO(data))
        out = b""
        while chunk := fixer.read(size):
            out += chunk
        assert json.loads(out.decode().replace("][", ",")) == ["aAb", "c\\x41d", "A"] * 50


def test_jsonl_field_names(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"msg": "Hello there world.", "mid": 7, "ts": "2024-03-01T12:00:00+02:00", "src": "X"}\n',
                    encoding="utf-8")
    (post,) = read(path, jsonl_fields=JsonlFields(text="msg", id="mid", date="ts", channel="src"))
    assert (post.message_id, post.date, post.channel) == ("7", "2024-03-01T10:00:00Z", "X")


BAD = {
    "truncated.json": (lambda p: p.write_text('{"name": "X", "messages": [{"id": 1, "type": "message", "text": "Hi'),
                       "malformed or truncated JSON"),
    "shape.json": (lambda p: p.write_text('{"name": "X", "chats_wrong": []}'), "wrong shape"),
    "list.json": (lambda p: p.write_text('[{"messages": 1}]'), "unknown input format"),
    "empty.html": (lambda p: p.write_text('<html><body><div class="history"></div></body></html>'),
                   "no Telegram messages"),
    "empty-tme.html": (lambda p: p.write_text('<html><div class="tgme_channel_info">x</div></html>'),
                       "no t.me messages"),
    "fake.jsonl.gz": (lambda p: p.write_text('{"text": "not gzipped"}\n'), "not a valid gzip file"),
    "bad.jsonl": (lambda p: p.write_text('{"text": "ok"}\n{"text": oops}\n'), "bad.jsonl:2: not a JSON object"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_per_format(tmp_path, capsys, name):
    write, needle = BAD[name]
    path = tmp_path / name
    write(path)
    out = tmp_path / "out"
    assert main(["build", "--input", str(path), "--out", str(out), "-q"]) == 3
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and name in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_missing_chat_is_input_error(tmp_path, capsys):
    path = tmp_path / "result.json"
    formats.write_desktop_json(path, layout="full")
    assert main(["build", "--input", str(path), "--chat", "Nope", "--out", str(tmp_path / "o")]) == 3
    assert "no chat 'Nope'" in capsys.readouterr().err


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_builds_end_to_end(tmp_path, form):
    from datasets import load_dataset

    path = FORMS[form](tmp_path)
    out = tmp_path / "ds"
    assert main(["build", "--input", str(path), "--out", str(out), "-q", "--format", form]) == 0
    ds = load_dataset(str(out), "segments", cache_dir=str(tmp_path / "hf"))
    assert sum(ds[s].num_rows for s in ds) == 8  # "Details: <url>" keeps its URL, two words
    posts = load_dataset(str(out), "posts", cache_dir=str(tmp_path / "hf"))
    assert sum(posts[s].num_rows for s in posts) == 3


def test_repeated_lines_survive_json_and_html(tmp_path):
    """Only plain-text web-view copies are de-doubled: a JSON or HTML post keeps a line it
    repeats."""
    body = "bold in text\nbold below\nnormal text\n\nbold with one line gap\nnormal text"
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "C", "type": "public_channel", "id": 1, "messages": [
        {"id": 5, "type": "message", "date_unixtime": "1709276712", "text": body}]}), encoding="utf-8")
    (post,) = read(path)
    assert Cleaner().clean(post).text == body.replace("\n\n", "\n")
    page = tmp_path / "messages.html"
    page.write_text('<div class="history"><div class="message default clearfix" id="message7">'
                    '<div class="body"><div class="from_name">G</div><div class="text">heh<br>'
                    "when they claimed 10 will be the last Windows<br>heh</div></div></div></div>",
                    encoding="utf-8")
    (post,) = read(page)
    assert Cleaner().clean(post).text == "heh\nwhen they claimed 10 will be the last Windows\nheh"


@pytest.mark.parametrize("layout", ["single", "full"])
def test_desktop_json_after_a_byte_order_mark(tmp_path, layout):
    """A UTF-8 BOM before result.json (sniffing accepts it) is skipped, not reported as
    malformed JSON."""
    path = tmp_path / "result.json"
    formats.write_desktop_json(path, layout=layout)
    plain = read(path, chat=formats.OWNER)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read(path, chat=formats.OWNER) == plain
    out = tmp_path / "ds"
    args = ["build", "--input", str(path), "--chat", formats.OWNER, "--out", str(out), "-q"]
    assert main(args) == 0
    assert json.loads((out / "manifest.json").read_text())["counts"]["posts"]["kept"] == 3
