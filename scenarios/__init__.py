"""Shipped scenarios (TOML files), readable by a policy analyst."""
