"""Check the imputation of language models' per-token compute from training compute by
leave-one-out (:func:`energytrend.data.imputation.imputation_check`), and write the table.

    .venv/bin/python scripts/imputation_check.py [--out results]

Prints the tokens-per-parameter fit (models with both counts, slope of log10 tokens per
parameter per year with its 90% interval, residual s), how many models are imputed (all dates,
and released after thesis Table A.4's last model, 2020-06-19) and the leave-one-out coverage of
the 50% and 90% predictive intervals, for all models with both counts and for those released
from 2023 on. Writes ``<out>/imputation_check.csv`` (the coverage rows), atomically.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from energytrend import load_data
from energytrend.data.imputation import (
    imputation_check,
    imputed_models,
    not_imputed,
    tokens_per_parameter_fit,
)
from energytrend.studies.results import write_csv

REPO = Path(__file__).resolve().parents[1]
#: Thesis Table A.4's last model; the language models after it extend the NLP domain.
AFTER = pd.Timestamp("2020-06-19")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "results")
    args = parser.parse_args()
    table = load_data("language_models")
    fit = tokens_per_parameter_fit(table)
    slope = fit.coefficients(0.9).set_index("term").loc["slope"]
    print(
        f"tokens per parameter fit on {fit.n} models with both counts: slope of log10 r "
        f"{slope['estimate']:.4f} per year (90% interval {slope['lower']:.4f} to "
        f"{slope['upper']:.4f}), s = {fit.s:.4f}, df = {fit.df}"
    )
    imputed = imputed_models(table, fit)
    later = int((imputed["release_date"] > AFTER).sum())
    print(
        f"imputed: {len(imputed)} models ({later} released after {AFTER.date()}); "
        f"not imputed (no per-token compute, no training compute): {len(not_imputed(table))}"
    )
    cols = ["model", "release_date", "gflops_per_token_median", "log10_gflops_scale"]
    print(imputed[cols].to_string(index=False))
    check = imputation_check(table)
    print("leave-one-out check:")
    print(check.to_string(index=False))
    path = write_csv(check, args.out / "imputation_check.csv")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
