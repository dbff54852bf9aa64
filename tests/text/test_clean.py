"""Telegram-aware cleaning: notices, elisions, hashtags, URLs, emoji and keycaps."""

import pytest

from builder.records import RawPost, Reaction
from builder.text.clean import (
    NOTICES,
    Cleaner,
    Draft,
    DropNotices,
    ExtractHashtags,
    SplitElisions,
    Undouble,
)


def clean(*lines, channel="Chan 🇷🇺", fmt="telegram-text"):
    return Cleaner().clean(RawPost("t.txt", 0, tuple(lines), channel=channel, format=fmt))


@pytest.mark.parametrize(
    "notice",
    ["Read in full", "READ IN FULL", "Learn more", "VIEW IN TELEGRAM", "***", "Media is too big",
     "Please open Telegram to view this post", "<...>", "[...]", "👉 Read in full"],
)
def test_notice_lines_dropped(notice):
    assert clean("Lead sentence here.", notice, "Another one here.").text == (
        "Lead sentence here.\nAnother one here."
    )


def test_inline_elision_splits_the_line():
    d, n = SplitElisions().apply(Draft(("benefit. <...> Next sentence [...] end",)))
    assert d.lines == ("benefit. ", " Next sentence ", " end") and n == 2


def test_hashtags_inline_and_line():
    post = clean("the #UN and #BRICS met.", "#RussiaIndia #DruzhbaDosti", "#UN again.")
    assert post.text == "the UN and BRICS met.\nUN again."
    assert post.hashtags == ("UN", "BRICS", "RussiaIndia", "DruzhbaDosti")


def test_hashtag_step_counts_lines():
    _, n = ExtractHashtags().apply(Draft(("#A #B", "text #C")))
    assert n == 1


def test_urls_lines_and_metadata():
    post = clean("Watch live.", "🔗 https://mid.ru/en/video", "More at https://t.me/x today.")
    assert post.text == "Watch live.\nMore at https://t.me/x today."
    assert post.urls == ("https://mid.ru/en/video", "https://t.me/x")


@pytest.mark.parametrize(
    "line, urls",
    [
        ("The address begins with https://example.org and then continues here.",
         ("https://example.org",)),
        ("begins with “https://”.", ()),  # a bare scheme is text, not a URL
        ("See www.example.org/a, then call.", ("www.example.org/a",)),
    ],
)
def test_url_inside_running_text_stays(line, urls):
    post = clean("Lead line.", line)
    assert post.text == f"Lead line.\n{line}"
    assert post.urls == urls


def test_a_url_ends_at_full_width_punctuation_and_the_text_after_it_stays():
    post = clean("Read the full story in our channel.", "https://example.com/新闻，点击这里阅读全文",
                 fmt="jsonl")
    assert post.urls == ("https://example.com/新闻",)
    assert post.text.endswith("https://example.com/新闻，点击这里阅读全文")


def test_a_hash_inside_a_link_is_no_hashtag():
    line = "See https://en.wikipedia.org/wiki/Mercury_(planet)#Orbit for the orbit. #space"
    post = clean("Lead line.", line, fmt="jsonl")
    assert post.text == "Lead line.\n" + line.replace(" #space", " space")
    assert post.hashtags == ("space",)
    assert post.urls == ("https://en.wikipedia.org/wiki/Mercury_(planet)#Orbit",)
    after = clean("Lead line.", "See https://x.org/page_(a)#Orbit #news", fmt="jsonl")
    assert after.hashtags == ("news",) and after.text.endswith("See https://x.org/page_(a)#Orbit news")


@pytest.mark.parametrize(
    "line, expected",
    [
        ("1️⃣10 sets of full length test", "1. 10 sets of full length test"),
        ("2️⃣Each set has a key.", "2. Each set has a key."),
        ("🔟Tenth item here.", "10. Tenth item here."),
        ("  3\u20e3 no selector here", "3. no selector here"),
        # keycap digits inside a line are the number they write, never glued to a neighbour
        ("Press 5️⃣ then go.", "Press 5 then go."),
        ("before1️⃣10 after", "before 1 10 after"),
        ("The channel turned 4\u20e3 years old!", "The channel turned 4 years old!"),
        ("Lesson 1⃣1⃣ and lesson 🔟 today", "Lesson 11 and lesson 10 today"),
        ("Score 3️⃣🔥points (2️⃣).", "Score 3 points (2)."),
        ("red🔥hot and blue💙sky", "red hot and blue sky"),
        ("Hello👋! (🔥hot) “🎉party”.", "Hello! (hot) “party”."),
        ("#️⃣ Hash key item.", "Hash key item."),
        # nothing is added next to a dash, a slash, or CJK and Arabic punctuation
        ("Cases of COVID🦠-19 rose.", "Cases of COVID-19 rose."),
        ("rock🎸/pop and дела🙂—хорошо", "rock/pop and дела—хорошо"),
        ("你好👋。 مرحبا👋؟ اليوم☀️،", "你好。 مرحبا؟ اليوم،"),
        ("end.🔥Next one", "end. Next one"),
        # zero-width (non-)joiners between letters are spelling, between emoji glue
        ("می\u200cخواهم کتاب\u200cها را", "می\u200cخواهم کتاب\u200cها را"),
        ("family 👨\u200d👩\u200d👧 here and a\u200b b", "family here and a b"),
    ],
)
def test_removed_symbols_never_join_tokens(line, expected):
    assert clean(line).text == expected


def test_keycap_list_is_segmented_as_a_list():
    from builder.text.segment import Segmenter

    post = clean("1️⃣10 sets of full length test", "2️⃣Each comes with answers.")
    texts = [s.text for s in Segmenter("en").segment(post)]
    assert texts == ["1. 10 sets of full length test", "2. Each comes with answers."]


