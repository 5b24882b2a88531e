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

import argparse
import sys
from pathlib import Path

from energytrend.studies.choice import efficiency_pooling_choice
from energytrend.studies.results import write_csv

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "results")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    scores, shrinkage = efficiency_pooling_choice(workers=args.workers)
    write_csv(scores, args.out / "efficiency_pooling.csv")
    write_csv(shrinkage, args.out / "efficiency_shrinkage.csv")
    print(scores.to_string(index=False))
    print(shrinkage.to_string(index=False))
    print(f"wrote {args.out}/efficiency_pooling.csv and efficiency_shrinkage.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
