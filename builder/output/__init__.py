"""The dataset folder's files: features and Parquet writer, card, manifest, splits."""
