"""Reading inputs: format detection, bad inputs named by file, folders in order, positions."""

import pytest

from builder.config import InputConfig
from builder.errors import InputError
from builder.readers import plan_inputs, read_inputs

POSTS = (
    "Forwarded from Chan A 🇷🇺\nFirst post line.\n👍3\n"
    "Forwarded from Chan B\nSecond post line.\nMore text."
)


def read(path, **kw):
    cfg = InputConfig(paths=[str(path)], **kw)
    return list(read_inputs(plan_inputs(cfg), cfg))


@pytest.mark.parametrize(
    "data",
    [
        POSTS.encode(),  # no trailing newline
        (POSTS + "\n").encode(),
        POSTS.replace("\n", "\r\n").encode(),  # CRLF
        b"\xef\xbb\xbf" + POSTS.encode(),  # BOM
    ],
)
def test_text_variants_read_the_same(tmp_path, data):
    p = tmp_path / "posts.txt"
    p.write_bytes(data)
    posts = read(p)
    assert [r.channel for r in posts] == ["Chan A 🇷🇺", "Chan B"]
    assert posts[0].lines == ("First post line.", "👍3")
    assert posts[1].lines == ("Second post line.", "More text.")
    assert [r.position for r in posts] == [0, 1]


def test_positions_continue_across_files(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(POSTS, encoding="utf-8")
    b.write_text(POSTS, encoding="utf-8")
    cfg = InputConfig(paths=[str(a), str(b)])
    assert [r.position for r in read_inputs(plan_inputs(cfg), cfg)] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "file is empty"),
        ("bin.txt", b"\x00\x01\x02binary", "binary data"),
        ("ws.txt", b"   \n\n \t\n", "unknown input format"),
        ("plain.txt", b"Just some text\nwith no post marker\n", "unknown input format"),
    ],
)
def test_bad_inputs_detected(tmp_path, name, data, message):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError, match=message) as err:
        read(p)
    assert name in str(err.value)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"   \n\n \t\n", "holds only whitespace"),
        (b"Just some text\nwith no post marker\n", "no 'Forwarded from"),
        (b"Forwarded from A\nok line\n\xff\xfe broken\n", "x.txt:3: invalid UTF-8"),
    ],
)
def test_forced_text_format_errors(tmp_path, data, message):
    p = tmp_path / "x.txt"
    p.write_bytes(data)
    with pytest.raises(InputError, match=message):
        read(p, format="telegram-text")


def test_huge_line_is_an_error_not_a_slow_read(tmp_path):
    p = tmp_path / "huge.txt"
    p.write_bytes(b"Forwarded from A\n" + b"x" * (20 * 1024 * 1024))
    with pytest.raises(InputError, match="huge.txt:2: line longer than"):
        read(p)


def test_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "nope.txt")
    (tmp_path / "d").mkdir()
    with pytest.raises(InputError, match="folder holds no input files"):
        read(tmp_path / "d")


def test_folder_reads_files_in_order(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "b.txt").write_text("Forwarded from B\nSecond.", encoding="utf-8")
    (d / "a.txt").write_text("Forwarded from A\nFirst.", encoding="utf-8")
    assert [r.source for r in read(d)] == ["a.txt", "b.txt"]


def test_forwarded_glued_to_a_reactions_run_starts_a_post(tmp_path):
    p = tmp_path / "posts.txt"
    p.write_text("Forwarded from Chan A\nFirst post line.\n👍8❤41Forwarded from Russian MFA\n"
                 "Second post line.\n", encoding="utf-8")
    posts = read(p)
    assert [r.channel for r in posts] == ["Chan A", "Russian MFA"]
    assert posts[0].lines == ("First post line.", "👍8❤41")
    assert posts[1].lines == ("Second post line.",)


def test_bundled_sample_ends_with_a_newline_so_appending_a_post_works(tmp_path):
    from builder.text.clean import Cleaner
    from tests.helpers import SAMPLE

    assert SAMPLE.read_bytes().endswith(b"\n")
    p = tmp_path / "posts.txt"
    p.write_bytes(SAMPLE.read_bytes())
    with p.open("a", encoding="utf-8") as f:  # what `cat >>` does
        f.write("Forwarded from Russian MFA\nA post appended by hand.\n")
    posts = [Cleaner().clean(r) for r in read(p)]
    assert len(posts) == 21 and posts[-1].text == "A post appended by hand."
    assert all("Forwarded from" not in post.text for post in posts)


