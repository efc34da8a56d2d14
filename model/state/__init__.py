"""The model's state: arrays and tables, no decisions.

One row per household (``population``, ``caseload``, ``status``), the social ``network``,
the cost ``ledger`` and the named random ``streams``. May import the schema
(:mod:`wijksim.model.config`) and :mod:`wijksim.model.core`; the rules and agents above
change the state, it does not call them.
"""
