"""The bulk tokenizer path (`builder/mt/pieces.py`) gives what `MarianTokenizer` gives, and the
backends built on it translate as before, batch by batch or streamed."""

import pytest

from builder.config import BuildConfig, TranslateConfig
from builder.mt.models import resolve_models
from builder.mt.pieces import MarianPieces
from builder.mt.translator import load_tokenizer, resolve_runtime
from tests.helpers import ROOT

pytestmark = pytest.mark.mt

ODD = [
    "", " ", "a", "  two  spaces  inside  ", "tab\there\nnewline\r\nCRLF",
    "</s> inside a sentence", "x <unk> y", "<pad>", "ends with </s>", "<unk><pad></s>",
    ">>de<< a code of another model", ">>ru<< a code first", " >>ru<< after a space", ">> no end",
    "ends with <<", ">>", "<<>>", "NBSP\u00a0and\u2009thin\u202fspaces", "zero\u200bwidth\u200dJ",
    "e\u0301 combining vs \u00e9", "ﬁ ligature, ① circled, Ｆｕｌｌ width", "😀 🇷🇺 👍🏽 emoji",
    "Кириллица «кавычки» — тире № 5", "中文，日本語のテキスト。한국어", "עברית ومرحبا",
    "control\x00\x01\x7f chars", "lone surrogate-free \U0001d400 math", "x" * 3000,
    "The word " + "very " * 400 + "long.",
]


def corpus() -> list[str]:
    text = (ROOT / "builder/data/telegram_channel_sample.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()][:400] + ODD


@pytest.fixture(scope="module", params=["ru", "mul"])
def tokenizer_and_code(request, tiny_models):
    config = BuildConfig(translate=TranslateConfig(
        targets=["ru"], models={"ru": str(tiny_models[request.param])}))
    (spec,) = resolve_models(config)
    return load_tokenizer(spec), spec.target_token


def test_fast_path_gives_the_tokenizers_ids_pieces_and_texts(tokenizer_and_code):
    tok, code = tokenizer_and_code
    fast = MarianPieces(tok, code)
    assert fast.fast
    texts = corpus()
    if code:
        texts += [f"{code} {t}" for t in texts]
    want = tok(texts)["input_ids"]
    assert fast.ids(texts) == want
    assert fast.count(texts) == [len(ids) for ids in want]
    assert fast.source_tokens(texts) == [tok.convert_ids_to_tokens(ids) for ids in want]
    assert fast.decode_ids(want) == [tok.decode(ids, skip_special_tokens=True) for ids in want]
    pieces = [tok.convert_ids_to_tokens(ids) for ids in want]
    pieces.append(["▁not", "-a-piece-of-the-vocab", "</s>"])  # what an engine may return
    assert fast.decode_pieces(pieces) == [
        tok.decode(tok.convert_tokens_to_ids(p), skip_special_tokens=True) for p in pieces]


def test_a_tokenizer_the_fast_path_disagrees_with_is_used_as_it_is(tiny_models):
    config = BuildConfig(translate=TranslateConfig(targets=["ru"], models={"ru": str(tiny_models["ru"])}))
    (spec,) = resolve_models(config)
    tok = load_tokenizer(spec)
    # a tokenizer that does more than the fast path knows (here: lower-cases first), as a
    # future version might: the load-time check sees it and every call goes through it
    plain = tok._tokenize
    tok._tokenize = lambda text: plain(text.lower())
    fast = MarianPieces(tok, None)
    assert not fast.fast
    texts = corpus()[:50]
    want = tok(texts)["input_ids"]
    assert fast.ids(texts) == want
    assert fast.decode_ids(want) == [tok.decode(ids, skip_special_tokens=True) for ids in want]


def _translate_config(tiny_models, **kw) -> tuple:
    config = BuildConfig(translate=TranslateConfig(
        targets=["ru"], models={"ru": str(tiny_models["ru"])}, max_new_tokens=8, device="cpu",
        max_input_tokens=12, **kw))
    (spec,) = resolve_models(config)
    return config.translate, spec


def test_transformers_batches_match_the_tokenizers_padding_and_truncation(tiny_models):
    from builder.mt.backends.transformers_marian import TransformersTranslator

    settings, spec = _translate_config(tiny_models)
    tr = TransformersTranslator(spec, settings, resolve_runtime(settings))
    texts = ["short", "a much longer sentence than the limit of twelve tokens allows here", "", "mid size one"]
    got = tr._batch(tr.pieces.ids(texts))
    want = tr.tokenizer(texts, return_tensors="pt", padding=True, truncation=True, max_length=tr.max_input)
    assert got["input_ids"].tolist() == want["input_ids"].tolist()
    assert got["attention_mask"].tolist() == want["attention_mask"].tolist()
    out = tr(texts)
    assert [h.truncated for h in out][1] is True
    assert list(tr.stream([texts[:2], texts[2:]])) == [tr(texts[:2]), tr(texts[2:])]


def test_ct2_stream_gives_each_batch_what_a_call_gives(tiny_models, tmp_path):
    pytest.importorskip("ctranslate2")
    from builder.mt.backends.ctranslate2_marian import CT2Translator

    settings, spec = _translate_config(tiny_models, backend="ctranslate2", compute_type="float32",
                                       threads=1)
    ct2 = CT2Translator(spec, settings, resolve_runtime(settings), tmp_path)
    lines = corpus()
    batches = [lines[i : i + 7] for i in range(0, 70, 7)] + [ODD[:3]]
    assert not ct2.overlap  # on the CPU batch after batch; on a GPU overlapped, as here:
    ct2.overlap = True
    streamed = list(ct2.stream(iter(batches)))
    assert streamed == [ct2(b) for b in batches]
    ct2.overlap = False
    assert list(ct2.stream(iter(batches))) == streamed
    assert any(h.truncated for b in streamed for h in b)


@pytest.mark.parametrize("limit", [200_000, 5])
def test_pairs_from_fresh_translations_equal_pairs_from_the_cache(tiny_models, tmp_path, monkeypatch, limit):
    """QA run by the engine on its finished batches (kept up to FRESH_LIMIT) gives the pairs
    and flags that a later run, reading every translation from the cache, gives."""
    from builder.mt import stage as stage_module
    from builder.mt.stage import SegmentRef, TranslateStage

    monkeypatch.setattr(stage_module, "FRESH_LIMIT", limit)
    config = BuildConfig(translate=TranslateConfig(
        targets=["ru"], models={"ru": str(tiny_models["ru"])}, max_new_tokens=8, device="cpu",
        cache_dir=str(tmp_path / "cache"), max_batch_size=4, max_batch_tokens=64))
    (spec,) = resolve_models(config)
    lines = corpus()[:30] + corpus()[:3]  # repeated texts too
    refs = [SegmentRef(f"p:{i}", "p", i, t, "train") for i, t in enumerate(lines)]
    runs = []
    for _ in range(2):
        stage = TranslateStage(config)
        runs.append((list(stage.pairs(spec, lambda: [refs[:20], refs[20:]])),
                     dict(stage.flag_counts["ru"]), stage.translated["ru"]))
        stage.close()
    (first, flags1, new1), (second, flags2, new2) = runs
    assert new1 == len(lines) and new2 == 0
    assert first == second and flags1 == flags2
    assert any(pair.qa_flags for pair, _ in first)
