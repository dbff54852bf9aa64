"""The boilerplate, near-duplicate and personal-data steps in a build: what they remove, the
rejects with the copy kept, splits of near-duplicates, manifest and card."""

import json
import random

import pytest

from builder.cli import main
from builder.config import SplitConfig
from builder.output.splits import split_for
from tests.helpers import read_rows

FOOTER = "Subscribe to our channel: @newsroom"
WORDS = ("the minister said that our country will support every fair proposal on trade energy "
         "security and culture while partners must respect international law talks continue "
         "next week in the capital with experts from several regions who discussed new projects "
         "for roads schools hospitals farms ports and bridges across the north and the south "
         "after long negotiations between delegations of both sides").split()
PII_TEXT = ("Write to press@example.org or call +7 495 244-16-06 to request the accreditation "
            "of journalists.")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 12))]
    return " ".join(words).capitalize() + "."


def channel(tmp_path):
    """40 posts with a footer; a corrected repost of post 5; a post made of the footer only;
    a sentence of post 10 repeated with a typo in post 43; personal data in post 42."""
    rng = random.Random(7)
    posts = {i: f"On 5 May {sentence(rng)} {sentence(rng)}\n{sentence(rng)}\n{FOOTER}"
             for i in range(1, 41)}
    posts[41] = posts[5].replace("On 5 May", "On 6 May") + "\nUPD: corrected."
    posts[42] = f"{sentence(rng)}\n{PII_TEXT}\n{FOOTER}"
    repeated = posts[10].split("\n")[1]
    typo = repeated[:5] + repeated[6] + repeated[5] + repeated[7:]
    posts[43] = f"{sentence(rng)}\n{typo}\n{FOOTER}"
    posts[44] = FOOTER
    path = tmp_path / "channel.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t, "channel": "News",
                                        "date": f"2024-05-{1 + i % 28:02d}T10:00:00Z"}) + "\n"
                            for i, t in posts.items()), encoding="utf-8")
    return path, posts


def build(tmp_path, *extra):
    path, posts = channel(tmp_path)
    out = tmp_path / ("ds" + "".join(extra).replace(".", "_").replace("=", "_"))
    config = tmp_path / "c.yaml"
    lines = ["name: quality-test", "input:", f"  paths: [{path}]"]
    for item in extra:
        key, value = item.split("=")
        section, leaf = key.split(".", 1)
        lines += [f"{section}:", f"  {leaf}: {value}"]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["build", str(config), "--out", str(out), "-q"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    rejects = [json.loads(x) for x in (out / "rejects.jsonl").read_text().splitlines()]
    return out, posts, manifest, rejects


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(tmp_path_factory.mktemp("quality"))


def test_boilerplate_removed_recorded_once_and_offsets_hold(built):
    out, posts, manifest, rejects = built
    bp = manifest["counts"]["boilerplate"]
    assert bp["distinct_lines"] == 1 and bp["occurrences"] == 44
    assert bp["top_lines"] == [{"channel": "News", "line": FOOTER, "occurrences": 44}]
    rows = {p["post_id"]: p for p in read_rows(out, "posts")}
    assert all(FOOTER not in p["text"] for p in rows.values())
    for s in read_rows(out, "segments"):
        assert rows[s["post_id"]]["text"][s["char_start"]:s["char_end"]] == s["text"]
        assert "Subscribe" not in s["text"]
    assert {"stage": "clean", "reason": "boilerplate_only", "id": "44", "text": FOOTER} in rejects
    card = (out / "README.md").read_text()
    assert "boilerplate removed: 1 distinct lines, 44 occurrences" in card
    assert f"boilerplate line of `News`: `{FOOTER}` | 44 |" in card


def test_near_duplicate_post_later_copy_kept_in_first_copys_split(built):
    out, posts, manifest, rejects = built
    post_rows = {p["post_id"]: p for p in read_rows(out, "posts")}
    assert "5" not in post_rows and "41" in post_rows
    dropped = [r for r in rejects if r["reason"] == "near_duplicate" and r["id"] == "5"]
    assert dropped and dropped[0]["duplicate_of"] == "41" and dropped[0]["stage"] == "dedup"
    first_split = split_for("5", SplitConfig())
    splits = {split for split in ("train", "validation", "test")
              for f in (out / "data" / "posts").glob(f"{split}-*.parquet")
              if "41" in {r["post_id"] for r in __import__("pyarrow.parquet").parquet
                          .read_table(f).to_pylist()}}
    assert splits == {first_split}
    counts = manifest["counts"]["near_duplicates"]
    assert counts["post_clusters"] == 1 and counts["posts_dropped"] == 1
    assert counts["later_copies_kept"] == 1


def test_near_duplicate_segment_points_at_first_copy(built):
    out, posts, manifest, rejects = built
    segs = [r for r in rejects if r["reason"] == "near_duplicate" and r["id"].startswith("43:")]
    assert len(segs) == 1 and segs[0]["duplicate_of"].startswith("10:")
    kept = {s["id"]: s["text"] for s in read_rows(out, "segments")}
    assert kept[segs[0]["duplicate_of"]] == posts[10].split("\n")[1]
    assert manifest["counts"]["near_duplicates"]["segments_dropped"] == 1


def test_personal_data_replaced_everywhere(built):
    out, posts, manifest, rejects = built
    assert manifest["counts"]["personal_data"] == {
        "action": "replace", "found": {"email": 1, "phone": 1, "ip": 0, "card": 0}}
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix in (".parquet", ".jsonl")]
    texts = [s["text"] for s in read_rows(out, "segments")]
    assert "Write to <EMAIL> or call <PHONE> to request the accreditation of journalists." in texts
    for f in files:
        assert b"press@example.org" not in f.read_bytes() and b"244-16-06" not in f.read_bytes()
    assert "personal data replaced: email (`<EMAIL>`) | 1" in (out / "README.md").read_text()


