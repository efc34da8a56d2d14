"""The words every layer of the engine shares: simulated time and the ZRM domains."""
