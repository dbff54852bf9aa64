"""Translator factories that fail once (for the Ray engine's retry tests). Pickled by value
into the actors, so the workers need not import the tests."""

from __future__ import annotations

import os


class _Faulty:
    def __init__(self, inner, marker: str, mode: str):
        self.inner, self.marker, self.mode = inner, marker, mode

    def __call__(self, texts):
        if not os.path.exists(self.marker):
            with open(self.marker, "w") as f:
                f.write(str(os.getpid()))
            if self.mode == "raise":
                raise RuntimeError("injected failure in one batch")
            os._exit(1)  # the actor process dies mid-batch
        return self.inner(texts)

    def count_tokens(self, texts):
        return self.inner.count_tokens(texts)


class FailOnce:
    def __init__(self, marker: str, mode: str):
        self.marker, self.mode = marker, mode

    def __call__(self, spec, settings, runtime, cache_root):
        from builder.mt.translator import make_translator

        return _Faulty(make_translator(spec, settings, runtime, cache_root), self.marker, self.mode)