@pytest.mark.parametrize("action", ["replace", "drop", "keep"])
def test_personal_data_of_dropped_posts_stays_out_of_the_rejects_file(tmp_path, action):
    """A post that cleaning empties (a link only) is rejected with its raw text: that text
    passes the same replacement, or an e-mail address in a dropped link reached rejects.jsonl
    (which publish uploads) while the card said personal data was replaced."""
    link = "🔗 https://example.org/contact?mail=john.doe@example.com&tel=+15551234567"
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t, "channel": "News"}) + "\n" for i, t in
                            enumerate([link, f"Reports say that {WORDS[5]} talks go on.", link,
                                       "Call +7 495 244-16-06."])), encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(f"name: pii-rejects\ninput:\n  paths: [{path}]\npii:\n  action: {action}\n",
                      encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", str(config), "--out", str(out), "-q"]) == 0
    rejects = (out / "rejects.jsonl").read_text(encoding="utf-8")
    assert '"reason": "empty_after_cleaning"' in rejects
    if action == "keep":
        assert "john.doe@example.com" in rejects
        return
    assert "<EMAIL>" in rejects and "<PHONE>" in rejects
    for f in out.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert b"john.doe@example.com" not in data and b"5551234567" not in data, f
            assert b"244-16-06" not in data, f


def test_steps_in_manifest_in_the_order_they_run(built):
    names = [s["name"] for s in built[2]["steps"]]
    order = ["personal_data", "channel_boilerplate", "near_duplicate_posts", "sentencex",
             "exact_dedup", "near_duplicate_segments", "segment_language"]
    assert [names.index(n) for n in order] == sorted(names.index(n) for n in order)
    two_pass = [s["name"] for s in built[2]["steps"] if s.get("passes") == 2]
    assert two_pass == ["channel_boilerplate", "near_duplicate_posts"]


def test_personal_data_drop_and_keep(tmp_path):
    out, _, manifest, rejects = build(tmp_path, "pii.action=drop")
    assert not any("<EMAIL>" in s["text"] for s in read_rows(out, "segments"))
    assert [r["reason"] for r in rejects if r["reason"].startswith("personal_data")] == [
        "personal_data:email"]
    out, _, manifest, _ = build(tmp_path, "pii.action=keep")
    assert PII_TEXT in [s["text"] for s in read_rows(out, "segments")]
    assert manifest["counts"]["personal_data"]["found"]["email"] == 1


def test_each_step_can_be_turned_off(tmp_path):
    out, posts, manifest, rejects = build(tmp_path, "boilerplate.enabled=false",
                                          "near_dedup.posts={enabled: false}")
    names = [s["name"] for s in manifest["steps"]]
    assert "channel_boilerplate" not in names and "near_duplicate_posts" not in names
    assert any(FOOTER in p["text"] for p in read_rows(out, "posts"))
    assert not [r for r in rejects if r["reason"] == "near_duplicate" and r["id"] == "5"]


@pytest.mark.parametrize("short, long, edit", [
    (("Who could disagree?", "Who could disagree!"),
     "The two Foreign Ministers had an in-depth discussion on bilateral relations.",
     ("discussion", "discusion")),
    # issue 11: `min_words` was told by spaces, so no Chinese segment was ever checked; words
    # are counted per script ("好的" is two, the sentence 28)
    (("好的。", "好的！"), "双方同意加强在能源和交通领域的合作，并探讨新的合作项目。", ("新的", "新")),
])
def test_segment_near_dedup_leaves_short_segments_to_exact_dedup(short, long, edit):
    from builder.config import NearDedupSegmentsConfig
    from builder.filters.near_dedup import SegmentNearDedup
    from builder.records import Doc, Post, Segment

    def doc(i, texts):
        post = Post(f"p{i}", i, "c", None, "\n".join(texts), (), (), ())
        return Doc(None, post, segments=tuple(
            Segment(post.post_id, k, t, 0, len(t), "c", None) for k, t in enumerate(texts)))

    step = SegmentNearDedup(NearDedupSegmentsConfig())
    out = step.run([doc(0, [short[0], long]), doc(1, [short[1], long.replace(*edit)])])
    assert [s.text for s in out[1].segments] == [short[1]]
    assert out[1].rejects[0].duplicate_of == "p0:1" and step.drops == {"near_duplicate": 1}


def test_segment_near_dedup_answers_do_not_depend_on_chunks():
    """The keys of a whole chunk at once (`keys_batch`, one array a chunk) and the ordered
    pass over them (`admit_batch`) decide as one post at a time does: dropped posts, posts
    without a long segment and posts with several are mixed."""
    from builder.config import NearDedupSegmentsConfig
    from builder.filters.near_dedup import SegmentNearDedup
    from builder.records import Doc, Post, Segment, evolve

    rng = random.Random(3)
    pool = [sentence(rng) for _ in range(12)] + ["Short one.", "Yes."]
    docs = []
    for i in range(60):
        texts = [rng.choice(pool).replace("the", rng.choice(["the", "a"]), 1)
                 for _ in range(rng.randint(0, 4))]
        post = Post(f"p{i}", i, "c", None, "\n".join(texts), (), (), ())
        doc = Doc(None, post, segments=tuple(
            Segment(post.post_id, k, t, 0, len(t), "c", None) for k, t in enumerate(texts)))
        docs.append(evolve(doc, dropped=True) if i % 7 == 3 else doc)

    def decide(size):
        step = SegmentNearDedup(NearDedupSegmentsConfig())
        out = []
        for k in range(0, len(docs), size):
            chunk = docs[k : k + size]
            answers = step.admit_batch(step.keys_batch(chunk))
            assert len(answers) == len(chunk)
            out += answers
        return out

    one_at_a_time = decide(1)
    assert sum(len(a) for a in one_at_a_time if a) > 10  # near-duplicates were found
    assert all(one_at_a_time[i] is None for i in range(3, 60, 7))  # dropped posts
    for size in (2, 5, 60):
        assert decide(size) == one_at_a_time


@pytest.mark.parametrize("action", ["replace", "drop"])
def test_personal_data_in_both_sides_of_aligned_rows(tmp_path, action):
    en, ru = tmp_path / "en.jsonl", tmp_path / "ru.jsonl"
    en.write_text(json.dumps({"id": 1, "date": 1709276400, "text": (
        "On May 15, Elena Sokolova opened the new bridge. Call +7 495 244-16-06 for tickets.")}),
        encoding="utf-8")
    ru.write_text(json.dumps({"id": 2, "date": 1709280000, "text": (
        "15 мая Елена Соколова открыла новый мост. Звоните +7 495 244-16-06 за билетами.")},
        ensure_ascii=False), encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(f"pii:\n  action: {action}\n", encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", str(config), "--input", str(en), "--parallel-input", f"ru={ru}",
                 "--out", str(out), "-q"]) == 0
    rows = read_rows(out, "en-ru-aligned")
    texts = [t for r in rows for t in r["translation"].values()]
    for f in out.rglob("*"):
        assert not f.is_file() or b"244-16-06" not in f.read_bytes(), f
    counts = json.loads((out / "manifest.json").read_text())["counts"]["align"]["ru"]
    assert counts["personal_data_phone"] == 1
    if action == "replace":
        assert "Call <PHONE> for tickets." in texts and "Звоните <PHONE> за билетами." in texts
    else:
        assert texts and not any("<PHONE>" in t for t in texts)
        assert counts["personal_data_beads"] == 1


@pytest.mark.parametrize("action, needle", [
    ("replace", "E-mail addresses, phone numbers, IP addresses and payment card numbers were "
                "replaced by typed placeholders"),
    ("drop", "Segments holding e-mail addresses, phone numbers, IP addresses and payment card "
             "numbers were dropped"),
    ("keep", "were found and counted (step table above) but kept as published"),
])
def test_card_says_what_became_of_personal_data(action, needle):
    from builder.config import BuildConfig, PiiConfig
    from builder.output.card import render_card

    card = render_card(config=BuildConfig(name="x", pii=PiiConfig(action=action)), features={},
                       split_rows={}, file_sizes={}, examples={}, steps=[], inputs=[],
                       signature="s", langid="l", segmenter="s")
    assert needle in " ".join(card.split())


def test_same_bytes_in_process_and_on_worker_processes(tmp_path):
    """Two-pass and ordered quality steps give the same files on 2 worker processes."""
    path, _ = channel(tmp_path)
    outs = []
    for workers in (0, 2):
        out = tmp_path / f"w{workers}"
        assert main(["build", "--input", str(path), "--workers", str(workers), "--out", str(out),
                     "-q"]) == 0
        outs.append(out)
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(outs[1]) for p in outs[1].rglob("*") if p.is_file())
    for rel in files:
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel
    manifest = json.loads((outs[1] / "manifest.json").read_text())
    assert manifest["counts"]["boilerplate"]["occurrences"] == 44
    assert manifest["counts"]["near_duplicates"]["segments_dropped"] == 1


