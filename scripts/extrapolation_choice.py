"""Choose the extrapolation priors (long-run slope and damping) as
:mod:`energytrend.studies.extrapolation_choice` says, and write the candidates' table.

    .venv/bin/python scripts/extrapolation_choice.py [--out results]

Fits every candidate to the default data of both domains (its 2040 band, as information) and
at the early backtest origins (CV 2016-2020, NLP 2019-2020; about 5 minutes per candidate from
an empty fit cache on two cores). Writes ``<out>/extrapolation_choice.csv``, which the docs
show. The chosen candidate is the one ``models/priors.toml`` should hold (a test checks that
it does). ``--choose-only`` applies the choice rule to the stored table without refitting
(the rule changed in issue 22: proper scores only, no width cap).
"""

from __future__ import annotations

import sys

import pandas as pd

from energytrend.studies.extrapolation_choice import choose, extrapolation_choice
from energytrend.studies.results import study_parser, write_tables


def main() -> int:
    parser = study_parser(__file__, __doc__)
    parser.add_argument("--choose-only", action="store_true")
    args = parser.parse_args()
    if args.choose_only:
        stored = pd.read_csv(args.out / "extrapolation_choice.csv")
        if "passed" not in stored:  # tables written before the rule change held "admissible"
            stored.insert(list(stored.columns).index("admissible"), "passed", True)
        table = choose(stored)
    else:
        table = extrapolation_choice(workers=args.workers)
    write_tables(args.out, {"extrapolation_choice.csv": table})
    return 0


if __name__ == "__main__":
    sys.exit(main())
