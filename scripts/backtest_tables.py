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
from energytrend.studies.backtest_scores import coverage_table, plot_coverage, score_difference
from energytrend.studies.results import write_csv, write_figure

#: (model, baseline, score): every model against every fair baseline (the frontier lines by
#: the pinball loss), and the random walk against the OLS.
PAIRS = [
    *[(m, b, "crps") for m in ("v2", "v1") for b in ("ols", "random_walk")],
    ("v2", "top_decile", "pinball"),
    ("random_walk", "ols", "crps"),
]


def differences(points: pd.DataFrame) -> pd.DataFrame:
    """:func:`score_difference` of every pair of :data:`PAIRS` present, stacked."""
    present = set(points["model"])
    frames = [
        score_difference(points, m, b, score=s).assign(model=m, baseline=b, score=s)
        for m, b, s in PAIRS
        if {m, b} <= present
    ]
    out = pd.concat(frames, ignore_index=True)
    first = ["model", "baseline", "score"]
    return out[[*first, *[c for c in out.columns if c not in first]]]


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
    coverage = coverage_table(points)
    write_csv(coverage, results / "backtest_coverage.csv")
    write_csv(differences(points), results / "backtest_differences.csv")
    write_figure(plot_coverage(coverage), results / "backtest.png")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--baselines"]
    main(Path(args[0] if args else "results"), baselines="--baselines" in sys.argv[1:])
