"""Releases: history and atomic swap of the output folder, verify, diff, publish, inspect."""
