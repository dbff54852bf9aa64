"""Split assignment: hash, previous release, edits, and small builds."""

import pyarrow as pa

from builder.config import SplitConfig
from builder.output.splits import PreviousRelease, SplitAssigner, split_for


def previous(rows):
    ids, texts, splits = zip(*rows, strict=True)
    return PreviousRelease(list(ids), pa.array(texts), list(splits))


def test_without_previous_release_the_hash_decides():
    cfg = SplitConfig()
    assigner = SplitAssigner(cfg)
    ids = [f"p{i}" for i in range(200)]
    assert [assigner.assign(i, f"text {i}") for i in ids] == [split_for(i, cfg) for i in ids]
    assert assigner.balance() == []  # every split has posts: nothing moves


def test_previous_split_and_edited_post_keep_their_split():
    text = "The conversation took place in a traditionally friendly atmosphere of trust."
    prev = previous([("h1", text, "validation"), ("h2", "Another post entirely, on trade.", "test")])
    cfg = SplitConfig()
    assigner = SplitAssigner(cfg, prev)
    assert assigner.assign("h2", "Another post entirely, on trade.") == "test"
    edited_id = next(f"e{i}" for i in range(100) if split_for(f"e{i}", cfg) != "validation")
    assert assigner.assign(edited_id, text + " As agreed.") == "validation"
    unrelated = next(f"u{i}" for i in range(100) if split_for(f"u{i}", cfg) == "train")
    assert assigner.assign(unrelated, "Completely different words about the weather.") == "train"
    record = assigner.record()["kept_from_previous_release"]
    assert [(r["post_id"], r["previous_post_id"], r["split"]) for r in record] == [
        (edited_id, "h1", "validation")]


def _ids_in(cfg, split, n, prefix="x"):
    return [i for i in (f"{prefix}{k}" for k in range(10_000)) if split_for(i, cfg) == split][:n]


def test_small_build_gets_validation_and_test():
    cfg = SplitConfig(train=0.8, validation=0.1, test=0.1)
    ids = _ids_in(cfg, "train", 12)  # the hash puts every post in train
    assigner = SplitAssigner(cfg)
    for i in ids:
        assigner.assign(i, i)
    moves = assigner.balance()
    assert sorted(m.to_split for m in moves) == ["test", "validation"]
    assert all(m.from_split == "train" for m in moves) and len({m.post_id for m in moves}) == 2
    again = SplitAssigner(cfg)  # deterministic, whatever the input order
    for i in reversed(ids):
        again.assign(i, i)
    assert again.balance() == sorted(moves, key=lambda m: ["validation", "test"].index(m.to_split))


def test_small_build_rules_do_not_apply():
    cfg = SplitConfig(train=0.8, validation=0.1, test=0.1)
    few = SplitAssigner(cfg)
    for i in _ids_in(cfg, "train", 9):
        few.assign(i, i)
    assert few.balance() == []  # under 10 posts: no forced split
    no_val = SplitConfig(train=0.9, validation=0.0, test=0.1)
    assigner = SplitAssigner(no_val)
    for i in _ids_in(no_val, "train", 12):
        assigner.assign(i, i)
    assert [m.to_split for m in assigner.balance()] == ["test"]  # validation ratio 0: none


def test_posts_of_an_earlier_release_never_move():
    cfg = SplitConfig(train=0.8, validation=0.1, test=0.1)
    old = _ids_in(cfg, "train", 12, "old")
    prev = previous([(i, f"earlier post number {i}", "train") for i in old])
    assigner = SplitAssigner(cfg, prev)
    for i in old:
        assigner.assign(i, f"earlier post number {i}")
    assert assigner.balance() == []  # only old posts: nothing may move
    new = _ids_in(cfg, "train", 2, "new")
    texts = {i: f"earlier post number {i}" for i in old}
    texts |= {i: f"fresh words about a topic called {i} today" for i in new}
    assigner = SplitAssigner(cfg, prev)
    for i in old + new:
        assigner.assign(i, texts[i])
    assert {m.post_id for m in assigner.balance()} == set(new)  # the new posts fill the gaps


def test_near_duplicate_takes_its_first_copys_split():
    cfg = SplitConfig()
    first = next(f"f{i}" for i in range(100) if split_for(f"f{i}", cfg) == "test")
    later = next(f"l{i}" for i in range(100) if split_for(f"l{i}", cfg) == "train")
    assert SplitAssigner(cfg).assign(later, "a repost", same_as=first) == "test"
    # the first copy was in the previous release: its split there
    prev = previous([(first, "the first copy of a post", "validation")])
    assert SplitAssigner(cfg, prev).assign(later, "a repost", same_as=first) == "validation"


def test_nearest_candidates_and_positions_from_workers_match_the_plain_definition():
    """The candidates kept for filling an empty split are the `_KEEP` nearest (distance,
    post id) of each (empty split, split), as appending, sorting and cutting the list after
    every post kept them; a `position` handed in (a worker's `hash_position`) gives the split
    the assigner would have hashed."""
    import random

    from builder.output.splits import _KEEP, hash_position, ranges

    rng = random.Random(9)
    for trial in range(60):
        config = SplitConfig(train=0.8, validation=0.1, test=0.1,
                             salt=f"s{trial}") if trial % 2 else SplitConfig()
        ids = [f"c:{rng.randrange(10 ** rng.randrange(1, 5))}" for _ in range(rng.randrange(300))]
        plain: dict = {}
        hashed, handed = SplitAssigner(config), SplitAssigner(config)
        for post_id in ids:
            split = hashed.assign(post_id, "")
            position = hash_position(post_id, config.salt)
            assert handed.assign(post_id, "", position=position) == split
            for target, (lo, hi) in ranges(config).items():
                if target in (split, "train"):
                    continue
                best = plain.setdefault((target, split), [])
                best.append((lo - position if position < lo else position - hi, post_id))
                best.sort()
                del best[_KEEP:]
        assert hashed._nearest == plain == handed._nearest
        assert hashed.balance() == handed.balance()
    edge = SplitAssigner(SplitConfig())
    assert [edge.assign(f"p{x}", "", position=x) for x in (0.0, 0.8, 0.9, 0.95, 1.0)] \
        == ["train", "validation", "test", "test", "test"]
