"""Alignment of human translations: post pairing, sentence aligner, anchors, MT bridge."""
