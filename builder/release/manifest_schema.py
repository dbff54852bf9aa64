"""The shape a `manifest.json` must have before anything trusts it: verify, publish and the
`--out` guard read a manifest only through `load_manifest`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from builder.config import format_validation_error
from builder.output.layout import CARD_FILE, MANIFEST_FILE
from builder.output.manifest import build_id
from builder.release.dataset_files import NotRegular, path_problem, read_inside

MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_HEX64 = r"^[0-9a-f]{64}$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BuilderStamp(_Record):
    name: Literal["bitext-builder"]
    version: str = Field(min_length=1, max_length=64)


class DatasetStamp(_Record):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=96)
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$", max_length=64)


class ReleaseEntry(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    version: str = Field(pattern=r"^\d+\.\d+\.\d+$", max_length=64)
    signature: str


class OutputFile(_Record):
    path: str
    sha256: str = Field(pattern=_HEX64)
    rows: int | None = Field(ge=0)

    @field_validator("path")
    @classmethod
    def _plain_relative(cls, path: str) -> str:
        problem = path_problem(path)
        if problem:
            raise ValueError(f"{path!r}: {problem}")
        return path


class Manifest(BaseModel):
    """Required keys and their types; keys added by later builder versions are allowed (the
    build id covers them)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    builder: BuilderStamp
    dataset: DatasetStamp
    config: dict
    config_hash: str = Field(pattern=_HEX64)
    inputs: list[dict]
    models: list[dict]
    steps: list[dict]
    counts: dict
    signature: str = Field(min_length=1, max_length=100_000)
    releases: list[ReleaseEntry]
    build_id: str = Field(pattern=_HEX64)
    outputs: list[OutputFile] = Field(min_length=1)

    @field_validator("outputs")
    @classmethod
    def _unique_with_card(cls, outputs: list[OutputFile]) -> list[OutputFile]:
        paths = [o.path for o in outputs]
        if len(set(paths)) != len(paths):
            raise ValueError("a path is listed twice")
        if CARD_FILE not in paths:
            raise ValueError(f"does not list the card {CARD_FILE}")
        return outputs


class ManifestProblem(ValueError):
    """The manifest is missing, unreadable or not of the expected shape."""


def load_manifest(root: Path) -> tuple[dict, bytes]:
    """The manifest of `root` (checked against the schema and its build id) and its bytes.

    Raises ManifestProblem with a message that names the file and the first problem.
    """
    where = Path(root) / MANIFEST_FILE
    try:
        raw = read_inside(Path(root), MANIFEST_FILE, MAX_MANIFEST_BYTES)
    except FileNotFoundError as err:
        raise ManifestProblem(f"{where}: no such file") from err
    except NotRegular as err:
        raise ManifestProblem(f"{where}: {str(err).partition(': ')[2]}") from err
    except OSError as err:
        raise ManifestProblem(f"{where}: cannot read: {err.strerror or err}") from err
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise ManifestProblem(f"{where}: not valid JSON ({type(err).__name__})") from err
    if not isinstance(data, dict):
        raise ManifestProblem(f"{where}: a JSON {type(data).__name__}, not an object")
    try:
        Manifest.model_validate(data)
    except ValidationError as err:
        raise ManifestProblem(format_validation_error(str(where), err)) from err
    if build_id(data) != data["build_id"]:
        raise ManifestProblem(f"{where}: build_id does not match the manifest's content "
                              "(the manifest was edited)")
    return data, raw
