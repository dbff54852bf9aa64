"""Provenance: the manifest and the build signature (files are hashed by `builder.digests`)."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

from builder import __version__
from builder.output.layout import MANIFEST_FILE


def library_versions() -> dict[str, str]:
    return {name: version(name) for name in ("datasets", "pyarrow", "huggingface_hub")}


def signature_string(
    *,
    name: str,
    dataset_version: str,
    config_hash: str,
    inputs: list[dict],
    steps: list[dict],
    models: list[dict],
) -> str:
    """A sacrebleu-style signature: every setting and version that shapes the output."""
    inputs_hash = hashlib.sha256(
        "".join(i["sha256"] for i in inputs).encode()
    ).hexdigest()[:12]
    parts = [
        f"bitext-builder:{__version__}",
        f"dataset:{name}@{dataset_version}",
        f"config:{config_hash[:12]}",
        f"inputs:{len(inputs)}x{inputs_hash}",
    ]
    parts += [f"{s['stage']}:{s['name']}" + (f"@{s['version']}" if s.get("version") else "")
              for s in steps]
    parts += [f"mt:{m['id']}@{m['revision'][:12]}/{m['backend']}/{m['compute_type']}"
              if "backend" in m else f"{m['use']}:{m['id']}@{m['revision'][:12]}" for m in models]
    parts += [f"{k}:{v}" for k, v in library_versions().items()]
    return "|".join(parts)


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def build_id(manifest: dict) -> str:
    """The hash of everything in the manifest but its output list and this id itself."""
    body = {k: v for k, v in manifest.items() if k not in ("build_id", "outputs")}
    return hashlib.sha256(dumps(body).encode()).hexdigest()


def read_manifest(root: Path) -> dict | None:
    """The manifest as a mapping, or None where there is none or it is not a JSON object
    (release/manifest_schema.py checks its shape)."""
    path = root / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
