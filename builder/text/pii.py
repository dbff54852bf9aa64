"""Personal data in post text (a pipeline step): e-mail addresses, phone numbers, IP addresses and payment card
numbers, found and replaced by typed placeholders (`<EMAIL>`, `<PHONE>`, `<IP>`, `<CARD>`).

Numbers that only look like phones are left alone: a phone needs a leading `+` or `00`, a
bracketed area code, a phone-shaped grouping of 10 or 11 digits (five pairs only with a
leading 0, as in France), an area code with its trunk 0 and the number (`030 12345678`), a
word such as "tel." before it, or a phone link (`wa.me/…`, `t.me/+…`); thousands groupings
(`12 000`, `3,000,000`), a year and a count (`2022 250 000`), valid dates, times and time
ranges and year lists never are. A card number is 13 to 19 digits in a card's grouping with
a card scheme's prefix and length, passing the Luhn check (a barcode or a register number
that passes Luhn is none). An IPv4 address is four dotted numbers of 0 to 255, also in a
link (`http://10.0.0.5/x`, `10.0.0.1/24`), unless a word such as "version" or "section"
numbers it. A bracket that is not the number's own stays outside the placeholder."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, replace

from builder.config import PiiConfig
from builder.pipeline.step import BatchStep
from builder.records import Doc, Post

TYPES = ("email", "phone", "ip", "card")
PLACEHOLDERS = {t: f"<{t.upper()}>" for t in TYPES}
PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))

# an e-mail address: a local part (at most 64 characters) and a domain with a letters-only
# top level, matched around each `@` (a text has few; a scan of every position costs more)
_LOCAL = re.compile(r"(?<![\w.%+-])[\w%+-]+(?:\.[\w%+-]+)*\Z")
_DOMAIN = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w@])")
_LOCAL_MAX = 64
_LOCAL_LAST = re.compile(r"[\w%+-]")  # the characters a local part may end with
_HEX4 = r"[0-9A-Fa-f]{1,4}"
IPV6 = re.compile(
    rf"(?<![\w:])(?:(?:{_HEX4}:){{7}}{_HEX4}|(?:{_HEX4}:){{1,6}}:(?:{_HEX4}:){{0,5}}{_HEX4}"
    rf"|::(?:{_HEX4}:){{0,5}}{_HEX4})(?![\w:])"
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
# a run of digits joined by single separators, with an optional leading `+` or bracket
_SEP = r"[ .\-\u00a0\u202f]"
# (it starts with a character class, which lets `re` skip ahead fast; the look-behind after
# the first character checks the one before it)
# A run is at least 7 characters (the look-ahead after the first skips the short numbers,
# years and counts, that make most of a post's numbers). A colon may come before it after a
# label (`Tel:+44 20 7946 0958`, `tel:+7495…` in a link), not after a digit (`10:30`).
NUMBER_RUN = re.compile(
    rf"[+(\d](?<![\w+.\-/,].)(?<![\d:]:.)(?=[\d .\-()\u00a0\u202f]{{6}})"
    rf"(?:(?<=\+) ?\(?\d|(?<=\()\d|(?<=\d))\d*\)?(?:{_SEP}?\(?\d+\)?)*(?![\w/])"
)
# A cheap test before `NUMBER_RUN` (whose scan costs most of this step): a run needs 7
# characters in a row from its alphabet. On the UTF-8 bytes: ASCII digits, `+`, `(`, `)`,
# `.`, `-` and space, every continuation byte, and the lead bytes of the non-ASCII characters
# that `\d` or the alphabet's no-break spaces take (tests hold this list to Python's own):
# Latin, Cyrillic or CJK letters break a run, so most posts skip the regex.
RUN_LEADS = (0xC2, 0xD9, 0xDB, 0xDF, 0xE0, 0xE1, 0xE2, 0xEA, 0xEF, 0xF0)


def _run_table() -> bytes:
    table = bytearray(b"x" * 256)
    for byte in (*b"0123456789+(). -", *range(0x80, 0xC0), *RUN_LEADS):
        table[byte] = ord("0")
    return bytes(table)


_RUN_TABLE = _run_table()


def may_hold_number_run(text: str) -> bool:
    """False only where `NUMBER_RUN` cannot match (no 7 characters in a row it could take)."""
    return b"0000000" in text.encode("utf-8", "surrogatepass").translate(_RUN_TABLE)


_RUNS = re.compile(rb"0000000+")  # (a literal prefix: `re` skips to it fast; `0{7,}` scans)
_CONTINUATION = bytes(ord("c") if 0x80 <= b < 0xC0 else ord("s") for b in range(256))


def number_run_windows(text: str) -> list[tuple[int, int]]:
    """The (start, end) character spans of the 7 or more characters in a row that a
    `NUMBER_RUN` match could be made of (every match lies inside one): the regex need not
    scan the rest of the text. Found on the UTF-8 bytes; a byte offset becomes a character
    offset by not counting continuation bytes (a run that starts inside a character starts
    after it: that character is not one a run is made of)."""
    data = text.encode("utf-8", "surrogatepass")
    marks = data.translate(_RUN_TABLE)
    if b"0000000" not in marks:
        return []
    spans = [m.span() for m in _RUNS.finditer(marks)]
    if len(data) == len(text):  # ASCII: bytes are characters
        return spans
    cont = data.translate(_CONTINUATION)
    return [(a - cont.count(b"c", 0, a), b - cont.count(b"c", 0, b)) for a, b in spans]


_NOT_DIGIT = re.compile(r"\D")
_DIGIT = re.compile(r"\d")
_GROUPS = re.compile(r"\d+")
THOUSANDS = re.compile(r"\d{1,3}(?:[ .,\u00a0\u202f]\d{3})+")
DATE = re.compile(r"(\d{1,4})[./\-](\d{1,2})[./\-](\d{1,4})")
# times and ranges of times: 10.30, 10.30-12.00, 9.00 - 18.00
TIMES = re.compile(r"(?:[01]?\d|2[0-4])\.[0-5]\d(?:\s?[-\u2013]\s?(?:[01]?\d|2[0-4])\.[0-5]\d)*")
CARD_SHAPES = (
    re.compile(r"\d{13,19}"),
    re.compile(r"\d{4}([ \-])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?"),
    re.compile(r"\d{4}([ \-])\d{6}\1\d{4,5}"),
)
# Card schemes: (first digits from, to) and the lengths their numbers have. A number of
# another length or prefix (a barcode, a register number) is no card even if it passes Luhn.
CARD_SCHEMES = (
    ((4, 4), (13, 16, 19)),                    # Visa
    ((51, 55), (16,)), ((2221, 2720), (16,)),  # Mastercard
    ((34, 34), (15,)), ((37, 37), (15,)),      # American Express
    ((2200, 2204), (16, 17, 18, 19)),          # Mir
    ((6011, 6011), (16, 17, 18, 19)), ((644, 649), (16, 17, 18, 19)),
    ((65, 65), (16, 17, 18, 19)),              # Discover
    ((62, 62), (16, 17, 18, 19)),              # UnionPay
    ((3528, 3589), (16, 17, 18, 19)),          # JCB
    ((300, 305), (14,)), ((36, 36), (14,)), ((38, 39), (14, 16)),  # Diners Club
    ((50, 50), (16, 17, 18, 19)), ((56, 69), (16, 17, 18, 19)),    # Maestro
)
AREA_CODE = re.compile(r"(?:\d{1,3}[ .\-]?)?\(\d{2,5}\)[ .\-]?\d")
PHONE_GROUPS = {
    (3, 3, 4), (3, 3, 2, 2), (1, 3, 3, 4), (1, 3, 3, 2, 2), (3, 4, 4), (4, 3, 4), (5, 6),
    (2, 2, 2, 2, 2), (2, 4, 4), (4, 3, 3), (1, 3, 7), (3, 7), (4, 7), (4, 6), (4, 8),
}
PHONE_WORD = re.compile(
    r"(?:\b(?:tel|phone|telephone|call|fax|mobile|mob|whatsapp|viber|hotline|telefon|handy|"
    r"mobil|tél|téléphone|teléfono|telefone|telefono|тел|телефон|моб|факс)\b"
    r"\.?:?\s*(?:number\s*)?:?\s*|☎\s*|📞\s*)$",
    re.IGNORECASE,
)
# Words that number a version or a part of a text: `version 2.3.1.4`, `section 3.2.1.4` and
# `Статья 12.1.1.1` are no IP addresses.
NUMBERING_WORD = re.compile(
    r"\b(?:version|ver|release|build|firmware|fw|update|section|sec|article|art|clause|"
    r"paragraph|para|item|chapter|part|rule|figure|fig|table|standard|step|версия|версии|"
    r"версія|статья|статьи|статті|стаття|ст|пункт|пункта|пп|п|раздел|розділ|глава|часть|"
    r"частина|рис|табл|artikel|abschnitt|absatz|kapitel|ziffer|teil|chapitre|alinéa|"
    r"artículo|apartado|sección|capítulo)\b\.?\s*(?:no\.?\s*|№\s*)?$|§\s*$",
    re.IGNORECASE,
)
YEAR = re.compile(r"1[89]\d\d|20\d\d")
_COUNT = re.compile(r"[1-9]\d{0,6}")
# A dotted IPv4 address outside a longer dotted number or a word; a URL's host
# (`http://10.0.0.5/x`), a network (`10.0.0.1/24`) and a port (`:8080`) included.
IPV4_ALONE = re.compile(rf"(?<![\w.]){IPV4.pattern}(?![\w]|\.\d)")
# A phone number in a link: WhatsApp's and Telegram's phone links, Viber's chat link
# (looked for only in a text holding one of the hints).
_LINK_HINTS = ("wa.me/", "t.me/+", "phone=", "viber://")
LINK_PHONE = re.compile(
    r"(?:\bwa\.me/\+?|\bt\.me/\+|\bapi\.whatsapp\.com/send/?\?phone=\+?|"
    r"\bviber://chat\?number=(?:%2B|\+)?)(\d{7,15})(?![\w-])",
    re.IGNORECASE,
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_scheme_ok(digits: str) -> bool:
    """Whether `digits` has the prefix and length of a card scheme's numbers."""
    n = len(digits)
    for (low, high), lengths in CARD_SCHEMES:
        if n in lengths and low <= int(digits[: len(str(low))]) <= high:
            return True
    return False


