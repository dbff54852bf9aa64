"""Two documents given one sentence per line (as hunalign and Vecalign take them): reading
them, and writing their beads as Vecalign lines, TSV or JSON lines."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from builder.align.scoring import format_bead
from builder.errors import InputError, utf8_error_at

FORMATS = ("vecalign", "tsv", "jsonl")
MAX_LINE_CHARS = 100_000  # longer: not one sentence per line


def read_sentences(path: Path) -> list[str]:
    """The lines of a UTF-8 text file (a BOM and line ends removed; blank lines are kept so
    that line numbers stay sentence indices)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise InputError(f"{path}: no such file") from err
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from err
    if b"\0" in data:
        raise InputError(f"{path}: looks binary (NUL bytes); expected text, one sentence per line")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}:{utf8_error_at(data, err)}; expected one sentence per "
                         "line in UTF-8") from err
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise InputError(f"{path}: empty; expected one sentence per line")
    for k, line in enumerate(lines, 1):
        if len(line) > MAX_LINE_CHARS:
            raise InputError(f"{path}:{k}: line of {len(line):,} characters; expected one "
                             "sentence per line")
    return lines


def format_beads(beads, src: Sequence[str], tgt: Sequence[str], fmt: str,
                 langs: tuple[str, str]) -> Iterator[str]:
    """One line per bead (every sentence is in exactly one bead; unaligned ones have an empty
    other side and score 0)."""
    for bead in beads:
        s = " ".join(src[i].strip() for i in bead.src)
        t = " ".join(tgt[j].strip() for j in bead.tgt)
        if fmt == "vecalign":
            yield format_bead(bead.src, bead.tgt)
        elif fmt == "tsv":
            yield "\t".join((s.replace("\t", " "), t.replace("\t", " "), f"{bead.score:.4f}",
                             format_bead(bead.src, bead.tgt)))
        else:
            yield json.dumps({"src": list(bead.src), "tgt": list(bead.tgt), "score": bead.score,
                              "translation": {langs[0]: s, langs[1]: t}}, ensure_ascii=False)


def align_documents(src_path: Path, tgt_path: Path, src_lang: str, tgt_lang: str, *,
                    fmt: str = "vecalign", lexicon: bool = True, mt_model: str | None = None,
                    embedding_model: str | None = None) -> list[str]:
    """The `align` command: read both files, align them, format the beads."""
    from builder.align.sentences import SentenceAligner
    from builder.errors import ConfigError
    from builder.languages import language_code

    for flag, lang in (("--src-lang", src_lang), ("--tgt-lang", tgt_lang)):
        try:
            language_code(lang)
        except ValueError as err:
            raise ConfigError(f"{flag} {lang!r}: {err}") from err
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if mt_model and embedding_model:
        raise ConfigError("--mt-model and --embedding-model: choose one")
    src, tgt = read_sentences(src_path), read_sentences(tgt_path)
    bridge = _bridge(src_lang, tgt_lang, mt_model, tgt) if mt_model else None
    embedder = None
    if embedding_model:
        from builder.align.embeddings import Embedder

        embedder = Embedder.load(embedding_model)
    aligner = SentenceAligner(learn_lexicon=lexicon, bridge=bridge.translations if bridge else None,
                              embedder=embedder)
    return list(format_beads(aligner.align(src, tgt), src, tgt, fmt, (src_lang, tgt_lang)))


def _bridge(src_lang: str, tgt_lang: str, model: str, tgt: list[str]):
    from builder.align.bridge import MtBridge
    from builder.config import BuildConfig
    from builder.mt.models import resolve_model

    spec = resolve_model(tgt_lang, src_lang, None if model == "auto" else model,
                         setting="--mt-model")
    bridge = MtBridge(BuildConfig(source_lang=src_lang), spec)
    bridge.prepare([t for t in tgt if t.strip()])
    return bridge


def write_lines(lines: Iterator[str], out: Path) -> None:
    """All or nothing: a temporary file beside `out`, renamed over it when complete."""
    from builder.errors import ConfigError

    out = Path(out)
    if not out.parent.is_dir():
        raise ConfigError(f"--out {out}: folder {out.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line + "\n")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
