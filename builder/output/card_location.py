"""The one part of the card that depends on where the dataset is read from: the "How to
load" snippet. A built card names its folder; `publish` swaps the snippet for one naming the
Hub repo and the release tag, and `verify` swaps it back to check a published card against
the manifest. Everything else in the card is the same bytes in both places."""

from __future__ import annotations

import re

START, END = "<!-- bitext-builder:load -->", "<!-- /bitext-builder:load -->"
_REGION = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)


def local_path(name: str) -> str:
    """How a built card names its folder: the default output path, as a path (`./dist/name`,
    which `datasets` never mistakes for a Hub id). Not the actual --out: the same inputs and
    config give the same bytes wherever they are built."""
    return f"./dist/{name}"


def load_snippet(where: str, configs: list[str], revision: str | None = None) -> str:
    """The marked Python block that loads every config of the dataset from `where`."""
    rev = f', revision="{revision}"' if revision else ""
    lines = ["```python", "from datasets import load_dataset", ""]
    for i, name in enumerate(configs):
        var = re.sub(r"\W", "_", name)
        lines.append(f'{var} = load_dataset("{where}", "{name}"{rev})')
        if i == 0:
            lines.append(f'print({var}["train"][0])')
    lines.append("```")
    where_text = (f"the Hub repo `{where}` at release `{revision}`" if revision
                  else f"the folder this card is in, `{where}` when built with the default "
                  "`--out` (give its path if it is elsewhere)")
    return "\n".join([START, f"From {where_text}:", "", *lines, END])


def region(card: str) -> str | None:
    m = _REGION.search(card)
    return m.group(0) if m else None


def with_snippet(card: str, snippet: str) -> str:
    """The card with its marked load snippet replaced."""
    if region(card) is None:
        return card
    return _REGION.sub(lambda _: snippet, card, count=1)


def for_hub(card: str, repo_id: str, tag: str) -> str:
    """The card as published: its snippet loads `repo_id` at `tag`, configs unchanged."""
    current = region(card)
    if current is None:
        return card
    configs = re.findall(r'load_dataset\("[^"]*", "([^"]+)"', current)
    return with_snippet(card, load_snippet(repo_id, configs, tag))
