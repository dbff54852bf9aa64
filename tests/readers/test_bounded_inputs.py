"""Hostile inputs end in one error line and exit 3, in bounded time and memory: deep or long
JSON, pipes, NUL bytes anywhere, UTF-16; standard input is read with `--input -`; script and
style never become text."""

import gzip
import io
import json
import os
import subprocess
import sys
import threading

import pytest

from builder.cli import main
from builder.errors import InputError
from builder.readers.json_guard import JsonGuard
from tests.helpers import ROOT, SAMPLE, read_rows


def build(capsys, *args):
    code = main(["build", *args, "-q"])
    return code, capsys.readouterr().err


def message(text, **extra):
    return {"id": 1, "type": "message", "date_unixtime": "1700000000", "text": text, **extra}


def export(messages):
    return json.dumps({"name": "C", "type": "public_channel", "id": 7, "messages": messages})


@pytest.mark.parametrize("fmt", [[], ["--format", "telegram-json"]])
def test_deep_json_is_an_input_error(tmp_path, capsys, fmt):
    depth = 100_000 if not fmt else 10_000  # before the fix ijson needed gigabytes for 10^5
    path = tmp_path / "deep.json"
    path.write_text('{"messages": [{"type": "message", "text": ' + "[" * depth + "]" * depth
                    + "}]}", encoding="utf-8")
    code, err = build(capsys, "--input", str(path), "--out", str(tmp_path / "o"), *fmt)
    assert code == 3 and err.count("\n") == 1
    at = len('{"messages": [{"type": "message", "text": ') + 61  # the 65th level opens
    assert f"deep.json: byte {at}: JSON nested deeper than 64 levels" in err, err
    assert not (tmp_path / "o").exists()


def test_deep_json_line(tmp_path, capsys):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text": "a post"}\n{"text": ' + "[" * 50_000 + "]" * 50_000 + "}\n",
                    encoding="utf-8")
    code, err = build(capsys, "--input", str(path), "--out", str(tmp_path / "o"))
    assert code == 3 and "deep.jsonl:2: JSON nested too deeply" in err


def test_long_json_string_and_message(tmp_path, capsys):
    path = tmp_path / "long.json"
    path.write_text(export([message("word " * 400_000)]), encoding="utf-8")  # 2 MB
    code, err = build(capsys, "--input", str(path), "--out", str(tmp_path / "o"))
    assert code == 3 and "a JSON string longer than 1000000 bytes" in err
    entities = [{"type": "plain", "text": "word "} for _ in range(100_000)]  # 3 MB, short strings
    path.write_text(export([message("", text_entities=entities)]), encoding="utf-8")
    code, err = build(capsys, "--input", str(path), "--out", str(tmp_path / "o"))
    assert code == 3 and "a message longer than 1000000 bytes" in err


@pytest.mark.parametrize("chunk", [1, 3, 64, 1 << 20])
def test_guard_passes_valid_json_whatever_the_chunks(chunk):
    tricky = ['a"b', "x\\", '\\"', "[{}]", "", '"[', ']"', "\\\\\\", "é" * 50]
    doc = {"messages": [{"text": t, "k\\": [t, {"[": t}]} for t in tricky]}
    data = json.dumps(doc).encode()
    guard = JsonGuard(io.BytesIO(data), "f", max_string=1000, max_depth=5)
    read = b"".join(iter(lambda: guard.read(chunk), b""))
    assert read == data and guard.depth == 0 and guard.string is None
    deepest = data.index(b'{"[": ')  # where a fifth level opens (past brackets in strings)
    with pytest.raises(InputError, match=f"f: byte {deepest}: JSON nested deeper than 4"):
        guard = JsonGuard(io.BytesIO(data), "f", max_string=1000, max_depth=4)
        while guard.read(chunk):
            pass
    with pytest.raises(InputError, match=f"f: byte {len(data)}: .* closes what was never opened"):
        guard = JsonGuard(io.BytesIO(data + b"]"), "f", max_string=1000, max_depth=5)
        while guard.read(chunk):
            pass


