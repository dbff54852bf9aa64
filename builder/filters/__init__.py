"""Segment filters (length, characters, language) and duplicate removal."""
