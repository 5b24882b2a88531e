"""Choose how a year's models scatter around the typical line, by proper scores on the early
backtest origins (:func:`energytrend.studies.choice.scale_choice`), and write the table.

    .venv/bin/python scripts/scale_choice.py [--out results]

Backtests model v2 with a constant scale and with a scale that changes with time at the early
origins (CV 2016-2020, NLP 2019-2020), and fits each to the default CV data for its frontier
contrast (information). Writes ``<out>/scale_choice.csv``, which the docs show. The chosen
candidate is the one ``models/priors.toml`` should hold (a test checks that it does).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from energytrend.studies.choice import scale_choice
from energytrend.studies.results import write_csv

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "results")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    table = scale_choice(workers=args.workers)
    path = write_csv(table, args.out / "scale_choice.csv")
    print(table.to_string(index=False))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
