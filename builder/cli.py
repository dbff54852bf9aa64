"""Command line: the only place that prints, configures logging and maps errors to exit codes."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from builder import __version__
from builder.config import FORMATS, load_config, override, sample_config
from builder.errors import BuilderError, ConfigError

log = logging.getLogger("builder")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with one line
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bitext-builder", description=__doc__)
    p.add_argument("--version", action="version", version=f"bitext-builder {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def verbosity(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("-q", "--quiet", action="store_true", help="no progress, warnings only")
        sp.add_argument("-v", "--verbose", action="store_true", help="debug logs, tracebacks")

    b = sub.add_parser("build", help="build a dataset (no CONFIG: the bundled sample)")
    b.add_argument("config", nargs="?", help="YAML config (default: the bundled sample)")
    b.add_argument("--input", action="append", metavar="PATH", help="input file or folder (repeatable)")
    b.add_argument("--format", choices=FORMATS, help="input format (default: auto-detect)")
    b.add_argument("--chat", metavar="NAME_OR_ID", help="chat to read from a full Desktop export")
    b.add_argument("--targets", metavar="LANGS", help="translate into these languages, e.g. ru,de")
    b.add_argument("--engine", choices=("local", "ray"), help="where translation runs")
    b.add_argument("--ray-address", metavar="ADDR",
                   help="join a Ray cluster ('auto', 'ray://host:10001'); default: start one")
    b.add_argument("--parallel-input", action="append", metavar="LANG=PATH",
                   help="a sister channel with human translations (repeatable)")
    b.add_argument("--out", metavar="DIR", help="output folder (default: dist/<name>)")
    b.add_argument("--version", dest="dataset_version", metavar="X.Y.Z", help="dataset version")
    b.add_argument("--force", action="store_true", help="overwrite a different build of the same version")
    verbosity(b)

    c = sub.add_parser("check-config", help="validate a config without building")
    c.add_argument("config")
    verbosity(c)

    i = sub.add_parser("inspect", help="counts per config/split, languages, sample rows")
    i.add_argument("dir")
    i.add_argument("--rows", type=int, default=2)
    i.add_argument("--json", action="store_true")
    verbosity(i)

    v = sub.add_parser("verify", help="hashes vs manifest, card metadata, load_dataset round trip")
    v.add_argument("dir")
    verbosity(v)

    d = sub.add_parser("diff", help="rows added/removed/changed between two builds")
    d.add_argument("old_dir")
    d.add_argument("new_dir")
    d.add_argument("--json", action="store_true", help="machine-readable report")
    verbosity(d)

    pub = sub.add_parser("publish", help="verify, upload in one commit, tag v<version>")
    pub.add_argument("dir")
    pub.add_argument("--repo-id", required=True, metavar="ORG/NAME")
    pub.add_argument("--dry-run", action="store_true", help="print every operation, touch nothing")
    pub.add_argument("--private", action="store_true", help="create the repo private")
    verbosity(pub)
    return p


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel(level)


def _cmd_build(args: argparse.Namespace) -> int:
    from builder.pipeline import build, default_out  # noqa: PLC0415

    config = load_config(args.config) if args.config else sample_config()
    changes: dict[str, object] = {}
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
    config = override(config, changes)
    out = default_out(config)
    progress = not args.quiet and sys.stderr.isatty()
    result = build(config, out, force=args.force, progress=progress)
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
    config = load_config(args.config)
    print(f"{args.config}: OK (name {config.name}, version {config.version})")
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
    from builder.release.diff import diff_builds  # noqa: PLC0415

    report = diff_builds(Path(args.old_dir), Path(args.new_dir))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{report['old']['name']} {report['old']['version']} -> "
          f"{report['new']['name']} {report['new']['version']}")
    for name, c in report["configs"].items():
        print(f"\n[{name}] +{c['added']} -{c['removed']} ~{c['changed']} ={c['unchanged']}")
        for text in c["examples"]["added"]:
            print(f"  + {json.dumps(text, ensure_ascii=False)[:200]}")
        for text in c["examples"]["removed"]:
            print(f"  - {json.dumps(text, ensure_ascii=False)[:200]}")
        for ch in c["examples"]["changed"]:
            print(f"  ~ {json.dumps(ch['old'], ensure_ascii=False)[:200]}")
            print(f"    {json.dumps(ch['new'], ensure_ascii=False)[:200]}")
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from builder.release.publish import publish  # noqa: PLC0415

    for line in publish(Path(args.dir), args.repo_id, dry_run=args.dry_run, private=args.private):
        print(line)
    return 0


COMMANDS = {
    "diff": _cmd_diff,
    "publish": _cmd_publish,
    "build": _cmd_build,
    "check-config": _cmd_check_config,
    "inspect": _cmd_inspect,
    "verify": _cmd_verify,
}


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return int(exit_.code or 0)
    _setup_logging(args)
    try:
        return COMMANDS[args.command](args)
    except BuilderError as err:
        if args.verbose:
            log.exception("failed")
        print(f"error: {err}", file=sys.stderr)
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
