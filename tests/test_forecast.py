"""Forecasts and crossing dates computed from the posterior."""

from __future__ import annotations

import numpy as np
import pytest

import energytrend as et
from energytrend.forecast import human_levels

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result() -> et.TrendFit:
    return et.fit("all")


def test_human_levels_are_computed_from_their_inputs() -> None:
    body, total = human_levels()
    assert body.joules == pytest.approx(2000 * 4184 / 86400)  # ~97 W for one second
    assert 95 < body.joules < 100
    assert total.joules == pytest.approx(79_897 * 3.6e6 / (365.25 * 86400))
    assert 9000 < total.joules < 9200


def test_forecast_bands(result: et.TrendFit) -> None:
    f = result.forecast(end=2040)
    assert f["year"].max() == 2040 and set(f["band"]) == {"mean", "predictive"}
    # whole decimal years are 1 January of that year, never 31 December of the one before
    whole = f[f["year"] == np.floor(f["year"])]
    assert (whole["date"].dt.strftime("%m-%d") == "01-01").all()
    assert (whole["date"].dt.year == whole["year"]).all()
    assert (
        (f["lower"] <= f["lower_50"])
        & (f["lower_50"] <= f["median"])
        & (f["median"] <= f["upper_50"])
        & (f["upper_50"] <= f["upper"])
    ).all()
    key = ["metric", "domain", "group", "year"]
    mean = f[f["band"] == "mean"].set_index(key)
    pred = f[f["band"] == "predictive"].set_index(key)
    # the predictive band for a new model is wider than the band of the mean trend (far out,
    # where the slope's uncertainty dwarfs the scatter, Monte Carlo error can tie them)
    wider = (pred["upper"] / pred["lower"]) > (mean["upper"] / mean["lower"])
    near = wider.index.get_level_values("year") <= 2026
    assert wider[near].all() and wider.mean() > 0.99
    # the mean band's median is the trend line at the posterior median parameters
    row = mean.loc[("gflops", "cv", "frontier", 2020.0)]
    summary = result.summary().set_index("parameter")["median"]
    line = summary["intercept[cv/frontier]"] + summary["slope[cv/frontier]"] * 2.0
    assert np.log10(row["median"]) == pytest.approx(line, abs=0.02)


def test_crossing_dates(result: et.TrendFit) -> None:
    c = result.crossing_dates().set_index(["domain", "group", "level"])
    body = "human body, 1 s"
    cv = c.loc[("cv", "frontier", body)]
    # the CV frontier's energy trend rises, so it reaches ~100 J within a few years of 2021
    assert cv["p_never"] < 0.01 and 2021 < cv["median_year"] < 2035
    assert cv["lower_year"] <= cv["median_year"] <= cv["upper_year"]
    # crossing the higher level comes later
    total = c.loc[("cv", "frontier", "person's total energy use, 1 s")]
    assert total["median_year"] > cv["median_year"]
    # the answer is in words; the numbers are in their own columns, NaN (never inf) where a
    # quantile lies beyond the horizon
    assert cv["crossing"] == str(int(np.floor(cv["median_year"])))
    assert cv["median_date"].startswith(cv["crossing"] + "-")
    numbers = c[["median_year", "lower_year", "upper_year"]].to_numpy()
    assert not np.isinf(numbers).any()
    beyond = c["upper_year"].isna()
    assert c.loc[beyond, "interval"].str.endswith("after 2100").all()
    assert not c.loc[~beyond, "interval"].str.contains("after").any()
    custom = result.crossing_dates(levels={"1 mJ": 1e-3}).set_index(["domain", "group"])
    assert custom["already_crossed"].all()
    assert (custom["crossing"] == "already crossed").all()
    far = result.crossing_dates(levels={"the sun": 1e40}, horizon=2040)
    assert (far["crossing"] == "not by 2040").all()
    assert far["median_year"].isna().all() and (far["median_date"] == "").all()
    shown = far.to_string() + far.to_json()
    assert "inf" not in shown.lower() and "NaT" not in shown


def test_crossing_curve_matches_dates(result: et.TrendFit) -> None:
    curve = result.crossing_curve(end=2060)
    dates = result.crossing_dates()
    for row in dates.itertuples():
        sub = curve[
            (curve["domain"] == row.domain)
            & (curve["group"] == row.group)
            & (curve["level"] == row.level)
        ]
        if np.isfinite(row.median_year) and row.p_never < 0.01 and row.median_year < 2059:
            before = sub[sub["year"] <= np.floor(row.median_year) - 1]["p_crossed"]
            after = sub[sub["year"] >= np.ceil(row.median_year) + 1]["p_crossed"]
            assert (before.empty or before.iloc[-1] < 0.5) and after.iloc[0] > 0.5


def test_bad_levels_and_ranges(result: et.TrendFit) -> None:
    with pytest.raises(ValueError, match="positive numbers of joules"):
        result.crossing_dates(levels={"zero": 0.0})
    with pytest.raises(ValueError, match="must be after start"):
        result.forecast(start=2030, end=2020)
