"""Choose how the frontier line is drawn, by proper scores on the early backtest origins
(:func:`energytrend.studies.choice.frontier_choice`), and write the table.

    .venv/bin/python scripts/frontier_choice.py [--out results]

Backtests model v2 with the frontier as the typical model's quantile and as a quantile
regression of its own at the early origins (CV 2016-2020, NLP 2019-2020), and fits each to all
the default data for its frontier contrasts (information). Writes
``<out>/frontier_choice.csv``, which the docs show. The chosen candidate is the one
``models/priors.toml`` should hold (a test checks that it does).
"""

from __future__ import annotations

import sys

from energytrend.studies.choice import frontier_choice
from energytrend.studies.results import study_parser, write_tables


def main() -> int:
    args = study_parser(__file__, __doc__).parse_args()
    write_tables(args.out, {"frontier_choice.csv": frontier_choice(workers=args.workers)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
