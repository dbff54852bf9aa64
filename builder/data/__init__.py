"""Data shipped with the package: the bundled sample channel (`bundled:` inputs)."""
