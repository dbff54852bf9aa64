"""The pipeline as one ordered list of steps: what reads the list, and adding a step."""

import json
from collections import Counter
from dataclasses import dataclass

import pytest

from builder.cli import main
from builder.config import BuildConfig, sample_config
from builder.pipeline import steps as steps_module
from builder.pipeline.step import BatchStep, OrderedStep, Step
from builder.pipeline.steps import Pipeline, per_post_steps
from builder.records import Doc, Segment
from tests.helpers import read_rows


def test_every_step_follows_the_protocol_and_order_dependent_ones_say_so():
    steps = per_post_steps(BuildConfig())
    assert all(isinstance(s, Step) for s in steps)
    assert [s.name for s in steps if s.ordered] == ["unique_post_id", "exact_dedup",
                                                    "near_duplicate_segments"]
    assert [s.name for s in steps if getattr(s, "two_pass", False)] == [
        "channel_boilerplate", "near_duplicate_posts"]
    names = [s.name for s in steps]
    # exact dedup runs before segment language ID: duplicates never reach the detector
    assert names.index("exact_dedup") < names.index("segment_language")


def test_manifest_signature_and_card_follow_the_list(sample_build):
    manifest = json.loads((sample_build / "manifest.json").read_text())
    expected = Pipeline.of(sample_config()).describe()  # the sample build uses its config
    assert manifest["steps"] == expected
    parts = manifest["signature"].split("|")
    named = [p for p in parts if p.split(":")[0] in {e["stage"] for e in expected}]
    assert named == [f"{e['stage']}:{e['name']}" + (f"@{e['version']}" if "version" in e else "")
                     for e in expected]
    card = (sample_build / "README.md").read_text()
    rows = [line.split(" | ")[1] for line in card.splitlines() if line.count(" | ") == 2]
    in_order = ["posts read", "reactions_line removed", "doubled_body_lines removed",
                "personal data replaced: email (`<EMAIL>`)",
                "boilerplate removed: 0 distinct lines, 0 occurrences",
                "clusters of near-duplicate posts", "dropped: near-duplicate posts",
                "segments produced", "dropped: too_few_words", "dropped: duplicate",
                "dropped: near-duplicate segments",
                "segments labelled by the detector", "segments kept"]
    assert [rows.index(r) for r in in_order] == sorted(rows.index(r) for r in in_order)


@dataclass(frozen=True)
class MentionFilter:
    """A toy OpusFilter-style filter: drops segments that mention a word."""

    word: str
    name: str = "mention"

    def score(self, seg: Segment) -> bool:
        return self.word in seg.text

    def keep(self, score: bool) -> str | None:
        return "mentions_word" if score else None


class CountLongPosts(BatchStep):
    """A toy step with its own counter."""

    name = "count_long_posts"
    stage = "toy"
    count_labels = {"long": "posts over 500 characters"}

    def apply(self, doc: Doc) -> Doc:
        self.counts["long"] += len(doc.post.text) > 500
        return doc


class PostsPerChannel(OrderedStep):
    """A toy order-dependent step: the first `limit` posts of each channel are kept."""

    name = "posts_per_channel"
    stage = "toy"

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self.seen: Counter = Counter()

    def params(self) -> dict:
        return {"limit": self.limit}

    def keys(self, doc: Doc) -> str:
        return doc.post.channel

    def admit(self, channel: str) -> bool:
        self.seen[channel] += 1
        return self.seen[channel] <= self.limit

    def settle(self, doc: Doc, answer: bool) -> Doc:
        return doc if answer else self.drop_post(doc, "channel_quota")


def test_adding_a_step_is_one_class_plus_one_entry(tmp_path, monkeypatch):
    from builder.filters.text import FilterStep

    real = steps_module.per_post_steps

    def with_toys(config):
        steps = real(config)
        at = [s.name for s in steps].index("exact_dedup")
        return [*steps[:at], FilterStep(MentionFilter("Lavrov")), CountLongPosts(),
                PostsPerChannel(2), *steps[at:]]

    monkeypatch.setattr(steps_module, "per_post_steps", with_toys)
    out = tmp_path / "ds"
    assert main(["build", "--out", str(out), "-q"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    names = [e["name"] for e in manifest["steps"]]
    assert names.index("char_class") < names.index("mention") < names.index("count_long_posts") \
        < names.index("posts_per_channel") < names.index("exact_dedup")
    assert {"stage": "filter", "name": "mention", "params": {"word": "Lavrov"}} in manifest["steps"]
    assert {"stage": "toy", "name": "posts_per_channel", "params": {"limit": 2},
            "ordered": True} in manifest["steps"]
    assert "filter:mention|toy:count_long_posts|toy:posts_per_channel|dedup:exact_dedup" \
        in manifest["signature"]
    posts = read_rows(out, "posts")
    assert max(Counter(p["channel"] for p in posts).values()) == 2
    assert manifest["counts"]["drops"]["channel_quota"] == 20 - len(posts)
    dropped = manifest["counts"]["drops"]["mentions_word"]
    assert dropped > 0
    assert not any("Lavrov" in r["text"] for r in read_rows(out, "segments"))
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert sum(r["reason"] == "mentions_word" for r in rejects) == dropped
    card = (out / "README.md").read_text()
    assert f"| filter | dropped: mentions_word | {dropped} |" in card
    assert "| toy | posts over 500 characters |" in card


@pytest.mark.parametrize("chunk_posts", [1, 7])
def test_chunk_size_does_not_change_the_output(chunk_posts, sample_build, tmp_path, monkeypatch):
    from builder.pipeline import executors

    monkeypatch.setattr(executors, "IN_PROCESS_CHUNK", chunk_posts)
    out = tmp_path / "ds"
    assert main(["build", "--out", str(out), "-q"]) == 0
    for path in sorted(sample_build.rglob("*")):
        if path.is_file():
            assert (out / path.relative_to(sample_build)).read_bytes() == path.read_bytes(), path
