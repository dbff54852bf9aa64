"""Release order: an older or equal version never silently replaces a newer release."""

import json

from builder.cli import main
from builder.release.versions import newest_first, newest_release, semver


def _manifest(out):
    return json.loads((out / "manifest.json").read_text())


def test_semver_orders_numerically():
    assert sorted(["1.10.0", "1.9.0", "2.0.0", "1.9.10"], key=semver) == [
        "1.9.0", "1.9.10", "1.10.0", "2.0.0"]
    releases = [{"version": v} for v in ("1.0.0", "1.10.0", "1.9.0", "1.0.0")]
    assert [r["version"] for r in newest_first(releases)] == ["1.10.0", "1.9.0", "1.0.0"]
    assert newest_release({"dataset": {"version": "1.0.0"},
                           "releases": [{"version": "1.2.0"}, {"version": "1.0.0"}]}) == "1.2.0"


def test_older_version_is_refused_then_forced(tmp_path, capsys):
    out = tmp_path / "d"
    assert main(["build", "--version", "1.1.0", "--out", str(out), "-q"]) == 0
    before = (out / "manifest.json").read_bytes()
    capsys.readouterr()
    assert main(["build", "--out", str(out), "-q"]) == 2  # the config says 1.0.0
    err = capsys.readouterr().err
    assert "holds release 1.1.0" in err and "--force" in err and err.count("\n") == 1
    assert (out / "manifest.json").read_bytes() == before
    assert main(["build", "--out", str(out), "-q", "--force"]) == 0
    assert _manifest(out)["dataset"]["version"] == "1.0.0"
    releases = _manifest(out)["releases"]
    assert [r["version"] for r in releases] == ["1.1.0", "1.0.0"]
    card = (out / "README.md").read_text()
    assert card.index("### v1.1.0") < card.index("### v1.0.0")
    # the history still knows 1.1.0: 1.0.5 would go backwards too
    assert main(["build", "--version", "1.0.5", "--out", str(out), "-q"]) == 2


def test_newer_version_is_accepted_and_history_sorted_by_semver(tmp_path, capsys):
    out = tmp_path / "d"
    for version in ("1.9.0", "1.10.0"):
        assert main(["build", "--version", version, "--out", str(out), "-q"]) == 0
    assert main(["build", "--version", "1.9.5", "--out", str(out), "-q"]) == 2
    assert [r["version"] for r in _manifest(out)["releases"]] == ["1.10.0", "1.9.0"]
    card = (out / "README.md").read_text()
    assert card.index("### v1.10.0") < card.index("### v1.9.0")
    assert "Changes against v1.9.0" in card


def test_same_signature_is_up_to_date_not_refused(sample_build, capsys):
    assert main(["build", "--version", "1.0.0", "--out", str(sample_build)]) == 0
    cap = capsys.readouterr()
    assert "up to date" in cap.out