@pytest.mark.parametrize("section, change, listed", [
    ("boilerplate", {"min_posts": 4}, True),
    ("boilerplate", {"enabled": False}, False),
    ("near_dedup", {"posts": {"keep": "first"}}, True),
    ("near_dedup", {"posts": {"enabled": False}}, False),
    ("near_dedup", {"segments": {"threshold": 0.8}}, True),
    ("near_dedup", {"posts": {"changed_numbers": 0}}, True),
    ("pii", {"action": "keep"}, True),
])
def test_each_section_is_in_the_signature(tmp_path, section, change, listed):
    """A setting of the three steps changes the signature; a step turned off leaves it."""
    from builder.config import BuildConfig
    from builder.pipeline.run import make_plan

    path, _ = channel(tmp_path)
    step = {"boilerplate": "clean:channel_boilerplate", "pii": "clean:personal_data",
            "near_dedup": ("dedup:near_duplicate_posts" if "posts" in change
                           else "dedup:near_duplicate_segments")}[section]
    base = make_plan(BuildConfig(name="s", input={"paths": [str(path)]}), tmp_path, False)
    other = make_plan(BuildConfig(name="s", input={"paths": [str(path)]}, **{section: change}),
                      tmp_path, False)
    assert step in base.signature.split("|")
    assert other.signature != base.signature
    assert (step in other.signature.split("|")) == listed


