"""Write the prior-predictive checks of physical plausibility of the default model.

    .venv/bin/python scripts/prior_checks.py [--out results]

Draws 4,000 times from the pure prior of ``fit("all")``'s model on the default data (seed
2021; :mod:`energytrend.studies.prior_checks`) and writes ``<out>/prior_checks.csv``, which
the docs' model page shows. A few seconds.
"""

from __future__ import annotations

import sys

from energytrend.studies.prior_checks import prior_check_table, prior_predictive_checks
from energytrend.studies.results import study_parser, write_tables


def main() -> int:
    args = study_parser(__file__, __doc__, workers=False).parse_args()
    checks = prior_predictive_checks("all", draws=4000, seed=2021)
    write_tables(args.out, {"prior_checks.csv": checks}, show=prior_check_table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
