"""`verify DIR`: file hashes against the manifest, card metadata, and a load_dataset round trip."""

from __future__ import annotations

import tempfile
from pathlib import Path

from builder.errors import InputError, VerifyError
from builder.output.manifest import MANIFEST_FILE, read_manifest, sha256_path

CARD_FILE = "README.md"


def load_card_data(root: Path) -> dict:
    from huggingface_hub import DatasetCard  # noqa: PLC0415

    try:
        card = DatasetCard.load(root / CARD_FILE)
    except Exception as err:  # noqa: BLE001 - any parse failure is a verify failure
        raise VerifyError(f"{root / CARD_FILE}: card metadata does not parse: {err}") from None
    return card.data.to_dict()


def verify(root: Path, *, load: bool = True) -> list[str]:
    """Raise VerifyError on the first mismatch; return the checks that passed."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: no such dataset folder")
    manifest = read_manifest(root)
    if manifest is None:
        raise VerifyError(f"{root / MANIFEST_FILE}: missing or not valid JSON")
    passed = []
    for out in manifest.get("outputs", []):
        path = root / out["path"]
        if not path.is_file():
            raise VerifyError(f"{path}: listed in the manifest but missing")
        if sha256_path(path) != out["sha256"]:
            raise VerifyError(f"{path}: sha256 differs from the manifest (file was changed)")
    passed.append(f"{len(manifest.get('outputs', []))} files match their manifest hashes")
    data = load_card_data(root)
    configs = {c["config_name"]: c for c in data.get("configs", [])}
    infos = {i["config_name"]: i for i in data.get("dataset_info", [])}
    if not configs or set(configs) != set(infos):
        raise VerifyError(f"{root / CARD_FILE}: configs and dataset_info do not match")
    passed.append(f"card metadata parses ({len(configs)} configs)")
    if load:
        import datasets  # noqa: PLC0415
        from datasets import load_dataset  # noqa: PLC0415

        quiet = datasets.are_progress_bars_disabled()
        datasets.disable_progress_bars()  # the CLI prints its own one-line results
        with tempfile.TemporaryDirectory(prefix="bb-verify-") as cache:
            for name, info in infos.items():
                try:
                    ds = load_dataset(str(root), name, cache_dir=cache)
                except Exception as err:  # noqa: BLE001
                    raise VerifyError(f"{root}: config '{name}' does not load: {err}") from None
                for split in info["splits"]:
                    got = ds[split["name"]].num_rows
                    if got != split["num_examples"]:
                        raise VerifyError(
                            f"{root}: {name}/{split['name']} has {got} rows, card says "
                            f"{split['num_examples']}"
                        )
        if not quiet:
            datasets.enable_progress_bars()
        passed.append("every config loads with datasets.load_dataset with its declared sizes")
    return passed
