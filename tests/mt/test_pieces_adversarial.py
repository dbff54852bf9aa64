"""Adversarial cases of the bulk tokenizer path and the fresh-QA path (an adversarial tester
found each on 46c1539, where each of these tests failed)."""

import json
import shutil
import struct

import pytest

from builder.config import BuildConfig, TranslateConfig
from builder.mt.models import resolve_models
from builder.mt.pieces import MarianPieces
from builder.mt.translator import Hypothesis, load_tokenizer, resolve_runtime

pytestmark = pytest.mark.mt


def _spec(path, **kw):
    config = BuildConfig(translate=TranslateConfig(targets=["ru"], models={"ru": str(path)}, **kw))
    (spec,) = resolve_models(config)
    return config, spec


# 1. An added token inside (or overlapping the end of) a leading `>>...<<` span. The fast
#    path looks for added tokens only after the code, but MarianTokenizer splits on added
#    tokens first (tokens_trie) and looks for a code in each piece after that.
@pytest.mark.parametrize("text", [">></s><<", ">><unk><< y", ">>x<</s> y", ">>x<<pad>"])
def test_an_added_token_inside_a_leading_code_span(tiny_models, text):
    _, spec = _spec(tiny_models["ru"])
    tok = load_tokenizer(spec)
    fast = MarianPieces(tok, spec.target_token)
    assert fast.fast
    want = tok([text])["input_ids"]
    assert fast.ids([text]) == want
    assert fast.count([text]) == [len(want[0])]
    assert fast.source_tokens([text]) == [tok.convert_ids_to_tokens(want[0])]


# 2. `TransformersTranslator._batch` pads on the tokenizer's side but always truncates on the
#    right; a tokenizer saved with `truncation_side: left` keeps the end of a long input.
def test_transformers_batch_truncates_on_the_tokenizers_side(tiny_models, tmp_path):
    from builder.mt.backends.transformers_marian import TransformersTranslator

    model = tmp_path / "left-truncating"
    shutil.copytree(tiny_models["ru"], model)
    cfg_file = model / "tokenizer_config.json"
    cfg = json.loads(cfg_file.read_text(encoding="utf-8"))
    cfg["truncation_side"] = "left"
    cfg_file.write_text(json.dumps(cfg), encoding="utf-8")
    config, spec = _spec(model, max_new_tokens=4, device="cpu", max_input_tokens=8)
    tr = TransformersTranslator(spec, config.translate, resolve_runtime(config.translate))
    assert tr.tokenizer.truncation_side == "left"
    texts = ["a much longer sentence than the limit of eight tokens allows here", "short"]
    want = tr.tokenizer(texts, return_tensors="pt", padding=True, truncation=True,
                        max_length=tr.max_input)
    got = tr._batch(tr.pieces.ids(texts))
    assert got["input_ids"].tolist() == want["input_ids"].tolist()


class _Stub:
    """A translator whose output depends on the batch it ran in (as float16/int8 GPU kernels
    can), or that returns a given score."""

    def __init__(self, score=-1.0, by_batch=True):
        self.calls, self.score, self.by_batch = 0, score, by_batch

    def count_tokens(self, texts):
        return [4] * len(texts)

    def __call__(self, texts):
        self.calls += 1
        tag = f" v{self.calls}" if self.by_batch else ""
        return [Hypothesis(f"{t}{tag}", self.score, False) for t in texts]


def _two_runs(config, spec, refs, stub):
    from builder.mt.stage import TranslateStage

    runs = []
    for _ in range(2):
        stage = TranslateStage(config)
        stage._translators[spec.target] = stub
        runs.append(list(stage.pairs(spec, lambda: [refs])))
        stage.close()
    return runs


# 3. A repeated text translated in two batches, the first kept in `_fresh` and the second
#    not (FRESH_LIMIT reached): the cache holds the second translation (INSERT OR REPLACE),
#    `pairs` gives the first, so a rebuild from the cache gives other pairs.
def test_fresh_limit_with_a_repeated_text_gives_the_cached_translation(tiny_models, tmp_path,
                                                                       monkeypatch):
    from builder.mt import stage as stage_module
    from builder.mt.stage import SegmentRef

    monkeypatch.setattr(stage_module, "FRESH_LIMIT", 3)
    config, spec = _spec(tiny_models["ru"], device="cpu", cache_dir=str(tmp_path / "cache"),
                         max_batch_size=2, max_batch_tokens=64)
    refs = [SegmentRef(f"p:{i}", "p", i, t, "train") for i, t in enumerate("abca")]
    first, second = _two_runs(config, spec, refs, _Stub())
    assert [p.target for p, _ in first] == [p.target for p, _ in second]


# 4. A score of -0.0 (what `round(-0.00004, 4)` gives for a confident translation) keeps
#    its sign in `_fresh` but comes back from SQLite as 0.0: the float32 written to Parquet
#    differs between a fresh build and one read from the cache.
def test_fresh_pairs_give_the_cached_score_bits(tiny_models, tmp_path):
    from builder.mt.stage import SegmentRef

    assert round(-0.00004, 4) == 0.0 and str(round(-0.00004, 4)) == "-0.0"
    config, spec = _spec(tiny_models["ru"], device="cpu", cache_dir=str(tmp_path / "cache"))
    refs = [SegmentRef("p:0", "p", 0, "5", "train")]
    first, second = _two_runs(config, spec, refs, _Stub(score=-0.0, by_batch=False))
    assert first == second  # == cannot see the sign of zero ...
    bits = [[struct.pack("<f", p.mt_score) for p, _ in run] for run in (first, second)]
    assert bits[0] == bits[1]  # ... the bytes of the Parquet column can
