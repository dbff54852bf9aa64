"""Dates: UTC where the source gives the zone, else local time marked so (never null, never
silently UTC)."""

import json

import pytest

from builder.cli import main
from builder.config import InputConfig
from builder.readers import plan_inputs, read_inputs
from builder.readers.dates import (
    SourceDate,
    from_desktop_title,
    from_iso,
    from_unix,
    written_moment,
)
from tests.helpers import read_rows


@pytest.mark.parametrize(
    "title, expected",
    [
        ("29.04.2026 06:23:06 GMT+03:00", SourceDate("2026-04-29T03:23:06Z", False)),
        ("29.04.2026 06:23:06 UTC+03:00", SourceDate("2026-04-29T03:23:06Z", False)),
        ("01.01.2024 01:00:00 UTC-05:30", SourceDate("2024-01-01T06:30:00Z", False)),
        ("01.01.2024 01:00:00 GMT", SourceDate("2024-01-01T01:00:00Z", False)),
        ("12.03.2017 18:45:10", SourceDate("2017-03-12T18:45:10", True)),  # no zone: local
        ("not a date", SourceDate(None, False)),
    ],
)
def test_desktop_html_titles(title, expected):
    assert from_desktop_title(title) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2020-05-01T10:00:00", SourceDate("2020-05-01T10:00:00", True)),
        ("2024-03-01T12:00:00+02:00", SourceDate("2024-03-01T10:00:00Z", False)),
        ("2024-03-01T12:00:00Z", SourceDate("2024-03-01T12:00:00Z", False)),
        ("soon", SourceDate(None, False)),
    ],
)
def test_iso_strings(value, expected):
    assert from_iso(value) == expected


def test_unix_times_are_utc():
    assert from_unix("1709276712") == from_unix(1709276712) == SourceDate("2024-03-01T07:05:12Z")


@pytest.mark.parametrize("value, expected", [
    # zero-padded past Python's 4,300-digit int() limit: still the date (the fast path
    # called int() on it and the build stopped with an unexpected ValueError)
    ("0" * 4301 + "1709276712", "2024-03-01T07:05:12Z"),
    ("0" * 20 + "1709276712", "2024-03-01T07:05:12Z"),
    ("9" * 5000, None),  # past year 9999: no date
    ("0" * 30, "1970-01-01T00:00:00Z"),
])
def test_long_digit_strings(value, expected):
    assert from_unix(value) == SourceDate(expected, False)


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_iso_moment_outside_utc_years_is_no_date(value):
    """Converted to UTC it falls outside years 1-9999: no date, not an OverflowError that
    stopped the build."""
    assert from_iso(value) == SourceDate(None, False)


def test_lone_surrogate_in_json_lines_is_replaced(tmp_path):
    """JSON may escape half a surrogate pair (`\\ud800`), which no UTF-8 file can hold: the
    build stopped with an unexpected UnicodeEncodeError; it is now U+FFFD (pairs stay)."""
    import json

    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"id": 1, "text": "Half \ud800 a pair, a whole \U0001F600 one."})
                    + "\n", encoding="utf-8")
    assert "\\ud800" in path.read_text() and "\\ud83d\\ude00" in path.read_text()
    (post,) = _read(path)
    assert post.lines == ("Half \ufffd a pair, a whole \U0001F600 one.",)


def _read(path):
    cfg = InputConfig(paths=[str(path)])
    return list(read_inputs(plan_inputs(cfg), cfg))


def test_desktop_json_2020_layout_falls_back_to_local_date(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"name": "C", "type": "public_channel", "id": 1, "messages": [
        {"id": 1, "type": "message", "date": "2020-05-01T10:00:00", "text": "Old layout post."},
        {"id": 2, "type": "message", "date": "2024-03-01T09:05:12", "date_unixtime": "1709276712",
         "text": "New layout post."}]}), encoding="utf-8")
    old, new = _read(path)
    assert (old.date, old.date_is_local) == ("2020-05-01T10:00:00", True)
    assert (new.date, new.date_is_local) == ("2024-03-01T07:05:12Z", False)


