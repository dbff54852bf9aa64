"""Optional dependencies: `require` imports one, or raises one line naming what to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from builder.errors import BuilderError, ConfigError


def require(module: str, extra: str, *, needed_by: str, install: str | None = None,
            error: type[BuilderError] = ConfigError) -> ModuleType:
    """`module`, imported; if it cannot be, `error` saying that `needed_by` needs it and how
    to install it (`pip install 'bitext-builder[<extra>]'` unless `install` says otherwise),
    chained to the ImportError (shown with -v)."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        missing = err.name or module
        hint = install or f"pip install 'bitext-builder[{extra}]'"
        raise error(f"{needed_by} needs {missing}: {hint}") from err
