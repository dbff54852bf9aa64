"""JSON lines: Pyrogram captions read as text, dates in every form dumps write them (unix
seconds or milliseconds, ISO-8601, RFC 2822), and an unreadable date is said, not silent."""

import json

import pytest

from builder.cli import main
from builder.config import BuildConfig, InputConfig, JsonlFields
from builder.readers import plan_inputs, read_inputs
from builder.readers.dates import SourceDate, from_unix


def _read(path, **kw):
    from collections import Counter

    cfg = InputConfig(paths=[str(path)], **kw)
    stats: Counter = Counter()
    return list(read_inputs(plan_inputs(cfg), cfg, stats)), stats


def _lines(path, rows) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")


CAPTION = "A photo caption about the harbour at dawn."


@pytest.mark.parametrize("text", [None, "", "  ", "absent"])
def test_caption_is_the_text_of_a_media_post(tmp_path, text):
    row = {"id": 7, "channel": "C", "caption": CAPTION}
    if text != "absent":
        row["text"] = text
    path = tmp_path / "d.jsonl"
    _lines(path, [row, {"id": 8, "channel": "C", "text": "Text wins over a caption here.",
                        "caption": "not read"}])
    posts, stats = _read(path)
    assert [p.lines for p in posts] == [(CAPTION,), ("Text wins over a caption here.",)]
    assert stats["captions_read_as_text"] == 1 and not stats["skipped_media_only_messages"]


def test_caption_field_is_configurable_or_off(tmp_path):
    path = tmp_path / "d.jsonl"
    _lines(path, [{"id": 1, "text": None, "desc": CAPTION}, {"id": 2, "text": "Some text."}])
    posts, _ = _read(path, jsonl_fields=JsonlFields(caption="desc"))
    assert posts[0].lines == (CAPTION,)
    posts, stats = _read(path, jsonl_fields=JsonlFields(caption=None))
    assert [p.message_id for p in posts] == ["2"] and stats["skipped_media_only_messages"] == 1


def test_configs_without_a_caption_field_stay_valid():
    cfg = BuildConfig.model_validate({"input": {"jsonl_fields": {"text": "msg"}}})
    assert cfg.input.jsonl_fields.caption == "caption"


@pytest.mark.parametrize("value, expected", [
    (1709287200000, "2024-03-01T10:00:00Z"),  # unix milliseconds
    ("1709287200000", "2024-03-01T10:00:00Z"),
    (1709287200123.0, "2024-03-01T10:00:00Z"),
    ("1709287200.5", "2024-03-01T10:00:00Z"),
    (1709287200, "2024-03-01T10:00:00Z"),  # seconds as before
    ("Fri, 01 Mar 2024 10:00:00 GMT", "2024-03-01T10:00:00Z"),  # RFC 2822
    ("Fri, 01 Mar 2024 12:00:00 +0200", "2024-03-01T10:00:00Z"),
    ("2024-03-01T12:00:00+02:00", "2024-03-01T10:00:00Z"),
])
def test_jsonl_dates(tmp_path, value, expected):
    path = tmp_path / "d.jsonl"
    _lines(path, [{"id": 1, "text": "A post with a date.", "date": value}])
    (post,), stats = _read(path)
    assert (post.date, post.date_is_local) == (expected, False)
    assert not stats["dates_unreadable"]


def test_rfc2822_without_a_zone_is_local(tmp_path):
    path = tmp_path / "d.jsonl"
    _lines(path, [{"id": 1, "text": "A post with a date.", "date": "Fri, 01 Mar 2024 10:00:00 -0000"}])
    (post,), _ = _read(path)
    assert (post.date, post.date_is_local) == ("2024-03-01T10:00:00", True)


@pytest.mark.parametrize("seconds", [10**8, 1709287200, 10**11 - 1])
def test_milliseconds_rule_boundary(seconds):
    """Below 10^11 a unix time is seconds (10^11 - 1 is in the year 5138); from 10^11 on,
    milliseconds."""
    assert from_unix(seconds * 1000) == from_unix(str(seconds * 1000)) == from_unix(seconds)
    assert from_unix(10**11 - 1) == SourceDate("5138-11-16T09:46:39Z", False)
    assert from_unix(10**11) == SourceDate("1973-03-03T09:46:40Z", False)


def test_unreadable_dates_are_a_warning_and_a_count(tmp_path, capsys):
    path = tmp_path / "d.jsonl"
    texts = ["Ferries run on time today.", "Fog lifts by noon over the bay.",
             "Road works move to Saturday.", "The market opens an hour early.",
             "Swimming is allowed at the north beach."]
    rows = [{"id": i, "channel": "C", "text": text,
             "date": "the day after tomorrow" if i % 2 else 1709287200}
            for i, text in enumerate(texts, start=1)]
    _lines(path, rows)
    out = tmp_path / "ds"
    assert main(["build", "--input", str(path), "--out", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert f"{path}:1: date 'the day after tomorrow' is not a unix time" in err
    assert f"{path}:3:" not in err  # once per file, then a count
    assert f"{path}: 3 posts kept without a date" in err
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["posts"]["dates_unreadable"] == 3
    assert counts["metadata"]["dates_missing"] == 3
