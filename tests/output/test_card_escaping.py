"""Text from inputs (file names, channel names, post text) never becomes Markdown or HTML in
the card: rendered with a CommonMark parser, it shows up only as code."""

import json

import pytest

from builder.cli import main
from builder.output.card import code_block, code_span, inline_text, read_card_stamp

HOSTILE = "x\n\n## heading\n<img src=x onerror=alert(1)>\n```\n`|"


def rendered(card: str) -> str:
    from markdown_it import MarkdownIt

    body = card.split("\n---\n", 1)[1]  # after the YAML metadata
    return MarkdownIt("commonmark").enable("table").render(body)


@pytest.mark.parametrize("text", [HOSTILE, "`", "``a``", " ", "a|b", "\u2028<b>x</b>"])
def test_code_span_and_block_hold_anything(text):
    html = rendered(f"---\n---\nbefore {code_span(text)} after\n\n{code_block(text, 'json')}\n")
    assert "<img" not in html and "<h2>" not in html and "<b>" not in html
    assert html.startswith("<p>before <code>") and html.count("<pre>") == 1
    assert html.count("<p>") == 1  # the span did not end its paragraph
    table = rendered(f"---\n---\n| a | b |\n| --- | --- |\n| {code_span(text, table=True)} | z |\n")
    assert table.count("<td>") == 2
    prose = rendered(f"---\n---\n# {inline_text(text)}\n")
    assert "<img" not in prose and prose.count("<h1>") == 1 and "<h2>" not in prose


def test_hostile_file_and_channel_names_stay_code(tmp_path, capsys):
    src = tmp_path / HOSTILE.replace("/", "_")
    src.write_text(
        "Forwarded from Evil <img src=x onerror=alert(2)> channel\n"
        "## Not a heading <script>alert(3)</script> in the post text here.\n",
        encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", "--input", str(src), "--out", str(out), "-q"]) == 0
    card = (out / "README.md").read_text(encoding="utf-8")
    html = rendered(card)
    assert "<img src=x" not in html and "<script" not in html  # raw HTML from inputs
    assert "<h2>heading" not in html and "<h2>Not a heading" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown, inside <code>
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert read_card_stamp(card) == {"version": "1.0.0", "signature": manifest["signature"]}
