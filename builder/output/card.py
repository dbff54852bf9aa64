"""The dataset card: YAML metadata (configs, dataset_info) plus prose generated from the build."""

from __future__ import annotations

import json
import re
from importlib import resources

from builder import __version__
from builder.config import BuildConfig
from builder.output.features import Features
from builder.output.layout import data_pattern

FIELD_DOCS = {
    "id": "`<post_id>:<segment_index>`",
    "post_id": "message id where the source has one, else a hash of the cleaned post text",
    "segment_index": "position of the segment in its post (gaps where segments were dropped)",
    "text": "the cleaned text",
    "char_start": "start offset of the segment in the post's cleaned text",
    "char_end": "end offset (exclusive) in the post's cleaned text",
    "lang": "detected language (ISO 639-1)",
    "lang_score": "detector probability of `lang`",
    "channel": "channel the post came from",
    "date": "ISO-8601 date: UTC (`Z`) where the source gives the time zone, else the source's "
            "local time without a zone (see `date_is_local`); null when the source has none",
    "date_is_local": "true when the source gave no time zone: `date` is local time, not UTC",
    "ru_post_id": "id of the paired post in the sister channel",
    "position": "order of the post in the input",
    "hashtags": "hashtags of the post without `#`, in first-appearance order",
    "urls": "links of the post",
    "reactions": "reactions with their counts",
    "translation": "source segment and its machine translation, keyed by language",
    "mt_model": "`<model id>@<revision>` that translated it",
    "mt_score": "mean token log-probability of the translation under the model",
    "qa_flags": "quality flags: copy, repetition, truncated, wrong_lang, length_ratio",
    "bead": "sentences on each side of the pair, e.g. `1-2`",
    "align_score": "0..1 agreement of lengths and anchors (numbers, names, punctuation)",
    "src_segment_indices": "`segment_index` values of the source sentences",
    "tgt_segment_indices": "indices of the target sentences in the other post",
    "src_char_start": "start offset of the source span in its post's cleaned text",
    "src_char_end": "end offset of the source span",
    "tgt_char_start": "start offset of the target span in the other post's cleaned text",
    "tgt_char_end": "end offset of the target span",
}

# Text that comes from inputs (file names, channel names, post text) never reaches the card
# as Markdown or HTML: it is put in code spans and fences that it cannot close, with line
# breaks and other control characters shown as escapes.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_MARKUP = re.compile(r"([\\`*_\[\]<>&!|~#$])")  # inline Markdown, HTML, tables, math
_STAMP = {
    "version": re.compile(r"^- \*\*Version:\*\* (\S+)$", re.M),
    "signature": re.compile(r"^- \*\*Build signature:\*\* `([^`\n]+)`$", re.M),
}


def _visible(text: str) -> str:
    return _CONTROL.sub(lambda m: json.dumps(m.group(0))[1:-1], text)


def _longest_run(text: str, char: str = "`") -> int:
    return max((len(run) for run in re.findall(f"{re.escape(char)}+", text)), default=0)


