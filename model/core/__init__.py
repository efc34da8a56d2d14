"""The words every layer of the engine shares: simulated time and the ZRM domains.

``clock`` (weeks and years) and ``domains`` (the eleven life domains and their
spillovers). The bottom layer: imports nothing of wijksim.
"""
