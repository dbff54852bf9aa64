"""Column types of the dataset's configs (what `datasets` calls features), without `datasets`.

A build writes its Parquet files with the Arrow schema and the `huggingface` schema metadata
that `datasets.Features.arrow_schema` would give, and the card's `dataset_info.features` YAML
that `DatasetInfo._to_yaml_dict` would give (tests hold both to `datasets`' own output), so
`datasets.load_dataset` reads the files as before. Importing `datasets` took 1.5-2 CPU
seconds of every build (it loads pandas); these few types are all a build needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

# `Value` dtypes the configs use -> the pyarrow type constructor's name
_ARROW_TYPES = {"string": "string", "int32": "int32", "float32": "float32", "bool": "bool_"}


@dataclass(frozen=True)
class Value:
    dtype: str

    def __post_init__(self) -> None:
        if self.dtype not in _ARROW_TYPES:
            raise ValueError(f"unsupported Value dtype '{self.dtype}'")


@dataclass(frozen=True)
class List:
    feature: Feature


@dataclass(frozen=True)
class Translation:
    """A struct of one string per language (Arrow orders the languages; the metadata keeps
    the given order, as `datasets` does)."""

    languages: tuple[str, ...]
    dtype: ClassVar[str] = "dict"

    def __init__(self, languages) -> None:
        object.__setattr__(self, "languages", tuple(languages))


Feature = Value | List | Translation | dict


def arrow_type(feature: Feature):
    import pyarrow as pa  # noqa: PLC0415

    if isinstance(feature, Value):
        return getattr(pa, _ARROW_TYPES[feature.dtype])()
    if isinstance(feature, List):
        return pa.list_(arrow_type(feature.feature))
    if isinstance(feature, Translation):
        return pa.struct({lang: pa.string() for lang in sorted(feature.languages)})
    return pa.struct({name: arrow_type(f) for name, f in feature.items()})


def feature_dict(feature: Feature) -> dict:
    """The JSON form `datasets` stores in the schema metadata."""
    if isinstance(feature, Value):
        return {"dtype": feature.dtype, "_type": "Value"}
    if isinstance(feature, List):
        return {"feature": feature_dict(feature.feature), "_type": "List"}
    if isinstance(feature, Translation):
        return {"languages": list(feature.languages), "_type": "Translation"}
    return {name: feature_dict(f) for name, f in feature.items()}


def _yaml_entry(feature: Feature) -> dict:
    if isinstance(feature, Value):
        return {"dtype": feature.dtype}
    if isinstance(feature, Translation):
        return {"dtype": {"translation": {"languages": list(feature.languages)}}}
    if isinstance(feature, List):
        inner = _yaml_entry(feature.feature)
        return {"list": inner.get("dtype", inner.get("struct", inner))
                if list(inner) in (["dtype"], ["struct"]) else inner}
    return {"struct": [{"name": name, **_yaml_entry(f)} for name, f in feature.items()]}


class Features(dict):
    """Column name -> type, in column order."""

    @property
    def arrow_schema(self):
        import pyarrow as pa  # noqa: PLC0415

        metadata = {"info": {"features": feature_dict(dict(self))}}
        return pa.schema([(name, arrow_type(f)) for name, f in self.items()]).with_metadata(
            {"huggingface": json.dumps(metadata)})

    def yaml_list(self) -> list[dict]:
        """The card's `dataset_info.features` list."""
        return [{"name": name, **_yaml_entry(f)} for name, f in self.items()]