def _html_folder(folder):
    from tests.readers import formats

    formats.write_desktop_html(folder)
    (folder / "notes.md").write_text("# My notes\nRemember to export again.\n", encoding="utf-8")
    return folder


def test_stray_file_in_a_folder_is_skipped_and_recorded(tmp_path):
    from builder.readers import SkippedFile

    folder = _html_folder(tmp_path / "export")
    (folder / "empty.txt").write_bytes(b"")
    skipped = []
    plan = plan_inputs(InputConfig(paths=[str(folder)]), skipped)
    assert [(p.name, p.format) for p in plan] == [("messages.html", "telegram-html"),
                                                  ("messages2.html", "telegram-html")]
    assert [s.name for s in skipped] == ["empty.txt", "notes.md"]
    assert all(isinstance(s, SkippedFile) and str(folder) not in s.reason for s in skipped)


def test_folder_keeps_the_format_most_of_its_files_have(tmp_path):
    from tests.readers import formats

    folder = _html_folder(tmp_path / "export")
    formats.write_desktop_json(folder / "result.json")
    skipped = []
    plan = plan_inputs(InputConfig(paths=[str(folder)]), skipped)
    assert {p.format for p in plan} == {"telegram-html"}
    assert {s.name: s.reason for s in skipped}["result.json"] == (
        "a telegram-json file, not telegram-html")


def test_forced_format_skips_files_that_do_not_look_like_it(tmp_path):
    folder = _html_folder(tmp_path / "export")
    skipped = []
    plan = plan_inputs(InputConfig(paths=[str(folder)], format="telegram-html"), skipped)
    assert len(plan) == 2 and [s.name for s in skipped] == ["notes.md"]


def test_folder_without_an_export_is_an_input_error(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "notes.md").write_text("# Just notes\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"folder holds no Telegram export \(notes.md: unknown"):
        plan_inputs(InputConfig(paths=[str(folder)]))


HEADLESS = ("Our channel turns five years old this week.\n"
            "Thank you all for reading and sharing our reports.\n"
            "\n"
            "Forwarded from Alpha News\n"
            "The bridge reopens to traffic on Monday morning.\n")


def test_lines_before_the_first_forwarded_header_are_a_post(tmp_path, caplog):
    """The channel's own post copied above the first `Forwarded from` line is a post of its
    own without a channel (said in a warning and counted), not dropped with no record."""
    from collections import Counter

    p = tmp_path / "posts.txt"
    p.write_text(HEADLESS, encoding="utf-8")
    cfg = InputConfig(paths=[str(p)])
    stats: Counter = Counter()
    with caplog.at_level("WARNING"):
        posts = list(read_inputs(plan_inputs(cfg), cfg, stats))
    assert [(r.channel, r.position) for r in posts] == [(None, 0), ("Alpha News", 1)]
    assert posts[0].lines[:2] == ("Our channel turns five years old this week.",
                                  "Thank you all for reading and sharing our reports.")
    assert stats["posts_before_first_forwarded"] == 1
    assert f"{p}: 2 lines before the first 'Forwarded from' line" in caplog.text


def test_headless_lines_are_built_and_counted(tmp_path, capsys):
    import json

    from builder.cli import main
    from tests.helpers import read_rows

    p = tmp_path / "posts.txt"
    p.write_text(HEADLESS, encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", "--input", str(p), "--out", str(out), "-q"]) == 0
    assert "lines before the first 'Forwarded from' line" in capsys.readouterr().err
    texts = sorted(r["text"] for r in read_rows(out, "posts"))
    assert texts == ["Our channel turns five years old this week.\n"
                     "Thank you all for reading and sharing our reports.",
                     "The bridge reopens to traffic on Monday morning."]
    counts = json.loads((out / "manifest.json").read_text())["counts"]["posts"]
    assert counts["posts_before_first_forwarded"] == 1


def test_blank_lines_before_the_first_header_are_no_post(tmp_path):
    p = tmp_path / "posts.txt"
    p.write_text("\n  \n" + HEADLESS.split("\n\n", 1)[1], encoding="utf-8")
    assert [r.channel for r in read(p)] == ["Alpha News"]
