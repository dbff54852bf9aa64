"""Where a dataset folder's files are: one definition for the writer, the card, the manifest
and everything that reads a build (verify, diff, inspect, report, previous releases)."""

from __future__ import annotations

from pathlib import Path

CARD_FILE = "README.md"
MANIFEST_FILE = "manifest.json"
REJECTS_FILE = "rejects.jsonl"
DATA_DIR = "data"
IMAGES_DIR = "images"
WORK_DIR = ".work"  # scratch inside the temporary build folder (spilled segments); never output


def data_path(config: str, split: str) -> str:
    """The one Parquet file of a config's split, relative to the dataset folder."""
    return f"{DATA_DIR}/{config}/{split}-00000-of-00001.parquet"


def data_pattern(config: str, split: str) -> str:
    """The card's `data_files` pattern of a config's split."""
    return f"{DATA_DIR}/{config}/{split}-*.parquet"


def config_split(rel: str) -> tuple[str, str] | None:
    """(config, split) of a data file's relative path; None for any other file."""
    parts = rel.split("/")
    if len(parts) == 3 and parts[0] == DATA_DIR and parts[2].endswith(".parquet"):
        return parts[1], parts[2].split("-", 1)[0]
    return None


def configs_in(root: Path) -> list[str]:
    """The configs a built folder holds, sorted."""
    data = Path(root) / DATA_DIR
    return sorted(p.name for p in data.iterdir() if p.is_dir()) if data.is_dir() else []


def split_files(root: Path, config: str, split: str | None = None) -> list[Path]:
    """A built folder's Parquet files of a config (of one split), sorted."""
    return sorted((Path(root) / DATA_DIR / config).glob(f"{split or '*'}-*.parquet"))
