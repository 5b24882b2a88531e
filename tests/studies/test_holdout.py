"""Scoring a saved fit against later data (issue 22, item 2): every statistic, on tables
made up here whose right answers are known, and clear errors for a wrong schema or rows
that are not later than the fit's data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import energytrend as et
from energytrend.cli import main
from energytrend.data.validation import DataValidationError
from energytrend.forecast.trend import compute_mean
from energytrend.studies.holdout import COLUMNS, holdout

pytestmark = pytest.mark.slow

DATE = "2026-06-01"


@pytest.fixture(scope="module")
def cv() -> et.TrendFit:
    return et.fit("cv")


def _later_models(result: et.TrendFit, shift: float) -> pd.DataFrame:
    """20 made-up models dated after the data, at the typical model's predicted median
    (times ``10**shift``)."""
    t = float(et.data.decimal_year(pd.Series(pd.to_datetime([DATE])))[0])
    t -= float(result.idata.attrs["year_origin"])
    typical = result.groups.index("cv/all")
    median = float(np.median(compute_mean(result, np.array([typical]), np.array([t]))))
    later = et.load_data("cv_models").tail(20).copy()
    later["model"] = [f"later-{k}" for k in range(20)]
    later["release_date"] = DATE
    later["gflops"] = 10 ** (median + shift)
    return later


def test_models_at_the_predicted_median_score_as_calibrated(cv: et.TrendFit) -> None:
    scores = holdout(cv, {"cv_models": _later_models(cv, 0.0)})
    assert list(scores.columns) == COLUMNS
    row = scores.set_index("series").loc["cv/all"]
    assert row["n_points"] == 20
    assert row["coverage_50"] == 1.0 and row["coverage_90"] == 1.0
    assert abs(row["mean_pit"] - 0.5) < 0.05  # the predictive median, up to Monte Carlo error
    assert abs(row["median_error"]) < 0.05
    assert row["share_above_frontier"] == 0.0
    assert np.isfinite(row["crps"]) and np.isfinite(row["log_score"])


def test_models_far_above_the_forecast_are_misses(cv: et.TrendFit) -> None:
    row = holdout(cv, {"cv_models": _later_models(cv, 3.0)}).iloc[0]
    assert row["coverage_90"] == 0.0 and row["mean_pit"] > 0.99
    assert row["share_above_frontier"] == 1.0
    assert row["median_error"] == pytest.approx(3.0, abs=0.05)
    calibrated = holdout(cv, {"cv_models": _later_models(cv, 0.0)}).iloc[0]
    assert row["crps"] > calibrated["crps"] and row["log_score"] < calibrated["log_score"]


def test_later_chips_are_scored_per_precision(cv: et.TrendFit) -> None:
    acc = et.load_data("accelerators")
    later = acc[acc["manufacturer"] == "NVIDIA"].tail(8).assign(release_date=DATE)
    scores = holdout(cv, {"accelerators": later})
    assert set(scores["series"]) <= set(cv.series) and len(scores) >= 1
    assert scores["share_above_frontier"].isna().all()


def test_rows_not_later_than_the_data_are_refused(cv: et.TrendFit) -> None:
    with pytest.raises(ValueError, match="dated on or before the fit's last cv model"):
        holdout(cv, {"cv_models": et.load_data("cv_models").tail(3)})


def test_a_table_in_the_wrong_schema_is_refused(cv: et.TrendFit) -> None:
    with pytest.raises(DataValidationError, match="required column is missing"):
        holdout(cv, {"cv_models": et.load_data("accelerators").tail(3)})
    with pytest.raises(ValueError, match="holdout tables must be among"):
        holdout(cv, {"gpus": et.load_data("gpus")})


def test_the_command_scores_a_saved_fit(
    cv: et.TrendFit, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = cv.save(tmp_path / "cv.nc")
    table = tmp_path / "later.csv"
    _later_models(cv, 0.0).to_csv(table, index=False)
    out = tmp_path / "scores.csv"
    code = main(
        ["holdout", "--fit", str(saved), "--table", f"cv_models={table}", "--output", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    written = pd.read_csv(out)
    assert written.loc[0, "n_points"] == 20 and written.loc[0, "coverage_90"] == 1.0
    assert main(["holdout", "--fit", str(saved), "--table", "cv_models"]) == 1
    assert "NAME=PATH" in capsys.readouterr().err
