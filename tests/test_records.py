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
