"""How `diff` shows an edited row: the region that changed, not the first characters."""

import pytest

from builder.release.diff import changed_region

LONG = "same start " * 30


@pytest.mark.parametrize("old, new, shown_old, shown_new", [
    ("a b c", "a x c", "a [-b-] c", "a {+x+} c"),
    ("abc", "abcdef", "abc[--]", "abc{+def+}"),
    (LONG + "old end.", LONG + "new end.", "…" + LONG[-60:] + "[-old-] end.",
     "…" + LONG[-60:] + "{+new+} end."),
    ("word " * 100, "word " * 100 + "more", "…" + ("word " * 100)[-60:] + "[--]",
     "…" + ("word " * 100)[-60:] + "{+more+}"),
])
def test_changed_region(old, new, shown_old, shown_new):
    assert changed_region(old, new) == (shown_old, shown_new)


def test_a_long_change_is_shortened():
    a, b = changed_region("x" + "a" * 1000 + "y", "x" + "b" * 1000 + "y")
    assert a.startswith("x[-") and a.endswith("-]y") and "…" in a and len(a) < 220
    assert b.startswith("x{+") and "…" in b
