"""`finetune`: train a MarianMT model on a pair config of a built dataset (a local folder, or
a Hub repo at a revision): tokenize with `text_target`, train with `Seq2SeqTrainer`, score
BLEU and chrF with sacrebleu on the validation split before and after, and save the model
with a card that names the dataset and its version. --out is guarded, locked, written to a
temporary sibling and swapped into place as a build's is (`model_folder`), so a failed or
killed run leaves the old --out whole."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from builder.errors import ConfigError, InputError, ModelError
from builder.extras import require
from builder.mt.model_folder import claim_model_out, write_result
from builder.output.layout import MANIFEST_FILE
from builder.release.history import replace_dir
from builder.release.out_folder import temporary_sibling

log = logging.getLogger(__name__)
EXTRA_HINT = "pip install torch==2.13.0 and pip install 'bitext-builder[finetune]'"


@dataclass(frozen=True)
class FinetuneSettings:
    source: str  # a dataset folder, or a Hub dataset repo id
    pair: str  # "en-ru": source and target language of the translation column
    model: str  # a Hub model id or a local folder
    out: Path
    config: str | None = None  # default: the pair ("en-ru"); "en-ru-aligned" for human pairs
    revision: str | None = None  # Hub revision of the dataset, e.g. v1.1.0
    max_steps: int | None = None  # overrides epochs
    epochs: float = 1.0
    batch_size: int = 16
    learning_rate: float = 5e-5
    max_length: int = 128  # tokens per side, longer inputs are cut
    max_new_tokens: int = 128  # when translating the validation split
    num_beams: int = 1
    eval_rows: int | None = None  # validation rows scored (default: all)
    seed: int = 0


@dataclass(frozen=True)
class Scores:
    rows: int
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str


@dataclass
class FinetuneResult:
    out: Path
    dataset: dict
    train_rows: int
    steps: int
    before: Scores | None
    after: Scores | None
    settings: dict = field(default_factory=dict)


def _requirements():
    for module in ("accelerate", "sacrebleu", "torch", "transformers"):
        require(module, "finetune", needed_by="finetune", install=EXTRA_HINT)
    import sacrebleu  # noqa: PLC0415
    import transformers  # noqa: PLC0415

    return transformers, sacrebleu


def _languages(pair: str) -> tuple[str, str]:
    src, sep, tgt = pair.partition("-")
    if not sep or not src.isalpha() or not tgt.isalpha():
        raise ConfigError(f"--pair {pair}: expected SRC-TGT, e.g. en-ru")
    return src, tgt


def load_pairs(settings: FinetuneSettings):
    """(DatasetDict, description of the dataset: where, config, revision, version)."""
    from datasets import get_dataset_config_names, load_dataset  # noqa: PLC0415

    from builder.release.repo_id import check_repo_id  # noqa: PLC0415

    src, tgt = _languages(settings.pair)
    config = settings.config or settings.pair
    local = Path(settings.source)
    if local.is_dir():
        where, revision = str(local), None
        described = _local_description(local)
    elif local.exists() or settings.source.startswith((".", "/")):
        raise InputError(f"{local.resolve()}: not a dataset folder")
    else:
        where, revision = check_repo_id(settings.source), settings.revision
        described = _hub_description(where, revision)
    try:
        names = get_dataset_config_names(where, revision=revision)
    except Exception as err:  # noqa: BLE001 - unreachable Hub, missing repo: one line
        raise InputError(f"{where}: cannot read the dataset ({_first_line(err)})") from err
    if config not in names:
        raise ConfigError(f"{where}: has no config {config!r} (it has {', '.join(names)}); "
                          "build with --targets, or pass --config")
    try:
        ds = load_dataset(where, config, revision=revision)
    except Exception as err:  # noqa: BLE001
        raise InputError(f"{where}: config {config!r} does not load ({_first_line(err)})") from err
    if "train" not in ds:
        raise InputError(f"{where}: config {config!r} has no train split")
    features = ds["train"].features.get("translation")
    langs = getattr(features, "languages", None) or []
    if src not in langs or tgt not in langs:
        raise ConfigError(f"{where}: config {config!r} translates {'/'.join(langs) or 'nothing'}, "
                          f"not {settings.pair}")
    return ds, {"source": where if revision is None else settings.source, "config": config,
                "revision": revision, **described}


def _first_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:300]


def _local_description(root: Path) -> dict:
    try:
        manifest = json.loads((root / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"name": root.name, "version": None, "signature": None}
    return {"name": manifest["dataset"]["name"], "version": manifest["dataset"]["version"],
            "signature": manifest.get("signature")}


def _hub_description(repo_id: str, revision: str | None) -> dict:
    from huggingface_hub import hf_hub_download  # noqa: PLC0415

    try:
        path = hf_hub_download(repo_id, MANIFEST_FILE, repo_type="dataset", revision=revision)
        return _local_description(Path(path).parent)
    except Exception:  # noqa: BLE001 - a dataset without our manifest is still a dataset
        version = revision[1:] if revision and revision.startswith("v") else revision
        return {"name": repo_id, "version": version, "signature": None}


def _load_model(transformers, model: str):
    try:
        tok = transformers.AutoTokenizer.from_pretrained(model)
        net = transformers.AutoModelForSeq2SeqLM.from_pretrained(model)
    except Exception as err:  # noqa: BLE001 - every load failure is one model error line
        shown = Path(model).resolve() if Path(model).exists() or model.startswith((".", "/")) else model
        raise ModelError(f"model {shown}: cannot load ({_first_line(err)})") from err
    return tok, net


def translate(net, tok, texts: list[str], settings: FinetuneSettings, batch: int = 32) -> list[str]:
    import torch  # noqa: PLC0415

    net.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), batch):
            enc = tok(texts[i:i + batch], return_tensors="pt", padding=True, truncation=True,
                      max_length=settings.max_length).to(net.device)
            ids = net.generate(**enc, max_new_tokens=settings.max_new_tokens,
                               num_beams=settings.num_beams)
            out += tok.batch_decode(ids, skip_special_tokens=True)
    return out


def score(sacrebleu, net, tok, rows, settings: FinetuneSettings) -> Scores:
    src, tgt = _languages(settings.pair)
    sources = [r[src] for r in rows]
    refs = [r[tgt] for r in rows]
    hyps = translate(net, tok, sources, settings)
    bleu = sacrebleu.metrics.BLEU()
    chrf = sacrebleu.metrics.CHRF()
    return Scores(len(rows), round(bleu.corpus_score(hyps, [refs]).score, 2),
                  round(chrf.corpus_score(hyps, [refs]).score, 2),
                  str(bleu.get_signature()), str(chrf.get_signature()))


def datasets_cache() -> Path:
    """The datasets library's cache folder, as `datasets.config.HF_DATASETS_CACHE` sets it,
    without importing `datasets` (seconds) when it is not loaded yet."""
    if "datasets" in sys.modules:
        from datasets import config as datasets_config  # noqa: PLC0415

        return Path(datasets_config.HF_DATASETS_CACHE)
    home = os.path.expanduser(os.getenv(
        "HF_HOME", os.path.join(os.getenv("XDG_CACHE_HOME", "~/.cache"), "huggingface")))
    return Path(os.getenv("HF_DATASETS_CACHE", os.path.join(home, "datasets")))


def protected_paths(settings: FinetuneSettings) -> list[Path]:
    """What a finetune reads or keeps, which its --out must never be or hold: the dataset
    folder, a local model, the datasets and Hub caches."""
    from huggingface_hub import constants  # noqa: PLC0415

    local = [Path(p) for p in (settings.source, settings.model) if Path(p).exists()]
    return [*local, datasets_cache(), Path(constants.HF_HUB_CACHE)]


def finetune(settings: FinetuneSettings, *, progress: bool = False) -> FinetuneResult:
    # the guard first: a refused --out is told at once, before seconds of imports
    with claim_model_out(Path(settings.out), protected_paths(settings)) as out:
        transformers, sacrebleu = _requirements()
        return _finetune(settings, out, transformers, sacrebleu, progress)


def _finetune(settings: FinetuneSettings, out: Path, transformers, sacrebleu,
              progress: bool) -> FinetuneResult:
    ds, described = load_pairs(settings)
    tok, net = _load_model(transformers, settings.model)
    src, tgt = _languages(settings.pair)
    eval_split = "validation" if "validation" in ds else None
    eval_rows = []
    if eval_split:
        n = len(ds[eval_split]) if settings.eval_rows is None else min(settings.eval_rows, len(ds[eval_split]))
        eval_rows = ds[eval_split].select(range(n))["translation"]
    else:
        log.warning("%s: no validation split; scores are not computed", described["source"])

    t0 = time.perf_counter()
    before = score(sacrebleu, net, tok, eval_rows, settings) if eval_rows else None
    if before:
        log.info("validation before: BLEU %s, chrF %s (%d rows)", before.bleu, before.chrf, before.rows)

    def encode(batch):
        return tok([p[src] for p in batch["translation"]],
                   text_target=[p[tgt] for p in batch["translation"]],
                   max_length=settings.max_length, truncation=True)

    train = ds["train"].map(encode, batched=True, remove_columns=ds["train"].column_names)
    tmp = temporary_sibling(out)
    try:
        args = transformers.Seq2SeqTrainingArguments(
            output_dir=str(tmp / "trainer"), per_device_train_batch_size=settings.batch_size,
            learning_rate=settings.learning_rate, num_train_epochs=settings.epochs,
            max_steps=settings.max_steps or -1, seed=settings.seed, data_seed=settings.seed,
            save_strategy="no", eval_strategy="no", report_to="none", logging_steps=10,
            disable_tqdm=not progress, dataloader_num_workers=0,
            dataloader_pin_memory=net.device.type == "cuda",
        )
        trainer = transformers.Seq2SeqTrainer(
            model=net, args=args, train_dataset=train, processing_class=tok,
            data_collator=transformers.DataCollatorForSeq2Seq(tok, model=net),
        )
        trainer.remove_callback(transformers.PrinterCallback)  # it prints to stdout; we log
        state = trainer.train()
        log.info("trained %d steps in %.1f s, loss %.4f", state.global_step,
                 state.metrics.get("train_runtime", 0.0), state.metrics.get("train_loss", 0.0))
        after = score(sacrebleu, net, tok, eval_rows, settings) if eval_rows else None
        if after:
            log.info("validation after: BLEU %s, chrF %s", after.bleu, after.chrf)
        shutil.rmtree(tmp / "trainer", ignore_errors=True)
        net.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        result = FinetuneResult(out, described, len(train), int(state.global_step), before, after,
                                settings=_recorded(settings))
        from builder.mt.model_card import model_card  # noqa: PLC0415

        (tmp / "README.md").write_text(model_card(result), encoding="utf-8")
        write_result(tmp, _result_json(result))
        replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.debug("finetune: %d steps, %.1f s", result.steps, time.perf_counter() - t0)
    return result


def _recorded(settings: FinetuneSettings) -> dict:
    data = asdict(settings)
    data["out"] = Path(settings.out).name
    if Path(settings.model).exists():
        data["model"] = Path(settings.model).name  # no absolute path in what we write
    if Path(settings.source).exists():
        data["source"] = Path(settings.source).name
    return data


def _result_json(result: FinetuneResult) -> dict:
    dataset = dict(result.dataset)
    if Path(dataset["source"]).exists():
        dataset["source"] = Path(dataset["source"]).name
    return {"dataset": dataset, "train_rows": result.train_rows, "steps": result.steps,
            "before": asdict(result.before) if result.before else None,
            "after": asdict(result.after) if result.after else None,
            "settings": result.settings}
