"""`verify DIR`: what publish may trust.

1. `manifest.json` is a regular file of the schema (manifest_schema.py) whose build id
   matches its content;
2. the folder holds exactly the manifest and the files it lists: every listed file exists
   inside the folder as a regular file (no link anywhere on its path) with its sha256, and
   nothing else is there (no unlisted file, link, FIFO or folder) but a review report that
   `report` wrote into `report/`;
3. the card names the manifest's version and signature (so neither changes alone) and its
   metadata parses, with `configs` matching `dataset_info`;
4. every config loads with `datasets.load_dataset` with the sizes the card declares.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from builder.digests import sha256_of
from builder.errors import InputError, VerifyError
from builder.output.layout import CARD_FILE
from builder.release.dataset_files import NotRegular, open_inside, strangers
from builder.release.manifest_schema import ManifestProblem, load_manifest
from builder.report.folder import report_files


@dataclass(frozen=True)
class Verified:
    manifest: dict
    manifest_sha256: str
    passed: list[str]


def load_card_data(root: Path) -> dict:
    from huggingface_hub import DatasetCard  # noqa: PLC0415

    try:
        card = DatasetCard.load(root / CARD_FILE)
    except Exception as err:  # noqa: BLE001 - any parse failure is a verify failure
        raise VerifyError(f"{root / CARD_FILE}: card metadata does not parse: {err}") from err
    return card.data.to_dict()


def file_sha256(root: Path, rel: str) -> str:
    """sha256 of a listed file, opened without following links."""
    with open_inside(root, rel) as f:
        return sha256_of(f)


def _check_files(root: Path, manifest: dict) -> str:
    listed = {o["path"] for o in manifest["outputs"]}
    report = report_files(root)
    extra = strangers(root, listed, allowed=report)
    if extra:
        raise VerifyError(f"{root}: holds what its manifest does not list: {', '.join(extra[:5])}"
                          + (f" and {len(extra) - 5} more" if len(extra) > 5 else ""))
    for out in manifest["outputs"]:
        path = root / out["path"]
        try:
            digest = file_sha256(root, out["path"])
        except FileNotFoundError as err:
            raise VerifyError(f"{path}: listed in the manifest but missing") from err
        except (NotRegular, OSError) as err:
            raise VerifyError(f"{root}: {err}") from err
        if digest != out["sha256"] and not _published_card(root, out, manifest):
            raise VerifyError(f"{path}: sha256 differs from the manifest (file was changed)")
    besides = " but the review report in report/ (not published)" if report else ""
    return (f"{len(listed)} files match their manifest hashes; nothing else is in the "
            f"folder{besides}")


def _published_card(root: Path, out: dict, manifest: dict) -> bool:
    """A card as `publish` sent it: only its load snippet names the Hub repo; with the
    snippet the build wrote, it is the listed file byte for byte."""
    from builder.output.card_location import with_snippet  # noqa: PLC0415

    local = manifest.get("card", {}).get("load_snippet")
    if out["path"] != CARD_FILE or not local:
        return False
    with open_inside(root, CARD_FILE) as f:
        card = f.read().decode("utf-8", errors="replace")
    restored = with_snippet(card, local).encode("utf-8")
    return hashlib.sha256(restored).hexdigest() == out["sha256"]


def _check_card(root: Path, manifest: dict) -> list[str]:
    from builder.output.card import read_card_stamp  # noqa: PLC0415

    with open_inside(root, CARD_FILE) as f:
        stamp = read_card_stamp(f.read().decode("utf-8", errors="replace"))
    version = manifest["dataset"]["version"]
    if stamp.get("version") != version:
        raise VerifyError(f"{root / CARD_FILE}: card says version {stamp.get('version')}, the "
                          f"manifest {version}")
    if stamp.get("signature") != manifest["signature"]:
        raise VerifyError(f"{root / CARD_FILE}: the card's build signature is not the manifest's")
    if f"dataset:{manifest['dataset']['name']}@{version}" not in manifest["signature"].split("|"):
        raise VerifyError(f"{root}: the manifest's signature names another dataset or version")
    data = load_card_data(root)
    configs = {c["config_name"]: c for c in data.get("configs", [])}
    infos = {i["config_name"]: i for i in data.get("dataset_info", [])}
    if not configs or set(configs) != set(infos):
        raise VerifyError(f"{root / CARD_FILE}: configs and dataset_info do not match")
    return [f"card and manifest agree on version {version} and signature",
            f"card metadata parses ({len(configs)} configs)"]


def _check_loads(root: Path) -> str:
    import datasets  # noqa: PLC0415
    from datasets import load_dataset  # noqa: PLC0415

    infos = {i["config_name"]: i for i in load_card_data(root).get("dataset_info", [])}
    quiet = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()  # the CLI prints its own one-line results
    try:
        with tempfile.TemporaryDirectory(prefix="bb-verify-") as cache:
            for name, info in infos.items():
                try:
                    ds = load_dataset(str(root), name, cache_dir=cache)
                except Exception as err:  # noqa: BLE001
                    raise VerifyError(f"{root}: config '{name}' does not load: {err}") from err
                for split in info["splits"]:
                    got = ds[split["name"]].num_rows
                    if got != split["num_examples"]:
                        raise VerifyError(f"{root}: {name}/{split['name']} has {got} rows, card "
                                          f"says {split['num_examples']}")
    finally:
        if not quiet:
            datasets.enable_progress_bars()
    return "every config loads with datasets.load_dataset with its declared sizes"


def verify_folder(root: Path, *, load: bool = True) -> Verified:
    """Raise VerifyError on the first problem; return the manifest that passed."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: no such dataset folder")
    try:
        manifest, raw = load_manifest(root)
    except ManifestProblem as err:
        raise VerifyError(str(err)) from err
    passed = ["manifest.json matches the schema and its build id"]
    passed.append(_check_files(root, manifest))
    passed += _check_card(root, manifest)
    if load:
        passed.append(_check_loads(root))
    return Verified(manifest, hashlib.sha256(raw).hexdigest(), passed)


def verify(root: Path, *, load: bool = True) -> list[str]:
    """Raise VerifyError on the first mismatch; return the checks that passed."""
    return verify_folder(root, load=load).passed
