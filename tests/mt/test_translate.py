"""Machine translation through the real loading and generation path, on tiny models."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from builder.cli import main
from builder.config import BuildConfig, QaConfig, TranslateConfig
from builder.mt.backends.transformers_marian import TransformersTranslator
from builder.mt.models import resolve_models
from builder.mt.qa import QualityChecker, has_repetition
from builder.mt.stage import token_budget_batches
from builder.mt.translator import resolve_runtime
from tests.helpers import ROOT, read_rows, write_mt_config


def test_token_budget_batches():
    lengths = [5, 1, 9, 3, 3, 7]
    batches = token_budget_batches(lengths, max_tokens=12, max_size=3)
    assert sorted(i for b in batches for i in b) == list(range(6))
    for b in batches:
        assert len(b) <= 3 and len(b) * max(lengths[i] for i in b) <= 12 or len(b) == 1
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat)


@pytest.mark.parametrize(
    "text, expected",
    [("a b c a b c a b c", True), ("the the the the", True), ("the cat sat on the mat", False),
     ("one two three", False)],
)
def test_repetition(text, expected):
    assert has_repetition(text, 3, 3) is expected


@pytest.mark.parametrize(
    "text, expected",
    [("我们我们我们我们去公园。", True),  # a loop written without spaces was one token
     ("的发展的发展的发展", True),
     ("发展经济发展经济发展经济", True),  # four characters looping: about two words
     ("ありがとうありがとうありがとう", True),
     ("我我我我我我我", True),
     ("He said 我们我们我们 twice", True),
     # a word recurring in a sentence is no loop, in Chinese as in English
     ("中国外交部发言人表示，中国愿同各方一道，推动中国同东盟关系发展。", False),
     ("哈哈哈", False),
     ("会谈将于下周在日内瓦继续进行。", False),
     ("So the talks 会谈 and the talks and the talks resumed.", True)],  # English n-grams still count
)
def test_repetition_in_text_written_without_spaces(text, expected):
    """Issue 11: words were counted by spaces, so a Chinese or Japanese output never looped."""
    assert has_repetition(text, 3, 3) is expected


@pytest.mark.parametrize(
    "text, expected",
    [("สวัสดีครับสวัสดีครับสวัสดีครับ", True),  # Thai: a run is one token, its words unknown
     ("การประชุมการประชุมการประชุมจะจัดขึ้น", True),
     ("ເຈົ້າເຈົ້າເຈົ້າ", True),  # Lao
     ("ការប្រជុំការប្រជុំការប្រជុំ", True),  # Khmer
     ("กระทรวงการต่างประเทศแถลงว่าการประชุมจะจัดขึ้นที่เจนีวาในสัปดาห์หน้า", False),
     ("สวัสดีครับสวัสดีครับ", False),  # twice is not three times
     ("นานา ประเทศ", False),
     ("ไทย 555555", False)],  # one character repeated is laughter, not a loop
)
def test_repetition_in_thai_lao_khmer(text, expected):
    assert has_repetition(text, 3, 3) is expected


def test_wrong_language_checked_on_text_written_without_spaces():
    """Issue 11: the check needed three space-separated words, which Chinese output lacks."""
    from builder.config import LangIdConfig
    from builder.text.langid import LanguageIdentifier

    detector = LanguageIdentifier(LangIdConfig(candidates=["en", "ru", "zh"]), "en")
    source = "The talks will continue next week in Geneva."
    to_ru = QualityChecker(QaConfig(), detector, "ru")
    assert "wrong_lang" in to_ru.flags(source, "会谈将于下周在日内瓦继续进行。", False)
    assert "wrong_lang" not in to_ru.flags(source, "Переговоры продолжатся на следующей неделе.", False)
    to_zh = QualityChecker(QaConfig(), detector, "zh")
    assert "wrong_lang" not in to_zh.flags(source, "会谈将于下周在日内瓦继续进行。", False)
    assert "wrong_lang" in to_zh.flags(source, "Переговоры продолжатся на следующей неделе.", False)


def test_qa_flags_and_drop():
    qa = QualityChecker(QaConfig(drop_flags=["copy"]))
    assert qa.flags("Same words here.", "same  words here.", False) == ["copy"]
    assert qa.drop_reason(["copy"]) == "mt_copy"
    assert "length_ratio" in qa.flags("A fairly long source sentence.", "x", False)
    assert "truncated" in qa.flags("abc def", "ghi jkl", True)


def _spec(tiny_models, key="ru", targets=("ru",)):
    config = BuildConfig(translate=TranslateConfig(
        targets=list(targets), models={t: str(tiny_models[key]) for t in targets},
        max_new_tokens=10))
    return config, resolve_models(config)


def test_batch_order_restored(tiny_models):
    config, (spec,) = _spec(tiny_models)
    tr = TransformersTranslator(spec, config.translate, resolve_runtime(config.translate))
    texts = ["A short one.", "A much longer sentence about the talks in Moscow today.", "Hi there"]
    batched = tr(texts)
    single = [tr([t])[0] for t in texts]
    assert [h.text for h in batched] == [h.text for h in single]
    assert len({h.text for h in batched}) == 3  # outputs depend on inputs
    assert all(h.score < 0 for h in batched)


def test_multi_target_tokens(tiny_models):
    config, specs = _spec(tiny_models, "mul", ("ru", "de"))
    assert [s.target_token for s in specs] == [">>ru<<", ">>de<<"]
    runtime = resolve_runtime(config.translate)
    ru, de = (TransformersTranslator(s, config.translate, runtime) for s in specs)
    assert ru(["The talks went well."])[0].text != de(["The talks went well."])[0].text


def test_ct2_greedy_matches_transformers(tiny_models, tmp_path):
    pytest.importorskip("ctranslate2")
    from builder.mt.backends.ctranslate2_marian import CT2Translator

    config, (spec,) = _spec(tiny_models)
    settings = config.translate.model_copy(update={"backend": "ctranslate2",
                                                   "compute_type": "float32", "device": "cpu"})
    ct2 = CT2Translator(spec, settings, resolve_runtime(settings), tmp_path)
    hf = TransformersTranslator(spec, config.translate, resolve_runtime(config.translate))
    texts = ["The two Ministers praised the dynamics of cooperation.", "Who could disagree?"]
    tok = hf.tokenizer
    for text in texts:
        enc = tok([text], return_tensors="pt")
        out = hf.model.generate(**enc, max_new_tokens=10, num_beams=1, do_sample=False)
        hf_tokens = tok.convert_ids_to_tokens(out[0][1:])
        ct2_tokens = ct2.translator.translate_batch(
            ct2.tokens([text]), beam_size=1, max_decoding_length=10)[0].hypotheses[0]
        # transformers forces </s> at the last step: its output is one token shorter
        assert hf_tokens[:-1] == ct2_tokens[: len(hf_tokens) - 1]
    # converted once, then reused from the cache folder
    assert len(list((tmp_path / "ct2").iterdir())) == 1


def test_tiny_mt_build_and_cache(tiny_models, tmp_path):
    cfg = write_mt_config(tmp_path / "c.yaml", {"ru": tiny_models["ru"]}, tmp_path / "cache")
    out = tmp_path / "ds"
    assert main(["build", str(cfg), "--out", str(out), "-q"]) == 0
    from datasets import load_dataset

    ds = load_dataset(str(out), "en-ru", cache_dir=str(tmp_path / "hf"))
    segs = {r["id"]: r for r in read_rows(out, "segments")}
    pairs = read_rows(out, "en-ru")
    assert len(pairs) == len(segs) and {p["id"] for p in pairs} == set(segs)
    for p in pairs:
        assert p["translation"]["en"] == segs[p["id"]]["text"]
        assert p["mt_model"].startswith("tiny-en-ru@sha256:")
    assert ds["train"].features["translation"].languages == ["en", "ru"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["models"][0]["revision"].startswith("sha256:")
    assert manifest["counts"]["translate"]["ru"]["pairs"] == len(pairs)
    card = (out / "README.md").read_text()
    assert "machine translations" in card and "machine-generated" in card
    # a rebuild into another folder takes every translation from the cache
    from builder.config import load_config
    from builder.pipeline import build

    result = build(load_config(cfg), tmp_path / "ds2")
    assert result.translated == {}
    for rel in ("data/en-ru/train-00000-of-00001.parquet", "manifest.json", "README.md"):
        assert (out / rel).read_bytes() == (tmp_path / "ds2" / rel).read_bytes()


def test_two_targets_and_multiway(tiny_models, tmp_path):
    models = {"ru": tiny_models["mul"], "de": tiny_models["mul"]}
    cfg = write_mt_config(tmp_path / "c.yaml", models, tmp_path / "cache", targets=("ru", "de"))
    out = tmp_path / "ds"
    assert main(["build", str(cfg), "--out", str(out), "-q", "--targets", "ru,de"]) == 0
    from datasets import load_dataset

    ids = {r["id"] for r in read_rows(out, "segments")}
    for name in ("en-ru", "en-de", "multiway"):
        ds = load_dataset(str(out), name, cache_dir=str(tmp_path / "hf"))
        assert sum(ds[s].num_rows for s in ds) == len(ids)
    multi = read_rows(out, "multiway")
    assert {r["id"] for r in multi} == ids
    assert set(multi[0]["translation"]) == {"en", "ru", "de"}


def test_incremental_rebuild_translates_only_new(tiny_models, tmp_path):
    from builder.config import load_config, override
    from builder.pipeline import build

    cfg = load_config(write_mt_config(tmp_path / "c.yaml", {"ru": tiny_models["ru"]},
                                      tmp_path / "cache"))
    first = build(cfg, tmp_path / "a")
    assert first.translated["ru"] == first.counts["segments"]["kept"]
    extra = tmp_path / "new.txt"
    extra.write_text("Forwarded from Chan\nA brand new post about the weather in Kazan today.\n",
                     encoding="utf-8")
    cfg2 = override(cfg, {"input.paths": [*cfg.input.paths, str(extra)], "version": "1.1.0"})
    second = build(cfg2, tmp_path / "b")
    assert second.translated == {"ru": 1}


@pytest.mark.parametrize(
    "targets, models, code, needle",
    [
        ("ru", {"ru": "/nonexistent/model"}, 4, "does not exist"),
        ("fr", {}, 4, "cannot get model Helsinki-NLP/opus-mt-en-fr"),
        ("xx", {}, 2, "'xx' is not an ISO 639-1 language code"),
        ("en", {}, 2, "source language itself"),
        ("fr", {"fr": "MUL"}, 2, "has no token for 'fr'"),
    ],
)
def test_model_errors(tiny_models, tmp_path, capsys, targets, models, code, needle):
    models = {k: str(tiny_models["mul"]) if v == "MUL" else v for k, v in models.items()}
    cfg = write_mt_config(tmp_path / "c.yaml", models, tmp_path / "cache", targets=(targets,))
    out = tmp_path / "out"
    assert main(["build", str(cfg), "--out", str(out)]) == code
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.slow
def test_kill_and_resume_gives_identical_files(tiny_models, tmp_path):
    def config(cache):
        return write_mt_config(tmp_path / f"{cache}.yaml", {"ru": tiny_models["ru"]},
                               tmp_path / cache, max_batch_size=2, max_new_tokens=48,
                               threads=1)  # a score's last digit depends on the thread count

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    killed_out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "builder", "build", str(config("cache1")), "--out",
           str(killed_out), "-q"]
    proc = subprocess.Popen(cmd, env=env)
    db = tmp_path / "cache1" / "translations.sqlite3"
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if db.exists():
            try:
                done = sqlite3.connect(db).execute("SELECT count(*) FROM mt").fetchone()[0]
            except sqlite3.Error:
                continue
            if done >= 20:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "build finished before it could be killed"
    assert 20 <= done < 194 and not killed_out.exists()
    assert subprocess.run(cmd, env=env).returncode == 0
    clean_out = tmp_path / "clean"
    assert main(["build", str(config("cache2")), "--out", str(clean_out), "-q"]) == 0
    files = sorted(p.relative_to(clean_out) for p in clean_out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(killed_out) for p in killed_out.rglob("*") if p.is_file())
    for rel in files:
        assert (clean_out / rel).read_bytes() == (killed_out / rel).read_bytes(), rel


def test_threads_pinned_for_the_translator_and_put_back(tiny_models, tmp_path):
    import torch

    from builder.mt.stage import TranslateStage

    before = torch.get_num_threads()
    pinned = 1 if before != 1 else 2
    config = BuildConfig(translate=TranslateConfig(
        targets=["ru"], models={"ru": str(tiny_models["ru"])}, threads=pinned,
        cache_dir=str(tmp_path / "cache")))
    stage = TranslateStage(config)
    (spec,) = resolve_models(config)
    tr = stage.translator_for(spec)
    assert torch.get_num_threads() == pinned
    assert tr(["One sentence."])[0].text
    stage.close()
    assert torch.get_num_threads() == before


def test_repetition_shortcut_gives_the_full_search_answer(monkeypatch):
    """The shortcut (no word found `count` times: no repetition) answers as the n-gram search
    does, on random texts of a few words (many repeats), Chinese text and mixed scripts."""
    import random

    from builder.mt import qa

    class Always(dict):  # a Counter whose most common word always reaches the count
        def __init__(self, words):
            super().__init__({w: 10**6 for w in words} or {"": 10**6})

    rng = random.Random(7)
    vocab = ["a", "b", "c", "the", "我们", "好", "d", "e", "x"]
    texts = [" ".join(rng.choice(vocab[: rng.randint(2, 9)]) for _ in range(rng.randint(0, 14)))
             for _ in range(3000)]
    texts += ["我们我们我们", "一二三一二三一二三", "a b a b a b", "the cat the dog the end", ""]
    for n, count in [(3, 3), (2, 2), (1, 4), (4, 3)]:
        fast = [qa.has_repetition(t, n, count) for t in texts]
        with monkeypatch.context() as m:
            m.setattr(qa, "Counter", lambda it=(): Always(it) if isinstance(it, list) else Counter(it))
            full = [qa.has_repetition(t, n, count) for t in texts]
        assert fast == full
        assert any(fast) and not all(fast)
