"""The review report: a static site (index.html + assets) for looking at a built dataset."""
