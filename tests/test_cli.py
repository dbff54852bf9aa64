"""Exit codes, one-line errors, nothing left behind at --out."""

import pytest

from builder.cli import main


def run(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


BAD_INPUTS = {
    "empty.txt": b"",
    "binary.bin": b"\x89PNG\x00\x00\x00\rIHDR",
    "latin1.txt": "Forwarded from A\nCaf\xe9 cr\xe8me\n".encode("latin-1"),
    "spaces.txt": b"  \n\t\n",
    "nomarker.txt": b"Some text without any post marker.\n",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exit_3_one_line_nothing_written(tmp_path, capsys, name):
    src = tmp_path / name
    src.write_bytes(BAD_INPUTS[name])
    out = tmp_path / "out"
    code, _, err = run(["build", "--input", str(src), "--out", str(out), "-q"], capsys)
    assert code == 3
    assert err.count("\n") == 1 and name in err and "Traceback" not in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary sibling either


def test_missing_file_and_directory(tmp_path, capsys):
    code, _, err = run(["build", "--input", str(tmp_path / "nope.txt"), "--out",
                        str(tmp_path / "o"), "-q"], capsys)
    assert code == 3 and "no such file" in err
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "x.txt").write_bytes(b"\x00")
    code, _, err = run(["build", "--input", str(tmp_path / "dir"), "--out",
                        str(tmp_path / "o"), "-q"], capsys)
    assert code == 3 and "binary" in err


def test_huge_single_line(tmp_path, capsys):
    src = tmp_path / "huge.txt"
    src.write_bytes(b"Forwarded from A\n" + b"word " * (4 * 1024 * 1024))
    code, _, err = run(["build", "--input", str(src), "--out", str(tmp_path / "o"), "-q"], capsys)
    assert code == 3 and "line longer than" in err and not (tmp_path / "o").exists()


def test_unknown_format_is_usage_error(capsys):
    code, _, err = run(["build", "--format", "pdf"], capsys)
    assert code == 2 and "invalid choice" in err


def test_config_with_unknown_key(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("name: x\nfilters:\n  min_wrods: 3\n", encoding="utf-8")
    code, _, err = run(["check-config", str(cfg)], capsys)
    assert code == 2 and "filters.min_wrods: unknown key" in err
    code, _, err = run(["build", str(cfg), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and not (tmp_path / "o").exists()


def test_check_config_ok(capsys):
    from tests.helpers import ROOT

    code, out, _ = run(["check-config", str(ROOT / "configs" / "sample.yaml")], capsys)
    assert code == 0 and "OK" in out


def test_build_prints_where_and_how(tmp_path, capsys):
    out = tmp_path / "ds"
    code, stdout, _ = run(["build", "--out", str(out), "-q"], capsys)
    assert code == 0 and str(out) in stdout and "load_dataset" in stdout
    code, stdout, _ = run(["inspect", str(out)], capsys)
    assert code == 0 and "[segments]" in stdout and "languages: en" in stdout


def test_inspect_and_verify_missing_dir(tmp_path, capsys):
    assert run(["inspect", str(tmp_path / "no")], capsys)[0] == 3
    assert run(["verify", str(tmp_path / "no")], capsys)[0] == 3
