"""The model's revision: bumped with every change of results.

Two runs of the same scenario and seed give the same numbers only if they were made with
the same revision. Sweeps record it and refuse to mix runs of different revisions
(a resumed sweep after a model fix would otherwise keep runs of the old code), and
``CHANGELOG``-style notes in ``docs/ODD.md`` say what each revision changed.

Bump :data:`MODEL_REVISION` in the same commit as any change that alters a result of
``experiments/benchmarks/fingerprint.py``.
"""

MODEL_REVISION = 3
"""1: the model as of commit 3d58c1e (issues 1–7). 2: the operator's forecast expects
the population-results settlement (issue 15, item 3). 3: a function budget pays for a
contracted formation, with a claw-back recorded as ``operator_clawback_eur`` in every run
(issue 15, item 11)."""
