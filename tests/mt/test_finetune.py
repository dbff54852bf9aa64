"""`finetune`: the tiny model trained a few steps on CPU on a built pair config."""

import json

import pytest

from builder.cli import main
from tests.helpers import write_mt_config


@pytest.fixture(scope="module")
def mt_build(tiny_models, tmp_path_factory):
    root = tmp_path_factory.mktemp("ft")
    cfg = write_mt_config(root / "c.yaml", {"ru": tiny_models["ru"]}, root / "cache")
    out = root / "ds"
    assert main(["build", str(cfg), "--out", str(out), "-q"]) == 0
    return out


def test_finetune_trains_scores_and_names_the_dataset(mt_build, tiny_models, tmp_path, capsys,
                                                      monkeypatch):
    from transformers import AutoModelForSeq2SeqLM

    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "model"
    capsys.readouterr()
    code = main(["finetune", str(mt_build), "--pair", "en-ru", "--model", str(tiny_models["ru"]),
                 "--out", str(out), "--max-steps", "3", "--batch-size", "8",
                 "--max-new-tokens", "12", "-q"])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert cap.err == ""  # -q: no progress bars, no library logs, no trainer prints
    assert "3 steps" in cap.out and "BLEU" in cap.out and "chrF" in cap.out
    result = json.loads((out / "finetune.json").read_text())
    assert result["steps"] == 3 and result["train_rows"] > 0
    assert result["dataset"]["name"] == "tiny-mt" and result["dataset"]["version"] == "1.0.0"
    assert result["before"]["rows"] == result["after"]["rows"] > 0
    assert "tok:13a" in result["after"]["bleu_signature"]
    card = (out / "README.md").read_text()
    assert "**tiny-mt**" in card and "version **1.0.0**" in card and "config `en-ru`" in card
    assert "| before fine-tuning |" in card and "| after fine-tuning |" in card
    # the weights moved, and the folder loads as a model
    trained = AutoModelForSeq2SeqLM.from_pretrained(out)
    base = AutoModelForSeq2SeqLM.from_pretrained(tiny_models["ru"])
    assert any((a != b).any() for a, b in zip(trained.parameters(), base.parameters(), strict=True))
    # finetune.json lists every file written, and nothing is left beside the folder
    assert result["files"] == sorted(p.name for p in out.iterdir() if p.name != "finetune.json")
    assert {"README.md", "config.json", "model.safetensors"} <= set(result["files"])
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == ["model"]


def test_finetune_replaces_its_own_model_only(mt_build, tiny_models, tmp_path, capsys,
                                              monkeypatch):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "model"
    args = ["finetune", str(mt_build), "--pair", "en-ru", "--model", str(tiny_models["ru"]),
            "--out", str(out), "--batch-size", "8", "--eval-rows", "2", "--max-new-tokens", "4", "-q"]
    assert main([*args, "--max-steps", "1"]) == 0, capsys.readouterr().err
    assert main([*args, "--max-steps", "2"]) == 0, capsys.readouterr().err
    assert json.loads((out / "finetune.json").read_text())["steps"] == 2
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--max-steps", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{out}: holds files that are not part of its model: notes.txt" in err, err
    assert (out / "notes.txt").read_text() == "mine"
    assert json.loads((out / "finetune.json").read_text())["steps"] == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == ["model"]


@pytest.mark.parametrize("args, code, needle", [
    (["--pair", "en-de"], 2, "has no config 'en-de'"),
    (["--pair", "enru"], 2, "expected SRC-TGT"),
    (["--model", "./no-such-model"], 4, "no-such-model"),
])
def test_finetune_errors(mt_build, tiny_models, tmp_path, capsys, monkeypatch, args, code, needle):
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    base = {"--pair": "en-ru", "--model": str(tiny_models["ru"])}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [x for kv in base.items() for x in kv]
    assert main(["finetune", str(mt_build), *flat, "--out", str(tmp_path / "m"), "--max-steps", "1",
                 "-q"]) == code
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1
    assert not (tmp_path / "m").exists()


