"""Language codes and numbers are checked before any work, and the failures that used to be
"unexpected" are one line naming the file or key, with their exit code."""

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from builder.cli import main
from builder.errors import BuilderError
from builder.mt.cache import TranslationCache
from tests.helpers import ROOT


def run(capsys, *args):
    code = main([*args, "-q"])
    return code, capsys.readouterr().err


def config(tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, key, needle", [
    ("source_lang: xx\n", "source_lang", "'xx' is not an ISO 639-1 language code"),
    ("source_lang: ab\n", "langid.candidates", "'ab' is not among"),
    ("source_lang: it\nlangid: {outside_candidates: false}\n", "langid.candidates",
     "'it' is not among"),
    ("langid: {candidates: [en, xx]}\n", "langid.candidates.1", "not an ISO 639-1"),
    ("translate: {targets: [zz]}\n", "translate.targets.0", "not an ISO 639-1"),
    ("parallel: [{lang: qq, paths: [a.txt]}]\n", "parallel.0.lang", "not an ISO 639-1"),
    ("input: {max_line_chars: 1e20}\n", "input.max_line_chars", ""),
    ("input: {max_line_chars: 1.0e+20}\n", "input.max_line_chars", ""),
    ("input: {max_line_chars: 100000000000000000000}\n", "input.max_line_chars", "expected 67108864 or less"),
    ("translate: {length_penalty: .inf}\n", "translate.length_penalty", ""),
    ("langid: {seed: -1}\n", "langid.seed", ""),
    ("translate: {num_beams: 100000}\n", "translate.num_beams", ""),
    ("translate: {max_batch_tokens: 100000000000}\n", "translate.max_batch_tokens", ""),
    ("input: {paths: ['']}\n", "input.paths.0", "an empty path"),
    ("input: {paths: ['-', '-']}\n", "", "standard input) can be read only once"),
    ("name: " + "n" * 300 + "\n", "name", "at most 96 characters"),
])
def test_config_values_are_checked(tmp_path, capsys, text, key, needle):
    cfg = config(tmp_path, text)
    code, err = run(capsys, "check-config", str(cfg))
    assert code == 2 and err.count("\n") == 1 and f"{cfg}: {key}" in err and needle in err, err
    code, err = run(capsys, "build", str(cfg), "--out", str(tmp_path / "o"))
    assert code == 2 and not (tmp_path / "o").exists()


def test_long_name_without_out(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = config(tmp_path, "name: " + "n" * 300 + "\n")
    code, err = run(capsys, "build", str(cfg))
    assert code == 2 and "name" in err and not (tmp_path / "dist").exists()


def test_unreadable_input_folder(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()

    iterdir = Path.iterdir

    def denied(self):
        if self == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return iterdir(self)

    monkeypatch.setattr(Path, "iterdir", denied)
    code, err = run(capsys, "build", "--input", str(folder), "--out", str(tmp_path / "o"))
    assert code == 3 and f"{folder}: cannot read the folder: Permission denied" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_input_folder_for_real(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    folder.chmod(0)
    try:
        code, err = run(capsys, "build", "--input", str(folder), "--out", str(tmp_path / "o"))
    finally:
        folder.chmod(0o755)
    assert code == 3 and "Permission denied" in err


@pytest.mark.slow  # a subprocess or a large sweep: several seconds
def test_full_disk_names_the_folder(tmp_path):
    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    out = tmp_path / "ds"
    result = subprocess.run([sys.executable, "-m", "builder", "build", "--out", str(out), "-q"],
                            preexec_fn=small_files, capture_output=True, text=True, cwd=ROOT,
                            env=env, timeout=300)
    assert result.returncode == 1 and "unexpected" not in result.stderr
    assert f"{tmp_path}: cannot write the build: File too large" in result.stderr
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def _embedding_cache(folder):
    from builder.align.embeddings import EmbeddingCache

    return EmbeddingCache(folder)


@pytest.mark.parametrize("content", [b"this is not a database" * 100, b"SQLite format 3\x00" + b"\xff" * 4000])
@pytest.mark.parametrize("cache, file, what", [
    (TranslationCache, "translations.sqlite3", "translation cache"),
    (_embedding_cache, "embeddings.sqlite3", "embedding cache"),
])
def test_corrupt_cache_is_named(tmp_path, content, cache, file, what):
    (tmp_path / file).write_bytes(content)
    with pytest.raises(BuilderError, match=f"{file}: {what}: cannot open: .*delete the file"):
        cache(tmp_path)


@pytest.mark.parametrize("text, line", [
    ("name: " + "[" * 100_000 + "]" * 100_000 + "\n", 1),  # flow style
    ("name: x\ninput: " + "{a: " * 2_000 + "1" + "}" * 2_000 + "\n", 2),
    ("".join(" " * i + f"k{i}:\n" for i in range(200)), 33),  # block style
])
def test_deep_yaml_config_is_a_config_error(tmp_path, capsys, text, line):
    cfg = config(tmp_path, text)
    code, err = run(capsys, "check-config", str(cfg))
    assert code == 2 and err.count("\n") == 1, err
    assert f"{cfg}: line {line}: YAML nested deeper than 32 levels" in err
    code, err = run(capsys, "build", str(cfg), "--out", str(tmp_path / "o"))
    assert code == 2 and "nested deeper" in err and not (tmp_path / "o").exists()
