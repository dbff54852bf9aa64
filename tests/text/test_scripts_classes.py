"""The scripts' character classes, made from runs, equal the plain definition: every code
point the `regex` script property matches (every letter of it), merged into ranges."""

import re

import pytest
import regex

from builder.text import scripts
from builder.text.scripts import _SCRIPT_LANGS, _script_class


def _plain_class(names: tuple[str, ...], letters_only: bool) -> str:
    prop = regex.compile("[" + "".join(rf"\p{{Script={s}}}" for s in names) + "]")
    inside = prop.findall("".join(map(chr, range(scripts._PLANES))))
    if letters_only:
        inside = [c for c in inside if c.isalpha()]
    ranges: list[list[int]] = []
    for cp in map(ord, inside):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


FAST = [("Latin",), ("Cyrillic",), ("Han",), ("Arabic",), ("Thai",), ("Hangul",),
        ("Cyrillic", "Latin"), ("Arabic", "Cyrillic", "Greek", "Latin")]


@pytest.mark.parametrize("names", FAST)
@pytest.mark.parametrize("letters_only", [False, True])
def test_classes_equal_the_plain_definition(names, letters_only):
    assert _script_class(names, letters_only) == _plain_class(names, letters_only)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(_SCRIPT_LANGS))
@pytest.mark.parametrize("letters_only", [False, True])
def test_every_script_class_equals_the_plain_definition(name, letters_only):
    assert _script_class((name,), letters_only) == _plain_class((name,), letters_only)