def test_long_json_lines_line_says_so(tmp_path, capsys):
    path = tmp_path / "dump.jsonl"
    path.write_text(json.dumps({"text": "x" * 2_000_000}) + "\n", encoding="utf-8")
    code, err = build(capsys, "--input", str(path), "--out", str(tmp_path / "o"))
    assert code == 3 and "dump.jsonl:1: line longer than 1000000 bytes" in err
    assert "unknown input format" not in err


def run_cli(*args, stdin=None, timeout=120, **env):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", **env}
    return subprocess.run([sys.executable, "-m", "builder", *args], input=stdin, cwd=ROOT,
                          env=env, capture_output=True, timeout=timeout)


@pytest.mark.slow  # a subprocess or a large sweep: several seconds
def test_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "posts.txt"
    os.mkfifo(fifo)
    result = run_cli("build", "--input", str(fifo), "--out", str(tmp_path / "o"), "-q")
    assert result.returncode == 3 and b"not a regular file" in result.stderr
    assert b"--input -" in result.stderr
    (tmp_path / "in").mkdir()
    os.mkfifo(tmp_path / "in" / "feed")
    result = run_cli("build", "--input", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "-q")
    assert result.returncode == 3 and b"feed: not a regular file" in result.stderr


def test_fifo_with_a_writer_is_refused_too(tmp_path, capsys):
    fifo = tmp_path / "posts.txt"
    os.mkfifo(fifo)

    def write():
        with open(fifo, "wb") as f:
            f.write(SAMPLE.read_bytes())

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    code, err = build(capsys, "--input", str(fifo), "--out", str(tmp_path / "o"))
    assert code == 3 and "not a regular file" in err
    with open(fifo, "rb") as f:  # let the writer finish
        f.read()
    writer.join(5)


@pytest.mark.parametrize("data", [SAMPLE.read_bytes(), (ROOT / "tests/data/telegram_desktop_export_example.json").read_bytes()])
@pytest.mark.slow  # a subprocess or a large sweep: several seconds
def test_standard_input(tmp_path, data):
    (tmp_path / "tmp").mkdir()
    result = run_cli("build", "--input", "-", "--out", str(tmp_path / "o"), "-q", stdin=data,
                     TMPDIR=str(tmp_path / "tmp"))
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "tmp").iterdir()) == []  # its copy of stdin is gone
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))
    assert [i["name"] for i in manifest["inputs"]] == ["stdin"]
    assert manifest["config"]["input"]["paths"] == ["stdin"]
    assert read_rows(tmp_path / "o", "posts")


@pytest.mark.parametrize("data, args, needle", [
    (b"", (), "error: standard input (-): file is empty\n"),
    (b"\xff\xfe\x00garbage", (), "error: standard input (-): UTF-16 text"),
    (b'{"id": 1, "text": "Hello there"}\n{"id": 2, "text": \n', ("--format", "jsonl"),
     "error: standard input (-):2: not a JSON object"),
])
@pytest.mark.slow  # a subprocess or a large sweep: several seconds
def test_errors_name_standard_input_not_its_copy(tmp_path, data, args, needle):
    """The error line names `-` as the user gave it, not the temporary file it was read into
    (`/tmp/bitext-builder-stdin-<pid>-…: file is empty` meant nothing to the user)."""
    result = run_cli("build", "--input", "-", *args, "--out", str(tmp_path / "o"), "-q",
                     stdin=data, TMPDIR=str(tmp_path))
    err = result.stderr.decode()
    assert result.returncode == 3 and err.startswith(needle), err
    assert "bitext-builder-stdin-" not in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # a subprocess or a large sweep: several seconds
