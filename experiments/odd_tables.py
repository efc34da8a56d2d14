"""Kept so that ``python -m wijksim.experiments.odd_tables docs/ODD.md`` still works.

See :mod:`wijksim.experiments.reports.odd_tables` (moved there, issue 20, item 2).
"""

from wijksim.experiments.reports.odd_tables import main

if __name__ == "__main__":
    raise SystemExit(main())
