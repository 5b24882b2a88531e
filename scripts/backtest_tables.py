"""Rebuild the backtest's summary tables from its scored points, without refitting:
results/backtest_coverage.csv (pooled and per-origin rows, block-bootstrap intervals, the
frontier lines' share above and pinball loss), results/backtest_differences.csv (paired score
difference of each model against every fair baseline, pooled and per origin) and
results/backtest.png.

Usage: python scripts/backtest_tables.py [RESULTS_FOLDER] [--baselines]

The points (results/backtest_points.csv) are what a backtest scored; these tables are pure
functions of them (energytrend.studies.backtest_scores), so rebuilding them scores nothing
again. tests/studies/test_backtest_tables.py checks that the files equal a rebuild.

--baselines first recomputes the fair baselines' rows at the early origins from the data
alone (energytrend.studies.backtest.baseline_backtest: no Bayesian fit, no model scored
again) and puts them in place of the file's early baseline rows. Late (confirmatory) origins
are never scored here: their baseline rows come with the confirmatory scoring
('energytrend backtest --confirmatory'), which checks the freeze and logs the scoring.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from energytrend.studies.backtest import BASELINE_MODELS, MODELS, baseline_backtest
from energytrend.studies.results import write_backtest_tables, write_csv


def with_early_baselines(points: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """``points`` with its early rows of the baselines replaced by ``fresh`` (the late rows
    and the models' rows kept as they are), rows ordered by model as in :data:`MODELS`."""
    old = points["model"].isin(BASELINE_MODELS) & (points["set"] == "early")
    out = pd.concat([points[~old], fresh[points.columns]], ignore_index=True)
    order = out["model"].map({m: i for i, m in enumerate(MODELS)})
    return out.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def main(results: Path, baselines: bool = False) -> None:
    points = pd.read_csv(results / "backtest_points.csv")
    if baselines:
        points = with_early_baselines(points, baseline_backtest().points)
        write_csv(points, results / "backtest_points.csv")
    write_backtest_tables(points, results)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--baselines"]
    main(Path(args[0] if args else "results"), baselines="--baselines" in sys.argv[1:])
