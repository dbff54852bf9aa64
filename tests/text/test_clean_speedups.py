"""Speed-ups of the cleaning steps give the same results as the plain algorithms they prune."""

import random
from difflib import SequenceMatcher

from builder.text.clean import Draft, Undouble


def _undouble_unpruned(lines):
    """Rule 2 as first written: a matcher for every split at a repeated line."""
    best = None
    for lead in (0, 1):
        seen = set()
        for j in range(lead, len(lines)):
            if lines[j] in seen:
                first, second = lines[lead:j], lines[j:]
                matcher = SequenceMatcher(None, first, second, autojunk=False)
                matched = sum(b.size for b in matcher.get_matching_blocks())
                if 2 * matched > max(len(first), len(second)) and (
                    best is None or matched > best[0]
                ):
                    best = (matched, lead, j, matcher)
            seen.add(lines[j])
    if best is None:
        return lines, 0
    matched, lead, j, matcher = best
    first, second = lines[lead:j], lines[j:]
    out = list(lines[:lead])
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        out.extend(first[i1:i2])
        if tag in ("insert", "replace"):
            out.extend(second[j1:j2])
    return tuple(out), matched


def test_undouble_pruning_changes_nothing():
    rng = random.Random(12)
    step = Undouble()
    for _ in range(3000):
        body = [rng.choice("abcdefgh") for _ in range(rng.randint(1, 9))]
        lead = [rng.choice("xyz")] * rng.randint(0, 1)
        copy = [line for line in body if rng.random() > 0.2]
        lines = tuple(lead + body + copy + [rng.choice("abq")] * rng.randint(0, 2))
        got = step.apply(Draft(lines))
        assert (got[0].lines, got[1]) == _undouble_unpruned(lines), lines


def test_undouble_on_integer_ids_with_early_stops_changes_nothing():
    """Longer posts: copies cut, reordered, with lines changed or repeated, one or two lead
    lines, one line over and over (the matcher runs on the lines' numbers and stops early
    once no later split can beat the best one)."""
    rng = random.Random(2026)
    step = Undouble()
    words = [f"line {i}" for i in range(12)]
    for _ in range(2500):
        body = [rng.choice(words[: rng.randint(2, 12)]) for _ in range(rng.randint(1, 16))]
        copy = list(body)
        for _ in range(rng.randint(0, 3)):
            k = rng.randrange(len(copy) + 1)
            action = rng.random()
            if action < 0.3 and copy:
                del copy[min(k, len(copy) - 1)]
            elif action < 0.6:
                copy.insert(k, rng.choice(words))
            elif copy:
                copy[min(k, len(copy) - 1)] = rng.choice(words)
        if rng.random() < 0.1:
            copy = copy[::-1]
        lead = [rng.choice(["lead", "x", words[0]]) for _ in range(rng.randint(0, 2))]
        tail = [rng.choice(words) for _ in range(rng.randint(0, 2))]
        lines = tuple(lead + body + copy + tail)
        got = step.apply(Draft(lines))
        assert (got[0].lines, got[1]) == _undouble_unpruned(lines), lines


def test_undouble_second_copy_within_the_first_equals_the_matcher():
    """A second copy found whole in the first (its end, its start, its middle, twice) is
    matched without the matcher: the same lines kept and the same count."""
    rng = random.Random(4)
    step = Undouble()
    for _ in range(1500):
        body = [rng.choice("abcdefg") for _ in range(rng.randint(1, 7))]
        other = [rng.choice("abxyz") for _ in range(rng.randint(0, 3))]
        lead = [rng.choice("ablz")] * rng.randint(0, 2)
        shape = rng.choice([
            body + body, lead + body + body, body + other + body, other + body + body,
            body + body + body, body + other + body + other, lead + body + other + body,
            other + body + other + body + body,
        ])
        lines = tuple(shape)
        got = step.apply(Draft(lines))
        assert (got[0].lines, got[1]) == _undouble_unpruned(lines), lines


