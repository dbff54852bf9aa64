"""Telegram text: the cleaning rules, sentence segmentation and language identification."""
