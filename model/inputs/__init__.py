"""Scenario files: reading, overriding, scaling, describing, and the plugins they name.

``scenario_io`` (TOML, ``extends``, validation into a Scenario), ``scaling`` (another
number of households), ``parameters`` (the reference of every field), ``plugins``
(importing a partner's rules) and ``user_errors`` (the one-line error). Sits beside the
wiring, above the rules: checking a scenario's ``schedule`` and ``[rules.<name>]`` needs
the rule registry. Imports no agent and not the wiring.
"""
