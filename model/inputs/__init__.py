"""Scenario files: reading, overriding, scaling, describing and plugins."""
