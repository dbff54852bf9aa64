"""A worker's compact finished chunks (`finished.py`) write what the driver wrote from the
posts' records: the same Parquet bytes (row groups crossing chunks and splits), rejects,
counts, examples and align posts, however the posts are chunked."""

import json

import pytest

from builder.config import sample_config
from builder.output import parquet as parquet_module
from builder.output.parquet import DatasetWriter, posts_features, segments_features
from builder.output.splits import SplitAssigner
from builder.pipeline.corpus import Corpus
from builder.pipeline.executors import Executor
from builder.pipeline.schedule import chunks
from builder.pipeline.steps import Pipeline
from builder.readers import plan_inputs, read_inputs
from tests.helpers import SAMPLE


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """The sample's posts (twice: duplicates) and JSON lines with dates, reactions-free
    one-liners, empty and repeated posts, through the per-post steps."""
    tmp = tmp_path_factory.mktemp("finished")
    text = tmp / "channel.txt"
    sample = SAMPLE.read_text(encoding="utf-8")
    text.write_text(sample + "\n" + sample, encoding="utf-8")
    lines = [{"id": k % 45, "date": 1709276400 + k, "channel": "Port",
              "text": f"News item {k % 7} about the harbour. It reopened today." if k % 11
              else "👍"} for k in range(60)]
    jsonl = tmp / "posts.jsonl"
    jsonl.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    config = sample_config().model_copy(update={"input": sample_config().input.model_copy(
        update={"paths": [str(text), str(jsonl)]})})
    pipeline = Pipeline.of(config)
    posts = read_inputs(plan_inputs(config.input), config.input)
    return config, list(Executor().run(pipeline.steps, posts))


def _corpus(config, root, align: bool):
    root.mkdir()
    writer = DatasetWriter(root)
    writer.add_config("segments", segments_features())
    writer.add_config("posts", posts_features())
    return Corpus(config, writer, SplitAssigner(config.splits), keep_segments=True,
                  keep_align_posts=align, work=root / ".work")


def _files(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".work" not in p.parts}


@pytest.mark.parametrize("chunk", [1, 5, 64])
def test_compact_chunks_write_the_bytes_of_the_records(docs, chunk, tmp_path, monkeypatch):
    monkeypatch.setattr(parquet_module, "ROW_GROUP_ROWS", 7)  # row groups across chunks
    config, finished = docs
    assert any(d.dropped for d in finished) and any(d.rejects for d in finished)
    by_record = _corpus(config, tmp_path / "a", align=True)
    for doc in finished:
        by_record.add_doc(doc)
    compact = _corpus(config, tmp_path / "b", align=True)
    finish = compact.finisher()
    for part in chunks(finished, chunk):
        compact.add(finish(part))
    for corpus in (by_record, compact):
        corpus.balance_splits()
        corpus.writer.close()
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert len(_files(tmp_path / "a")) >= 4  # posts and segments in several splits, rejects
    for attr in ("counts", "post_langs", "metadata", "examples", "align_posts"):
        assert getattr(compact, attr) == getattr(by_record, attr), attr
    assert list(compact.kept_segments()) == list(by_record.kept_segments())
    assert compact.writer.rejects_rows == by_record.writer.rejects_rows > 0


def test_texts_travel_only_where_splits_read_them(docs):
    config, finished = docs
    from builder.pipeline.finished import Finisher

    assert Finisher()(finished).texts is None
    with_texts = Finisher(texts=True)(finished)
    assert with_texts.texts == [d.post.text for d in finished if not d.dropped]


def test_a_worker_converts_lists_without_importing_pandas():
    """pyarrow, told once that there is no pandas, converts lists as before and never
    imports it (a worker process's 0.6 CPU seconds); `import pandas` works again after."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from builder.pipeline.processes import arrow_without_pandas\n"
        "arrow_without_pandas()\n"
        "import pyarrow as pa\n"
        "batch = pa.RecordBatch.from_arrays([pa.array(['x', None], pa.string()),\n"
        "    pa.array([[{'emoji': 'a', 'count': 1}], []],\n"
        "             pa.list_(pa.struct([('emoji', pa.string()), ('count', pa.int32())])))],\n"
        "    names=['s', 'r'])\n"
        "print('pandas' in sys.modules, batch.to_pylist())\n"
        "import pandas\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["False [{'s': 'x', 'r': [{'emoji': 'a', 'count': 1}]}, {'s': None, 'r': []}]",
                   "True"]