def _is_date(run: str) -> bool:
    """A date: day, month and year in any order that writes one (`05.01.2024`, `2024-01-05`,
    `5/1/24`); `244-16-06` (a phone's groups) is none."""
    m = DATE.fullmatch(run)
    if m is None:
        return False
    a, b, c = m.groups()
    if len(a) == 4:  # year first: month and day
        return 1 <= int(b) <= 12 and 1 <= int(c) <= 31 and len(c) <= 2
    if len(c) not in (2, 4) or len(a) > 2:
        return False
    x, y = int(a), int(b)  # day.month or month/day
    return 1 <= x <= 31 and 1 <= y <= 31 and min(x, y) <= 12


def trim_brackets(run: str) -> tuple[int, int]:
    """The (start, end) of a run within itself without the brackets that are not its own: a
    closing bracket it has no opening one for (`(card 4111 … 1111)`), an opening one left
    open, or a pair around the whole run (`(4111111111111111)`); an area code's pair stays."""
    start, end = 0, len(run)
    if run.endswith(")") and run.count(")") > run.count("("):
        end -= 1
    if run.startswith("(") and run.count("(", 0, end) > run.count(")", 0, end):
        start += 1
    if run[start] == "(" and run[end - 1] == ")" and "(" not in run[start + 1 : end - 1] \
            and ")" not in run[start + 1 : end - 1]:
        start, end = start + 1, end - 1
    return start, end


