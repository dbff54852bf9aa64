"""`require`: an optional dependency imported, or one error line naming what to install,
chained to the ImportError so that `-v` shows the cause."""

import json
import sys

import pytest

from builder.cli import main
from builder.errors import ConfigError, ModelError
from builder.extras import require


def test_an_installed_module_is_returned():
    assert require("json", "mt", needed_by="x") is json


def test_a_missing_module_is_one_line_naming_it_and_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    with pytest.raises(ConfigError) as caught:
        require("ray", "ray", needed_by="--engine ray")
    assert str(caught.value) == "--engine ray needs ray: pip install 'bitext-builder[ray]'"
    assert isinstance(caught.value.__cause__, ImportError)


def test_error_class_and_install_hint_can_be_given(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ModelError, match=r"^embedding mode needs sentence_transformers: do X$"):
        require("sentence_transformers", "embeddings", needed_by="embedding mode",
                install="do X", error=ModelError)


def test_cli_shows_one_line_and_the_cause_only_with_verbose(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "lingua", None)
    config = tmp_path / "c.yaml"
    config.write_text("langid: {backend: lingua}\n", encoding="utf-8")
    args = ["build", str(config), "--out", str(tmp_path / "ds")]
    assert main([*args, "-q"]) == 2
    err = capsys.readouterr().err
    assert err == ("error: langid.backend lingua needs lingua: "
                   "pip install 'bitext-builder[lingua]'\n")
    assert main([*args, "-v"]) == 2
    err = capsys.readouterr().err
    assert "ImportError" in err or "ModuleNotFoundError" in err  # the chained cause
    assert "The above exception was the direct cause" in err
    assert err.rstrip().splitlines()[-1].startswith("error: langid.backend lingua needs lingua")
