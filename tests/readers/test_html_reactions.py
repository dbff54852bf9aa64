"""Reactions in HTML exports read into the JSON reader's shape; `via @bot` senders."""

import json

from builder.cli import main
from builder.config import InputConfig
from builder.readers import plan_inputs, read_inputs
from builder.records import Reaction


def _read(path):
    cfg = InputConfig(paths=[str(path)])
    return list(read_inputs(plan_inputs(cfg), cfg))


TME_REACTIONS = (
    '<span class="tgme_reaction"><i class="emoji" style="background-image:url(\'//t.org/e.png\')">'
    "<b>👍</b></i>84</span>"
    '<span class="tgme_reaction"><b>❤️</b>3</span>'
    '<span class="tgme_reaction"><tg-emoji emoji-id="5368324170671202286"></tg-emoji>12</span>'
    '<span class="tgme_reaction"><tg-emoji emoji-id="42"><i class="emoji"><b>🔥</b></i></tg-emoji>'
    "\n 1.5K \n</span>"
    '<span class="tgme_reaction tgme_reaction_paid"><i class="icon icon-telegram-stars"></i>2.49K'
    "</span>"
)


def test_tme_page_reactions(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<div class="tgme_widget_message_wrap"><div class="tgme_widget_message" data-post="ch/7">'
        '<div class="tgme_widget_message_text js-message_text">A post with reactions here.</div>'
        '<div class="tgme_widget_message_reactions js-message_reactions">'
        f"{TME_REACTIONS}</div>"
        '<time datetime="2026-04-29T03:23:06+00:00" class="time">03:23</time></div></div>',
        encoding="utf-8")
    (post,) = _read(page)
    assert post.reactions == (
        Reaction("👍", 84), Reaction("❤", 3), Reaction("custom_emoji:5368324170671202286", 12),
        Reaction("custom_emoji:42", 1500), Reaction("paid", 2490))
    assert post.lines == ("A post with reactions here.",)


def test_tme_page_without_header_names_the_channel_from_data_post(tmp_path):
    """A page saved without its header and owner names: the channel is the username in
    `data-post` (it was empty, and the dataset was named after the file)."""
    def message(post, text, owner=""):
        name = f'<a class="tgme_widget_message_owner_name"><span>{owner}</span></a>' if owner else ""
        return (f'<div class="tgme_widget_message" data-post="{post}">{name}'
                f'<div class="tgme_widget_message_text">{text}</div></div>')

    page = tmp_path / "channel.html"
    page.write_text(message("tmechan/101", "First post of the channel here.")
                    + message("tmechan/102", "Second post, its owner named.", owner="TME Chan")
                    + message("103", "A post id without a username."), encoding="utf-8")
    assert [p.channel for p in _read(page)] == ["tmechan", "TME Chan", None]


def _userpic(initials):
    return (f'<div class="userpic userpic3" style="width: 20px"><div class="initials">{initials}'
            "</div></div>")


def _desktop_page(sender: str, reactions: str) -> str:
    return ('<div class="history"><div class="message default clearfix" id="message9">'
            '<div class="pull_left userpic_wrap">' + _userpic("OC") + "</div>"
            '<div class="body"><div class="pull_right date details" title="01.05.2026 10:00:00 '
            f'UTC+00:00">10:00</div><div class="from_name">{sender}</div>'
            '<div class="text">Which answer is right?</div>'
            f'<div class="reactions">{reactions}</div></div></div></div>')


def test_desktop_html_reactions_count_or_user_pictures(tmp_path):
    reactions = (
        '<span class="reaction"><span class="emoji">👍</span><span class="userpics">'
        + _userpic("AB") + _userpic("C") + '<img class="userpic" src="u.jpg"></span></span>'
        '<span class="reaction"><span class="emoji">❤</span><span class="userpics">'
        + _userpic("D") + '</span><span class="count">5</span></span>'
        '<span class="reaction paid"><span class="emoji">⭐</span><span class="count">10</span>'
        "</span>"
    )
    page = tmp_path / "messages.html"
    page.write_text(_desktop_page("Quiz Channel", reactions), encoding="utf-8")
    (post,) = _read(page)
    assert post.reactions == (Reaction("👍", 3), Reaction("❤", 5), Reaction("paid", 10))
    assert post.lines == ("Which answer is right?",)


def test_via_bot_is_not_part_of_the_channel(tmp_path):
    page = tmp_path / "messages.html"
    page.write_text(_desktop_page("OnlineVerdan Civil Aspirants via @QuizBot", ""),
                    encoding="utf-8")
    second = tmp_path / "messages2.html"
    second.write_text(_desktop_page("OnlineVerdan Civil Aspirants", "").replace("message9", "message10"),
                      encoding="utf-8")
    posts = _read(tmp_path)
    assert [p.channel for p in posts] == ["OnlineVerdan Civil Aspirants"] * 2


def test_reactions_counted_in_manifest_and_card(tmp_path):
    page = tmp_path / "messages.html"
    page.write_text(_desktop_page("Quiz Channel via @QuizBot", '<span class="reaction"><span '
                                  'class="emoji">👍</span><span class="count">4</span></span>'),
                    encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", "--input", str(page), "--out", str(out), "-q"]) == 0
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["metadata"]["reactions"] == 1 and counts["metadata"]["posts_with_reactions"] == 1
    assert counts["posts"]["senders_via_bot"] == 1
    assert "| read | reactions read | 1 |" in (out / "README.md").read_text()
