"""One error hierarchy for the library; only the CLI prints these and maps them to exit codes."""

from __future__ import annotations


class BuilderError(Exception):
    """Base of every error the builder raises on purpose."""

    exit_code = 1


class ConfigError(BuilderError):
    """Bad configuration or usage: unknown keys, bad values, impossible settings."""

    exit_code = 2


class InputError(BuilderError):
    """Unreadable, malformed or unrecognised input."""

    exit_code = 3


class ModelError(BuilderError):
    """A translation model is missing, unloadable or unusable."""

    exit_code = 4


class PublishError(BuilderError):
    """Publishing to the Hub failed."""

    exit_code = 5


class VerifyError(BuilderError):
    """A built dataset does not match its manifest or card."""

    exit_code = 1


def utf8_error_at(data: bytes, err: UnicodeDecodeError) -> str:
    """`LINE: invalid UTF-8 (REASON at byte N)` for text `data` that failed to decode, N
    counted within the line, as the readers name it."""
    line_start = data.rfind(b"\n", 0, err.start) + 1
    line = data.count(b"\n", 0, err.start) + 1
    return f"{line}: invalid UTF-8 ({err.reason} at byte {err.start - line_start})"