def code_span(text: str, *, table: bool = False) -> str:
    """`text` as one inline code span on one line (in a table cell, `|` escaped)."""
    body = _visible(str(text))
    if table:
        body = body.replace("|", "\\|")
    fence = "`" * (_longest_run(body) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def code_block(text: str, info: str = "") -> str:
    """`text` as a fenced code block whose fence is longer than any backtick run inside."""
    fence = "`" * max(3, _longest_run(text) + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def inline_text(text: str) -> str:
    """Plain text for prose (a heading, a sentence): one line, Markdown and HTML escaped."""
    return _MARKUP.sub(r"\\\1", " ".join(_visible(str(text)).split()))


def read_card_stamp(card: str) -> dict[str, str]:
    """The version and build signature a card states (what verify compares)."""
    stamp = {}
    for key, pattern in _STAMP.items():
        m = pattern.search(card)
        if m:
            stamp[key] = m.group(1)
    return stamp


# The source prose of a config that describes none (no channel's identity is assumed).
NEUTRAL_SOURCE = ("Posts of a Telegram channel, read from the inputs listed below and cleaned of "
                  "Telegram markup; the builder does not describe the channel itself.")

CONFIG_DOCS = {
    "segments": "One row per kept sentence segment of the cleaned posts.",
    "posts": "One row per cleaned post, with its metadata.",
}


def _mt_config_doc(name: str) -> str:
    if name.endswith("-aligned"):
        return ("Human translations from a sister channel, aligned post by post and sentence "
                "by sentence (see Alignment); both sides were written by people.")
    if name == "multiway":
        return "Each segment with its machine translations into every target language."
    return (f"Source segments with their machine translation ({name}); ids match `segments`. "
            "The target side is machine-generated.")


def size_category(n: int) -> str:
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
    ):
        if n < limit:
            return label
    return "n>10M"


def _type_name(feature) -> str:
    return type(feature).__name__ + (f"({feature.dtype})" if hasattr(feature, "dtype") else "")


def _summary(total_segments: int, split_rows: dict[str, dict[str, int]], source: str) -> str:
    text = (f"Sentence-segmented text of Telegram channel posts ({total_segments} segments), "
            "cleaned of Telegram markup, with language labels and provenance.")
    pairs = {name: sum(rows.values()) for name, rows in split_rows.items()
             if name.startswith(f"{source}-")}
    machine = [f"{name} ({n} pairs)" for name, n in pairs.items() if not name.endswith("-aligned")]
    human = [f"{name} ({n} pairs)" for name, n in pairs.items() if name.endswith("-aligned")]
    if machine:
        text += f" Machine translations of every segment: {', '.join(machine)}."
    if human:
        text += (" Human translations from a sister channel, aligned sentence by sentence: "
                 f"{', '.join(human)}.")
    return text


def _bibtex(config: BuildConfig, pretty: str) -> str:
    """A BibTeX entry for this version (no date: builds are byte-identical)."""
    key = re.sub(r"\W+", "_", config.name).strip("_").lower() + "_" + config.version.replace(".", "_")
    def esc(text: str) -> str:
        return re.sub(r"([{}\\%&$#_^~])", r"\\\1", text)

    return "\n".join([
        f"@misc{{{key},",
        f"  title = {{{esc(pretty)}}},",
        f"  version = {{{config.version}}},",
        f"  note = {{Telegram channel posts, built with bitext-builder {__version__}}},",
        "}",
    ])


# huggingface_hub's `REGEX_YAML_BLOCK`: the card's YAML block
_YAML_BLOCK = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")


def _line_ending(content: str) -> str | None:
    """huggingface_hub's `_detect_line_ending`."""
    cr, lf, crlf = content.count("\r"), content.count("\n"), content.count("\r\n")
    if cr + lf == 0:
        return None
    if crlf == cr and crlf == lf:
        return "\r\n"
    return "\r" if cr > lf else "\n"


def card_text(card_data, template_str: str, **template_kwargs) -> str:
    """What `str(DatasetCard.from_template(card_data, template_str=..., **kwargs))` gives
    (huggingface_hub 2.4: the template rendered, its YAML block read back into the card data
    and written in the block's key order), without importing `huggingface_hub.repocard`,
    which loads the Hub client (a third of a CPU second of every build). A test holds it to
    huggingface_hub's own."""
    import jinja2  # noqa: PLC0415
    import yaml  # noqa: PLC0415

    kwargs = {**card_data.to_dict(), **template_kwargs}
    content = jinja2.Template(template_str).render(card_data=card_data.to_yaml(), **kwargs)
    match = _YAML_BLOCK.search(content)
    if match:
        data = yaml.safe_load(match.group(2)) or {}
        text = content[match.end():]
    else:
        data, text = {}, content
    line_break = _line_ending(content) or "\n"
    yaml_text = type(card_data)(**data).to_yaml(line_break=line_break, original_order=list(data))
    return f"---{line_break}{yaml_text}{line_break}---{line_break}{text}"


def render_card(
    *,
    config: BuildConfig,
    features: dict[str, Features],
    split_rows: dict[str, dict[str, int]],
    file_sizes: dict[str, dict[str, int]],
    examples: dict[str, dict | None],
    steps: list[dict],
    inputs: list[dict],
    signature: str,
    langid: str,
    segmenter: str,
    default_config: str = "segments",
    models: list[dict] | tuple = (),
    mt_counts: dict | None = None,
    releases: list[dict] | tuple = (),
    alignment: dict | None = None,
    images: list[dict] | tuple = (),
    num_bytes: dict[str, dict[str, int]] | None = None,
) -> str:
    """`file_sizes` are the Parquet files' sizes (the download); `num_bytes` the Arrow size
    of each split's rows, which is what `datasets` computes as a split's num_bytes."""
    from huggingface_hub.repocard_data import DatasetCardData  # noqa: PLC0415

    from builder.output.card_location import load_snippet, local_path  # noqa: PLC0415

    num_bytes = num_bytes or file_sizes

    configs_yaml = []
    info_yaml = []
    prose_configs = []
    empty = [name for name in features if name not in split_rows]
    for name, feats in features.items():
        if name not in split_rows:
            continue
        splits = split_rows[name]
        entry = {
            "config_name": name,
            "data_files": [
                {"split": s, "path": data_pattern(name, s)} for s in splits
            ],
        }
        if name == default_config:
            entry["default"] = True
        configs_yaml.append(entry)
        info_yaml.append(
            {
                "config_name": name,
                "features": feats.yaml_list(),
                "splits": [
                    {"name": s, "num_bytes": num_bytes[name][s], "num_examples": n}
                    for s, n in splits.items()
                ],
                "download_size": sum(file_sizes[name][s] for s in splits),
                "dataset_size": sum(num_bytes[name][s] for s in splits),
            }
        )
        example = examples.get(name)
        prose_configs.append(
            {
                "name": name,
                "default": name == default_config,
                "description": CONFIG_DOCS.get(name, _mt_config_doc(name)),
                "splits": [{"name": s, "rows": n} for s, n in splits.items()],
                "fields": [
                    {"name": k, "type": _type_name(v),
                     "doc": FIELD_DOCS.get(k, "id of the paired post in the sister channel"
                                          if k.endswith("_post_id") else "")}
                    for k, v in feats.items()
                ],
                "example": code_block(json.dumps(example, ensure_ascii=False, indent=2), "json")
                if example else "",
            }
        )
    total_segments = sum(split_rows.get(default_config, {}).values())
    pretty = config.card.pretty_name or config.name
    models = [{**m, "id_md": code_span(m["id"], table=True),
               "revision_md": code_span(m["revision"], table=True),
               "ref_md": code_span(f"{m['id']}@{m['revision']}")} for m in models]
    mt_models = [m for m in models if m.get("use") not in ("align-bridge", "align-embeddings")]
    targets = [m["target"] for m in mt_models]
    aligned = [name.split("-")[1] for name in split_rows if name.endswith("-aligned")]
    other_langs = sorted(set(targets) | set(aligned))
    license_meta = ({"license_name": config.card.license_name,
                     "license_link": config.card.license_link}
                    if config.card.license == "other" else {})
    card_data = DatasetCardData(
        language=[config.source_lang, *other_langs],
        license=config.card.license,
        **license_meta,
        pretty_name=pretty,
        task_categories=["translation", "text-generation"] if other_langs else ["text-generation"],
        multilinguality="translation" if other_langs else "monolingual",
        size_categories=[size_category(total_segments)],
        source_datasets=["original"],
        language_creators=["found", "machine-generated"] if targets else ["found"],
        annotations_creators=["no-annotation"],
        configs=configs_yaml,
        dataset_info=info_yaml,
        tags=["telegram", "bitext-builder"],
    )
    template = resources.files("builder.cards").joinpath("dataset_card.md")
    card = card_text(
        card_data,
        template.read_text(encoding="utf-8"),
        pretty_name=inline_text(pretty),
        summary=_summary(total_segments, split_rows, config.source_lang),
        version=config.version,
        signature=signature,
        builder_version=__version__,
        source_description=config.card.source_description or NEUTRAL_SOURCE,
        limitations=list(config.card.limitations),
        inputs=[{**inp, "name_md": code_span(inp["name"])} for inp in inputs],
        steps=steps,
        configs=prose_configs,
        load_snippet=load_snippet(local_path(config.name), [c["config_name"] for c in configs_yaml]),
        license=config.card.license,
        license_name=config.card.license_name,
        license_link=config.card.license_link,
        bibtex=_bibtex(config, pretty),
        langid=langid,
        segmenter=segmenter,
        models=mt_models,
        bridge_models=[m for m in models if m.get("use") == "align-bridge"],
        embedding_models=[m for m in models if m.get("use") == "align-embeddings"],
        mt_counts=mt_counts or {},
        source_lang=config.source_lang,
        releases=list(releases),
        empty_configs=empty,
        alignment=alignment or {},
        alignment_lexicon=any(a.get("lexicon_pairs") for a in (alignment or {}).values()),
        images=list(images),
        **_personal_data(config),
    )
    return card.rstrip("\n") + "\n"


def _personal_data(config: BuildConfig) -> dict:
    names = {"email": "e-mail addresses", "phone": "phone numbers", "ip": "IP addresses",
             "card": "payment card numbers"}
    kinds = [k for k in names if k in config.pii.types]
    listed = [names[k] for k in kinds]
    text = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
    return {"pii_action": config.pii.action, "pii_types": text,
            "pii_types_lead": text[0].upper() + text[1:],
            "pii_placeholders": ", ".join(f"`<{k.upper()}>`" for k in kinds)}
