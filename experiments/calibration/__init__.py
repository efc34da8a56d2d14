"""Calibration and sensitivity: targets, history matching, polish, ensembles, sensitivity.

Targets and their comparison, history matching, the polish, ensembles of parameter sets,
and the global sensitivity analysis of the uncertain parameters: each from spec to folder.
"""
