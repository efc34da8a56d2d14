"""Experiments: single runs, calibration, figures and the ``wijksim`` command line."""
