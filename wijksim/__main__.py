"""``python -m wijksim`` runs the command line."""

import sys

from wijksim.experiments.cli import main

sys.exit(main())
