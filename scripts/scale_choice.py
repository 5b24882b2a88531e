"""Choose how a year's models scatter around the typical line, by proper scores on the early
backtest origins (:func:`energytrend.studies.choice.scale_choice`), and write the table.

    .venv/bin/python scripts/scale_choice.py [--out results]

Backtests model v2 with a constant scale and with a scale that changes with time at the early
origins (CV 2016-2020, NLP 2019-2020), and fits each to the default CV data for its frontier
contrast (information). Writes ``<out>/scale_choice.csv``, which the docs show. The chosen
candidate is the one ``models/priors.toml`` should hold (a test checks that it does).
"""

from __future__ import annotations

import sys

from energytrend.studies.choice import scale_choice
from energytrend.studies.results import study_parser, write_tables


def main() -> int:
    args = study_parser(__file__, __doc__).parse_args()
    write_tables(args.out, {"scale_choice.csv": scale_choice(workers=args.workers)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
