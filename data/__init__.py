"""Observed Dutch figures the model is compared with (``targets.toml``, issue 16)."""
