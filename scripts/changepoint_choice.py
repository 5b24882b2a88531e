"""Choose whether the compute lines bend at changepoints, by proper scores on the early
backtest origins (:func:`energytrend.studies.choice.changepoint_choice`), and write the table.

    .venv/bin/python scripts/changepoint_choice.py [--out results]

Backtests model v2 with straight compute lines and with bends (a fixed scale, or one learned
from both domains) at the early origins (CV 2016-2020, NLP 2019-2020), and fits each to all
the default data. Writes ``<out>/changepoint_choice.csv``, which the docs show. The chosen
candidate is the one ``models/priors.toml`` should hold (a test checks that it does).
"""

from __future__ import annotations

import sys

from energytrend.studies.choice import changepoint_choice
from energytrend.studies.results import study_parser, write_tables


def main() -> int:
    args = study_parser(__file__, __doc__).parse_args()
    write_tables(args.out, {"changepoint_choice.csv": changepoint_choice(workers=args.workers)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
