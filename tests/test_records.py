"""Records: frozen, and `evolve` copies one with changes."""

from dataclasses import FrozenInstanceError

import pytest

from builder.records import Post, evolve


def test_evolve_copies_a_frozen_record_with_changes():
    post = Post("p", 0, "c", None, "old text", ("tag",), (), ())
    new = evolve(post, text="new text")
    assert new == Post("p", 0, "c", None, "new text", ("tag",), (), ()) and post.text == "old text"
    with pytest.raises(FrozenInstanceError):
        new.text = "x"


def test_make_is_the_constructor_without_init():
    """`make(cls, **values)` gives what `cls(**values)` gives: equal, same field order and
    state, defaults filled in, frozen, pickled alike; for every record type, with only the
    required fields and with all of them."""
    import pickle
    from dataclasses import MISSING, fields

    from builder.records import Doc, RawPost, Reaction, Rejected, Segment, make

    examples = {
        Reaction: {"emoji": "👍", "count": 3},
        RawPost: {"source": "a.jsonl", "position": 4, "lines": ("x", "y"), "message_id": "7",
                  "channel": "c", "date": "2024-01-01T00:00:00Z", "date_is_local": True,
                  "reactions": (Reaction("👍", 1),), "hashtags": ("h",), "urls": ("u",),
                  "format": "jsonl"},
        Post: {"post_id": "p", "position": 1, "channel": "c", "date": None, "text": "t",
               "hashtags": (), "urls": (), "reactions": (), "lang": "en", "lang_score": 0.5,
               "date_is_local": True},
        Segment: {"post_id": "p", "segment_index": 2, "text": "t", "char_start": 0,
                  "char_end": 1, "channel": "c", "date": None, "lang": "en",
                  "lang_score": 0.25, "date_is_local": True},
        Rejected: {"stage": "s", "reason": "r", "id": "i", "text": "t", "segment_index": 3,
                   "duplicate_of": "d"},
        Doc: {"raw": None, "post": None, "lines": ("l",), "dropped": True, "split_of": "q"},
    }
    for cls, full in examples.items():
        required = {f.name: full[f.name] for f in fields(cls) if f.default is MISSING}
        for values in (required, full):
            made, built = make(cls, **values), cls(**values)
            assert made == built and list(vars(made).items()) == list(vars(built).items())
            assert pickle.loads(pickle.dumps(made)) == built
            with pytest.raises(FrozenInstanceError):
                made.__setattr__(fields(cls)[0].name, None)