def classify_number(run: str, before: str) -> str | None:
    """"ip", "card", "phone" or None for a run of digits and separators; `before` is the
    text just before it (for words such as "tel.")."""
    if len(run) < 7:
        return None
    if IPV4.fullmatch(run):
        return None if NUMBERING_WORD.search(before[-30:]) else "ip"
    digits = _NOT_DIGIT.sub("", run)
    n = len(digits)
    if n < 7 or n > 19:
        return None
    parts = _GROUPS.findall(run)
    if all(len(g) == 4 and g[:2] in ("19", "20") for g in parts):
        return None  # years: 2019 2020 2021
    if 13 <= n <= 19 and any(s.fullmatch(run) for s in CARD_SHAPES):
        if card_scheme_ok(digits) and luhn_ok(digits):
            return "card"
    if n > 15 or THOUSANDS.fullmatch(run) or _is_date(run) or TIMES.fullmatch(run):
        return None
    if (len(parts) > 1 and YEAR.fullmatch(parts[0]) and run[:5] == parts[0] + " "
            and (THOUSANDS.fullmatch(run[5:]) or _COUNT.fullmatch(run[5:]))):
        return None  # a year and a count: `In 2022 250 000 refugees`
    groups = tuple(len(g) for g in parts)
    if run.startswith("+") and n >= 8:
        return "phone"
    if run.startswith("00") and run[2] != "0" and 11 <= n <= 15:
        return "phone"  # the international prefix: 0049 30 1234567
    if n >= 9 and AREA_CODE.match(run):
        return "phone"
    if groups in PHONE_GROUPS and n in (10, 11) and _phone_grouping(parts):
        return "phone"
    if (len(parts) == 2 and run[0] == "0" and run[1] != "0" and 3 <= len(parts[0]) <= 5
            and 5 <= len(parts[1]) <= 8 and 10 <= n <= 12):
        return "phone"  # an area code with its trunk 0, then the number: 030 12345678
    if PHONE_WORD.search(before[-30:]):
        return "phone"
    return None


