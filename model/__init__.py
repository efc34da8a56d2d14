"""The simulation engine: model, population state, network, rules, ledger, scenarios."""