def test_sister_channel_boilerplate_is_removed_before_alignment(tmp_path):
    """The sister channel's own footer is counted over its posts and removed, so it can
    neither join an aligned bead nor be reported as an unaligned sentence."""
    en_posts = [
        "On May {d}, Elena Sokolova opened {n} new schools in the region.",
        "The festival on May {d} gathered {n} guests from abroad.",
        "On May {d}, the council approved {n} new bus routes.",
        "The museum received {n} paintings on May {d}.",
    ]
    ru_posts = [
        "{d} мая Елена Соколова открыла {n} новых школ в регионе.",
        "Фестиваль {d} мая собрал {n} гостей из-за рубежа.",
        "{d} мая совет утвердил {n} новых автобусных маршрутов.",
        "Музей получил {n} картин {d} мая.",
    ]
    footer_ru = "Подписывайтесь на наш канал: @novosti_ru"
    en, ru = tmp_path / "en.jsonl", tmp_path / "ru.jsonl"
    en.write_text("".join(json.dumps({"id": i, "date": 1709276400 + i * 86400, "text": t.format(
        d=i + 10, n=17 * i + 23)}) + "\n" for i, t in enumerate(en_posts)), encoding="utf-8")
    ru.write_text("".join(json.dumps({"id": 100 + i, "date": 1709280000 + i * 86400, "text": (
        t.format(d=i + 10, n=17 * i + 23) + "\n" + footer_ru)}, ensure_ascii=False) + "\n"
        for i, t in enumerate(ru_posts)), encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", "--input", str(en), "--parallel-input", f"ru={ru}", "--out", str(out),
                 "-q"]) == 0
    rows = read_rows(out, "en-ru-aligned")
    assert len(rows) == 4
    assert not any("Подписывайтесь" in r["translation"]["ru"] for r in rows)
    assert "Подписывайтесь" not in (out / "rejects.jsonl").read_text(encoding="utf-8")
    counts = json.loads((out / "manifest.json").read_text())["counts"]["align"]["ru"]
    assert counts["boilerplate_lines_removed"] == 4


