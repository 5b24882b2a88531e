"""Choose how the precisions' efficiency series share information, by proper scores on the
early backtest origins (:func:`energytrend.studies.choice.efficiency_pooling_choice`).

    .venv/bin/python scripts/efficiency_pooling.py [--out results]

Backtests the efficiency series with no pooling and with partial pooling of the precisions'
slopes and scatters at the accelerators' early origins (2014-2020), and fits each to the
default CV data for the shrinkage table. Writes ``<out>/efficiency_pooling.csv`` and
``<out>/efficiency_shrinkage.csv``, which the docs show. The chosen candidate is the one
``models/priors.toml`` should hold (a test checks that it does).
"""

from __future__ import annotations

import sys

from energytrend.studies.choice import efficiency_pooling_choice
from energytrend.studies.results import study_parser, write_tables


def main() -> int:
    args = study_parser(__file__, __doc__).parse_args()
    scores, shrinkage = efficiency_pooling_choice(workers=args.workers)
    write_tables(
        args.out, {"efficiency_pooling.csv": scores, "efficiency_shrinkage.csv": shrinkage}
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
