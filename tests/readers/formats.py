"""Write the same few invented posts in all five input forms (for reader tests)."""

from __future__ import annotations

import gzip
import html
import json
from datetime import datetime, timezone

POSTS = [
    {
        "id": 101, "unix": 1709276712, "channel": "Harbour Weather Notes",
        "lines": ["Fog lifts by noon over the harbour. Ferries run on time.",
                  "Evening winds stay light. #weather #harbour"],
        "tags": ["weather", "harbour"], "reactions": [("👍", 1200), ("❤", 3)],
        "urls": [],
    },
    {
        "id": 102, "unix": 1709541000, "channel": "City Bulletin", "forwarded": True,
        "lines": ["Road works on Harbour Street move to Saturday morning.",
                  "Details: https://example.org/roadworks"],
        "tags": [], "reactions": [("🔥", 9)], "urls": ["https://example.org/roadworks"],
    },
    {
        "id": 103, "unix": 1709619300, "channel": "Harbour Weather Notes",
        "lines": ["Clear sky this morning. Who could ask for more?"],
        "tags": [], "reactions": [], "urls": [],
    },
]
OWNER = "Harbour Weather Notes"


def iso(unix: int) -> str:
    return datetime.fromtimestamp(unix, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reactions_text(p) -> str:
    return "".join(f"{e}{c if c < 1000 else str(c / 1000).rstrip('0').rstrip('.') + 'K'}"
                   for e, c in p["reactions"])


def write_text(path):
    out = []
    for p in POSTS:
        out.append(f"Forwarded from {p['channel']} 🇺🇳")
        out += p["lines"]
        if p["reactions"]:
            out.append(_reactions_text(p))
    path.write_text("\n".join(out), encoding="utf-8")


def _entities(p):
    ents = []
    for i, line in enumerate(p["lines"]):
        if i:
            ents.append({"type": "plain", "text": "\n"})
        for j, word in enumerate(line.split(" ")):
            if j:
                ents.append({"type": "plain", "text": " "})
            if word.startswith("#"):
                ents.append({"type": "hashtag", "text": word})
            elif word.startswith("https://"):
                ents.append({"type": "link", "text": word})
            else:
                ents.append({"type": "plain", "text": word})
    return ents


def desktop_message(p):
    msg = {"id": p["id"], "type": "message", "date": "2024-03-01T09:05:12",
           "date_unixtime": str(p["unix"]), "from": OWNER, "from_id": "channel1",
           "text": _entities(p), "text_entities": _entities(p)}
    if p.get("forwarded"):
        msg["forwarded_from"] = p["channel"]
    if p["reactions"]:
        msg["reactions"] = [{"type": "emoji", "count": c, "emoji": e} for e, c in p["reactions"]]
    return msg


def write_desktop_json(path, layout="single"):
    messages = [{"id": 1, "type": "service", "action": "create_channel", "text": "",
                 "date_unixtime": "1709276400"}]
    messages += [desktop_message(p) for p in POSTS]
    messages.append({"id": 200, "type": "message", "photo": "photos/p.jpg", "text": "",
                     "text_entities": [], "date_unixtime": "1709629200"})
    chat = {"name": OWNER, "type": "public_channel", "id": 1234, "messages": messages}
    if layout == "full":
        other = {"name": "Other Chat", "type": "personal_chat", "id": 99,
                 "messages": [{"id": 1, "type": "message", "text": "Not this one.",
                               "date_unixtime": "1709276400"}]}
        data = {"about": "export", "chats": {"about": "", "list": [other, chat]},
                "left_chats": {"about": "", "list": []}}
    else:
        data = chat
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _html_text(p):
    parts = []
    for line in p["lines"]:
        words = []
        for word in line.split(" "):
            if word.startswith("#"):
                words.append(f'<a href="" onclick="return ShowHashtag(&quot;{word[1:]}&quot;)">{word}</a>')
            elif word.startswith("https://"):
                words.append(f'<a href="{word}">{word}</a>')
            else:
                words.append(html.escape(word))
        parts.append(" ".join(words))
    return "<br>".join(parts)


def write_desktop_html(folder):
    folder.mkdir(parents=True, exist_ok=True)
    pages = [[POSTS[0]], POSTS[1:]]
    for n, page in enumerate(pages, start=1):
        body = ['<div class="message service" id="message-1"><div class="body details">1 March 2024</div></div>']
        for k, p in enumerate(page):
            moment = datetime.fromtimestamp(p["unix"] + 3 * 3600, tz=timezone.utc)
            title = moment.strftime("%d.%m.%Y %H:%M:%S") + " UTC+03:00"
            joined = " joined" if (n == 2 and k > 0) else ""
            sender = "" if joined else f'<div class="from_name">\n{OWNER}\n</div>'
            text = f'<div class="text">\n{_html_text(p)}\n</div>'
            if p.get("forwarded"):
                text = (f'<div class="forwarded body"><div class="from_name">{p["channel"]} '
                        f'<span class="date details" title="{title}"> 01.03.2024</span></div>'
                        f"{text}</div>")
            reactions = "".join(
                f'<span class="reaction"><span class="emoji">{e}</span><span class="count">{c}</span></span>'
                for e, c in p["reactions"])
            body.append(
                f'<div class="message default clearfix{joined}" id="message{p["id"]}">'
                f'<div class="pull_left userpic_wrap"><div class="userpic"></div></div>'
                f'<div class="body"><div class="pull_right date details" title="{title}">10:00</div>'
                f'{sender}{text}<div class="reactions">{reactions}</div></div></div>')
        name = "messages.html" if n == 1 else f"messages{n}.html"
        page_html = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Exported Data</title>'
                     '</head><body><div class="page_wrap"><div class="page_body chat_page">'
                     '<div class="history">' + "\n".join(body) + "</div></div></div></body></html>")
        (folder / name).write_text(page_html, encoding="utf-8")


