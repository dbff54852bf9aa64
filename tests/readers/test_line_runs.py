"""Lines read in blocks (`files.line_runs`) give what reading line by line gave: the same
lines, numbers and errors (NUL, too long, invalid UTF-8) after the same lines, however the
blocks fall."""

import random

import pytest

from builder.errors import InputError
from builder.readers import files

NUL = b"\x00"


def _raw_lines_by_readline(f, path, max_line_chars):
    """The line-by-line reader `raw_lines` replaced (the reference)."""
    lineno = 0
    while True:
        raw = f.readline(max_line_chars + 1)
        if not raw:
            return
        lineno += 1
        if NUL in raw:
            raise InputError(f"{path}:{lineno}: binary data (a NUL byte), not a text export")
        if len(raw) > max_line_chars and not raw.endswith(b"\n"):
            raise InputError(
                f"{path}:{lineno}: line longer than {max_line_chars} bytes "
                "(raise input.max_line_chars if this is real text)"
            )
        yield lineno, raw


def _iter_lines_by_readline(path, max_line_chars):
    with path.open("rb") as f:
        for lineno, raw in _raw_lines_by_readline(f, path, max_line_chars):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise InputError(
                    f"{path}:{lineno}: invalid UTF-8 ({err.reason} at byte {err.start}); "
                    "re-export the file as UTF-8"
                ) from err
            yield lineno, line.rstrip("\r\n")


def _outcome(gen):
    """Everything a generator yields, then its error (or None)."""
    got = []
    try:
        for item in gen:
            got.append(item)
    except InputError as err:
        return got, str(err)
    return got, None


PIECES = [b"plain line", "Кириллица и эмодзи 👍".encode(), b"", b"   ", b"with CR\r",
          b"two CRs\r\r", b"x" * 40, "é".encode() * 30, b"\xef\xbb\xbfBOM later"]
BAD = [NUL, b"\xff\xfe", "é".encode()[:1], b"y" * 90]


def _file(rng: random.Random, bad: bool) -> bytes:
    lines = [rng.choice(PIECES) for _ in range(rng.randrange(0, 30))]
    if bad and lines:
        i = rng.randrange(len(lines))
        cut = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:cut] + rng.choice(BAD) + lines[i][cut:]
    data = b"\n".join(lines)
    if rng.random() < 0.3:
        data = b"\xef\xbb\xbf" + data
    if rng.random() < 0.5 and data:
        data += b"\n"
    return data


@pytest.mark.parametrize("block", [1, 3, 7, 64, 1 << 16])
def test_lines_in_blocks_are_the_lines_one_by_one(block, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "READ_BLOCK", block)
    rng = random.Random(block)
    path = tmp_path / "in.txt"
    errors = 0
    for k in range(300):
        data = _file(rng, bad=k % 2 == 1)
        path.write_bytes(data)
        for max_chars in (50, 80, 1000):
            with path.open("rb") as f, path.open("rb") as g:
                want = _outcome(_raw_lines_by_readline(g, path, max_chars))
                assert _outcome(files.raw_lines(f, path, max_chars)) == want, data
            want = _outcome(_iter_lines_by_readline(path, max_chars))
            assert _outcome(files.iter_lines(path, max_chars)) == want, data
            errors += want[1] is not None
    assert errors > 100  # the bad files did fail, each kind after the lines before it


def test_a_long_line_fails_before_it_is_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "READ_BLOCK", 16)
    path = tmp_path / "in.txt"
    path.write_bytes(b"ok\n" + b"z" * 10_000 + b"\n")
    with path.open("rb") as f:
        gen = files.raw_lines(f, path, 100)
        assert next(gen) == (1, b"ok\n")
        with pytest.raises(InputError, match=":2: line longer than 100 bytes"):
            next(gen)
        assert f.tell() < 200  # memory bounded by the limit, not the line