@pytest.mark.slow  # a subprocess or a large sweep: several seconds
def test_finetune_source_errors(tmp_path, capsys):
    assert main(["finetune", str(tmp_path / "missing"), "--pair", "en-ru", "--model", "m",
                 "--out", str(tmp_path / "m")]) == 3
    assert "not a dataset folder" in capsys.readouterr().err
    assert main(["finetune", "bad repo id", "--pair", "en-ru", "--model", "m",
                 "--out", str(tmp_path / "m")]) == 2
    assert "not valid on the Hub" in capsys.readouterr().err


def test_hub_source_is_loaded_at_the_revision(mt_build, monkeypatch):
    """A repo id goes to `datasets` with the revision, and the release's manifest is read
    from the repo at that revision (the Hub itself is not reachable here)."""
    import datasets
    import huggingface_hub

    from builder.mt.finetune import FinetuneSettings, load_pairs

    calls = []
    real_load, real_names = datasets.load_dataset, datasets.get_dataset_config_names

    def names(where, revision=None):
        calls.append(("names", where, revision))
        return real_names(str(mt_build))

    def load(where, config, revision=None):
        calls.append(("load", where, config, revision))
        return real_load(str(mt_build), config)

    def download(repo_id, filename, repo_type, revision):
        calls.append(("download", repo_id, filename, repo_type, revision))
        return str(mt_build / filename)

    monkeypatch.setattr(datasets, "load_dataset", load)
    monkeypatch.setattr(datasets, "get_dataset_config_names", names)
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", download)
    ds, described = load_pairs(FinetuneSettings(source="org/tiny-mt", pair="en-ru", model="m",
                                                out=mt_build.parent / "m", revision="v1.0.0"))
    assert ("load", "org/tiny-mt", "en-ru", "v1.0.0") in calls
    assert ("download", "org/tiny-mt", "manifest.json", "dataset", "v1.0.0") in calls
    assert described["version"] == "1.0.0" and described["revision"] == "v1.0.0"
    assert described["source"] == "org/tiny-mt" and ds["train"].num_rows > 0


@pytest.mark.slow
def test_finetune_killed_between_the_renames_is_repaired(mt_build, tiny_models, tmp_path,
                                                         monkeypatch):
    """`kill -9` between the two renames of the fallback swap (no exchange) leaves no --out:
    the next finetune puts the earlier model back before anything else, removes what the
    killed one left, then replaces the model whole."""
    from builder.mt.model_folder import claim_model_out
    from tests.release.test_kill_points import events, runner
    from tests.release.test_out_folder import snapshot

    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    work = tmp_path / "work"

    def args(root, steps):
        return ["finetune", str(mt_build), "--pair", "en-ru", "--model", str(tiny_models["ru"]),
                "--out", str(root / "model"), "--batch-size", "8", "--eval-rows", "2",
                "--max-new-tokens", "4", "--max-steps", str(steps), "-q"]

    assert main(args(work, 1)) == 0
    earlier = snapshot(work / "model")
    proc = runner(work, tmp_path / "kill.log", *args(work, 2), no_exchange=True,
                  kill_on="rename:.model.tmp-")
    assert proc.wait(timeout=600) == -9, proc.stderr.read()
    renames = [path for _, kind, path in events(tmp_path / "kill.log") if kind == "rename"]
    assert [path.split("-")[0] for path in renames] == ["model", ".model.tmp"], renames
    left = sorted(p.name.rsplit("-", 1)[0] for p in work.iterdir())
    assert left == [".model.lock", ".model.old", ".model.tmp"]  # no --out
    with claim_model_out(work / "model", []) as out:
        assert snapshot(out) == earlier
        assert sorted(p.name for p in work.iterdir()) == [".model.lock", "model"]
    assert main(args(work, 2)) == 0
    assert json.loads((work / "model" / "finetune.json").read_text())["steps"] == 2
    assert sorted(p.name for p in work.iterdir()) == ["model"]