def write_tme(path):
    blocks = []
    for p in POSTS:
        fwd = ""
        if p.get("forwarded"):
            fwd = ('<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
                   f'<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/x"><span dir="auto">{p["channel"]}</span></a></div>')
        text = _html_text(p).replace('href="" onclick="return ShowHashtag(&quot;', 'href="?q=%23').replace('&quot;)"', '"')
        reactions = "".join(
            f'<span class="tgme_reaction"><i class="emoji"><b>{e}</b></i>{c if c < 1000 else "1.2K"}</span>'
            for e, c in p["reactions"])
        dt = datetime.fromtimestamp(p["unix"], tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        blocks.append(
            '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
            f'<div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="harbourwx/{p["id"]}">'
            '<div class="tgme_widget_message_bubble">'
            f'<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/harbourwx"><span dir="auto">{OWNER}</span></a></div>'
            f"{fwd}"
            '<a class="tgme_widget_message_reply" href="https://t.me/harbourwx/1"><div class="tgme_widget_message_text js-message_text">A quoted older post.</div></a>'
            f'<div class="tgme_widget_message_text js-message_text" dir="auto">{text}</div>'
            f'<div class="tgme_widget_message_reactions js-message_reactions">{reactions}</div>'
            '<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short js-message_info">'
            '<span class="tgme_widget_message_views">5.1K</span>'
            f'<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/harbourwx/{p["id"]}"><time datetime="{dt}" class="time">10:00</time></a></span>'
            "</div></div></div></div></div>")
    path.write_text('<!DOCTYPE html><html><body><div class="tgme_channel_info_header_title"><span dir="auto">'
                    f'{OWNER}</span></div><section class="tgme_channel_history js-message_history">'
                    + "\n".join(blocks) + "</section></body></html>", encoding="utf-8")


def write_jsonl(path, gz=False):
    lines = [json.dumps({"id": p["id"], "date": p["unix"],
                         "channel": p["channel"], "text": "\n".join(p["lines"])},
                        ensure_ascii=False) for p in POSTS]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if gz:
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
