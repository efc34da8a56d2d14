"""Running and storage: sweep specs, single runs and sweeps, atomic writes, manifests, loaders.

The layer that runs the model and keeps what it produced: a run's tables
(:mod:`~wijksim.experiments.runner.run`), a sweep's plan and execution with resume
(:mod:`~wijksim.experiments.runner.sweep_spec`, :mod:`~wijksim.experiments.runner.sweep`),
atomic files and folders, provenance, and reading a results folder back. It uses the
analysis layer only to compute each run's indicator tables; it renders nothing.
"""
