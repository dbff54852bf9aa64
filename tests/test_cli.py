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


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_flags_before_or_after_the_command(tmp_path, capsys, where):
    out = tmp_path / "ds"
    args = ["build", "--out", str(out)]
    code, stdout, err = run(["-q", *args] if where == "before" else [*args, "-q"], capsys)
    assert code == 0 and "Built" in stdout and err == ""
    # -v on the other side wins; it adds the builder's debug lines
    code, _, err = run(["-q", "check-config", _sample_yaml(), "-v"] if where == "before"
                       else ["-v", "check-config", _sample_yaml()], capsys)
    assert code == 0 and "DEBUG builder" in err


def _sample_yaml() -> str:
    from tests.helpers import ROOT

    return str(ROOT / "configs" / "sample.yaml")


def _all_parsers(parser):
    import argparse

    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _all_parsers(sub)


def test_every_argument_has_help_and_the_epilog_lists_exit_codes():
    import argparse

    from builder.cli import _parser

    top = _parser()
    parsers = list(_all_parsers(top))
    assert len(parsers) > 5
    for parser in parsers:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (parser.prog, action.dest)
        text = parser.format_help()
        for code in range(6):
            assert f"\n  {code}  " in text, (parser.prog, code)
        assert "example" in text, parser.prog
    assert "the only place that prints" not in top.format_help()


@pytest.mark.slow  # a subprocess or a large sweep: several seconds
def test_closed_stdout_ends_quietly(sample_build):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "builder", "inspect", str(sample_build), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # like `| head` that has read enough: every write now fails (EPIPE)
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and err == ""


@pytest.mark.parametrize("repo_id", ["bad repo", "a/b/c", "-org/name", "org/" + "x" * 97])
def test_publish_checks_repo_id_before_anything(tmp_path, capsys, repo_id):
    code, stdout, err = run(["publish", str(tmp_path / "missing"), f"--repo-id={repo_id}",
                             "--dry-run"], capsys)
    assert code == 2 and stdout == "" and "not valid on the Hub" in err
    assert "missing" not in err  # refused before the folder is looked at


