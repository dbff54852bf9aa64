"""Histograms and their SVG plots: binning rules, well-formed stable SVG, and the card
images of a build (files, card links, manifest hashes)."""

import json
import xml.etree.ElementTree as ET

import pytest

from builder.digests import sha256_file as sha256_path
from builder.output.histograms import (
    LANG_SCORE,
    LENGTH,
    MT_SCORE,
    UNIT_EDGES,
    dataset_histograms,
    histogram,
)
from builder.output.plots import number, svg_histogram

SVG = "{http://www.w3.org/2000/svg}"


def test_unit_scores_use_fixed_bins_and_the_right_edge_counts():
    h = histogram("segments", LANG_SCORE, [0.0, 0.04, 0.05, 0.5, 1.0, 1.0, float("nan")])
    assert h.edges == UNIT_EDGES and not h.open_last
    assert len(h.counts) == 20 and h.total == 6  # NaN dropped
    assert h.counts[0] == 2 and h.counts[1] == 1 and h.counts[10] == 1
    assert h.counts[-1] == 2  # 1.0 is in the last closed bin


def test_long_tail_goes_to_one_open_bin():
    values = list(range(1, 201)) + [10_000]
    h = histogram("segments", LENGTH, values)
    assert h.open_last and h.edges[0] == 0 and h.edges[-1] >= 198
    assert h.counts[-1] == 1 and sum(h.counts) == h.total == 201
    assert len(h.counts) == len(h.edges)  # closed bins + the open one


@pytest.mark.parametrize("values", [[-3.2, -0.1], [-1.0], [5.0, 5.0, 5.0]])
def test_round_edges_cover_every_value(values):
    h = histogram("en-ru", MT_SCORE, values)
    assert h.edges[0] <= min(values) and (h.open_last or h.edges[-1] >= max(values))
    assert sum(h.counts) == len(values)
    assert all(len(number(e)) <= 8 for e in h.edges), h.edges


def test_no_values_no_histogram():
    assert histogram("x", MT_SCORE, []) is None
    assert histogram("x", MT_SCORE, [float("nan")]) is None


def test_svg_is_well_formed_escaped_and_stable():
    h = histogram("a<b&c", MT_SCORE, [-2.0, -1.5, -1.5, -0.2])
    text = svg_histogram(h)
    assert text == svg_histogram(h)
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg" and root.get("width") == "600"
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == len(h.counts)
    assert "a<b&c" in root.find(f"{SVG}title").text
    inline = ET.fromstring(svg_histogram(h, standalone=False))
    assert inline.get("xmlns") is None and inline.get("viewBox") == "0 0 600 260"


def test_build_writes_card_images_listed_in_the_manifest(sample_build):
    m = json.loads((sample_build / "manifest.json").read_text())
    outputs = {o["path"]: o for o in m["outputs"]}
    images = sorted(p.relative_to(sample_build).as_posix()
                    for p in (sample_build / "images").iterdir())
    assert images == ["images/segments-lang_score.svg", "images/segments-length.svg"]
    card = (sample_build / "README.md").read_text()
    for rel in images:
        assert outputs[rel]["sha256"] == sha256_path(sample_build / rel)
        assert f"]({rel})" in card
        ET.parse(sample_build / rel)
    (length,) = [h for h in dataset_histograms(sample_build, outputs) if h.metric == LENGTH]
    assert length.total == m["counts"]["segments"]["kept"]


def test_numbers_are_what_to_numpy_gives():
    """Histogram inputs read from Arrow buffers directly equal `to_numpy`'s, slices
    (offsets), nulls and every numeric type the configs have included."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from builder.output.histograms import _lengths, _numbers

    for values, kind in [([3, 1, 4, 1, 5, 9, 2, 6], pa.int32()), ([1, 2, 3, 4], pa.int64()),
                         ([0.5, 0.25, 1.0, 0.125], pa.float32()), ([1.5, 2.5, 0.1], pa.float64()),
                         ([1, None, 3], pa.int32()), ([0.5, None], pa.float32())]:
        array = pa.array(values, kind)
        for part in (array, array.slice(1), array.slice(1, 2)):
            got, want = _numbers(part), part.to_numpy(zero_copy_only=False)
            assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=True)
    texts = pa.array(["abc", "", "Привет", None, "👍x"]).slice(1)
    want = pc.fill_null(pc.utf8_length(texts), 0).to_numpy(zero_copy_only=False)
    assert np.array_equal(_lengths(texts), want) and list(want) == [0, 6, 0, 2]


def test_escape_is_saxutils_escape():
    """The SVG text's own `escape` gives what `xml.sax.saxutils.escape` gives."""
    import random
    from xml.sax.saxutils import escape as reference

    from builder.output.plots import escape

    rng = random.Random(3)
    pieces = ["&", "<", ">", "&amp;", "&lt;", "a", " ", "\"", "'", "é", "\n", ";"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        assert escape(text) == reference(text), text