def _html_page(title: str) -> str:
    return ('<div class="history"><div class="message default clearfix" id="message3">'
            f'<div class="body"><div class="pull_right date details" title="{title}">06:23</div>'
            '<div class="from_name">Chan</div><div class="text">A post with a date here.</div>'
            "</div></div></div>")


@pytest.mark.parametrize(
    "title, date, local",
    [("29.04.2026 06:23:06 GMT+03:00", "2026-04-29T03:23:06Z", False),
     ("12.03.2017 18:45:10", "2017-03-12T18:45:10", True)],
)
def test_desktop_html_dates(tmp_path, title, date, local):
    page = tmp_path / "messages.html"
    page.write_text(_html_page(title), encoding="utf-8")
    (post,) = _read(page)
    assert (post.date, post.date_is_local) == (date, local)


def test_local_dates_are_columns_and_counted(tmp_path):
    page = tmp_path / "messages.html"
    page.write_text(_html_page("12.03.2017 18:45:10"), encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", "--input", str(page), "--out", str(out), "-q"]) == 0
    (seg,) = read_rows(out, "segments")
    (post,) = read_rows(out, "posts")
    assert (seg["date"], seg["date_is_local"]) == ("2017-03-12T18:45:10", True)
    assert (post["date"], post["date_is_local"]) == ("2017-03-12T18:45:10", True)
    counts = json.loads((out / "manifest.json").read_text())["counts"]["metadata"]
    assert counts["dates_local"] == 1 and counts["dates_utc"] == 0
    card = (out / "README.md").read_text()
    assert "| read | dates marked local (no time zone in the source) | 1 |" in card
    assert "`date_is_local`" in card


@pytest.mark.parametrize("source", ["2024-03-01T10:00:00+02:00", "2024-03-01T08:00:00",
                                    "2024-03-01T08:00:00Z"])
def test_a_written_date_reads_back_as_the_moment_it_names(source):
    written = from_iso(source).value
    moment = written_moment(written)
    assert moment.tzinfo is not None  # comparable with any other written date
    assert moment.strftime("%Y-%m-%dT%H:%M:%S") == written.rstrip("Z")


@pytest.mark.parametrize("value", [None, "", "yesterday"])
def test_no_or_unreadable_written_date_is_none(value):
    assert written_moment(value) is None


@pytest.mark.slow  # a subprocess or a large sweep: several seconds
def test_whole_unix_seconds_are_written_as_datetime_writes_them():
    """The fast path (day cached, time of day by arithmetic) against datetime, across days,
    leap years, the ends of its range and the values it leaves to datetime; from 10^11 on a
    unix time is milliseconds (divided by 1000 for datetime)."""
    import random
    from datetime import datetime, timezone

    from builder.readers import dates

    def by_datetime(value):
        try:
            seconds = float(value)
            if abs(seconds) >= dates.UNIX_MILLIS_FROM:
                seconds /= 1000
            moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (TypeError, ValueError, OverflowError, OSError):
            return dates.NO_DATE
        return dates.SourceDate(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), False)

    rng = random.Random(7)
    values = [0, 1, 59, 86399, 86400, 951782400, 951868799, 1704067200, 4102444800,
              dates._UNIX_END - 1, dates._UNIX_END, -1, -86401, 10**20]
    values += [rng.randrange(0, dates._UNIX_END) for _ in range(20_000)]
    values += [rng.randrange(0, 4 * 10**9) for _ in range(20_000)]
    values += [rng.randrange(dates.UNIX_MILLIS_FROM, dates._UNIX_END * 1000) for _ in range(5_000)]
    values += [dates.UNIX_MILLIS_FROM - 1, dates._UNIX_END * 1000 - 1, dates._UNIX_END * 1000]
    for seconds in values:
        for value in (seconds, float(seconds), str(seconds), f"{seconds}.5", seconds + 0.25):
            assert dates.from_unix(value) == by_datetime(value), value
    assert dates.from_unix("١٢٣") == by_datetime("١٢٣")  # non-ASCII digits: datetime's way