def test_hashtag_sign_removal_equals_the_group_template():
    from builder.text.telegram import HASHTAG, HASHTAG_SIGN

    rng = random.Random(5)
    alphabet = "#a1_&/ .Жé-"
    for _ in range(20000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        assert HASHTAG_SIGN.sub("", line) == HASHTAG.sub(r"\1", line), line


def test_list_marker_length_bound():
    import itertools

    from builder.text.segment import _LIST_MARKER, _LIST_MARKER_MAX

    pieces = ["", "(", "-", "⁃", "1", "12", "123", "iv", "viii", "xxxx", ".", ")", " "]
    for parts in itertools.product(pieces, repeat=4):
        text = "".join(parts)
        if _LIST_MARKER.match(text):
            assert len(text) <= _LIST_MARKER_MAX, text


# --- the definitions the fast forms replaced (reference implementations) -------------------

def _old_emoji_runs():
    import re

    from builder.text.telegram import _EMOJI_ASTRAL, _EMOJI_BMP, _KEYCAP

    return re.compile(
        f"(?:{_KEYCAP}|[{_EMOJI_BMP}\u200b\u200c\u2060\ufeff\u00ad]"
        f"|(?=[\U00010000-\U0010FFFF])[{_EMOJI_ASTRAL}])+"
    )


def _old_strip_emoji(text):
    import re

    from builder.text.telegram import _separate_or_keep_joiners

    # (zero-width joiners between two letters stay: spelling, not emoji glue)
    if text.isascii():
        return text
    if max(text) < "\u203c":
        return re.sub("[\u200b\u200c\u200d\u00ad]+",
                      lambda m: _separate_or_keep_joiners(m) and m.group(0), text)
    return _old_emoji_runs().sub(_separate_or_keep_joiners, text)


def _code_points(ranges=((0, 0x110000),), sep=""):
    """The code points of `ranges` but the surrogates, each followed by `sep`."""
    return "".join(chr(c) + sep for lo, hi in ranges for c in range(lo, hi)
                   if not 0xD800 <= c < 0xE000)


def test_emoji_run_matches_the_old_runs_on_every_code_point():
    from builder.text.telegram import _EMOJI_RUN

    old = _old_emoji_runs()
    emoji_blocks = ((0xA0, 0x100), (0x2000, 0x3300), (0xFE00, 0xFF00), (0x1F000, 0x20000),
                    (0xE0000, 0xE0100))
    # each code point alone, then the emoji blocks side by side (runs of many)
    for text in (_code_points(sep="a"), _code_points(emoji_blocks)):
        text = text.replace("\u20e3", "")  # the fast form is for text without keycaps
        assert [m.span() for m in _EMOJI_RUN.finditer(text)] == [
            m.span() for m in old.finditer(text)
        ]


def test_strip_emoji_equals_the_old_definition_on_random_text():
    from builder.text.telegram import strip_emoji

    rng = random.Random(7)
    alphabet = [
        "a", "Z", "1", " ", "\t", ".", "(", ")", "’", "“", "—", "Ж", "é", "中", "™", "©", "®",
        "\u203c", "☎", "⭐", "\ufe0f", "\ufe0e", "\u200d", "\u200b", "\u200c", "\u2060", "\ufeff",
        "\u00ad", "\u20e3", "#", "*", "🔥", "👍", "🏻", "🇷", "🇺", "\U000e0067", "🄰", "𝐀", "𠀀",
        "🔟", "\U0001F000", "\U0001FFFD", "\U0010FFFF",
    ]
    for _ in range(30000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert strip_emoji(text) == _old_strip_emoji(text), ascii(text)


def test_hashtags_equal_the_old_patterns():
    import re

    from builder.text.telegram import HASHTAG, HASHTAG_SIGN

    old_tag = re.compile(r"(?<![\w&/#])#([^\W\d_]\w*)")
    old_sign = re.compile(r"(?<![\w&/#])#(?=[^\W\d_])")
    # a sample of code points (every class the patterns test) before and after `#`
    sample = _code_points(((0, 0x3000), (0x1F000, 0x1F100), (0x20000, 0x20100)))[::7]
    every = "".join(c + "#a #" + c + " " for c in sample)
    for text in (every, "#a", "##a", "a#b", "&#x", "/#y", "#1a", "# a", "#é", "#_a"):
        assert [m.span(1) for m in HASHTAG.finditer(text)] == [
            m.span(1) for m in old_tag.finditer(text)]
        assert HASHTAG_SIGN.sub("", text) == old_sign.sub("", text)
    rng = random.Random(3)
    for _ in range(20000):
        text = "".join(rng.choice("#a1_&/ .Жé-\n\u0301٣") for _ in range(rng.randint(0, 12)))
        assert HASHTAG.findall(text) == old_tag.findall(text), text
        assert HASHTAG_SIGN.sub("", text) == old_sign.sub("", text), text


def test_collapse_whitespace_fast_path_is_sound():
    from builder.text.telegram import collapse_whitespace

    # the fast path rests on this: the only printable whitespace is the space
    for c in map(chr, range(0x110000)):
        if c.isspace():
            assert c == " " or not c.isprintable(), hex(ord(c))
    rng = random.Random(11)
    alphabet = ["a", "b", " ", "  ", "\t", "\n", "\xa0", "\u2028", "\u3000", "\x1c", "\x85",
                "\u200b", "é", "\u180e"]
    for _ in range(30000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert collapse_whitespace(text) == " ".join(text.split()), ascii(text)



def _old_strip_symbols(lines):
    """Rule 7 as first written: every line through every pass."""
    import unicodedata

    from builder.text.telegram import _WORD_CHAR as word_char
    from builder.text.telegram import (
        LEADING_BULLET,
        collapse_whitespace,
        keycap_digits,
        keycap_list_number,
        strip_emoji,
    )

    kept = []
    for line in lines:
        if not line.isascii():
            line = keycap_digits(keycap_list_number(unicodedata.normalize("NFC", line)))
            line = LEADING_BULLET.sub("", strip_emoji(line))
        text = collapse_whitespace(LEADING_BULLET.sub("", line))
        if text and word_char.search(text) is not None:
            kept.append(text)
    return tuple(kept), len(lines) - len(kept)


_SYMBOL_ALPHABET = [
    "a", "Z", "7", " ", "  ", "\t", "\xa0", "\u2028", "\u3000", "\x1c", "\x85", ".", "(", ")",
    "-", "’", "Ж", "é", "e\u0301", "\u0301", "中", "™", "©", "#", "*", "_", "→", "•", "◦", "·",
    "●", "►", "\ufe0f", "\ufe0e", "\u200d", "\u200b", "\u200c", "\u2060", "\ufeff", "\u00ad",
    "\u20e3", "1\ufe0f\u20e3", "2\u20e3", "#\ufe0f\u20e3", "🔟", "🔥", "👍", "🏻", "🇷", "🇺",
    "\U000e0067", "👨\u200d👩", "☎", "\u2122", "Å", "\u212b", "ﬁ", "\ud7ff", "𝐀", "😀",
]


def test_strip_symbols_equals_the_old_definition():
    """Rule 7 line by line (ASCII lines skip the non-ASCII passes, the bullet pattern runs
    only before a bullet, a repeated line is cleaned once) against every pass on every
    line: generated lines of emoji, keycaps, joiners, selectors, bullets and odd spaces."""
    from builder.text.clean import StripSymbols

    rng = random.Random(17)
    step = StripSymbols()
    for _ in range(10000):
        lines = ["".join(rng.choice(_SYMBOL_ALPHABET) for _ in range(rng.randint(0, 10)))
                 for _ in range(rng.randint(1, 5))]
        lines += rng.sample(lines, rng.randint(0, len(lines)))  # repeated lines
        got, removed = step.apply(Draft(tuple(lines)))
        assert (got.lines, removed) == _old_strip_symbols(lines), ascii(lines)


def test_leading_bullet_precheck_equals_the_pattern():
    import re

    from builder.text.telegram import _BULLETS, LEADING_BULLET, drop_leading_bullet

    # the pre-check rests on this: the pattern's `\\s` is `str.isspace` (what lstrip strips)
    space = re.compile(r"\s")
    for c in map(chr, range(0x110000)):
        assert (space.match(c) is not None) == c.isspace(), hex(ord(c))
    rng = random.Random(23)
    alphabet = [*_BULLETS, " ", "\t", "\xa0", "\u3000", "\u200b", "\x1c", "a", "-", "*", "\u2022x"]
    for _ in range(30000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        assert drop_leading_bullet(text) == LEADING_BULLET.sub("", text), ascii(text)


def test_word_chars_first_character_shortcut():
    from builder.text.telegram import _WORD_CHAR, has_word_chars

    for c in map(chr, range(0x110000)):
        assert c.isalnum() == (_WORD_CHAR.match(c) is not None), hex(ord(c))
    for text in ("", "_", "_a", " ", "…1", "a", "\u0301"):
        assert has_word_chars(text) == (_WORD_CHAR.search(text) is not None)


def test_may_hold_url_equals_the_lower_case_definition():
    from builder.text.telegram import may_hold_url

    def old(text):
        lower = text.lower()
        return "://" in lower or "www." in lower or "t.me/" in lower

    # the pattern rests on this: only ASCII characters lower to any of `w . t m e / :`
    for c in map(chr, range(0x80, 0x110000)):
        assert not set(c.lower()) & set("w.tme/:"), hex(ord(c))
    rng = random.Random(29)
    alphabet = ["w", "W", ".", "t", "T", "m", "M", "e", "E", "/", ":", "x", " ", "İ", "ẞ",
                "\u212a", "ww", "www.", "WwW.", "t.me/", "T.ME/", "https://", "é"]
    for _ in range(30000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert may_hold_url(text) == old(text), text


def test_only_listed_letters_are_removed_by_strip_emoji():
    from builder.text.telegram import (
        _EMOJI_OR_ZERO_WIDTH,
        _EMOJI_RUN,
        _REMOVABLE_ALNUM,
        _WORD_CHAR,
        is_arrow_or_symbol_only,
        strip_emoji,
    )

    for c in map(chr, range(0x110000)):
        if c.isalpha():
            removable = (_EMOJI_OR_ZERO_WIDTH.match(c) is not None
                         or _EMOJI_RUN.match(c) is not None)
            assert removable == (c in _REMOVABLE_ALNUM), hex(ord(c))
    for text in ("ℹ", "ℹ️", "ℹ️ 🔥", "a🔥", "1️⃣", "Ж", "", " ", "→", "_"):
        assert is_arrow_or_symbol_only(text) == (_WORD_CHAR.search(strip_emoji(text)) is None)


def test_reactions_line_precheck_equals_the_pattern():
    import re

    from builder.text.telegram import _REACTIONS_LINE, parse_reactions_line

    # the pre-check rests on this: the pattern's `\d` is `str.isdecimal`
    digit = re.compile(r"\d")
    for c in map(chr, range(0x110000)):
        assert (digit.match(c) is not None) == c.isdecimal(), hex(ord(c))
    rng = random.Random(37)
    alphabet = ["👍", "❤", "❤️", "🔥", "8", "12", "٣", "1.5", "2,4", "K", "k", "M", "m", " ", "\t",
                "\xa0", "x", ".", "Forwarded", "\n"]
    for _ in range(30000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert (parse_reactions_line(line) is None) == (_REACTIONS_LINE.match(line) is None), (
            ascii(line))


def _old_extract_hashtags(d):
    """Rule 5 as first written: every line read, a repeated one again."""
    from builder.text.clean import _cut, _unique
    from builder.text.telegram import (
        HASHTAG,
        HASHTAG_SIGN,
        hashtags_outside_urls,
        is_arrow_or_symbol_only,
        may_hold_url,
    )

    kept, tags, dropped, changed = [], list(d.hashtags), 0, False
    for line in d.lines:
        found = HASHTAG.findall(line) if "#" in line else None
        outside = None
        if found and may_hold_url(line):
            matches = hashtags_outside_urls(line)
            if len(matches) < len(found):
                outside, found = matches, [m.group(1) for m in matches]
        if not found:
            kept.append(line)
            continue
        tags.extend(found)
        changed = True
        rest = HASHTAG.sub("", line) if outside is None else _cut(line, outside, 0)
        if is_arrow_or_symbol_only(rest):
            dropped += 1
        else:
            kept.append(HASHTAG_SIGN.sub(r"", line) if outside is None else _cut(line, outside, 1))
    tags = _unique(tags)
    if not changed and tags == d.hashtags:
        return d.lines, d.hashtags, 0
    return tuple(kept), tags, dropped


def test_extract_hashtags_equals_the_old_definition():
    from builder.text.clean import ExtractHashtags

    rng = random.Random(41)
    pieces = ["#tag", "#Тег", "#a1", "#1a", " ", "word", "🔥", "→", "https://x.org/a#b",
              "www.x.org/#c", "&#x", "a#b", "##d", "#", ".", "#_e", "ℹ", "#日本"]
    step = ExtractHashtags()
    for _ in range(6000):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
                 for _ in range(rng.randint(1, 4))]
        lines += rng.sample(lines, rng.randint(0, len(lines)))  # repeated lines
        hashtags = tuple(rng.sample(["tag", "x", "tag"], rng.randint(0, 3)))
        got, dropped = step.apply(Draft(tuple(lines), hashtags=hashtags))
        assert (got.lines, got.hashtags, dropped) == _old_extract_hashtags(
            Draft(tuple(lines), hashtags=hashtags)), lines