def rows_by_split(out, config: str) -> dict[str, list[dict]]:
    import pyarrow.parquet as pq

    return {split: [r for f in sorted((out / "data" / config).glob(f"{split}-*.parquet"))
                    for r in pq.read_table(f).to_pylist()]
            for split in ("train", "validation", "test")}


@pytest.mark.parametrize("keep", ["later", "longer"])
def test_near_duplicates_never_straddle_splits(tmp_path, keep):
    """Thirty posts, each reposted later with an edit (a date, a typo, an added line): every
    kept copy, whichever it is, lands in its first copy's split in every config, and no text
    of a cluster is in two splits, also where the copies' own ids hash to other splits."""
    rng = random.Random(11)
    firsts = {i: f"{sentence(rng)} {sentence(rng)}\n{sentence(rng)} {sentence(rng)}"
              for i in range(1, 31)}
    posts = dict(firsts)
    for i, text in firsts.items():
        posts[100 + i] = text.replace(".", ";", 1) + ("\nUPD: corrected." if i % 2 else "")
    path = tmp_path / "reposts.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t, "channel": "News"}) + "\n"
                            for i, t in posts.items()), encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(f"near_dedup:\n  posts:\n    keep: {keep}\n", encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", str(config), "--input", str(path), "--out", str(out), "-q"]) == 0
    rejects = [json.loads(x) for x in (out / "rejects.jsonl").read_text().splitlines()]
    kept_of = {int(r["id"]): int(r["duplicate_of"]) for r in rejects
               if r["reason"] == "near_duplicate" and ":" not in r["id"]}
    assert len(kept_of) == 30  # one copy of each cluster dropped, pointing at the other
    first_of = {i: i for i in firsts} | {100 + i: i for i in firsts}
    assert all(first_of[a] == first_of[b] for a, b in kept_of.items())
    cfg = SplitConfig()
    # not vacuous: some reposts' own ids hash to another split than their first copy's
    assert any(split_for(str(100 + i), cfg) != split_for(str(i), cfg) for i in firsts)
    for name in ("posts", "segments"):
        by_split = rows_by_split(out, name)
        split_of_post = {int(r["post_id"]): s for s, rows in by_split.items() for r in rows}
        assert len(split_of_post) == 30
        for post_id, split in split_of_post.items():
            assert split == split_for(str(first_of[post_id]), cfg), (name, post_id)


REPOST = ("Blood donation day at the city hospital: donors are asked to bring their passports. "
          "The hospital will provide lunch and a certificate to every donor.")


def test_reposted_post_is_a_near_duplicate_not_boilerplate(tmp_path):
    """Issue 14: a post reposted three times in a 23-post channel was removed from every copy
    as boilerplate; it is now one post, its copies dropped as duplicates of the copy kept."""
    rng = random.Random(11)
    texts = [sentence(rng) for _ in range(20)] + [REPOST] * 3
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"id": i, "date": f"2024-04-0{1 + i % 9}T10:00:00Z",
                                        "text": t, "channel": "c"}) + "\n"
                            for i, t in enumerate(texts)), encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", "--input", str(path), "--out", str(out), "-q"]) == 0
    rejects = [json.loads(x) for x in (out / "rejects.jsonl").read_text().splitlines()]
    assert not [r for r in rejects if r["reason"] == "boilerplate_only"]
    kept = [r["text"] for r in read_rows(out, "segments")]
    assert sorted(t for t in kept if t in REPOST) == [  # its two sentences, once each
        REPOST[: REPOST.index(". ") + 1], REPOST[REPOST.index(". ") + 2 :]]


