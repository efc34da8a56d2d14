"""Figures: each a function of tables (and a language) that returns a matplotlib Figure.

Nothing here computes an analysis or writes a report; the caller saves the figure.
"""
