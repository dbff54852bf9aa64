"""Dates as the readers find them, written one way: ISO-8601 UTC (`...Z`) where the source
gives the zone (a unix time, an offset, `UTC±hh:mm`, `GMT±hh:mm`), else the source's local
time without a zone and marked local (never silently called UTC, never silently null).

A unix time of 10^11 or more (past the year 5138 in seconds) is read as milliseconds: dumps
write both (`1709287200` and `1709287200000`), and no real post is dated after 5138.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import NamedTuple

_UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"
# Telegram Desktop HTML titles: `29.04.2026 06:23:06 GMT+03:00`, `... UTC+03:00`, or no zone
# at all (exports of 2017-2018).
_TITLE = re.compile(
    r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})"
    r"(?:\s*(UTC|GMT)(?:\s*([+-])(\d{1,2})(?::?(\d{2}))?)?)?",
    re.IGNORECASE,
)


class SourceDate(NamedTuple):
    """`value` is ISO-8601: UTC with `Z`, or local time without a zone when `local`."""

    value: str | None
    local: bool = False


NO_DATE = SourceDate(None, False)


def from_moment(moment: datetime) -> SourceDate:
    """An aware datetime becomes UTC; a naive one (no zone in the source) stays local. A
    moment whose UTC time falls outside years 1-9999 (`9999-12-31T23:59:59-01:00`) is no
    date."""
    if moment.tzinfo is None:
        return SourceDate(moment.strftime(_LOCAL_FORMAT), True)
    try:
        return SourceDate(moment.astimezone(timezone.utc).strftime(_UTC_FORMAT), False)
    except OverflowError:
        return NO_DATE


def written_moment(value: str | None) -> datetime | None:
    """A date as the builder writes it back to an aware datetime (None when absent or not
    ISO-8601); a local time (no zone in the source) is taken as UTC: off by the zone at most."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


_UNIX_END = 253402300800  # 10000-01-01T00:00:00Z: whole seconds below it take the fast path
# a unix time this large or larger is milliseconds (as seconds it would fall after 5138)
UNIX_MILLIS_FROM = 10**11


@functools.lru_cache(maxsize=1024)
def _utc_day(day: int) -> str:
    """`YYYY-MM-DDT` of a day counted from 1970-01-01, as `from_moment` writes it."""
    return from_moment(datetime.fromtimestamp(day * 86400, tz=timezone.utc)).value[:11]


def _whole_seconds(value) -> int | None:
    """A unix time that is a whole number of seconds from 1970 to 9999 (an int, an integral
    float, a string of digits; whole milliseconds from `UNIX_MILLIS_FROM` on, their fraction
    of a second dropped as datetime's seconds format drops it), else None."""
    kind = type(value)
    if kind is int:
        seconds = value
    elif kind is float and value.is_integer():
        seconds = int(value)
    elif kind is str and value.isascii() and value.isdigit():
        digits = value.lstrip("0")
        if len(digits) > 15:  # past 9999 (and int() refuses over 4,300 digits): float's path
            return None
        seconds = int(digits or "0")
    else:
        return None
    if seconds >= UNIX_MILLIS_FROM:
        seconds //= 1000
    return seconds if 0 <= seconds < _UNIX_END else None


def from_unix(value) -> SourceDate:
    """A unix time (seconds, or milliseconds from `UNIX_MILLIS_FROM` on, as a number or a
    string of digits) is UTC. Whole seconds are written from their day (formatted once,
    cached) and the time of day: a post a second costs no datetime."""
    if value in (None, ""):
        return NO_DATE
    seconds = _whole_seconds(value)
    if seconds is not None:
        day, rest = divmod(seconds, 86400)
        return SourceDate(
            f"{_utc_day(day)}{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}Z", False)
    try:
        seconds = float(value)
        if abs(seconds) >= UNIX_MILLIS_FROM:
            seconds /= 1000
        return from_moment(datetime.fromtimestamp(seconds, tz=timezone.utc))
    except (TypeError, ValueError, OverflowError, OSError):
        return NO_DATE


def from_iso(value) -> SourceDate:
    """An ISO-8601 string: with `Z` or an offset it is converted to UTC; without a zone it
    is the source's local time, kept as such and marked."""
    if value in (None, ""):
        return NO_DATE
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return from_moment(datetime.fromisoformat(text))
    except ValueError:
        return NO_DATE


def from_rfc2822(value) -> SourceDate:
    """An e-mail style date (`Fri, 01 Mar 2024 10:00:00 GMT`, `... +0200`): UTC; `-0000`
    (RFC 2822's "zone unknown") is local time."""
    if not isinstance(value, str) or not value.strip():
        return NO_DATE
    try:
        return from_moment(parsedate_to_datetime(value.strip()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return NO_DATE


def from_desktop_title(title: str | None) -> SourceDate:
    """The `title` of a Desktop HTML export's `div.date`: `DD.MM.YYYY HH:MM:SS` with an
    optional `UTC±hh:mm` or `GMT±hh:mm` (the local time of the exporting machine)."""
    m = _TITLE.search(title or "")
    if not m:
        return NO_DATE
    d, mo, y, h, mi, s = (int(x) for x in m.groups()[:6])
    try:
        moment = datetime(y, mo, d, h, mi, s)
    except ValueError:
        return NO_DATE
    if not m.group(7):
        return from_moment(moment)  # no zone given: local time
    offset = timedelta(hours=int(m.group(9) or 0), minutes=int(m.group(10) or 0))
    sign = -1 if m.group(8) == "-" else 1
    try:
        zone = timezone(sign * offset)
    except ValueError:  # an offset of a day or more is no zone
        return from_moment(moment)
    return from_moment(moment.replace(tzinfo=zone))