OPPOSITES = [
    ("The court found the defendant guilty on all charges.",
     "The court found the defendant not guilty on all charges."),
    ("The minister said the talks were successful.",
     "The minister said the talks were not successful."),
    ("Russia will take part in the summit in Geneva.",
     "Russia will not take part in the summit in Geneva."),
    ("The Security Council voted for the resolution.",
     "The Security Council voted against the resolution."),
    ("Суд признал обвиняемого виновным по всем статьям.",
     "Суд признал обвиняемого невиновным по всем статьям."),
    ("Россия примет участие в саммите в Женеве.",
     "Россия не примет участие в саммите в Женеве."),
]


RU_WORDS = ("министр сказал что наша страна поддержит каждое честное предложение о торговле "
            "энергетике безопасности и культуре партнёры должны уважать международное право "
            "переговоры продолжатся на следующей неделе в столице с экспертами из регионов").split()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_opposite_sentences_are_not_near_duplicates(tmp_path, lang):
    """Issue 14: each pair (in a post of distinct filler sentences) lost its second sentence
    as a near-duplicate of the first; both stay, in-process and on worker processes, while a
    repeated sentence with a typo is still dropped."""
    rng = random.Random(5)
    words = WORDS if lang == "en" else RU_WORDS
    end = " today." if lang == "en" else " сегодня."  # no abbreviation before a full stop
    filler = lambda: " ".join(rng.choice(words) for _ in range(10)).capitalize() + end  # noqa: E731
    pairs = OPPOSITES[:4] if lang == "en" else OPPOSITES[4:]
    typo = pairs[0][1].replace("all charges", "all chrages").replace("статьям", "статям")
    texts = [" ".join([filler(), a, filler(), b, filler()]) for a, b in pairs]
    texts.append(f"{filler()} {typo}")
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"id": i, "date": f"2024-04-0{1 + i}T10:00:00Z",
                                        "text": t, "channel": "c"}) + "\n"
                            for i, t in enumerate(texts)), encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(f"name: opposites\nsource_lang: {lang}\ninput:\n  paths: [{path}]\n",
                      encoding="utf-8")
    results = []
    for workers in (0, 2):
        out = tmp_path / f"w{workers}"
        assert main(["build", str(config), "--workers", str(workers), "--out", str(out),
                     "-q"]) == 0
        kept = {r["text"] for r in read_rows(out, "segments")}
        assert {s for pair in pairs for s in pair} <= kept
        rejects = [json.loads(x) for x in (out / "rejects.jsonl").read_text().splitlines()]
        assert [r["text"] for r in rejects if r["reason"] == "near_duplicate"] == [typo]
        results.append(sorted(kept))
    assert results[0] == results[1]