def _phone_grouping(parts: list[str]) -> bool:
    """Five pairs are a phone written the French way (`01 23 45 67 89`: a leading 0), not a
    list of two-digit numbers (`12 14 15 13 11` degrees)."""
    if len(parts) != 5 or any(len(p) != 2 for p in parts):
        return True
    return parts[0][0] == "0"


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: str


def ipv4_addresses(text: str, windows: list[tuple[int, int]]) -> list[Finding]:
    """IPv4 addresses (`IPV4_ALONE`) not numbering a version or a part of a text, searched in
    `number_run_windows` only (an address is 7 or more of a window's characters)."""
    found = []
    for start, end in windows:
        for m in IPV4_ALONE.finditer(text, start, end + 1):
            if not NUMBERING_WORD.search(text[max(0, m.start() - 30) : m.start()]):
                found.append(Finding(m.start(), m.end(), "ip"))
    return found


def _apart(found: list[Finding]) -> list[Finding]:
    """The findings in text order, overlapping ones joined into one of the first one's type
    (`::ffff:192.168.1.1`: an IPv6 address ending in an IPv4 one)."""
    if len(found) < 2:
        return found
    out: list[Finding] = []
    for f in sorted(found, key=lambda f: (f.start, -f.end)):
        if out and f.start < out[-1].end:
            if f.end > out[-1].end:
                out[-1] = Finding(out[-1].start, f.end, out[-1].kind)
            continue
        out.append(f)
    return out


def _emails(text: str) -> list[Finding]:
    """E-mail addresses, looked for around each `@` only."""
    found, at = [], text.find("@")
    while at >= 0:
        # a local part ends with one of its characters right before the `@` (a cheap test
        # first: most `@` in posts are channel handles after a space)
        local = (_LOCAL.search(text, max(0, at - _LOCAL_MAX), at)
                 if at and _LOCAL_LAST.match(text, at - 1) else None)
        domain = _DOMAIN.match(text, at + 1) if local else None
        if local and domain and not (found and local.start() < found[-1].end):
            found.append(Finding(local.start(), domain.end(), "email"))
        at = text.find("@", at + 1)
    return found


