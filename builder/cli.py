"""Command line: the only place that prints, configures logging and maps errors to exit codes."""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from pathlib import Path

from builder import __version__
from builder.cli_logging import quiet_libraries, setup_logging
from builder.config import FORMATS, input_build_config, load_config, override, sample_config
from builder.errors import BuilderError, ConfigError

log = logging.getLogger("builder")


DESCRIPTION = """Turn exported Telegram channel posts into a versioned translation/alignment
dataset (Parquet + dataset card + manifest), publish it to the Hugging Face Hub, and fine-tune
MarianMT on it. Run `bitext-builder COMMAND --help` for a command's options."""

EXIT_CODES = """exit codes:
  0  success
  1  anything else (including a failed verify)
  2  usage or config error
  3  input error (missing, unreadable, malformed, unknown format)
  4  model error
  5  publish error (the Hub refused or cannot be reached)
"""

EXAMPLES = """examples:
  bitext-builder build                                  # the bundled sample -> dist/telegram-channel-sample
  bitext-builder build my.yaml --version 1.1.0 --targets ru
  bitext-builder publish dist/my --repo-id org/my-dataset --dry-run
  bitext-builder finetune dist/my --pair en-ru --model Helsinki-NLP/opus-mt-en-ru --out model/
"""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs.setdefault("epilog", EXIT_CODES)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # usage errors exit 2 with one line
        self.exit(2, f"{self.prog}: error: {message}\n")


def _verbosity(p: argparse.ArgumentParser, top: bool) -> None:
    """-q/-v on the top level and on every subcommand; a subcommand's flag only overrides
    when given (SUPPRESS), so `bitext-builder -q build` and `build -q` both work."""
    default = False if top else argparse.SUPPRESS
    group = p.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="warnings and errors only: no progress bars, no library logs")
    group.add_argument("-v", "--verbose", action="store_true", default=default,
                       help="debug logs (each step's start, counts and time) and tracebacks")


