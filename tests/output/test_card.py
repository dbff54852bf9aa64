"""The dataset card as the Hub shows it: load snippet, metadata, sections, the Hub's checks."""

import re

import pytest

from builder.cli import main
from builder.config import BuildConfig, load_config
from builder.errors import ConfigError
from builder.output.card import render_card
from builder.output.card_location import for_hub, region
from builder.output.parquet import posts_features, segments_features


def test_local_snippet_loads_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    assert main(["build", "-q"]) == 0  # the default --out: dist/<name>
    card = (tmp_path / "dist" / "telegram-channel-sample" / "README.md").read_text()
    snippet = region(card)
    assert 'load_dataset("./dist/telegram-channel-sample", "segments")' in snippet
    code = re.search(r"```python\n(.*?)```", snippet, re.S).group(1)
    scope: dict = {}
    exec(code.replace("print(", "len("), scope)  # the snippet as a user would paste it
    assert scope["segments"]["train"].num_rows > 0 and scope["posts"]["test"].num_rows > 0


def test_published_snippet_names_repo_and_tag(sample_build):
    card = for_hub((sample_build / "README.md").read_text(), "org/ds", "v1.0.0")
    snippet = region(card)
    assert 'load_dataset("org/ds", "segments", revision="v1.0.0")' in snippet
    assert 'load_dataset("org/ds", "posts", revision="v1.0.0")' in snippet and "./dist" not in snippet


def test_verify_accepts_the_published_card_only(sample_build, tmp_path):
    import shutil

    from builder.errors import VerifyError
    from builder.release.verify import verify

    copy = tmp_path / "hub-snapshot"
    shutil.copytree(sample_build, copy)
    card = copy / "README.md"
    card.write_text(for_hub(card.read_text(), "org/ds", "v1.0.0"))
    verify(copy, load=False)
    card.write_text(card.read_text().replace("## Limitations", "## Limits"))
    with pytest.raises(VerifyError, match="sha256 differs"):
        verify(copy, load=False)


def test_num_bytes_and_sizes_are_what_datasets_computes(sample_build, tmp_path):
    from datasets import load_dataset_builder
    from huggingface_hub import DatasetCard

    data = DatasetCard.load(sample_build / "README.md").data.to_dict()
    for info in data["dataset_info"]:
        builder = load_dataset_builder(str(sample_build), info["config_name"],
                                       cache_dir=str(tmp_path / info["config_name"]))
        builder.download_and_prepare()
        computed = {name: split.num_bytes for name, split in builder.info.splits.items()}
        assert {s["name"]: s["num_bytes"] for s in info["splits"]} == computed
        assert info["dataset_size"] == builder.info.dataset_size
        assert info["download_size"] == builder.info.download_size


def test_metadata_and_sections_of_a_monolingual_build(sample_build):
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(sample_build / "README.md")
    data = card.data.to_dict()
    assert data["task_categories"] == ["text-generation"] and data["multilinguality"] == "monolingual"
    assert data["license"] == "unknown" and "license_name" not in data
    for heading in ("## Personal and sensitive information", "## Limitations", "## Licensing",
                    "## Citation", "## Source and collection", "## Processing"):
        assert heading in card.text, heading
    assert "phone numbers" in card.text
    bibtex = re.search(r"```bibtex\n(.*?)```", card.text, re.S).group(1)
    assert bibtex.startswith("@misc{telegram_channel_sample_1_0_0,") and "version = {1.0.0}" in bibtex


def _card(config, split_rows, models=()):
    if config.name is None:  # a build names its config from its input before the card
        config = config.model_copy(update={"name": "telegram-channel-sample"})
    features = {"segments": segments_features(), "posts": posts_features()}
    from builder.output.parquet import pair_features

    for name in split_rows:
        if name not in features:
            features[name] = pair_features("en", name.split("-")[1])
    sizes = {name: dict.fromkeys(rows, 100) for name, rows in split_rows.items()}
    return render_card(config=config, features=features, split_rows=split_rows, file_sizes=sizes,
                       examples={}, steps=[], inputs=[], signature="sig", langid="l",
                       segmenter="s", models=models,
                       mt_counts={m["target"]: {"pairs": 3, "flags": {}} for m in models})


