"""Where translation batches run: the `Engine` interface; `local` (this process) and
`ray_data` (a pool of model actors on Ray Data) implement it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from builder.mt.models import ModelSpec
    from builder.mt.stage import TranslateStage


class Engine(Protocol):
    """Fills the translation cache: `fill` translates `texts` (those missing from the cache)
    with the stage's planned batches and stores each hypothesis under its key. Every engine
    gives the same cache entries, so the engine is not part of the build signature."""

    name: str

    def record(self) -> dict:
        """The engine as the manifest records it."""
        ...

    def fill(self, stage: TranslateStage, spec: ModelSpec, texts: list[str],
             keys: list[bytes]) -> None: ...

    def close(self) -> None: ...
