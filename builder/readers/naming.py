"""A dataset's name when the config gives none: the channel most of the first posts come
from, else the first input's file name (the bundled sample's name belongs to its config)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from itertools import islice

from builder.config import BuildConfig, input_display_name, override
from builder.readers import plan_inputs, read_inputs
from builder.text.telegram import clean_channel_name

PEEK_POSTS = 100  # posts read to find the channel (streaming: the rest is not read)
FALLBACK_NAME = "telegram-channel"
_NOT_NAME = re.compile(r"[^A-Za-z0-9]+")


def slug(text: str) -> str:
    """`OnlineVerdan Civil Aspirants` -> `onlineverdan-civil-aspirants` (ASCII, for folders
    and Hub repo names); empty when nothing of `text` is ASCII."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_NAME.sub("-", ascii_text).strip("-").lower()[:64].strip("-")


def main_channel(config: BuildConfig) -> str | None:
    """The channel most of the first posts name (the first seen on a tie), cleaned."""
    plan = plan_inputs(config.input, skipped=[])  # the build warns about skipped files
    channels = Counter(
        name
        for post in islice(read_inputs(plan, config.input, what="name the dataset from"),
                           PEEK_POSTS)
        if (name := clean_channel_name(post.channel or ""))
    )
    return channels.most_common(1)[0][0] if channels else None


def named(config: BuildConfig) -> BuildConfig:
    """`config` with a name: its own, else the main channel's (and the channel as the card's
    title), else the first input's file name, else `telegram-channel`."""
    if config.name is not None:
        return config
    channel = main_channel(config)
    stem = input_display_name(config.input.paths[0]).split(".")[0]
    changes: dict[str, object] = {"name": slug(channel or "") or slug(stem) or FALLBACK_NAME}
    if channel and config.card.pretty_name is None:
        changes["card.pretty_name"] = channel
    return override(config, changes, source="name from the input")
