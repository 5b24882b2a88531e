"""Rebuild the backtest's summary tables from its scored points, without refitting:
results/backtest_coverage.csv (pooled and per-origin rows, block-bootstrap intervals),
results/backtest_differences.csv (paired CRPS difference of each model against the OLS, pooled
and per origin) and results/backtest.png.

Usage: python scripts/backtest_tables.py [RESULTS_FOLDER]

The points (results/backtest_points.csv) are what a backtest scored; these tables are pure
functions of them (energytrend.studies.backtest_scores), so rebuilding them scores nothing
again. tests/studies/test_backtest_tables.py checks that the files equal a rebuild.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from energytrend.studies.backtest_scores import coverage_table, crps_difference, plot_coverage
from energytrend.studies.results import write_csv, write_figure


def differences(points: pd.DataFrame) -> pd.DataFrame:
    """:func:`crps_difference` of every Bayesian model against the OLS, stacked."""
    frames = [
        crps_difference(points, model=m).assign(model=m)
        for m in ("v2", "v1", "random_walk")
        if (points["model"] == m).any()
    ]
    out = pd.concat(frames, ignore_index=True)
    return out[["model", *[c for c in out.columns if c != "model"]]]


def main(results: Path) -> None:
    points = pd.read_csv(results / "backtest_points.csv")
    coverage = coverage_table(points)
    write_csv(coverage, results / "backtest_coverage.csv")
    write_csv(differences(points), results / "backtest_differences.csv")
    write_figure(plot_coverage(coverage), results / "backtest.png")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "results"))
