"""The scenario schema: what a scenario can say, with units and sources."""
