"""What `finetune --out` may replace, its lock, and the repair of a finetune killed mid-swap,
tested on the folder guard itself (no training); the trained end-to-end cases are in
test_finetune.py."""

import json
import os

import pytest

from builder.cli import main
from builder.errors import ConfigError
from builder.mt.model_folder import (
    RESULT_FILE,
    check_model_replaceable,
    claim_model_out,
    write_result,
)
from builder.release import history
from builder.release.out_folder import _Lock
from tests.release.test_out_folder import dead_pid, snapshot

MODEL_FILES = {"config.json": b"{}", "model.safetensors": b"weights", "source.spm": b"spm",
               "README.md": b"# card"}


def fake_model(folder, files=MODEL_FILES):
    """A folder as finetune leaves it: model files, then finetune.json listing them."""
    folder.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        (folder / rel).write_bytes(data)
    write_result(folder, {"steps": 1})
    return folder


def refused(out, protected=()):
    with pytest.raises(ConfigError) as caught:
        check_model_replaceable(out, protected)
    message = str(caught.value)
    assert message.startswith(f"{out}: ") and "\n" not in message
    return message


def test_finetune_json_lists_what_was_written(tmp_path):
    out = fake_model(tmp_path / "m")
    data = json.loads((out / RESULT_FILE).read_text(encoding="utf-8"))
    assert data == {"steps": 1, "files": sorted(MODEL_FILES)}
    check_model_replaceable(out, [])  # its own folder may be replaced


@pytest.mark.parametrize("given", ["absent", "empty"])
def test_absent_or_empty_out_is_accepted(tmp_path, given):
    out = tmp_path / "m"
    if given == "empty":
        out.mkdir()
    check_model_replaceable(out, [])


def _user_folder(out):
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"mine")


def _old_result(out):  # finetune.json of a version that did not list its files
    out.mkdir()
    (out / RESULT_FILE).write_text('{"steps": 3}', encoding="utf-8")
    (out / "model.safetensors").write_bytes(b"w")


def _broken_result(out):
    out.mkdir()
    (out / RESULT_FILE).write_text("{not json", encoding="utf-8")


def _escaping_list(out):
    out.mkdir()
    (out / RESULT_FILE).write_text('{"files": ["../elsewhere"]}', encoding="utf-8")


def _model_plus_user_file(out):
    fake_model(out)
    (out / "notes.txt").write_bytes(b"mine")


def _model_plus_user_folder(out):
    fake_model(out)
    (out / "data").mkdir()
    (out / "data" / "x.csv").write_bytes(b"1,2")


def _linked_result(out):
    real = fake_model(out.parent / "real")
    out.mkdir()
    os.symlink(real / RESULT_FILE, out / RESULT_FILE)


def _linked_model_file(out):
    fake_model(out)
    (out / "config.json").unlink()
    os.symlink(out.parent, out / "config.json")


@pytest.mark.parametrize("make, needle", [
    (_user_folder, "no finetune.json"),
    (_old_result, "no valid 'files' list"),
    (_broken_result, "finetune.json: "),
    (_escaping_list, "no valid 'files' list"),
    (_model_plus_user_file, "notes.txt"),
    (_model_plus_user_folder, "data/x.csv"),
    (_linked_result, "a symbolic link"),
    (_linked_model_file, "config.json (a symbolic link)"),
], ids=lambda x: getattr(x, "__name__", x))
def test_out_that_is_not_our_model_is_refused(tmp_path, make, needle):
    out = tmp_path / "m"
    make(out)
    before = snapshot(out)
    message = refused(out)
    assert "refusing to replace it" in message and needle in message, message
    assert snapshot(out) == before


def test_out_is_never_an_input_or_above_one(tmp_path):
    dataset = tmp_path / "work" / "ds"
    dataset.mkdir(parents=True)
    model = fake_model(tmp_path / "base")  # even a model folder, when it is the one read
    for out in (dataset, dataset.parent, model):
        assert "input of this finetune" in refused(out, [dataset, model])