def test_stdin_copy_of_a_killed_build_is_removed_by_the_next(tmp_path, capsys, monkeypatch):
    """`kill -9` while a build reads standard input leaves its temporary copy (atexit does
    not run): the next build removes it, and keeps those of live processes and other files."""
    import signal
    import tempfile
    import time

    from tests.release.test_out_folder import dead_pid

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TMPDIR": str(tmp)}
    proc = subprocess.Popen([sys.executable, "-m", "builder", "build", "--input", "-", "--out",
                             str(tmp_path / "o"), "-q"], stdin=subprocess.PIPE, cwd=ROOT, env=env)
    proc.stdin.write(SAMPLE.read_bytes())  # and no end: the build waits for more
    proc.stdin.flush()
    deadline = time.monotonic() + 120
    while not list(tmp.glob(f"bitext-builder-stdin-{proc.pid}-*")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -9
    proc.stdin.close()
    assert len(list(tmp.iterdir())) == 1  # the killed build's copy
    others = [tmp / f"bitext-builder-stdin-{os.getppid()}-live", tmp / "unrelated-1-x",
              tmp / f"bitext-builder-stdin-{dead_pid()}"]  # not this build's naming: kept
    for path in others:
        path.write_bytes(b"x")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    sample = tmp_path / "posts.txt"
    sample.write_bytes(SAMPLE.read_bytes())
    code, err = build(capsys, "--input", str(sample), "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert sorted(tmp.iterdir()) == sorted(others)


def test_nul_byte_anywhere_is_binary(tmp_path, capsys):
    text = SAMPLE.read_text(encoding="utf-8")
    for name, data in {
        "late.txt": (text * 20).encode() + b"\x00",  # after the first 64 KB
        "late.jsonl": b"".join(json.dumps({"text": f"Post {i} of a few words."}).encode() + b"\n"
                               for i in range(5000)) + b'{"text": "a\x00b"}\n',
        "late.json": export([message(f"post {i} with some words") for i in range(2000)])
        .encode().replace(b'"post 1999', b'"post\x00 1999'),
    }.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert path.stat().st_size > 64 * 1024
        code, err = build(capsys, "--input", str(path), "--out", str(tmp_path / "o"))
        assert code == 3 and "NUL byte" in err and name in err, (name, err)
    gz = tmp_path / "dump.jsonl.gz"
    gz.write_bytes(gzip.compress(b'{"text": "one post here"}\n{"text": "x\x00y"}\n'))
    code, err = build(capsys, "--input", str(gz), "--out", str(tmp_path / "o"))
    assert code == 3 and "dump.jsonl.gz:2: binary data (a NUL byte)" in err


@pytest.mark.parametrize("encoding, needle", [("utf-16", "UTF-16 text"),
                                              ("utf-16-le", "UTF-16 (no byte-order mark)"),
                                              ("utf-32", "UTF-32 text")])
def test_utf16_is_named(tmp_path, capsys, encoding, needle):
    path = tmp_path / "posts.txt"
    path.write_bytes(SAMPLE.read_text(encoding="utf-8").encode(encoding))
    code, err = build(capsys, "--input", str(path), "--out", str(tmp_path / "o"))
    assert code == 3 and needle in err and "convert it to UTF-8" in err


TME = """<html><head><style>.x {{ color: red }}</style><script>var leak = "SCRIPT";</script></head>
<body><div class="tgme_channel_info_header_title"><span>Chan<style>.t {{}}</style>nel</span></div>
<div class="tgme_widget_message" data-post="chan/1">
<div class="tgme_widget_message_text">Visible words of the post.<script>alert("SCRIPT")</script>
<style>.y {{ display: none }}</style> More visible words.</div>
<time datetime="2024-01-01T10:00:00+00:00"></time></div>{tail}</body></html>"""

DESKTOP = """<html><body><div class="history"><div class="message default clearfix" id="message1">
<div class="body"><div class="pull_right date details" title="01.01.2024 10:00:00 UTC+00:00"></div>
<div class="from_name">Desk<script>x="SCRIPT"</script>top</div>
<div class="text">First words here.<style>p {{ color: red }}</style> Second words here.</div>
</div></div></div>{tail}</body></html>"""


@pytest.mark.parametrize("page", [TME, DESKTOP], ids=["tme-html", "telegram-html"])
def test_script_and_style_are_not_text(tmp_path, page):
    from collections import Counter

    from builder.config import InputConfig
    from builder.readers import plan_inputs, read_inputs

    path = tmp_path / "page.html"
    path.write_text(page.format(tail="<script>SCRIPT</script>"), encoding="utf-8")
    config = InputConfig(paths=[str(path)])
    posts = list(read_inputs(plan_inputs(config), config, Counter()))
    assert len(posts) == 1
    text = "\n".join(posts[0].lines)
    assert "SCRIPT" not in text and "color" not in text and "display" not in text
    assert "words" in text
    assert posts[0].channel in ("Channel", "Desktop")
