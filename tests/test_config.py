"""The build configuration: the sample config, bad keys named, relative paths, overrides."""

import pytest

from builder.config import BuildConfig, load_config, override, sample_config
from builder.errors import ConfigError
from tests.helpers import ROOT


def write(tmp_path, text):
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_sample_config_is_the_repo_file():
    cfg = sample_config()
    assert cfg == load_config(ROOT / "configs" / "sample.yaml")
    assert cfg.input.paths == ["bundled:telegram_channel_sample.txt"]


@pytest.mark.parametrize(
    "text, needle",
    [
        ("name: x\nlangid:\n  bakend: lingua\n", "langid.bakend: unknown key"),
        ("langid:\n  backend: fasttext\n", "langid.backend:"),
        ("splits:\n  train: 0.5\n", "splits: train + validation + test must be 1.0"),
        ("version: one\n", "version:"),
        ("- a\n- b\n", "must be a mapping"),
        ("name: [unclosed\n", "invalid YAML"),
        ("pii:\n  action: mask\n", "pii.action:"),
        ("pii:\n  types: [email, iban]\n", "pii.types.1:"),
        ("near_dedup:\n  posts:\n    keep: newest\n", "near_dedup.posts.keep:"),
        ("near_dedup:\n  segment:\n    min_words: 3\n", "near_dedup.segment: unknown key"),
        ("boilerplate:\n  min_share: 0\n", "boilerplate.min_share:"),
        ("boilerplate:\n  min_posts: 1\n", "boilerplate.min_posts:"),
        # PyYAML reads 1e6 (no dot) as text: the message says so and how to write it
        ("input:\n  max_line_chars: 1e6\n",
         "input.max_line_chars: expected a whole number, got the text '1e6' (YAML reads 1e6 "
         "as text: write 1000000)"),
        ("boilerplate:\n  min_posts: 2E1\n", "got the text '2E1' (YAML reads 1e6 as text: write 20)"),
        ("input:\n  max_line_chars: ten\n", "input.max_line_chars: Input should be a valid integer"),
        # bounds in the tool's own words: expected ..., got ...
        ("input:\n  max_line_chars: 10\n", "input.max_line_chars: expected 1000 or more, got 10"),
        ("boilerplate:\n  min_share: 0\n", "boilerplate.min_share: expected more than 0.0, got 0"),
        ("name: " + "x" * 100 + "\n", "name: expected at most 96 characters, got 100 characters"),
        ("input:\n  paths: []\n", "input.paths: expected at least 1 item(s), got []"),
        # PyYAML keeps the last of two equal keys silently: refused, both lines named
        ("name: one\nname: two\n", "line 2 invalid YAML: key 'name' given twice (first on line 1)"),
        ("name: x\ninput:\n  format: auto\n  format: jsonl\n",
         "line 4 invalid YAML: key 'format' given twice (first on line 3)"),
    ],
)
def test_bad_configs_name_the_key(tmp_path, text, needle):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert needle in str(err.value) and "c.yaml" in str(err.value)


def test_relative_inputs_resolve_against_config(tmp_path):
    cfg = load_config(write(tmp_path, "input:\n  paths: [posts.txt]\n"))
    assert cfg.input.paths == [str(tmp_path / "posts.txt")]


def test_overrides_are_validated():
    cfg = override(BuildConfig(), {"version": "2.0.0", "input.format": "telegram-text"})
    assert cfg.version == "2.0.0" and cfg.input.format == "telegram-text"
    with pytest.raises(ConfigError, match="version"):
        override(BuildConfig(), {"version": "latest"})


def test_recorded_config_has_no_paths_or_out(tmp_path):
    cfg = override(BuildConfig(), {"input.paths": [str(tmp_path / "a.txt")], "out": "/abs/out"})
    rec = cfg.recorded()
    assert rec["input"]["paths"] == ["a.txt"] and "out" not in rec
    assert cfg.config_hash() == override(cfg, {"out": "elsewhere"}).config_hash()


def test_merge_keys_may_repeat_a_key_and_non_utf8_is_named(tmp_path):
    """A YAML merge (`<<: *base`) then an override is not a repeated key."""
    config = write(tmp_path, "x: &b\n  enabled: true\n  min_posts: 4\n"
                             "boilerplate:\n  <<: *b\n  enabled: false\n")
    with pytest.raises(ConfigError, match="x: unknown key"):  # the anchor's holder, not a repeat
        load_config(config)
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: x\ndescription: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{path}:2: invalid UTF-8 (invalid continuation byte at byte 16); save the config as UTF-8"
