"""Imported by the worker processes' fork server after the step modules: the libraries the
steps name in `preload` (see `processes.start_early`)."""

from builder.pipeline.processes import step_preloads

step_preloads()
