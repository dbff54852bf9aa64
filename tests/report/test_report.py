"""The review report: sampling rules, the page's data, the written site (offline, stable,
escaped) and the CLI contract."""

import json
import re

from builder.cli import main
from builder.report.sample import choose
from builder.report.site import report_data, write_report

HOSTILE = '</script><script>alert(1)</script><img src=x onerror="alert(2)"> & more'


def test_small_configs_are_shown_whole():
    s = choose([f"id{i}" for i in range(10)], [float(i) for i in range(10)], lowest=3, random=7)
    assert s.indices == tuple(range(10)) and not s.sampled


def test_large_configs_take_the_lowest_scores_and_a_stable_hash_sample():
    ids = [f"id{i}" for i in range(100)]
    scores = [float((i * 37) % 100) for i in range(100)]
    scores[50] = None  # a missing score counts as lowest
    s = choose(ids, scores, lowest=5, random=10)
    assert s.sampled and len(s.indices) == 15 and (s.lowest, s.random) == (5, 10)
    lowest = sorted(range(100), key=lambda i: (-1 if scores[i] is None else scores[i]))[:5]
    assert set(lowest) <= set(s.indices)
    assert choose(ids, scores, lowest=5, random=10) == s
    # the hash part does not depend on row order: shuffled input, same ids chosen
    order = list(reversed(range(100)))
    again = choose([ids[i] for i in order], [scores[i] for i in order], lowest=5, random=10)
    assert {ids[order[i]] for i in again.indices} == {ids[i] for i in s.indices}


def test_without_scores_all_picks_are_by_hash():
    s = choose([f"id{i}" for i in range(50)], None, lowest=5, random=10)
    assert len(s.indices) == 15 and (s.lowest, s.random) == (0, 15)