def test_translation_build_metadata_and_summary():
    from huggingface_hub import DatasetCard

    model = {"target": "ru", "id": "m", "revision": "r", "backend": "transformers",
             "compute_type": "float32"}
    rows = {"segments": {"train": 3}, "posts": {"train": 1}, "en-ru": {"train": 3},
            "en-de-aligned": {"train": 2}}
    card = DatasetCard(_card(BuildConfig(), rows, [model]))
    data = card.data.to_dict()
    assert data["task_categories"] == ["translation", "text-generation"]
    assert data["language"] == ["en", "de", "ru"] and data["multilinguality"] == "translation"
    assert "en-ru (3 pairs)" in card.text and "en-de-aligned (2 pairs)" in card.text
    assert 'load_dataset("./dist/telegram-channel-sample", "en-ru")' in card.text


def test_other_license_needs_name_and_link(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("card: {license: other}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="license_name"):
        load_config(cfg)
    cfg.write_text("card: {license: other, license_name: my-terms-1.0, license_link: LICENSE.md}\n",
                   encoding="utf-8")
    config = load_config(cfg)
    from huggingface_hub import DatasetCard

    card = DatasetCard(_card(config, {"segments": {"train": 3}, "posts": {"train": 1}}))
    data = card.data.to_dict()
    assert (data["license"], data["license_name"], data["license_link"]) == (
        "other", "my-terms-1.0", "LICENSE.md")
    assert "License: `my-terms-1.0`, see LICENSE.md." in card.text


@pytest.fixture
def hub_validator(monkeypatch):
    import huggingface_hub.constants

    from tests.release.hub_server import FakeHub

    with FakeHub("token") as server:
        monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", server.url)
        yield server


def test_card_passes_the_hub_and_datasets_checks(sample_build, hub_validator):
    from datasets.info import DatasetInfosDict
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCard

    for text in ((sample_build / "README.md").read_text(),
                 for_hub((sample_build / "README.md").read_text(), "org/ds", "v1.0.0")):
        card = DatasetCard(text)
        card.validate()  # huggingface_hub's own validation call (POST /api/validate-yaml)
        configs = MetadataConfigs.from_dataset_card_data(card.data)
        for config in configs.values():
            MetadataConfigs._raise_if_data_files_field_not_valid(config)
        infos = DatasetInfosDict.from_dataset_card_data(card.data)
        assert set(configs) == set(infos) == {"segments", "posts"}
        assert configs.get_default_config_name() == "segments"
    assert any(call["step"] == "validate" for call in hub_validator.calls)
    bad = DatasetCard(text.replace("license: unknown", "license: other"))
    with pytest.raises(ValueError, match="license_name"):  # the stand-in does check
        bad.validate()


@pytest.mark.parametrize("license_", ["unknown", "other"])
@pytest.mark.parametrize("rows", [
    {"segments": {"train": 3}, "posts": {"train": 1}},
    {"segments": {"train": 3, "test": 1}, "posts": {"train": 1}, "en-ru": {"train": 3},
     "en-de-aligned": {"train": 2}},
])
def test_card_text_is_what_huggingface_hub_renders(license_, rows, monkeypatch):
    """`card_text` replaces `DatasetCard.from_template` (whose module imports the Hub
    client): the same card, byte for byte."""
    from huggingface_hub import DatasetCard

    from builder.output import card as card_module

    seen = []
    ours = card_module.card_text

    def both(card_data, template_str, **kwargs):
        text = ours(card_data, template_str, **kwargs)
        hub = str(DatasetCard.from_template(card_data, template_str=template_str, **kwargs))
        seen.append(text == hub)
        return text

    monkeypatch.setattr(card_module, "card_text", both)
    extra = ({"license_name": "Terms\r\nof use: \"x\"", "license_link": "LICENSE.md"}
             if license_ == "other" else {})
    config = BuildConfig().model_copy(update={"card": BuildConfig().card.model_copy(
        update={"license": license_, "pretty_name": "Pretty: a 'name' #1", **extra,
                "limitations": ["one\nline", "ünïcode — dash"]})})
    model = {"target": "ru", "id": "m", "revision": "r", "backend": "transformers",
             "compute_type": "float32"}
    _card(config, rows, [model] if "en-ru" in rows else [])
    assert seen == [True]
