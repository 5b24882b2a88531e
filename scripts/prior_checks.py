"""Write the prior-predictive checks of physical plausibility of the default model.

    .venv/bin/python scripts/prior_checks.py [--out results]

Draws 4,000 times from the pure prior of ``fit("all")``'s model on the default data (seed
2021; :mod:`energytrend.studies.prior_checks`) and writes ``<out>/prior_checks.csv``, which
the docs' model page shows. A few seconds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from energytrend.studies.prior_checks import prior_check_table, prior_predictive_checks
from energytrend.studies.results import write_csv

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "results")
    args = parser.parse_args()
    checks = prior_predictive_checks("all", draws=4000, seed=2021)
    path = write_csv(checks, args.out / "prior_checks.csv")
    print(prior_check_table(checks))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
