"""The names of the team configurations that a teams comparison runs and analyses.

One home for the names that the sweep (:mod:`wijksim.experiments.runner.teams_sweep`)
and the analysis (:mod:`wijksim.experiments.analysis.teams_analysis`) share; kept apart
from both so that the sweep does not load the analysis (and its statistics libraries).
"""

INTEGRAL = "integral"
"""The reference configuration: one team, all domains, one queue."""
