"""The simulation engine, in layers that import one way (issue 20, item 1).

Top to bottom; each layer may import those below it, never those above
(``[tool.importlinter]`` in pyproject.toml, checked by ``.ci/lint_imports.py``):

* :mod:`wijksim.model.model` — the wiring and the weekly step; and
  :mod:`wijksim.model.inputs` — scenario files: reading, overrides, scaling, the
  parameter reference, plugins.
* :mod:`wijksim.model.rules` — the weekly rules, their registry and schedule; beside
  them, not imported by them, the actors in :mod:`wijksim.agents`.
* :mod:`wijksim.model.contracts` — payment rules and access options A–E; and
  :mod:`wijksim.model.observation` — metrics, outcomes, trajectories, surveys.
* :mod:`wijksim.model.state` — arrays and tables: households, cases, network, ledger,
  random streams.
* :mod:`wijksim.model.config` — the scenario schema.
* :mod:`wijksim.model.core` — simulated time and the ZRM domains.

:mod:`wijksim.model.revision` (the model revision) stands apart: it imports nothing.
"""
