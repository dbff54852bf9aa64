"""The builder's column types give `datasets`' own Arrow schema, metadata and card YAML."""

import pytest

from builder.output import parquet
from builder.output.card import _type_name
from builder.output.features import Features, List, Translation, Value

datasets = pytest.importorskip("datasets")


def _as_datasets(feature):
    """The same type built from `datasets`' classes."""
    if isinstance(feature, Value):
        return datasets.Value(feature.dtype)
    if isinstance(feature, List):
        return datasets.List(_as_datasets(feature.feature))
    if isinstance(feature, Translation):
        return datasets.Translation(languages=list(feature.languages))
    return {name: _as_datasets(f) for name, f in feature.items()}


CASES = [
    parquet.segments_features(),
    parquet.posts_features(),
    parquet.pair_features("en", "ru"),
    parquet.pair_features("ru", "de"),
    parquet.multiway_features(["en", "zh", "de", "ru"]),
    parquet.aligned_features("en", "ru"),
    parquet.aligned_features("uk", "en"),
    Features({"nested": List(List(Value("int32"))), "pairs": List(Translation(["fr", "en"])),
              "record": {"a": Value("bool"), "b": List({"c": Value("float32")})}}),
]


@pytest.mark.parametrize("features", CASES, ids=range(len(CASES)))
def test_schema_metadata_and_yaml_equal_datasets(features):
    theirs = datasets.Features({name: _as_datasets(f) for name, f in features.items()})
    ours = features.arrow_schema
    assert ours.equals(theirs.arrow_schema, check_metadata=True)
    assert ours.metadata == theirs.arrow_schema.metadata
    info = datasets.DatasetInfo(features=theirs)._to_yaml_dict()["features"]
    assert features.yaml_list() == info
    assert [_type_name(f) for f in features.values()] == [
        _type_name(f) for f in theirs.values()]


def test_unknown_dtype_is_refused():
    with pytest.raises(ValueError, match="float16"):
        Value("float16")


@pytest.mark.slow  # a subprocess or a large sweep: several seconds
def test_a_build_does_not_import_datasets_or_the_hub_client(tmp_path):
    """`datasets` and the Hub client cost seconds to import: the build path must not need
    them."""
    import subprocess
    import sys

    code = ("import sys; from builder.cli import main; "
            f"code = main(['build', '-q', '--workers', '0', '--out', {str(tmp_path / 'o')!r}]); "
            "heavy = [m for m in ('datasets', 'huggingface_hub.hf_api') if m in sys.modules]; "
            "print(heavy); sys.exit(code or (3 if heavy else 0))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
