"""Forecasts and crossing dates computed from the posterior."""

from __future__ import annotations

import numpy as np
import pytest

import energytrend as et
from energytrend.forecast.forecasts import human_levels
from energytrend.forecast.trend import first_passage
from energytrend.model.extrapolation import damped_growth

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
    f = et.forecast(result, end=2040)
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
    # a new model scatters around the typical model's trend; the frontier is a quantile of
    # new models, a line without scatter of its own
    typical = mean.index.get_level_values("group") == "all"
    wider = (pred["upper"] / pred["lower"]) > (mean["upper"] / mean["lower"])
    assert wider[typical].all()
    frontier = mean.index.get_level_values("group") == "frontier"
    cols = ["median", "lower", "upper"]
    assert np.array_equal(pred.loc[frontier, cols].to_numpy(), mean.loc[frontier, cols].to_numpy())
    # inside the data the mean band's median is the fitted line at the posterior median
    row = mean.loc[("gflops", "cv", "frontier", 2020.0)]
    summary = result.summary().set_index("parameter")["median"]
    line = summary["intercept[cv/frontier]"] + summary["slope[cv/frontier]"] * 2.0
    assert np.log10(row["median"]) == pytest.approx(line, abs=0.02)


def test_scenarios_after_the_data(result: et.TrendFit) -> None:
    """The growth of compute after the data under the named scenarios: "flat" stays at the
    origin's level, "straight" continues the fitted line, "fitted" is the fit's own
    extrapolation; inside the data all three are the fitted line."""
    from energytrend.forecast.trend import compute_path, origin_t

    group = "nlp/frontier"
    t0 = origin_t(result, "nlp")
    t = np.array([t0 - 1.0, t0, t0 + 5.0, t0 + 15.0])
    paths = {s: compute_path(result, group, t, s) for s in ("fitted", "straight", "flat")}
    for s in ("straight", "flat"):
        np.testing.assert_allclose(paths[s][:, :2], paths["fitted"][:, :2])
    np.testing.assert_allclose(paths["flat"][:, 2:], paths["flat"][:, [1, 1]])
    a, b = result.parts.compute.line(result.posterior_draws, group)
    np.testing.assert_allclose(paths["straight"], a + b * t[None, :])
    assert not np.allclose(paths["fitted"][:, 3], paths["straight"][:, 3])
    with pytest.raises(ValueError, match="unknown scenario 'rosy'"):
        compute_path(result, group, t, "rosy")


def test_crossings_under_every_scenario_and_energy(result: et.TrendFit) -> None:
    c = et.crossing_dates(
        result, scenarios=["fitted", "straight", "flat"], energy=["calibrated", "peak"]
    )
    assert {"energy", "scenario"} <= set(c.columns)
    assert len(c) == 4 * 2 * 3 * 2  # groups x levels x scenarios x energy bases
    # calibrated energy is peak-based times a factor above 1: it crosses no later
    key = ["domain", "group", "level", "scenario"]
    cal = c[c["energy"] == "calibrated"].set_index(key)["p_by_horizon"]
    peak = c[c["energy"] == "peak"].set_index(key)["p_by_horizon"]
    assert (cal >= peak - 1e-12).all()
    plain = et.crossing_dates(result)
    assert "scenario" not in plain and len(plain) == 4 * 2
    with pytest.raises(ValueError, match="unknown energy"):
        et.crossing_dates(result, energy=["measured"])


def test_damped_growth_limits() -> None:
    delta = np.array([[0.0, 1.0, 10.0]])
    # no damping left (factor ~1): the fitted slope continues
    assert damped_growth(delta, 0.5, 0.1, 1 - 1e-9) == pytest.approx(0.5 * delta)
    # immediate damping (factor ~0): the long-run slope from the start
    assert damped_growth(delta, 0.5, 0.1, 1e-9) == pytest.approx(0.1 * delta, abs=0.03)
    # half-life of one year: the excess slope 0.4 adds 0.4 * (1 - 0.5**d) / ln 2
    by_hand = 0.1 * 10 + 0.4 * (1 - 0.5**10) / np.log(2)
    assert damped_growth(np.array([[10.0]]), 0.5, 0.1, 0.5)[0, 0] == pytest.approx(by_hand)


def test_first_passage_by_hand() -> None:
    t = np.array([2025.0, 2026.0, 2027.0])
    paths = np.array(
        [
            [2.5, 3.0, 3.5],  # already above 2 at the origin
            [1.0, 1.5, 3.0],  # crosses between 2026 and 2027: 1.5 + 1.5 * f = 2, f = 1/3
            [1.0, 1.9, 1.5],  # never
        ]
    )
    out = first_passage(paths, t, 2.0)
    assert out[0] == 2025.0
    assert out[1] == pytest.approx(2026 + 1 / 3)
    assert np.isinf(out[2])


def test_crossing_dates(result: et.TrendFit) -> None:
    c = et.crossing_dates(result).set_index(["domain", "group", "level"])
    # a crossing is a first passage after the forecast origin, never a back-extrapolation
    assert (c["lower_year"].dropna() >= c["origin"][c["lower_year"].notna()]).all()
    probs = c["p_by_horizon"] + c["p_not_by_horizon"]
    assert np.allclose(probs, 1.0)
    assert (c["p_already"] <= c["p_by_horizon"]).all()
    numbers = c[["median_year", "lower_year", "upper_year"]].to_numpy()
    assert not np.isinf(numbers).any()
    beyond = c["upper_year"].isna()
    assert c.loc[beyond, "interval"].str.endswith("after 2040").all()
    # the forecast starts at the domain's last model: NLP joins the language models to 2025
    last = result.models.loc[result.models["domain"] == "nlp", "year"].max()
    assert c.loc[("nlp", "frontier", "human body, 1 s"), "origin"] == pytest.approx(last)
    assert last > 2025
    custom = et.crossing_dates(result, levels={"1 mJ": 1e-3}).set_index(["domain", "group"])
    assert custom["already_crossed"].all()
    assert (custom["crossing"] == "already crossed").all()
    assert (custom["interval"].str.startswith("already")).all()
    far = et.crossing_dates(result, levels={"the sun": 1e40}, horizon=2040)
    assert (far["crossing"] == "not by 2040").all()
    assert far["median_year"].isna().all() and (far["median_date"] == "").all()
    shown = far.to_string() + far.to_json()
    assert "inf" not in shown.lower() and "NaT" not in shown
    with pytest.raises(ValueError, match="after the forecast origin"):
        et.crossing_dates(result, horizon=2019)


def test_crossing_curve_is_the_distribution_of_the_dates(result: et.TrendFit) -> None:
    curve = et.crossing_curve(result)
    dates = et.crossing_dates(result).set_index(["domain", "group", "level"])
    for key, sub in curve.groupby(["domain", "group", "level"]):
        p = sub["p_crossed"].to_numpy()
        assert (np.diff(p) >= 0).all(), key  # monotone by construction
        row = dates.loc[key]
        assert sub["year"].iloc[0] == row["origin"]
        assert p[0] == pytest.approx(row["p_already"])
        assert p[-1] == pytest.approx(row["p_by_horizon"])


def test_bad_levels_and_ranges(result: et.TrendFit) -> None:
    with pytest.raises(ValueError, match="positive numbers of joules"):
        et.crossing_dates(result, levels={"zero": 0.0})
    with pytest.raises(ValueError, match="must be after start"):
        et.forecast(result, start=2030, end=2020)
