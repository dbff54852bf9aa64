"""An --input build carries its own identity, never the bundled sample's."""

import json

import pytest

from builder.cli import main
from builder.readers.naming import slug

POSTS = ("Forwarded from OnlineVerdan Civil Aspirants 🇮🇳\nThe first question of the day is here.\n"
         "Forwarded from Other Channel\nA forwarded post with some words.\n"
         "Forwarded from OnlineVerdan Civil Aspirants\nThe second question of the day is here.\n")


@pytest.mark.parametrize(
    "text, expected",
    [("OnlineVerdan Civil Aspirants", "onlineverdan-civil-aspirants"), ("Café  Météo!", "cafe-meteo"),
     ("Новости", ""), ("--a--", "a")],
)
def test_slug(text, expected):
    assert slug(text) == expected


def _build(tmp_path, monkeypatch, text, *args, name="posts.txt"):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert main(["build", "--input", name, "-q", *args]) == 0
    (out,) = (tmp_path / "dist").iterdir()
    return out


def test_input_build_is_named_after_its_channel_with_neutral_prose(tmp_path, monkeypatch):
    out = _build(tmp_path, monkeypatch, POSTS)
    assert out.name == "onlineverdan-civil-aspirants"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["dataset"]["name"] == "onlineverdan-civil-aspirants"
    card = (out / "README.md").read_text()
    assert "# OnlineVerdan Civil Aspirants" in card
    for sample_identity in ("telegram-channel-sample", "Russian", "MFA", "government"):
        assert sample_identity not in card, sample_identity


def test_input_build_takes_the_defaults_not_the_sample_choices(tmp_path, monkeypatch):
    """The sample's split ratios and protected names are its own, like its name and prose."""
    from builder.config import BuildConfig, SplitConfig, sample_config

    sample = sample_config()
    assert sample.splits.train == 0.7 and sample.segment.protected_names == ["Moscow. Kremlin. Putin"]
    config = json.loads((_build(tmp_path, monkeypatch, POSTS) / "manifest.json").read_text())["config"]
    assert config["splits"] == SplitConfig().model_dump() == {
        "train": 0.8, "validation": 0.1, "test": 0.1, "salt": ""}
    assert config["segment"]["protected_names"] == []
    defaults = BuildConfig().model_dump(mode="json")
    for key in ("langid", "filters", "segment", "splits", "near_dedup", "boilerplate"):
        assert config[key] == defaults[key], key


def test_input_build_without_latin_channel_takes_the_file_name(tmp_path, monkeypatch):
    out = _build(tmp_path, monkeypatch, "Forwarded from Новости\nПервое сообщение канала здесь.\n",
                 name="my_export.txt")
    assert out.name == "my-export"


def test_name_flag_sets_the_name(tmp_path, monkeypatch):
    out = _build(tmp_path, monkeypatch, POSTS, "--name", "civil-quiz")
    assert out.name == "civil-quiz"
    assert json.loads((out / "manifest.json").read_text())["dataset"]["name"] == "civil-quiz"


def test_the_sample_keeps_its_own_identity(sample_build):
    card = (sample_build / "README.md").read_text()
    manifest = json.loads((sample_build / "manifest.json").read_text())
    assert manifest["dataset"]["name"] == "telegram-channel-sample"
    assert "Russian MFA" in card and "government channel's political communication" in card
