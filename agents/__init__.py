"""The actors: specialists, desk, municipality, the team and its operator, the household view.

The team is a package of its parts (``agents/team/``). Agents read the model's state and
schema modules and never import the wiring, ``model/model.py`` (pyproject.toml's import
contracts).
"""
