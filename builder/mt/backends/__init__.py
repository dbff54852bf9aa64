"""Translator backends: transformers (MarianMTModel) and CTranslate2."""