class PiiScrubber:
    """Finds personal data of the chosen types and replaces it (or only counts it)."""

    def __init__(self, types: tuple[str, ...] | list[str] = TYPES, replace: bool = True):
        self.types = frozenset(types)
        self.replace = replace

    def find(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        if "@" in text and "email" in self.types:
            found += _emails(text)
        if "::" in text or text.count(":") >= 7:
            if "ip" in self.types:
                found += [Finding(m.start(), m.end(), "ip") for m in IPV6.finditer(text)]
        windows = number_run_windows(text)
        if "ip" in self.types:
            found += ipv4_addresses(text, windows)
        if "phone" in self.types and "/" in text:
            lower = text.lower()
            if any(hint in lower for hint in _LINK_HINTS):
                found += [Finding(m.start(1), m.end(1), "phone")
                          for m in LINK_PHONE.finditer(text)]
        if not windows:
            return _apart(found)
        found = _apart(found)  # in text order, apart: a run is checked against them by bisection
        starts = [f.start for f in found]
        ends = [f.end for f in found]
        for start, end in windows:
            # (the character after a window is seen too: the regex looks one past a match)
            for m in NUMBER_RUN.finditer(text, start, end + 1):
                k = bisect_left(starts, m.end()) - 1  # the last finding starting before it ends
                if k >= 0 and ends[k] > m.start():
                    continue
                a, b = trim_brackets(m.group())
                a, b = m.start() + a, m.start() + b
                kind = classify_number(text[a:b], text[max(0, a - 30) : a])
                if kind in self.types:
                    found.append(Finding(a, b, kind))
        return _apart(found)

    def scrub(self, text: str) -> tuple[str, Counter]:
        """The text with each finding replaced by its placeholder (unless only counting),
        and the findings counted by type."""
        text, kinds = self.scrub_kinds(text)
        return text, Counter(kinds)

    def scrub_kinds(self, text: str) -> tuple[str, list[str]]:
        """As `scrub`, with the type of each finding in a list (most texts have none: no
        counter is made for them)."""
        if "@" not in text and not _DIGIT.search(text):
            return text, []
        findings = self.find(text)
        kinds = [f.kind for f in findings]
        if not findings or not self.replace:
            return text, kinds
        parts, at = [], 0
        for f in findings:
            parts += [text[at : f.start], PLACEHOLDERS[f.kind]]
            at = f.end
        parts.append(text[at:])
        return "".join(parts), kinds

    def redact(self, text: str) -> str:
        """The text with each finding replaced (as `scrub`, without counting)."""
        return self.scrub_kinds(text)[0]


def placeholder_kinds(text: str) -> list[str]:
    """The types whose placeholders a (scrubbed) text holds."""
    return [m.group()[1:-1].lower() for m in PLACEHOLDER.finditer(text)]


class PiiStep(BatchStep):
    """The pipeline step, before segmentation: personal data in each post's text and links
    replaced by placeholders (`replace`, and `drop`, whose `PiiSegmentDrop` then drops the
    segments holding one), or only counted (`keep`); counted per type."""

    name = "personal_data"
    stage = "clean"

    def __init__(self, config: PiiConfig):
        super().__init__()
        self.config = config
        self.scrubber = PiiScrubber(config.types, replace=config.action != "keep")

    def params(self) -> dict:
        return {"action": self.config.action, "types": sorted(self.config.types)}

    def apply(self, doc: Doc) -> Doc:
        post, found = scrub_post(self.scrubber, doc.post)
        if not found:
            return doc
        self.counts.update(found)
        return replace(doc, post=post) if post is not doc.post else doc

    def manifest_counts(self) -> dict[str, dict]:
        found = {kind: self.counts[kind] for kind in TYPES if kind in self.config.types}
        return {"personal_data": {"action": self.config.action, "found": found}}

    def card_rows(self) -> list[dict]:
        verb = {"keep": "found (kept)", "replace": "replaced", "drop": "replaced"}
        return [{"stage": self.stage, "count": self.counts[kind],
                 "step": f"personal data {verb[self.config.action]}: {kind} "
                         f"(`{PLACEHOLDERS[kind]}`)"}
                for kind in TYPES if kind in self.config.types]


class PiiSegmentDrop(BatchStep):
    """With `pii.action: drop`, after segmentation: a segment holding a placeholder goes."""

    name = "personal_data_segments"
    stage = "filter"

    def apply(self, doc: Doc) -> Doc:
        reasons = []
        for seg in doc.segments:
            kinds = placeholder_kinds(seg.text)
            reasons.append(f"personal_data:{kinds[0]}" if kinds else None)
        return self.drop_segments(doc, reasons)


def scrub_post(scrubber: PiiScrubber, post: Post) -> tuple[Post, Counter]:
    """The post with its text and links scrubbed, and what was found."""
    text, kinds = scrubber.scrub_kinds(post.text)
    urls = []
    for url in post.urls:
        clean, in_url = scrubber.scrub_kinds(url)
        urls.append(clean)
        kinds += in_url
    found = Counter(kinds) if kinds else Counter()  # (most posts: an empty list counts slower)
    if not kinds or not scrubber.replace:
        return post, found
    return replace(post, text=text, urls=tuple(urls)), found