DAILY = ("Enemy losses as of {day:02d}.03.2024: personnel {a}, tanks {b}, artillery systems {c}, "
         "drones {d}.\nThe data are being updated.")


def test_daily_reports_are_posts_of_their_own_and_a_redated_repost_is_not(tmp_path):
    """Issue 14 (adversarial run): a daily report is one template with new numbers every
    day; near-duplicate removal kept only the last of seven. Posts whose numbers were
    replaced in 3 places or more are posts of their own; a repost with a changed date and
    time (2 numbers) is still a repost."""
    rng = random.Random(3)
    reports = [DAILY.format(day=d, a=400000 + 900 * d, b=6500 + 7 * d, c=10000 + 30 * d,
                            d=8000 + 20 * d) for d in range(1, 8)]
    briefing = f"Briefing on 5 March at 10:30. {sentence(rng)} {sentence(rng)} {sentence(rng)}"
    texts = [sentence(rng) for _ in range(10)] + reports + [
        briefing, briefing.replace("5 March at 10:30", "6 March at 11:00")]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t, "channel": "c"}) + "\n"
                            for i, t in enumerate(texts)), encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", "--input", str(path), "--out", str(out), "-q"]) == 0
    posts = [r["text"] for r in read_rows(out, "posts")]
    assert sorted(p.split("\n")[0] for p in posts if p.startswith("Enemy losses")) == sorted(
        r.split("\n")[0] for r in reports)
    rejects = [json.loads(x) for x in (out / "rejects.jsonl").read_text().splitlines()]
    dropped = [r for r in rejects if r["reason"] == "near_duplicate" and r["stage"] == "dedup"
               and r["text"].startswith("Briefing")]
    assert len(dropped) == 1 and "5 March" in dropped[0]["text"]  # the later copy is kept
    config = tmp_path / "off.yaml"
    config.write_text(f"name: numbers-off\ninput:\n  paths: [{path}]\n"
                      "near_dedup:\n  posts:\n    changed_numbers: 0\n", encoding="utf-8")
    assert main(["build", str(config), "--out", str(tmp_path / "off"), "-q"]) == 0
    assert len([r for r in read_rows(tmp_path / "off", "posts")
                if r["text"].startswith("Enemy losses")]) == 1  # the check off: folded


def test_replaced_numbers_count_replacements_not_additions():
    from builder.filters.report_numbers import PostNumbers, number_hashes, replaced

    def count(a, b):
        flat, n = number_hashes([a, b])
        return replaced(flat[: n[0]], flat[n[0]:])

    assert count("On 05.03.2024 at 10:30: 12 tanks", "On 06.03.2024 at 11:00: 12 tanks") == 2
    assert count("12 tanks, 30 guns", "12 tanks, 30 guns\nUPD 14:00, 15:00, 16:00") == 0
    assert count("1 2 3 4", "5 6 7 4") == 3 and count("1 1 2", "1 2 2") == 1
    numbers = PostNumbers()
    for text in ("a 1 2 3", "b", "c 4 5 6"):
        numbers.add(*number_hashes([text]))
    assert numbers.of(1).size == 0 and numbers.apart(3)(0, 2) and not numbers.apart(4)(0, 2)
    assert numbers.apart(0) is None


def test_numbers_of_a_text():
    from builder.filters.report_numbers import numbers_of

    assert numbers_of("As of 05.03.2024, 10:30: 1,234 tanks (-5), 12/3 and v2.") == [
        b"05.03.2024", b"10:30", b"1,234", b"5", b"12/3", b"2"]
    assert numbers_of("Без чисел — ... / - :") == [] and numbers_of("") == []
    assert numbers_of("Цена 1 200 руб.") == [b"1", b"200"]