def _dataset(root, n_pairs: int):
    """A dataset folder as the builder lays it out: manifest, Parquet, rejects."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from builder.digests import sha256_file as sha256_path
    from builder.output.parquet import pair_features, segment_row, segments_features
    from builder.records import Segment

    flags = ([], ["copy"], ["length_ratio", "repetition"])
    pairs = [{"id": f"p{i:05d}:0", "post_id": f"p{i:05d}", "segment_index": 0,
              "translation": {"en": f"source {i} {HOSTILE if i == 7 else ''}", "ru": f"цель {i}"},
              "mt_model": "m@r", "mt_score": -((i * 7919) % n_pairs) / n_pairs,
              "qa_flags": list(flags[i % 3])} for i in range(n_pairs)]
    segs = [segment_row(Segment(f"p{i:05d}", 0, f"source {i}", 0, 8, "c", None, "en", 0.99))
            for i in range(20)]
    outputs = []
    for config, rows, feats in (("en-ru", pairs, pair_features("en", "ru")),
                                ("segments", segs, segments_features())):
        rel = f"data/{config}/train-00000-of-00001.parquet"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=feats.arrow_schema), root / rel)
        outputs.append({"path": rel, "rows": len(rows), "sha256": sha256_path(root / rel)})
    rejects = [{"stage": "filter", "reason": "too_few_words", "id": f"x:{i}", "text": f"w{i}"}
               for i in range(5)]
    rejects.append({"stage": "filter", "reason": "bad_chars", "id": "y:0", "text": HOSTILE})
    (root / "rejects.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rejects))
    manifest = {"dataset": {"name": "synthetic", "version": "0.1.0"}, "signature": "sig",
                "builder": {"version": "0"}, "outputs": outputs,
                "counts": {"posts": {"read": 25, "kept": 20},
                           "segments": {"segmented": 26, "kept": 20},
                           "drops": {"too_few_words": 5, "bad_chars": 1}}}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root, pairs


def test_page_data_samples_large_configs_and_says_so(tmp_path):
    root, pairs = _dataset(tmp_path / "ds", 4_500)
    data = report_data(root)
    (table,) = [t for t in data["tables"] if t.kind == "pairs"]
    assert table.total == 4_500 and len(table.rows) == 4_000
    assert "sample of 4,000 of 4,500 rows" in table.note and "lowest mt_score" in table.note
    worst = sorted(pairs, key=lambda p: (p["mt_score"], p["id"]))[:2_000]
    shown = {r["id"] for r in table.rows}
    assert {p["id"] for p in worst} <= shown
    segments = [t for t in data["tables"] if t.kind == "segments"][0]
    assert segments.note == "All 20 rows." and len(segments.rows) == 20
    rejects = data["tables"][-1]
    assert rejects.kind == "rejects" and len(rejects.rows) == 6
    groups = {g["title"]: g for g in data["funnel"]}
    assert [s["count"] for s in groups["Segments"]["steps"]] == [26, 1, 5, 20]
    assert [h["name"] for h in data["histograms"]] == [
        "segments-length", "segments-lang_score", "en-ru-mt_score", "en-ru-length_ratio"]


def test_site_is_offline_escaped_and_byte_identical(tmp_path):
    root, _ = _dataset(tmp_path / "ds", 30)
    out = write_report(root)
    assert out == root / "report"
    html = (out / "index.html").read_text(encoding="utf-8")
    assets = {p.name: p.read_text(encoding="utf-8") for p in (out / "assets").iterdir()}
    assert set(assets) == {"report.css", "report.js"}
    for text in (html, *assets.values()):
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
        assert "@import" not in text and "url(" not in text
    assert "<script>alert" not in html and "<img src=x" not in html
    payload = re.search(r'<script id="report-data" type="application/json">(.*?)</script>',
                        html, re.S).group(1)
    texts = [r.get("text", r.get("src")) for t in json.loads(payload).values() for r in t["rows"]]
    assert HOSTILE in texts and any(HOSTILE in t for t in texts if t != HOSTILE)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert main(["report", str(root), "-q"]) == 0  # replaces its own earlier report
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in root.iterdir() if p.name.startswith(".report")]


def test_report_says_where_it_wrote_once(tmp_path, capsys):
    root, _ = _dataset(tmp_path / "ds", 30)
    assert main(["report", str(root)]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"Wrote {root / 'report' / 'index.html'}: open it in a browser (works offline)\n"
    assert captured.err == ""  # not logged again at the default level


def test_cli_errors(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 3
    assert "no such dataset folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 3
    assert "not a bitext-builder dataset" in capsys.readouterr().err
    root, _ = _dataset(tmp_path / "ds", 10)
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    assert main(["report", str(root), "--out", str(other)]) == 2
    assert "not a report this tool wrote" in capsys.readouterr().err
    assert (other / "notes.txt").read_text() == "keep me"
    (root / "rejects.jsonl").write_text('{"stage": "filter"}\n')
    assert main(["report", str(root), "--out", str(tmp_path / "r")]) == 3
    err = capsys.readouterr().err
    assert "rejects.jsonl:1" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_report_of_a_real_build(sample_build, tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["report", str(sample_build), "--out", str(out)]) == 0
    assert f"Wrote {out / 'index.html'}" in capsys.readouterr().out
    data = report_data(sample_build)
    manifest = json.loads((sample_build / "manifest.json").read_text())
    kinds = [t.kind for t in data["tables"]]
    assert kinds == ["segments", "rejects"]
    assert data["tables"][-1].total == sum(manifest["counts"]["drops"].values())
    assert dict(data["segment_languages"])["en"] == manifest["counts"]["segments"]["kept"]
    assert len(data["histograms"]) == len(list((sample_build / "images").iterdir()))


def test_a_report_inside_the_dataset_folder_leaves_it_a_dataset(tmp_path, capsys):
    """build -> report (default DIR/report) -> verify, publish and a rebuild still work, and
    publish uploads the dataset (card images included), not the report."""
    small = tmp_path / "small.txt"
    small.write_text("Forwarded from A\nOne small post of some words.\n\n"
                     "Forwarded from A\nAnother post, with more words in it.\n", encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", "--input", str(small), "--out", str(out), "-q"]) == 0
    assert main(["report", str(out), "-q"]) == 0
    assert (out / "report" / "index.html").is_file()
    assert main(["verify", str(out)]) == 0
    (out / "report" / "notes.txt").write_text("not the tool's")  # anything else is still a stranger
    assert main(["verify", str(out)]) == 1
    assert "report/notes.txt" in capsys.readouterr().err
    (out / "report" / "notes.txt").unlink()
    page = (out / "report" / "index.html").read_bytes()
    (out / "report" / "index.html").write_text("<html>someone else's page</html>")
    assert main(["verify", str(out)]) == 1
    assert "report/index.html" in capsys.readouterr().err
    (out / "report" / "index.html").write_bytes(page)
    assert main(["verify", str(out)]) == 0
    assert "but the review report in report/ (not published)" in capsys.readouterr().out
    assert main(["publish", str(out), "--repo-id", "org/ds", "--dry-run"]) == 0
    listing = capsys.readouterr().out
    assert "images/segments-length.svg" in listing and "report/" not in listing
    assert main(["build", "--input", str(small), "--out", str(out), "-q", "--version", "1.0.1",
                 "--force"]) == 0
    assert not (out / "report").exists()  # the new build replaced the folder
