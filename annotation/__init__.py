"""Label Studio round trip (labeling configs, task export, annotation import, agreement)."""