def _repo_id(text: str) -> str:
    from builder.release.repo_id import check_repo_id  # noqa: PLC0415

    try:
        return check_repo_id(text)
    except ConfigError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _at_least(low: int):
    """An argparse type: a whole number `low` or more."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"expected a whole number, {low} or more, got {text!r}")
        return value

    parse.__name__ = f"whole number >= {low}"
    return parse


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bitext-builder", description=DESCRIPTION, epilog=EXIT_CODES + "\n" + EXAMPLES)
    p.add_argument("--version", action="version", version=f"bitext-builder {__version__}",
                   help="print the builder's version and exit")
    _verbosity(p, top=True)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    def command(name: str, text: str, example: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".",
                            epilog=f"{EXIT_CODES}\nexample:\n  {example}\n")
        _verbosity(sp, top=False)
        return sp

    b = command("build", "build a dataset (no CONFIG: the bundled sample)",
                "bitext-builder build my.yaml --input export/result.json --version 1.1.0")
    b.add_argument("config", nargs="?", metavar="CONFIG",
                   help="YAML config (default: the bundled sample)")
    b.add_argument("--input", action="append", metavar="PATH", help="input file or folder (repeatable)")
    b.add_argument("--format", choices=FORMATS, help="input format (default: auto-detect)")
    b.add_argument("--chat", metavar="NAME_OR_ID", help="chat to read from a full Desktop export")
    b.add_argument("--targets", metavar="LANGS", help="translate into these languages, e.g. ru,de")
    b.add_argument("--engine", choices=("local", "ray"),
                   help="where the build runs: local processes, or Ray (every step, translation "
                        "included)")
    b.add_argument("--workers", type=_at_least(0), metavar="N",
                   help="processes for the per-post steps (default: one per core; in-process "
                        "for a small input; 0: in-process)")
    b.add_argument("--ray-address", metavar="ADDR",
                   help="join a Ray cluster ('auto', 'ray://host:10001'); default: start one")
    b.add_argument("--parallel-input", action="append", metavar="LANG=PATH",
                   help="a sister channel with human translations (repeatable)")
    b.add_argument("--name", metavar="NAME",
                   help="dataset name (default: the config's; an --input build without a config: "
                        "the input's main channel, else its file name)")
    b.add_argument("--out", metavar="DIR", help="output folder (default: dist/<name>)")
    b.add_argument("--version", dest="dataset_version", metavar="X.Y.Z",
                   help="dataset version (default: the config's)")
    b.add_argument("--force", action="store_true",
                   help="overwrite a different build of the same or a newer version")

    c = command("check-config", "validate a config and check that its inputs exist, without building",
                "bitext-builder check-config my.yaml")
    c.add_argument("config", metavar="CONFIG", help="YAML config to check")

    i = command("inspect", "counts per config/split, languages, sample rows",
                "bitext-builder inspect dist/my --rows 5")
    i.add_argument("dir", metavar="DIR", help="a dataset folder this tool built")
    i.add_argument("--rows", type=_at_least(0), default=2, metavar="N",
                   help="sample rows to show per config (default: 2)")
    i.add_argument("--json", action="store_true", help="print the report as JSON")

    v = command("verify", "hashes vs manifest, card metadata, load_dataset round trip",
                "bitext-builder verify dist/my")
    v.add_argument("dir", metavar="DIR", help="a dataset folder this tool built")

    d = command("diff", "rows added/removed/changed and split moves between two builds",
                "bitext-builder diff old/my dist/my")
    d.add_argument("old_dir", metavar="OLD_DIR", help="the earlier build")
    d.add_argument("new_dir", metavar="NEW_DIR", help="the later build")
    d.add_argument("--json", action="store_true", help="machine-readable report")

    pub = command("publish", "verify, upload in one commit, tag v<version>",
                  "bitext-builder publish dist/my --repo-id org/my-dataset --dry-run")
    pub.add_argument("dir", metavar="DIR", help="a dataset folder this tool built")
    pub.add_argument("--repo-id", required=True, metavar="ORG/NAME", type=_repo_id,
                     help="dataset repo on the Hub, e.g. org/my-dataset (checked before anything else)")
    pub.add_argument("--dry-run", action="store_true", help="print every operation, touch nothing")
    pub.add_argument("--private", action="store_true", help="create the repo private")

    al = command("align", "align two documents given one sentence per line",
                 "bitext-builder align doc.de doc.fr --src-lang de --tgt-lang fr --format tsv")
    al.add_argument("src", metavar="SRC", help="source document, one sentence per line (UTF-8)")
    al.add_argument("tgt", metavar="TGT", help="target document, one sentence per line (UTF-8)")
    al.add_argument("--src-lang", required=True, metavar="LANG", help="source language, e.g. de")
    al.add_argument("--tgt-lang", required=True, metavar="LANG", help="target language, e.g. fr")
    al.add_argument("--format", choices=("vecalign", "tsv", "jsonl"), default="vecalign",
                    help="vecalign: [0, 1]:[0] per bead; tsv/jsonl: both texts and the score")
    al.add_argument("--out", metavar="FILE", help="write here (default: standard output)")
    al.add_argument("--no-lexicon", action="store_true", help="do not learn a lexicon")
    al.add_argument("--mt-model", metavar="auto|ID_OR_DIR",
                    help="MT bridge: a TGT->SRC Marian model (auto: Helsinki-NLP/opus-mt-<tgt>-<src>)")
    al.add_argument("--embedding-model", metavar="ID_OR_DIR",
                    help="embedding mode: a sentence-transformers model, e.g. sentence-transformers/LaBSE")

    r = command("report", "write a static review site (index.html + assets, works offline)",
                "bitext-builder report dist/my --out review/")
    r.add_argument("dir", metavar="DIR", help="a dataset folder this tool built")
    r.add_argument("--out", metavar="DIR",
                   help="folder for the site (default: DIR/report; replaces only an earlier report)")
    f = command("finetune", "fine-tune a MarianMT model on a pair config; BLEU/chrF before and after",
                "bitext-builder finetune dist/my --pair en-ru --model Helsinki-NLP/opus-mt-en-ru "
                "--out model/ --max-steps 100")
    f.add_argument("source", metavar="DIR_OR_REPO",
                   help="a dataset folder this tool built, or a Hub dataset repo id")
    f.add_argument("--pair", required=True, metavar="SRC-TGT", help="translation direction, e.g. en-ru")
    f.add_argument("--model", required=True, metavar="ID_OR_DIR",
                   help="MarianMT model to start from: a Hub id or a local folder")
    f.add_argument("--out", required=True, metavar="DIR", help="where the fine-tuned model goes")
    f.add_argument("--config", metavar="NAME",
                   help="dataset config (default: the pair; SRC-TGT-aligned for human pairs)")
    f.add_argument("--revision", metavar="REV",
                   help="Hub revision of the dataset, e.g. v1.1.0 (a release tag)")
    f.add_argument("--max-steps", type=_at_least(1), metavar="N", help="optimisation steps (overrides --epochs)")
    f.add_argument("--epochs", type=_positive_number, default=1.0, metavar="N", help="epochs (default: 1)")
    f.add_argument("--batch-size", type=_at_least(1), default=16, metavar="N", help="batch size (default: 16)")
    f.add_argument("--learning-rate", type=_positive_number, default=5e-5, metavar="LR",
                   help="learning rate (default: 5e-5)")
    f.add_argument("--max-new-tokens", type=_at_least(1), default=128, metavar="N",
                   help="output cap when translating the validation split (default: 128)")
    f.add_argument("--eval-rows", type=_at_least(1), metavar="N",
                   help="validation rows scored before and after (default: all)")
    f.add_argument("--seed", type=_at_least(0), default=0, metavar="N", help="random seed (default: 0)")
    return p


def _flags_of(args: argparse.Namespace) -> dict[str, str]:
    """Config key -> the flag that set it, for error messages (`--version 1.1: expected …`)."""
    given = {"name": ("--name", args.name), "version": ("--version", args.dataset_version),
             "input": ("--input", args.input and " ".join(args.input)),
             "input.format": ("--format", args.format), "input.chat": ("--chat", args.chat),
             "translate": ("--targets", args.targets),
             "translate.targets": ("--targets", args.targets),
             "parallel": ("--parallel-input", args.parallel_input and " ".join(args.parallel_input))}
    return {key: f"{flag} {value}" for key, (flag, value) in given.items() if value}


def _cmd_build(args: argparse.Namespace) -> int:
    if args.config:
        config = load_config(args.config)
    else:  # the bundled sample; an --input build gets the defaults, none of its choices
        config = input_build_config() if args.input else sample_config()
    changes: dict[str, object] = {}
    if args.name:
        changes["name"] = args.name
    if args.input:
        changes["input.paths"] = args.input
    if args.format:
        changes["input.format"] = args.format
    if args.chat:
        changes["input.chat"] = args.chat
    if args.dataset_version:
        changes["version"] = args.dataset_version
    if args.out:
        changes["out"] = args.out
    if args.targets is not None:
        targets = [t.strip() for t in args.targets.split(",") if t.strip()]
        tr = config.translate
        changes["translate.targets"] = targets
        changes["translate.models"] = {k: v for k, v in tr.models.items() if k in targets}
        changes["translate.revisions"] = {k: v for k, v in tr.revisions.items() if k in targets}
    if args.engine:
        changes["translate.engine"] = args.engine
    if args.workers is not None:
        changes["workers"] = args.workers
    if args.ray_address:
        changes["translate.ray.address"] = args.ray_address
    if args.parallel_input:
        sides: dict[str, list[str]] = {}
        for item in args.parallel_input:
            lang, sep, path = item.partition("=")
            if not sep or not lang or not path:
                raise ConfigError(f"--parallel-input {item}: expected LANG=PATH, e.g. ru=ru_channel.json")
            sides.setdefault(lang.strip(), []).append(path)
        changes["parallel"] = [{"lang": k, "paths": v} for k, v in sides.items()]
    config = override(config, changes, flags=_flags_of(args))
    from builder.pipeline.executors import start_workers_early  # noqa: PLC0415

    start_workers_early(config)  # before the build's own imports
    if args.own_process and config.translate.engine != "ray":
        from builder.pipeline.processes import arrow_without_pandas  # noqa: PLC0415

        arrow_without_pandas()
    from builder.pipeline import build  # noqa: PLC0415

    progress = not args.quiet and sys.stderr.isatty()
    result = build(config, None, force=args.force, progress=progress)
    out = result.out
    if result.up_to_date:
        print(f"{out} is up to date (signature unchanged); nothing rewritten")
        return 0
    seg = result.split_rows.get("segments", {})
    posts = sum(result.split_rows.get("posts", {}).values())
    splits = ", ".join(f"{k} {v}" for k, v in seg.items())
    print(f"Built {out}: {sum(seg.values())} segments ({splits}) from {posts} posts")
    print(f'Load it with: datasets.load_dataset("{out}", "segments")  # or "posts"')
    for name, rows in result.split_rows.items():
        if name not in ("segments", "posts"):
            print(f'  {name}: {sum(rows.values())} rows  (datasets.load_dataset("{out}", "{name}"))')
    return 0


def _cmd_check_config(args: argparse.Namespace) -> int:
    from builder.readers import plan_inputs  # noqa: PLC0415

    config = load_config(args.config)
    files = plan_inputs(config.input)  # missing, unreadable or unknown-format inputs raise here
    for side in config.parallel:
        files += plan_inputs(config.parallel_input(side))
    for item in files:
        log.debug("input %s: %s", item.path, item.format)
    print(f"{args.config}: OK (name {config.name or '(from the input)'}, version {config.version}, "
          f"{len(files)} input file{'s' if len(files) != 1 else ''})")
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    from builder.release.inspect import inspect_dataset  # noqa: PLC0415

    report = inspect_dataset(Path(args.dir), rows=args.rows)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    ds = report["dataset"]
    print(f"{ds['name']} {ds['version']}\nsignature: {report['signature']}")
    for name, entry in report["configs"].items():
        splits = ", ".join(f"{k} {v}" for k, v in entry["splits"].items())
        print(f"\n[{name}] {sum(entry['splits'].values())} rows ({splits})")
        if entry["languages"]:
            print("  languages: " + ", ".join(f"{k} {v}" for k, v in entry["languages"].items()))
        for row in entry["rows"]:
            print("  " + json.dumps(row, ensure_ascii=False)[:300])
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from builder.release.verify import verify  # noqa: PLC0415

    for line in verify(Path(args.dir)):
        print(f"ok: {line}")
    print(f"{args.dir}: verified")
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from builder.release.diff import changed_region, diff_builds  # noqa: PLC0415

    report = diff_builds(Path(args.old_dir), Path(args.new_dir))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0

    def text(value) -> str:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    print(f"{report['old']['name']} {report['old']['version']} -> "
          f"{report['new']['name']} {report['new']['version']}")
    for name, c in report["configs"].items():
        print(f"\n[{name}] +{c['added']} -{c['removed']} ~{c['changed']} ={c['unchanged']}"
              f" split moves: {c['moved_split']}")
        for value in c["examples"]["added"]:
            print(f"  + {text(value)[:200]}")
        for value in c["examples"]["removed"]:
            print(f"  - {text(value)[:200]}")
        for ch in c["examples"]["changed"]:
            old, new = changed_region(text(ch["old"]), text(ch["new"]))
            print(f"  ~ {old}\n    {new}")
        for mv in c["examples"]["moved_split"]:
            print(f"  > {mv['id']}: {mv['from']} -> {mv['to']}")
    return 0


def _cmd_align(args: argparse.Namespace) -> int:
    from builder.align.documents import align_documents, write_lines  # noqa: PLC0415

    lines = align_documents(Path(args.src), Path(args.tgt), args.src_lang, args.tgt_lang,
                            fmt=args.format, lexicon=not args.no_lexicon, mt_model=args.mt_model,
                            embedding_model=args.embedding_model)
    if args.out:
        write_lines(lines, Path(args.out))
    else:
        sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from builder.release.publish import publish  # noqa: PLC0415

    for line in publish(Path(args.dir), args.repo_id, dry_run=args.dry_run, private=args.private):
        print(line)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from builder.report.site import write_report  # noqa: PLC0415

    out = write_report(Path(args.dir), Path(args.out) if args.out else None)
    print(f"Wrote {out / 'index.html'}: open it in a browser (works offline)")
    return 0


def _cmd_finetune(args: argparse.Namespace) -> int:
    from builder.mt.finetune import FinetuneSettings, finetune  # noqa: PLC0415

    settings = FinetuneSettings(
        source=args.source, pair=args.pair, model=args.model, out=Path(args.out),
        config=args.config, revision=args.revision, max_steps=args.max_steps,
        epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
        max_new_tokens=args.max_new_tokens, eval_rows=args.eval_rows, seed=args.seed,
    )
    result = finetune(settings, progress=not args.quiet and sys.stderr.isatty())
    d = result.dataset
    print(f"Fine-tuned {args.model} on {d['name']} {d['version'] or ''} ({d['config']}): "
          f"{result.train_rows} training rows, {result.steps} steps")
    if result.before and result.after:
        print(f"validation ({result.after.rows} rows): BLEU {result.before.bleu} -> "
              f"{result.after.bleu}, chrF {result.before.chrf} -> {result.after.chrf}")
    print(f"Saved to {result.out} (model card: {result.out / 'README.md'})")
    return 0


COMMANDS = {
    "align": _cmd_align,
    "report": _cmd_report,
    "finetune": _cmd_finetune,
    "diff": _cmd_diff,
    "publish": _cmd_publish,
    "build": _cmd_build,
    "check-config": _cmd_check_config,
    "inspect": _cmd_inspect,
    "verify": _cmd_verify,
}


def _for_user(message: str) -> str:
    """An error line as the user knows the inputs: standard input, not its temporary copy."""
    files = sys.modules.get("builder.readers.files")  # only loaded where something was read
    return files.name_stdin(message) if files is not None else message


def _stdout_closed() -> int:
    """The reader of our stdout went away (`| head`): stop quietly, as `cat` would."""
    import os  # noqa: PLC0415

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail again
    os.close(devnull)
    return 0


def entry() -> int:
    """The `bitext-builder` command and `python -m builder`: `main` in a process of its own."""
    return main(own_process=True)


def main(argv: list[str] | None = None, *, own_process: bool = False) -> int:
    """`own_process`: the command is all this process runs (not a library call), so a build
    may tell pyarrow, which would import pandas (0.35 s) on its first conversion of a list,
    that there is no pandas (`processes.arrow_without_pandas`: the builder holds no pandas
    object, and a later conversion that needs pandas imports it then)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return int(exit_.code or 0)
    args.own_process = own_process
    if args.verbose:
        args.quiet = False  # -v wins over a -q given on the other side of the subcommand
    setup_logging(args.quiet, args.verbose)
    try:
        with quiet_libraries(args.quiet):
            code = COMMANDS[args.command](args)
            sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _stdout_closed()
    except BuilderError as err:
        if args.verbose:
            log.exception("failed")
        print(f"error: {_for_user(str(err))}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - one line unless -v
        if args.verbose:
            raise
        print(f"error: unexpected {type(err).__name__}: {err} (run with -v for details)",
              file=sys.stderr)
        return 1