def test_check_config_checks_that_inputs_exist(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("input:\n  paths: [posts.txt]\n", encoding="utf-8")
    code, stdout, err = run(["check-config", str(cfg)], capsys)
    assert code == 3 and "OK" not in stdout and str(tmp_path / "posts.txt") in err
    (tmp_path / "posts.txt").write_text("Forwarded from A\nSome words here.\n", encoding="utf-8")
    code, stdout, _ = run(["check-config", str(cfg)], capsys)
    assert code == 0 and "OK" in stdout and "1 input file" in stdout


@pytest.mark.parametrize(
    "text, needle",
    [
        ("Forwarded from Chan A\nForwarded from Chan B\n👍8❤4\n",
         "2 posts read, all dropped (empty_after_cleaning 2); nothing to build"),
        ("Forwarded from Chan A\nHello.\n",
         "1 post read, 1 kept, but every segment was dropped (too_few_words 1)"),
    ],
)
def test_nothing_kept_is_an_input_error(tmp_path, capsys, text, needle):
    src = tmp_path / "posts.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run(["build", "--input", str(src), "--out", str(out), "-q"], capsys)
    assert code == 3 and needle in err and err.count("\n") == 1 and "posts.txt" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["posts.txt"]


def test_rejected_empty_post_keeps_its_raw_text(tmp_path, capsys):
    import json

    src = tmp_path / "posts.txt"
    long_line = "🎉" * 3000
    src.write_text("Forwarded from A\nA real post with words.\nForwarded from B\n⬆️ Read in full\n"
                   f"👍8\nForwarded from C\n{long_line}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run(["build", "--input", str(src), "--out", str(out), "-q"], capsys)[0] == 0
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    empty = [r["text"] for r in rejects if r["reason"] == "empty_after_cleaning"]
    assert empty == ["⬆️ Read in full\n👍8", long_line[:2000]]


def test_verbose_logs_steps_with_counts_and_time_quiet_logs_nothing(tmp_path, capsys):
    import re

    code, _, err = run(["-v", "build", "--out", str(tmp_path / "ds")], capsys)
    assert code == 0
    assert re.search(r"DEBUG builder\.readers: read and process \S+: done in [\d.]+ s \(posts 20\)", err)
    assert re.search(r"DEBUG builder\.output\.parquet: write parquet: done in [\d.]+ s \(files \d+", err)
    assert "per-post steps: posts" in err and "drops" in err
    code, out, err = run(["build", "--out", str(tmp_path / "ds")], capsys)
    assert code == 0 and err == "" and out.count("up to date") == 1  # printed once, not logged
    code, out, err = run(["-q", "build", "--out", str(tmp_path / "other")], capsys)
    assert code == 0 and err == ""


def test_verbose_tells_the_naming_peek_from_the_read(tmp_path, capsys):
    """A build without a name first peeks at the input for its channel: `-v` showed that as
    a second `read and process` of the same file."""
    from tests.helpers import ROOT

    export = ROOT / "tests/data/telegram_desktop_export_example.json"
    code, _, err = run(["-v", "build", "--input", str(export), "--out", str(tmp_path / "ds")], capsys)
    assert code == 0
    assert err.count(f"read and process {export.name}: start") == 1, err
    assert err.count(f"name the dataset from {export.name}: start") == 1, err


@pytest.mark.parametrize("args, needle", [
    (["--targets", "en"], "--targets en: 'en' is the source language itself"),
    (["--targets", "xx1"], "--targets xx1: 'xx1' is not an ISO 639-1 language code"),
    (["--version", "1.1"], "--version 1.1: expected X.Y.Z, e.g. 1.0.0, got '1.1'"),
])
def test_flag_errors_name_the_flag_in_words(tmp_path, capsys, args, needle):
    code, _, err = run(["build", *args, "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and needle in err and err.count("\n") == 1
    assert "Value error" not in err and "(top level)" not in err and "^" not in err


def test_config_errors_say_what_to_write(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("version: 1.0\n", encoding="utf-8")
    code, _, err = run(["check-config", str(cfg)], capsys)
    assert code == 2 and "version: expected X.Y.Z, e.g. 1.0.0, got the number 1.0" in err
    cfg.write_text("name: off\n", encoding="utf-8")  # YAML 1.1 reads `off` as false
    code, _, err = run(["check-config", str(cfg)], capsys)
    assert code == 2 and "name: expected text, got the boolean False" in err and "number" not in err
    cfg.write_text("translate:\n  targets: [ru]\n  models: {ru: ../models/tiny}\n", encoding="utf-8")
    code, _, err = run(["build", str(cfg), "--out", str(tmp_path / "o")], capsys)
    missing = (tmp_path.parent / "models" / "tiny").resolve()
    assert code == 4 and f"model folder {missing} does not exist" in err


def test_stray_file_beside_an_export_is_skipped_with_a_warning(tmp_path, capsys):
    import json

    from tests.readers import formats

    folder = tmp_path / "export"
    formats.write_desktop_html(folder)
    (folder / "notes.md").write_text("# My notes\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run(["build", "--input", str(folder), "--out", str(out)], capsys)
    assert code == 0 and "notes.md: skipped" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["name"] for s in manifest["skipped_inputs"]] == ["notes.md"]
    assert [i["name"] for i in manifest["inputs"]] == ["messages.html", "messages2.html"]
    assert "| read | input files skipped (not an export of the folder's format) | 1 |" in (
        out / "README.md").read_text()


@pytest.mark.parametrize("name, content, cause", [
    ("bad.yaml", "name: [unclosed\n", "yaml"),  # the YAML parser's error
    ("posts.jsonl", '{"id": 1, "text": "a"}\n{"id": 2, "text": "\xff"\n', "JSONDecodeError"),
])
def test_an_error_is_one_line_and_verbose_shows_its_cause(tmp_path, capsys, name, content, cause):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    args = [str(path)] if name.endswith(".yaml") else ["--input", str(path)]
    args = ["build", *args, "--out", str(tmp_path / "ds")]
    code, _, err = run([*args, "-q"], capsys)
    assert code in (2, 3) and err.count("\n") == 1 and err.startswith("error: ")
    code_v, _, err_v = run([*args, "-v"], capsys)
    assert code_v == code
    assert "The above exception was the direct cause of the following exception" in err_v
    assert cause in err_v.split("direct cause")[0]  # the cause's traceback comes first
    assert err_v.rstrip().splitlines()[-1] == err.rstrip()  # and the same line ends it


@pytest.mark.parametrize("args, needle", [
    (["inspect", "ds", "--rows", "-1"], "argument --rows: expected a whole number, 0 or more, got '-1'"),
    (["build", "--workers", "-3"], "argument --workers: expected a whole number, 0 or more, got '-3'"),
    (["finetune", "ds", "--pair", "en-ru", "--model", "m", "--out", "o", "--max-steps", "0"],
     "argument --max-steps: expected a whole number, 1 or more, got '0'"),
    (["finetune", "ds", "--pair", "en-ru", "--model", "m", "--out", "o", "--learning-rate", "-1"],
     "argument --learning-rate: expected a number above 0, got '-1'"),
    (["finetune", "ds", "--pair", "en-ru", "--model", "m", "--out", "o", "--epochs", "inf"],
     "argument --epochs: expected a number above 0, got 'inf'"),
])
def test_numeric_flags_out_of_range_are_usage_errors(tmp_path, capsys, monkeypatch, args, needle):
    """Negative counts were taken (`inspect --rows -1` showed rows) or failed late."""
    monkeypatch.chdir(tmp_path)
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and needle in err, err
    assert list(tmp_path.iterdir()) == []


def test_the_command_in_its_own_process_builds_the_same_bytes_without_pandas(tmp_path):
    """`bitext-builder` / `python -m builder` (`entry`: the command is all its process runs)
    tells pyarrow there is no pandas before an in-process build converts its first list: the
    build never imports pandas (0.35 s or more), and writes the bytes that `main` called as a
    library writes."""
    import subprocess
    import sys

    from tests.helpers import ROOT, SAMPLE

    assert main(["build", "--input", str(SAMPLE), "--out", str(tmp_path / "lib"), "-q",
                 "--workers", "0"]) == 0
    script = ("import sys; sys.argv = ['bitext-builder', *sys.argv[1:]]\n"
              "from builder.cli import entry\n"
              "code = entry()\n"
              "assert code == 0, code\n"
              "print('pandas' in sys.modules)")
    args = ["build", "--input", str(SAMPLE), "--out", str(tmp_path / "own"), "-q",
            "--workers", "0"]
    run_ = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert run_.stdout.splitlines()[-1] == "False", run_.stderr
    lib, own = tmp_path / "lib", tmp_path / "own"
    files = sorted(p.relative_to(lib) for p in lib.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(own) for p in own.rglob("*") if p.is_file())
    for rel in files:
        assert (lib / rel).read_bytes() == (own / rel).read_bytes(), rel
