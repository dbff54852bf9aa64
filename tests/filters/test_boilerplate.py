"""Channel boilerplate: per-channel line counts, thresholds, removal, offsets, summary."""

from collections import Counter

import pytest

from builder.filters.boilerplate import LineCounts, summary
from builder.records import Post


def post(i, text, channel="A"):
    return Post(f"p{i}", i, channel, None, text, (), (), ())


def word(i):
    """A distinct word for each number (posts that differ only in their digits are copies)."""
    out = ""
    while True:
        i, r = divmod(i, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[r]
        if not i:
            return out


def channel_posts(n, footer="Subscribe: @channel", every=1, channel="A", start=0):
    return [post(start + i, f"Item {word(start + i)} tells its own story here."
                 + (f"\n{footer}" if i % every == 0 else ""), channel) for i in range(n)]


def boilerplate(posts, min_share=0.05, min_posts=3, parts=1, sqrt_rule=True):
    counts = LineCounts(min_share, min_posts, sqrt_rule)
    size = max(1, len(posts) // parts)
    for k in range(0, len(posts), size):
        counts.observe(posts[k : k + size])
    return counts.finish()


def test_footer_in_every_post_is_removed_and_counted():
    posts = channel_posts(40)
    removed = Counter()
    out = boilerplate(posts).strip(posts, removed)
    assert all(p.text == f"Item {word(p.position)} tells its own story here." and n == 1
               for p, n in out)
    s = summary(removed)
    assert s["distinct_lines"] == 1 and s["occurrences"] == 40
    assert s["top_lines"] == [{"channel": "A", "line": "Subscribe: @channel", "occurrences": 40}]


@pytest.mark.parametrize("n, every, removed", [
    (100, 20, True),   # 5 posts of 100: 5% and >= 3 posts
    (100, 25, False),  # 4 posts of 100: under 5%
    (20, 10, False),   # 2 posts: under 3 posts
    (20, 7, True),     # 3 posts of 20
])
def test_thresholds_without_the_sqrt_rule(n, every, removed):
    posts = channel_posts(n, every=every)
    out = boilerplate(posts, sqrt_rule=False).strip(posts, Counter())
    assert any(k for _, k in out) is removed


@pytest.mark.parametrize("n, every, removed", [
    (20, 7, False),    # 3 posts of 20: under √20
    (21, 5, True),     # 5 posts of 21: √21 rounds up to 5
    (21, 6, False),    # 4 posts of 21
    (100, 10, True),   # 10 posts of 100: √100
    (100, 12, False),  # 9 posts of 100
    (900, 20, True),   # 45 posts of 900: 5% (√900 is 30)
    (900, 21, False),  # 43 posts of 900: under 5%
])
def test_small_channels_need_sqrt_of_their_posts(n, every, removed):
    """A line repeating a few times in a small channel is text, not a footer: a line must be
    in √N posts of a channel of N (a share falling to `min_share` from 400 posts)."""
    posts = channel_posts(n, every=every)
    out = boilerplate(posts).strip(posts, Counter())
    assert any(k for _, k in out) is removed


def test_counted_once_a_post_and_per_channel():
    # channel A: the line 3 times in one post and once in another: 2 posts, kept;
    # channel B: the same line in 3 of its posts: removed there only
    posts = [post(0, "Join us on X\nJoin us on X\nJoin us on X\nText of the first post.")]
    posts += channel_posts(1, footer="Join us on X", start=1)
    posts += channel_posts(3, footer="Join us on X", channel="B", start=10)
    out = boilerplate(posts).strip(posts, Counter())
    assert [n for _, n in out] == [0, 0, 1, 1, 1]
    assert out[0][0].text == posts[0].text


def test_copies_differing_by_case_and_punctuation_are_one_line():
    footers = ["Subscribe: @channel", "subscribe @channel!", "SUBSCRIBE — @channel"]
    posts = [post(i, f"News {word(i)} of the day.\n{footers[i % 3]}") for i in range(9)]
    removed = Counter()
    assert all(n == 1 for _, n in boilerplate(posts, min_posts=4).strip(posts, removed))
    s = summary(removed)
    assert s["distinct_lines"] == 1 and s["occurrences"] == 9
    assert s["top_lines"][0]["line"] == "SUBSCRIBE — @channel"  # ties: the first in order


def test_same_result_however_batched_or_merged():
    posts = channel_posts(60, every=3) + channel_posts(30, footer="Other footer", every=2,
                                                       channel="B", start=100)
    one = [p.text for p, _ in boilerplate(posts).strip(posts, Counter())]
    assert one == [p.text for p, _ in boilerplate(posts, parts=7).strip(posts, Counter())]
    left, right = LineCounts(0.05, 3), LineCounts(0.05, 3)
    left.observe(posts[:45])
    right.observe(posts[45:])
    left.merge(right)
    assert one == [p.text for p, _ in left.finish().strip(posts, Counter())]


def test_post_made_only_of_boilerplate_becomes_empty():
    posts = channel_posts(10) + [post(50, "Subscribe: @channel")]
    out = boilerplate(posts).strip(posts, Counter())
    assert out[-1][0].text == "" and out[-1][1] == 1


def test_sample_keeps_every_line(sample_posts):
    """20 posts: no line recurs in 3 posts of a channel, so nothing is removed."""
    removed = Counter()
    assert all(n == 0 for _, n in boilerplate(sample_posts).strip(sample_posts, removed))
    assert summary(removed)["distinct_lines"] == 0


def test_no_posts_or_no_lines():
    counts = LineCounts(0.05, 3)
    counts.observe([])
    counts.observe([post(0, "")])
    assert counts.finish().strip([post(1, "Some text here.")], Counter()) == [
        (post(1, "Some text here."), 0)]


def test_step_removes_what_strip_removes_however_batched():
    """The step remembers each line's key from its first pass instead of hashing the posts
    again: same posts, same counts as `Boilerplate.strip`, for any batching."""
    import random

    from builder.config import BoilerplateConfig
    from builder.filters.boilerplate import BoilerplateStep
    from builder.records import Doc

    rng = random.Random(3)
    footers = ["Subscribe: @channel", "subscribe @channel 🔔", "Join us on X!", "— The Editors"]
    posts = []
    for i in range(120):
        lines = [f"Story {word(i)} line {word(k)} about {rng.choice('abcdefgh')}."
                 for k in range(rng.randint(0, 3))]
        lines += rng.sample(footers, rng.randint(0, 2))
        rng.shuffle(lines)
        posts.append(post(i, "\n".join(lines) or "Subscribe: @channel", rng.choice("AB")))
    expected_removed = Counter()
    expected = boilerplate(posts).strip(posts, expected_removed)
    for observe_size, run_size in ((7, 5), (120, 120), (1, 33)):
        step = BoilerplateStep(BoilerplateConfig())
        docs = [Doc(None, post=p) for p in posts]
        for k in range(0, len(docs), observe_size):
            step.absorb(step.observe(docs[k : k + observe_size]))
        step.prepare()
        out = [d for k in range(0, len(docs), run_size) for d in step.run(docs[k : k + run_size])]
        assert [d.post.text for d in out if not d.dropped] == [
            p.text for p, n in expected if not (n and not p.text.strip())]
        assert [d.post.post_id for d in out if d.dropped] == [
            p.post_id for p, n in expected if n and not p.text.strip()]
        assert step.counts == expected_removed


def test_cut_matches_splitting_every_line():
    """`_cut` splits only from the first line dropped on; the text and the lines counted
    are those of splitting every line, deleting the dropped ones and joining the rest."""
    import random

    from builder.filters.boilerplate import _cut

    rng = random.Random(1)
    for _ in range(2000):
        lines = [rng.choice(["", "a", "b c", "Subscribe", " x "]) for _ in range(rng.randint(1, 8))]
        drop = sorted(rng.sample(range(len(lines)), rng.randint(1, len(lines))))
        removed, want_removed = Counter(), Counter()
        for n in drop:
            want_removed[("A", lines[n])] += 1
        want = "\n".join(line for n, line in enumerate(lines) if n not in drop)
        assert _cut(post(0, "\n".join(lines)), drop, removed) == want
        assert removed == want_removed


REPOST = ("Blood donation day at the city hospital: donors are asked to bring their passports. "
          "The hospital will provide lunch and a certificate to every donor.")


@pytest.mark.parametrize("sqrt_rule", [False, True])
def test_copies_of_one_post_count_once(sqrt_rule):
    """A post reposted is a near-duplicate, not boilerplate: its copies (posts whose other
    lines are the same, here none) count as one post, so no copy loses its text; a footer on
    those copies still counts once a distinct post."""
    posts = channel_posts(20, every=2)
    posts += [post(100 + k, REPOST) for k in range(3)]
    posts += [post(200 + k, f"{REPOST}\nSubscribe: @channel") for k in range(3)]
    out = boilerplate(posts, sqrt_rule=sqrt_rule).strip(posts, Counter())
    assert [p.text for p, _ in out[20:23]] == [REPOST] * 3
    assert [p.text for p, _ in out[23:]] == [REPOST] * 3  # the footer went
    assert sum(n for _, n in out[:20]) == 10


def test_a_post_reposted_often_in_a_large_channel_keeps_its_text():
    """25 copies in a channel of 500 posts (over 5% and √500): still one post."""
    posts = channel_posts(475, every=10) + [post(1000 + k, REPOST) for k in range(25)]
    out = boilerplate(posts).strip(posts, Counter())
    assert all(p.text == REPOST and n == 0 for p, n in out[475:])
    assert sum(n for _, n in out) == 48  # the footer: every tenth post of 475


@pytest.mark.parametrize("sqrt_rule", [False, True])
def test_copies_with_another_date_count_once(sqrt_rule):
    """Issue 14's variant: copies that open with a different date line (`📢 Reminder, March
    3` / `10` / `17`) are copies (their other lines are the same but for digits, as the
    near-duplicate step reads them): the body stays in all three."""
    body = REPOST.replace(": ", ":\n")
    posts = channel_posts(20, every=100)
    posts += [post(100 + k, f"📢 Reminder, March {d}\n{body}") for k, d in enumerate((3, 10, 17))]
    out = boilerplate(posts, sqrt_rule=sqrt_rule).strip(posts, Counter())
    assert all(n == 0 for _, n in out)


def test_a_weekly_reminder_in_a_large_channel_keeps_its_text():
    """25 dated copies in 500 posts (over 5% and √500), each with the channel's footer: the
    footer goes, the reminder's body stays."""
    body = REPOST.replace(": ", ":\n")
    posts = channel_posts(475, every=2)
    posts += [post(1000 + k, f"Reminder, {1 + k % 28} March 2024\n{body}\nSubscribe: @channel")
              for k in range(25)]
    out = boilerplate(posts).strip(posts, Counter())
    assert all(p.text == f"Reminder, {1 + k % 28} March 2024\n{body}" and n == 1
               for k, (p, n) in enumerate(out[475:]))


def test_copies_with_another_word_count_apart_and_the_sqrt_rule_keeps_a_few():
    """Copies whose other line differs by a word (`Monday`, `Tuesday`) are different posts
    to the counts: in a small channel the √N rule keeps their text (3 copies in 23 posts)."""
    body = REPOST.replace(": ", ":\n")
    posts = channel_posts(20, every=100)
    posts += [post(100 + k, f"Reminder for {d}\n{body}")
              for k, d in enumerate(("Monday", "Tuesday", "Friday"))]
    assert all(n == 0 for _, n in boilerplate(posts).strip(posts, Counter()))
    without = boilerplate(posts, sqrt_rule=False).strip(posts, Counter())
    assert [n for _, n in without][20:] == [2, 2, 2]


def test_posts_differing_only_in_digits_are_copies():
    """`Item 1 …` and `Item 2 …` with a footer are copies of one post to the counts (the
    near-duplicate step folds them too): their footer is not boilerplate on their account."""
    posts = [post(i, f"Rate update number {i}: 92.{i}\nSubscribe: @rates") for i in range(30)]
    assert all(n == 0 for _, n in boilerplate(posts).strip(posts, Counter()))
    posts += channel_posts(30, "Subscribe: @rates", start=100)  # under 30 other posts: it goes
    assert all(n == 1 for _, n in boilerplate(posts).strip(posts, Counter()))


def test_a_line_repeating_a_few_times_in_a_small_channel_stays():
    """Issue 14: a 21-post channel where a line recurs in 3 posts and is a 4th post alone,
    a list item under the same heading in 3 posts, a quote in 3 posts: all text."""
    texts = [f"Item {word(i)} tells its own story here." for i in range(10)]
    texts += [f"Police found car {i} near the station.\nThe investigation continues."
              for i in range(3)]
    texts += ["The investigation continues."]
    texts += [f"Shelling overnight, report {i}.\nAffected areas:\nKharkiv region\nCity {i}"
              for i in range(3)]
    texts += [f"Speech number {i} was given today.\n\"We will rebuild every town.\""
              for i in range(3)]
    texts += ["A last post of the channel."]
    posts = [post(i, t) for i, t in enumerate(texts)]
    assert len(posts) == 21
    out = boilerplate(posts).strip(posts, Counter())
    assert [p.text for p, _ in out] == texts


def test_digit_free_keys_match_a_line_by_line_reference():
    """`line_keys(..., loose=True)`: a line without digits keeps its key; a line with digits
    gets the hash of its normalised text without them (lines hashed one at a time here)."""
    import random

    import numpy as np

    from builder.filters.boilerplate import SEED, line_keys
    from builder.filters.hashing import SpanHasher, normalise

    rng = random.Random(9)
    pieces = ["Reminder", "March", "3", "10", "2024", "🔔", "", " ", "—", "Ф", "day 1st",
              "12:30", "№5", "x"]
    posts = [post(i, "\n".join(" ".join(rng.choices(pieces, k=rng.randint(0, 4)))
                               for _ in range(rng.randint(1, 4))), rng.choice("AB"))
             for i in range(200)]
    keys, post_of, _, loose = line_keys(posts, loose=True)
    lines = [line for p in posts for line in p.text.split("\n")]
    assert len(lines) == len(keys) == len(loose)
    for line, key, got in zip(lines, keys.tolist(), loose.tolist(), strict=True):
        codes = normalise([line])
        digit = (codes >= ord("0")) & (codes <= ord("9"))
        rest = codes[~digit]
        want = key if not digit.any() else int(
            SpanHasher(rest).spans(np.array([0]), np.array([len(rest)]), SEED + 5)[0])
        assert got == want, line
    assert np.array_equal(line_keys(posts)[0], keys)
