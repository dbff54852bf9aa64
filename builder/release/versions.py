"""Release order: a folder's releases by semantic version, and the rule that a build never
silently replaces a newer release with an older or equal version."""

from __future__ import annotations

from pathlib import Path

from builder.errors import ConfigError


def semver(version: str) -> tuple[int, int, int]:
    """`X.Y.Z` as a tuple that sorts numerically (1.10.0 after 1.9.0)."""
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def newest_release(manifest: dict) -> str:
    """The highest version a folder's manifest knows: its own, or one in its history."""
    versions = [manifest["dataset"]["version"]]
    versions += [r["version"] for r in manifest.get("releases", []) if r.get("version")]
    return max(versions, key=semver)


def check_not_older(out: Path, previous: dict, version: str, signature: str) -> None:
    """A build whose version is lower than or equal to the folder's newest release, with
    another signature, is refused: `--force` or a higher version."""
    if previous.get("signature") == signature:
        return
    newest = newest_release(previous)
    if semver(version) > semver(newest):
        return
    what = "the same version" if version == newest else "an older version"
    raise ConfigError(
        f"{out}: holds release {newest}; building {version} ({what}, another build) would "
        f"replace it. Use a version above {newest} (--version X.Y.Z), or --force to overwrite"
    )


def newest_first(releases: list[dict]) -> list[dict]:
    """Releases ordered by semantic version, newest first (one entry per version)."""
    seen: dict[str, dict] = {}
    for release in releases:
        seen.setdefault(release["version"], release)
    return sorted(seen.values(), key=lambda r: semver(r["version"]), reverse=True)
