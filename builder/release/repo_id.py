"""Hub repo ids, checked with huggingface_hub's own validator before any other work."""

from __future__ import annotations

from builder.errors import ConfigError


def check_repo_id(text: str) -> str:
    """`org/name` as the Hub accepts it; a ConfigError naming the problem otherwise."""
    from huggingface_hub.errors import HFValidationError  # noqa: PLC0415
    from huggingface_hub.utils import validate_repo_id  # noqa: PLC0415

    try:
        validate_repo_id(text)
    except HFValidationError as err:
        reason = str(err).split(": '")[0].rstrip(".")
        raise ConfigError(f"repo id {text!r} is not valid on the Hub: {reason}") from err
    return text
