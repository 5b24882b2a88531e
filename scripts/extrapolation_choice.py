"""Choose the extrapolation priors (long-run slope and damping) as
:mod:`energytrend.studies.extrapolation_choice` says, and write the candidates' table.

    .venv/bin/python scripts/extrapolation_choice.py [--out results]

Fits every candidate to the default data of both domains (the 2040 acceptance checks) and at
the early backtest origins (CV 2016-2020, NLP 2019-2020; about 5 minutes per candidate from
an empty fit cache on two cores). Writes ``<out>/extrapolation_choice.csv``; then
``scripts/update_readme.py`` puts the table in the README. The chosen candidate is the one
``models/priors.toml`` should hold (a test checks that it does).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from energytrend.studies.extrapolation_choice import extrapolation_choice
from energytrend.studies.results import write_csv

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "results")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    table = extrapolation_choice(workers=args.workers)
    path = write_csv(table, args.out / "extrapolation_choice.csv")
    print(table.to_string(index=False))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