def test_reactions_become_metadata():
    post = clean("Some text here.", "👍8❤3👏2")
    assert post.text == "Some text here."
    assert post.reactions == (Reaction("👍", 8), Reaction("❤", 3), Reaction("👏", 2))


def test_emoji_bullets_whitespace_and_labels():
    post = clean("• It is  not too late.", "🔹 Second point.", "❓ Question: What first?",
                 "⬆️⬆️⬆️", "🎉")
    assert post.text == "It is not too late.\nSecond point.\nQuestion: What first?"
    assert post.channel == "Chan"


def test_doubled_body_removed():
    lead, body = "Lead line.", ("Body one.", "Body two.", "Body three.")
    post = clean(lead, *body, "Read in full", "#Tag", *body, "Read in full", "#Tag")
    assert post.text.split("\n") == [lead, *body]


def test_doubled_body_keeps_line_that_occurs_once():
    # the first copy lost a line to an elision marker; the second copy has it
    post = clean("Lead.", "A one.", "<...>", "C three.", "A one.", "B two.", "C three.")
    assert post.text.split("\n") == ["Lead.", "A one.", "B two.", "C three."]


def test_not_doubled_post_untouched():
    lines = ("First.", "Second.", "Third.")
    d, n = Undouble().apply(Draft(lines))
    assert d.lines == lines and n == 0


@pytest.mark.parametrize(
    "lines",
    [("a", "b", "a"), ("Lead.", "a", "b", "a"), ("One.", "Two.", "Three.", "One.")],
)
def test_plain_text_post_not_doubled_keeps_repeated_line(lines):
    assert clean(*lines).text.split("\n") == list(lines)


@pytest.mark.parametrize(
    "lines",
    [("Lead line.", "Body one.", "Body one."),  # a one-line body, twice
     ("Body one.", "Body two.", "Body one.", "Body two.")],  # the lead was emoji-only
)
def test_plain_text_doubled_body_without_full_lead(lines):
    assert clean(*lines).text.split("\n") == list(dict.fromkeys(lines))


@pytest.mark.parametrize(
    "fmt, lines",
    [
        ("telegram-json", ("bold in text", "bold below", "normal text", "",
                           "bold with one line gap", "normal text")),
        ("telegram-html", ("heh", "when they claimed 10 will be the last Windows", "heh")),
        ("tme-html", ("Lead.", "Body one.", "Body two.", "Body one.", "Body two.")),
        ("jsonl", ("Lead.", "Body one.", "Body one.")),
    ],
)
def test_other_formats_are_never_undoubled(fmt, lines):
    post = clean(*lines, fmt=fmt)
    assert post.text.split("\n") == [line for line in lines if line]


def test_notice_step_counts():
    _, n = DropNotices().apply(Draft(("x", "Read in full", "Learn more")))
    assert n == 2


def test_content_id_is_stable_and_text_based():
    a = clean("Same text here.")
    b = Cleaner().clean(RawPost("other.txt", 7, ("Same text here.",), channel="X"))
    assert a.post_id == b.post_id and a.post_id.startswith("h")


# --- the bundled sample -------------------------------------------------------------------


def test_sample_posts_channels_and_metadata(sample_posts):
    assert len(sample_posts) == 20
    channels = {p.channel for p in sample_posts}
    assert channels == {"Russian MFA", "Russian Mission to EU"}
    first = sample_posts[0]
    assert first.reactions == (Reaction("❤", 1), Reaction("👍", 1))
    assert first.hashtags == ("UN", "OSCE", "CIS", "RussiaAzerbaijan")
    assert sample_posts[18].reactions == (Reaction("👍", 8), Reaction("❤", 3), Reaction("👏", 2))
    assert "UNCharterIsOurRules" in sample_posts[6].hashtags
    assert "https://mid.ru/en/press_service/video" in sample_posts[6].urls


def test_sample_no_doubled_lines(sample_posts):
    for post in sample_posts:
        lines = post.text.split("\n")
        assert len(lines) == len(set(lines)), post.post_id


def test_sample_truncated_first_copy_keeps_the_full_line(sample_posts):
    modi = sample_posts[16].text.split("\n")
    full = ("Last year, our trade soared by 60 percent and even more, by 66 percent; it increased "
            "by an additional 20 percent in the first quarter of 2024.")
    assert modi[4] == full  # in place, between the lines that surround it in the post
    assert modi[3].startswith("Today, our relations have the status")


def test_sample_every_raw_prose_line_survives(sample_posts):
    """Each distinct prose line of the raw sample is in some cleaned post (modulo emoji/#)."""
    from builder.text.telegram import HASHTAG, strip_emoji
    from tests.helpers import SAMPLE

    texts = "\n".join(p.text for p in sample_posts)
    for raw in SAMPLE.read_text(encoding="utf-8").splitlines():
        line = " ".join(HASHTAG.sub(r"\1", strip_emoji(raw)).replace("•", "").split())
        words = line.split()
        if len(words) < 4 or "http" in line or "<...>" in line or "truncated" in line:
            continue
        if line.startswith("Forwarded from") or not any(c.islower() for c in line):
            continue
        if line.casefold() in NOTICES:
            continue
        assert line in texts, raw


def test_a_line_of_links_and_hashtags_only_is_dropped_with_its_tags_kept():
    post = clean("Some text here for the post.", "🔗 https://x.org/a #news #today", fmt="jsonl")
    assert post.text == "Some text here for the post."
    assert post.urls == ("https://x.org/a",) and post.hashtags == ("news", "today")
    inline = clean("Read https://x.org/a then #news today.", fmt="jsonl")
    assert inline.text == "Read https://x.org/a then news today." and inline.hashtags == ("news",)