def test_out_inside_an_input_folder_is_refused(tmp_path, capsys):
    """A model written into the dataset folder (or a local model's, or a cache) would be a
    stranger there: the dataset's `verify` fails, a rebuild refuses its --out."""
    dataset = tmp_path / "ds"
    dataset.mkdir()
    model = fake_model(tmp_path / "base")
    for out, held in ((dataset / "model", dataset), (dataset / "a" / "b", dataset),
                      (model / "tuned", model)):
        assert f"is inside an input of this finetune ({held})" in refused(out, [dataset, model])
    (dataset / "manifest.json").write_text("{}", encoding="utf-8")
    before = snapshot(dataset)
    code = main(["finetune", str(dataset), "--pair", "en-ru", "--model", "no-such/model",
                 "--out", str(dataset / "model"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "is inside an input" in err and err.count("\n") == 1, err
    assert snapshot(dataset) == before
    check_model_replaceable(tmp_path / "beside", [dataset, model])  # a sibling is fine


def test_current_folder_is_refused(tmp_path, monkeypatch):
    out = fake_model(tmp_path / "m")
    for cwd in (out, tmp_path):
        monkeypatch.chdir(cwd)
        assert "is the current folder or above it" in refused(out if cwd == out else tmp_path)


def test_cli_refuses_with_exit_2_naming_the_folder(tmp_path, capsys, monkeypatch):
    """Before any dataset or model is loaded: the dataset folder itself, `--out .`, a user's
    folder; nothing in them changes and nothing is left beside them."""
    ds = tmp_path / "ds"
    ds.mkdir()
    (ds / "manifest.json").write_text("{}", encoding="utf-8")
    mine = tmp_path / "mine"
    _user_folder(mine)
    before = {p: snapshot(p) for p in (ds, mine)}
    monkeypatch.chdir(mine)
    for out, shown, needle in ((str(ds), ds, "is an input"), (".", mine, "current folder"),
                               (str(mine), mine, "current folder"),
                               (str(tmp_path / "mine"), mine, "current folder")):
        code = main(["finetune", str(ds), "--pair", "en-ru", "--model", "no-such/model",
                     "--out", out, "-q"])
        err = capsys.readouterr().err
        assert code == 2 and f"{shown}: " in err and needle in err and err.count("\n") == 1, err
    monkeypatch.chdir(tmp_path)
    code = main(["finetune", str(ds), "--pair", "en-ru", "--model", "m", "--out", "mine", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and f"{mine}: not empty and not a model" in err, err
    assert {p: snapshot(p) for p in (ds, mine)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "mine"]


@pytest.mark.parametrize("holder", ["build", "finetune"])
def test_one_writer_per_folder(tmp_path, capsys, holder):
    """A build or finetune holding the lock of --out: a finetune fails at once, naming it."""
    out = tmp_path / "m"
    lock = _Lock(out, holder)
    lock.acquire()
    try:
        code = main(["finetune", str(tmp_path / "ds"), "--pair", "en-ru", "--model", "m",
                     "--out", str(out), "-q"])
        assert code == 2 and f"another {holder} is writing {out}" in capsys.readouterr().err
        with pytest.raises(ConfigError, match=f"another {holder} is writing"), \
                claim_model_out(out, []):
            pass
    finally:
        lock.release()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("can_exchange", [True, False])
def test_killed_mid_swap_is_put_back(tmp_path, monkeypatch, can_exchange):
    """What a finetune killed between the two renames of the fallback swap leaves: no
    `<out>`, the earlier model in `.<out>.old-PID`, the new one in `.<out>.tmp-PID`. The next
    finetune puts the model back, removes the dead leftovers and replaces it whole."""
    if not can_exchange:
        monkeypatch.setattr(history, "_renameat2", lambda: None)
    out = tmp_path / "m"
    pid = dead_pid()
    fake_model(tmp_path / f".m.old-{pid}")
    fake_model(tmp_path / f".m.tmp-{pid}", {"config.json": b"half"})
    (tmp_path / f".m.tmp-{dead_pid()}").mkdir()  # an older kill's leftover
    live = tmp_path / f".m.tmp-{os.getppid()}"
    live.mkdir()  # a running process's: kept
    with claim_model_out(out, []) as claimed:
        assert claimed == out and snapshot(out) == snapshot(fake_model(tmp_path / "copy"))
        assert sorted(p.name for p in tmp_path.iterdir()) == [".m.lock", live.name, "copy", "m"]
        new = fake_model(tmp_path / f".m.tmp-{os.getpid()}", {"config.json": b"new"})
        history.replace_dir(new, out)
    assert (out / "config.json").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "copy", "m"]


@pytest.mark.slow  # imports datasets: several seconds
@pytest.mark.parametrize("env", [{}, {"HF_HOME": "/x/hf"}, {"XDG_CACHE_HOME": "/x/xdg"},
                                 {"HF_DATASETS_CACHE": "/x/ds", "HF_HOME": "/x/hf"}])
def test_datasets_cache_is_the_one_datasets_uses(env):
    """The guard names the datasets cache without importing datasets: the same folder as
    datasets.config computes under the same environment."""
    import subprocess
    import sys

    code = ("import sys; from builder.mt.finetune import datasets_cache; mine = datasets_cache(); "
            "assert 'datasets' not in sys.modules; from datasets import config; "
            "print(mine == config.HF_DATASETS_CACHE, mine)")
    clean = {k: v for k, v in os.environ.items()
             if k not in ("HF_HOME", "XDG_CACHE_HOME", "HF_DATASETS_CACHE")}
    done = subprocess.run([sys.executable, "-c", code], env={**clean, **env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("True "), done.stdout + done.stderr
