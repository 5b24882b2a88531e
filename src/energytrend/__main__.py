"""``python -m energytrend`` runs the command line."""

import sys

from energytrend.cli import main

sys.exit(main())
