"""The dataset folder's layout: where each config's split lives, read back the same way."""

from fnmatch import fnmatch

from builder.output.layout import (
    config_split,
    configs_in,
    data_path,
    data_pattern,
    split_files,
)


def test_a_data_file_reads_back_as_its_config_and_split_and_matches_the_card_pattern():
    for config, split in (("segments", "train"), ("en-ru-aligned", "validation")):
        path = data_path(config, split)
        assert config_split(path) == (config, split)
        assert fnmatch(path, data_pattern(config, split))
        assert not fnmatch(path, data_pattern(config, "test"))


def test_other_files_are_not_data_files():
    for path in ("README.md", "manifest.json", "images/length.svg", "data/posts/x.txt",
                 "data/posts/sub/train-0.parquet"):
        assert config_split(path) is None


def test_a_built_folders_configs_and_split_files(tmp_path):
    assert configs_in(tmp_path) == []
    for config, split in (("segments", "train"), ("segments", "test"), ("posts", "train")):
        path = tmp_path / data_path(config, split)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    assert configs_in(tmp_path) == ["posts", "segments"]
    assert [p.name for p in split_files(tmp_path, "segments")] == [
        "test-00000-of-00001.parquet", "train-00000-of-00001.parquet"]
    assert [p.name for p in split_files(tmp_path, "segments", "train")] == [
        "train-00000-of-00001.parquet"]
