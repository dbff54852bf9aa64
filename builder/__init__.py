"""bitext-builder: Telegram channel posts to versioned translation/alignment datasets."""

__version__ = "0.2.0"

__all__ = ["__version__"]
