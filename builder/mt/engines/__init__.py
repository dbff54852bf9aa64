"""Where translation batches run: in the build process or on Ray Data."""
