"""Split assignment per post by a stable hash of `post_id`: adding posts never moves old ones."""

from __future__ import annotations

import hashlib

from builder.config import SplitConfig

SPLITS = ("train", "validation", "test")


def split_for(post_id: str, config: SplitConfig) -> str:
    digest = hashlib.sha256(f"{config.salt}{post_id}".encode()).digest()
    x = int.from_bytes(digest[:8], "big") / 2**64
    if x < config.train:
        return "train"
    if x < config.train + config.validation:
        return "validation"
    return "test"
