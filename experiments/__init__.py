"""Experiments: runs, sweeps, analysis, reports, figures and the ``wijksim`` command line.

Organised by role, each package importing only those listed after it (the import-linter
contract in ``pyproject.toml``):

* :mod:`~wijksim.experiments.cli`: the ``wijksim`` command, one module per group of
  subcommands, each a thin layer over the functions below;
* :mod:`~wijksim.experiments.benchmarks` and :mod:`~wijksim.experiments.calibration`: the
  benchmark, and the calibration with the sensitivity analysis, each from spec to folder;
* :mod:`~wijksim.experiments.reports`: markdown, table files and each command's output
  folder (with the small studies that compare-allocation, compare-providers and
  reliability run);
* :mod:`~wijksim.experiments.plots`: figures, each a function of tables;
* :mod:`~wijksim.experiments.runner`: sweep specs, single runs and sweeps (serial,
  processes, Dask; resumable), atomic writes, manifests, loading results back;
* :mod:`~wijksim.experiments.analysis`: pure functions of tables, rendering nothing;
* :mod:`~wijksim.experiments.i18n`: Dutch and English text and number formats.

``sweeps/*.toml`` are the shipped sweep files (package data, found by name).
"""
