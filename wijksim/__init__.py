"""wijksim: an agent-based model of a Dutch neighbourhood and its social neighbourhood team.

The code lives in sub-packages: :mod:`wijksim.model` (engine), :mod:`wijksim.agents`
(agent classes), :mod:`wijksim.experiments` (runs, CLI, figures) and
:mod:`wijksim.scenarios` (TOML scenarios).
"""

__version__ = "0.1.0"
