"""Benchmarks: wijksim's array core against an idiomatic Mesa reference (issue 7).

Nothing in the model imports this package; ``wijksim bench`` and the tests do.
"""
