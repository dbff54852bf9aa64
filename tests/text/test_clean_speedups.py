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
