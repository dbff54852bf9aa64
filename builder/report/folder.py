"""Where `report` writes inside a dataset folder and how a report it wrote is recognised, so
that verify and the build's --out guard accept it there (publish uploads only listed files)."""

from __future__ import annotations

from pathlib import Path

REPORT_DIR = "report"
PAGE = "index.html"
ASSET_NAMES = ("report.css", "report.js")
GENERATOR = "bitext-builder report"


def is_report(folder: Path) -> bool:
    """`folder` holds a page this tool wrote (its generator tag), not reached through a link."""
    index = Path(folder) / PAGE
    if Path(folder).is_symlink() or index.is_symlink():
        return False
    try:
        with index.open(encoding="utf-8") as f:
            head = f.read(2000)
    except (OSError, UnicodeDecodeError):
        return False
    return f'<meta name="generator" content="{GENERATOR}' in head


def report_files(root: Path) -> frozenset[str]:
    """The paths (relative to the dataset folder `root`) of the report written into
    `root/report`, or none when there is no such report; other files there stay strangers."""
    folder = Path(root) / REPORT_DIR
    if not folder.is_dir() or not is_report(folder):
        return frozenset()
    return frozenset({f"{REPORT_DIR}/{PAGE}", *(f"{REPORT_DIR}/assets/{n}" for n in ASSET_NAMES)})
