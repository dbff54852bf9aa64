"""Segmentation's fast forms give the segments of the plain definitions they replaced."""

import random

from builder.records import Post, Segment, make
from builder.text.segment import Segmenter


def _old_spans(seg, line):
    """Segmenter.spans as first written: both merges over every line's spans (the merges
    themselves are unchanged; the fast form skips them where they change nothing)."""
    spans = []
    cursor = 0
    for sentence in seg._segment(seg.lang, line):
        stripped = sentence.strip()
        if not stripped:
            cursor += len(sentence)
            continue
        start = line.find(stripped, cursor)
        if start < 0:
            start = line.find(stripped)
            if start < 0:
                continue
        end = start + len(stripped)
        spans.append((start, end))
        cursor = end
    return seg._merge_list_markers(line, seg._merge_protected(line, spans))


def _old_segments(seg, post):
    index = offset = 0
    out = []
    for line in post.text.split("\n"):
        for start, end in _old_spans(seg, line):
            out.append(make(Segment, post_id=post.post_id, segment_index=index,
                            text=line[start:end], char_start=offset + start,
                            char_end=offset + end, channel=post.channel, date=post.date,
                            date_is_local=post.date_is_local))
            index += 1
        offset += len(line) + 1
    return out


_PIECES = ["1.", "2)", "iv.", "(3)", "⁃9.", "- 1.", "Mr. Smith went.", "Moscow. Kremlin. Putin",
           "Hello world.", "Ok", "  ", " ", "!", "?", "…", "Да.", "No way!", "x.", "12.",
           "Dr.", "e.g.", "U.S.", "\u3000", "中文。", "\xa0", "A", "viii)", "(a)", "ok?!"]


def test_spans_and_segments_equal_the_old_definitions():
    rng = random.Random(31)
    plain = Segmenter("en")
    guarded = Segmenter("en", ["Moscow. Kremlin. Putin", "U.S. Army"])
    for _ in range(3000):
        lines = [" ".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 7)))
                 for _ in range(rng.randint(1, 3))]
        post = make(Post, post_id=f"p{rng.randint(0, 9)}", position=0, channel="c",
                    date=rng.choice([None, "2024-01-01T00:00:00Z"]), text="\n".join(lines),
                    hashtags=(), urls=(), reactions=(), date_is_local=rng.random() < 0.5)
        for seg in (plain, guarded):
            for line in lines:
                assert seg.spans(line) == _old_spans(seg, line), line
            new, old = list(seg.segment(post)), _old_segments(seg, post)
            assert new == old, post.text
            # the same fields in the same order (records pickle and compare by field)
            assert [list(s.__dict__.items()) for s in new] == [
                list(s.__dict__.items()) for s in old]
