"""The model card of a fine-tuned model: the dataset and its version, the training settings,
and the sacrebleu scores before and after, with their signatures."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = """---
{{ card_data }}
---

# {{ title }}

{{ base }} fine-tuned on the `{{ d.config }}` config of the dataset **{{ d.name }}**,
version **{{ d.version or "unknown" }}**{% if d.revision %} (revision `{{ d.revision }}`){% endif %},
with bitext-builder {{ builder_version }}.

- Dataset: `{{ d.source }}`, config `{{ d.config }}`{% if d.signature %}
- Dataset build signature: `{{ d.signature }}`{% endif %}
- Training rows: {{ train_rows }}; optimisation steps: {{ steps }}
- Settings: {% for k, v in settings.items() if v is not none %}`{{ k }}={{ v }}`{% if not loop.last %}, {% endif %}{% endfor %}

## Evaluation

Validation split of the same config, translated greedily{% if settings.num_beams > 1 %} (beam {{ settings.num_beams }}){% endif %},
scored with sacrebleu.

{% if before %}| model | rows | BLEU | chrF |
| --- | --- | --- | --- |
| before fine-tuning | {{ before.rows }} | {{ before.bleu }} | {{ before.chrf }} |
| after fine-tuning | {{ after.rows }} | {{ after.bleu }} | {{ after.chrf }} |

Signatures: `{{ after.bleu_signature }}`, `{{ after.chrf_signature }}`.
{% else %}The dataset has no validation split: no scores.
{% endif %}
## How to use

```python
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

tok = AutoTokenizer.from_pretrained("path/to/this/folder")
model = AutoModelForSeq2SeqLM.from_pretrained("path/to/this/folder")
batch = tok(["Text in {{ src }}."], return_tensors="pt")
print(tok.batch_decode(model.generate(**batch, max_new_tokens=128), skip_special_tokens=True))
```

## Limitations

The training pairs of a machine-translation config were themselves made by a machine
translation model: fine-tuning on them distils that model, errors included. Scores on a
small validation split are noisy.
"""


def model_card(result) -> str:
    from huggingface_hub import ModelCard, ModelCardData  # noqa: PLC0415

    from builder import __version__  # noqa: PLC0415

    d = result.dataset
    src, tgt = result.settings["pair"].split("-", 1)
    model = result.settings["model"]
    on_hub = not Path(d["source"]).exists() and d.get("revision") is not None
    data = ModelCardData(
        language=[src, tgt],
        library_name="transformers",
        pipeline_tag="translation",
        tags=["translation", "marian", "bitext-builder"],
        datasets=[d["source"]] if on_hub else None,
        base_model=None if Path(model).exists() or "/" not in model else model,
        metrics=["bleu", "chrf"],
    )
    card = ModelCard.from_template(
        data, template_str=TEMPLATE, title=f"{Path(model).name} fine-tuned on {d['name']}",
        base=f"`{Path(model).name if Path(model).exists() else model}`",
        d={**d, "source": Path(d["source"]).name if Path(d["source"]).exists() else d["source"]},
        builder_version=__version__, train_rows=result.train_rows, steps=result.steps,
        settings=result.settings, before=result.before, after=result.after, src=src,
    )
    return str(card).rstrip("\n") + "\n"
