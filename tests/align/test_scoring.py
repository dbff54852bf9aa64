"""Vecalign's strict and lax precision/recall/F1, and the bead format."""

import pytest

from builder.align.scoring import format_bead, parse_beads, score
from builder.errors import InputError

GOLD = [((0,), (0,)), ((1,), (1, 2)), ((), (3,)), ((2,), (4,))]
TEST = [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((), (3,)), ((2,), (4,))]


def test_strict_and_lax_as_vecalign_defines_them():
    r = score([GOLD], [TEST])
    # precision over all 5 test beads, skips included: 3 exact; lax adds [1]:[1] (inside [1]:[1, 2])
    assert r["strict"]["precision"] == pytest.approx(3 / 5)
    assert r["lax"]["precision"] == pytest.approx(4 / 5)
    # recall over the 3 gold beads with both sides: 2 exact, all 3 overlapped
    assert r["strict"]["recall"] == pytest.approx(2 / 3)
    assert r["lax"]["recall"] == pytest.approx(1.0)
    assert r["strict"]["f1"] == pytest.approx(2 * 0.6 * (2 / 3) / (0.6 + 2 / 3))


def test_counts_are_summed_over_documents():
    one = score([GOLD], [GOLD])
    assert one["strict"]["f1"] == 1.0
    both = score([GOLD, GOLD], [GOLD, TEST])
    assert both["strict"]["precision"] == pytest.approx((4 + 3) / (4 + 5))


def test_bead_lines_round_trip():
    text = "\n".join(format_bead(s, t) for s, t in GOLD)
    assert text.splitlines()[1] == "[1]:[1, 2]" and text.splitlines()[2] == "[]:[3]"
    assert parse_beads(text) == GOLD
    assert parse_beads("[0, 1]:[0]:0.251\n") == [((0, 1), (0,))]  # a score field is ignored


def test_bad_bead_line_names_the_line():
    with pytest.raises(InputError, match="gold.txt:2: not a bead line"):
        parse_beads("[0]:[0]\n0-0\n", "gold.txt")
