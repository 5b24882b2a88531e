"""Scores, intervals and baselines of the rolling-origin backtest (energytrend.studies.scoring).

Sampled numbers are compared under the suite's tolerance policy (``tolerance.py``): a Monte
Carlo standard error computed in the test, times Z; never a bare relative tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from energytrend.studies.scoring import (
    Predictive,
    _yearly_random_walk,
    cluster_bootstrap_interval,
    crps_draws,
    horizon_bucket,
    interval_hits,
    log_score_normal_mixture,
    log_score_student_t,
    ols_predictive,
    pit,
    random_walk_drift_predictive,
    score_points,
    summarise,
    wilson_interval,
)
from tolerance import assert_within_mcse


def _crps_brute(x: np.ndarray, y: float) -> float:
    """E|X - y| - 1/2 E|X - X'| over all m^2 pairs of the draws."""
    return float(np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :])))


def _crps_normal(mu: float, sigma: float, y: float) -> float:
    z = (y - mu) / sigma
    return sigma * (
        z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
    )


# --- CRPS -------------------------------------------------------------------------------


def test_crps_matches_brute_force_including_ties() -> None:
    rng = np.random.default_rng(1)
    for m in (1, 2, 5, 37):
        draws = rng.integers(-2, 3, size=(m, 7)).astype(float) + (rng.random((m, 7)) < 0.5)
        y = np.array([-3.0, -1.0, 0.0, 0.3, 1.0, 2.0, 5.0])
        got = crps_draws(draws, y)
        want = [_crps_brute(draws[:, j], y[j]) for j in range(y.size)]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_crps_of_a_point_mass_is_the_absolute_error() -> None:
    draws = np.full((10, 3), 2.0)
    np.testing.assert_allclose(crps_draws(draws, np.array([2.0, 0.5, 3.0])), [0.0, 1.5, 1.0])


@pytest.mark.parametrize("z", [-2.5, -0.7, 0.0, 0.4, 1.8])
def test_crps_matches_the_normal_closed_form_within_monte_carlo_error(z: float) -> None:
    mu, sigma, m = 1.3, 0.6, 3000
    x = np.random.default_rng(7).normal(mu, sigma, size=m)
    y = mu + z * sigma
    got = float(crps_draws(x[:, None], np.array([y]))[0])
    # Standard error from the per-draw terms of the estimator's linear part (its Hajek
    # projection): a_i = |x_i - y| - mean_j |x_i - x_j|.
    a = np.abs(x - y) - np.mean(np.abs(x[:, None] - x[None, :]), axis=1)
    se = float(np.std(a, ddof=1) / math.sqrt(m))
    # The all-pairs form keeps the m zero diagonal terms: E[estimate] = CRPS + sigma/(sqrt(pi) m).
    expected = _crps_normal(mu, sigma, y) + sigma / (math.sqrt(math.pi) * m)
    assert_within_mcse(got, expected, se, 0.0, what=f"CRPS at z={z}")


def test_crps_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError, match="shape"):
        crps_draws(np.zeros((5, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="shape"):
        crps_draws(np.zeros(5), np.zeros(5))


# --- log scores -------------------------------------------------------------------------


def test_log_score_normal_mixture_is_log_of_mean_density_and_broadcasts() -> None:
    rng = np.random.default_rng(2)
    mu = rng.normal(size=(50, 4))
    sig = rng.uniform(0.2, 1.0, size=(50, 1))
    y = np.array([-1.0, 0.0, 0.5, 2.0])
    want = np.log(np.mean(stats.norm.pdf(y, mu, sig), axis=0))
    np.testing.assert_allclose(log_score_normal_mixture(mu, sig, y), want, rtol=1e-12)
    np.testing.assert_allclose(
        log_score_normal_mixture(mu, np.broadcast_to(sig, mu.shape), y), want, rtol=1e-12
    )
    np.testing.assert_allclose(log_score_normal_mixture(mu, sig[:, 0], y), want, rtol=1e-12)
    one = log_score_normal_mixture(mu[:1], sig[:1], y)
    np.testing.assert_allclose(one, stats.norm.logpdf(y, mu[0], sig[0, 0]), rtol=1e-12)


def test_log_score_is_stable_far_in_the_tail() -> None:
    mu = np.array([[0.0], [0.1]])
    got = log_score_normal_mixture(mu, np.array([[0.01], [0.01]]), np.array([5.0]))
    assert np.isfinite(got).all()  # the densities themselves underflow to 0
    want = np.logaddexp(*stats.norm.logpdf(5.0, mu[:, 0], 0.01)) - np.log(2)
    np.testing.assert_allclose(got, [want], rtol=1e-12)


def test_log_score_student_t_scalar_and_per_draw_df() -> None:
    rng = np.random.default_rng(3)
    mu = rng.normal(size=(30, 3))
    sig = rng.uniform(0.3, 1.0, size=(30, 3))
    y = np.array([-0.5, 0.1, 3.0])
    nu = rng.uniform(2, 10, size=30)
    want = np.log(np.mean(stats.t.pdf(y, nu[:, None], mu, sig), axis=0))
    np.testing.assert_allclose(log_score_student_t(mu, sig, nu, y), want, rtol=1e-12)
    np.testing.assert_allclose(log_score_student_t(mu, sig, nu[:, None], y), want, rtol=1e-12)
    want4 = np.log(np.mean(stats.t.pdf(y, 4.0, mu, sig), axis=0))
    np.testing.assert_allclose(log_score_student_t(mu, sig, 4.0, y), want4, rtol=1e-12)
    np.testing.assert_allclose(
        log_score_student_t(mu, sig, np.inf, y), log_score_normal_mixture(mu, sig, y), rtol=1e-12
    )
    with pytest.raises(ValueError, match="positive"):
        log_score_student_t(mu, -sig, 4.0, y)


# --- PIT and interval hits --------------------------------------------------------------


def test_pit_counts_ties_as_half() -> None:
    draws = np.array([0.0, 1.0, 1.0, 2.0])[:, None].repeat(4, axis=1)
    np.testing.assert_allclose(pit(draws, np.array([1.0, -1.0, 3.0, 1.5])), [0.5, 0, 1, 0.75])


def test_interval_hits_uses_central_quantiles_inclusive() -> None:
    draws = np.arange(101.0)[:, None].repeat(5, axis=1)  # quantile q is 100 q
    y = np.array([5.0, 4.9, 95.0, 95.1, 50.0])
    np.testing.assert_array_equal(interval_hits(draws, y, 0.9), [True, False, True, False, True])
    np.testing.assert_array_equal(
        interval_hits(draws, np.array([25.0, 24.0, 75.0, 76.0, 50.0]), 0.5),
        [True, False, True, False, True],
    )
    with pytest.raises(ValueError, match="prob"):
        interval_hits(draws, y, 1.0)


# --- Wilson interval --------------------------------------------------------------------


def _wilson_by_hand(k: float, n: float, prob: float) -> tuple[float, float]:
    """(p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), z the (1+prob)/2 quantile."""
    z = stats.norm.ppf((1 + prob) / 2)
    p = k / n
    centre = p + z**2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return (centre - half) / (1 + z**2 / n), (centre + half) / (1 + z**2 / n)


def test_wilson_interval_known_values() -> None:
    z2 = stats.norm.ppf(0.95) ** 2  # 2.7055 at prob 0.9
    # 0 of n: (0, z^2/(n + z^2)); n of n: (n/(n + z^2), 1); 5 of 10: symmetric about 1/2.
    assert wilson_interval(0, 10) == pytest.approx((0.0, z2 / (10 + z2)), abs=1e-12)
    assert wilson_interval(10, 10) == pytest.approx((10 / (10 + z2), 1.0), abs=1e-12)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.212942), abs=1e-6)
    assert wilson_interval(5, 10) == pytest.approx((0.269272, 0.730728), abs=1e-6)
    assert wilson_interval(10, 10) == pytest.approx((0.787058, 1.0), abs=1e-6)
    for k, n, prob in [(0, 10, 0.9), (10, 10, 0.9), (5, 10, 0.9), (3, 10, 0.5), (2.5, 4.7, 0.9)]:
        assert wilson_interval(k, n, prob) == pytest.approx(_wilson_by_hand(k, n, prob), abs=1e-12)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(11, 10)


# --- cluster bootstrap ------------------------------------------------------------------


def test_cluster_bootstrap_is_deterministic_and_resamples_whole_clusters() -> None:
    rng = np.random.default_rng(4)
    v = rng.normal(size=40)
    ids = np.arange(40)
    a = cluster_bootstrap_interval(v, ids, None, seed=3)
    assert a == cluster_bootstrap_interval(v, ids, None, seed=3)
    assert a != cluster_bootstrap_interval(v, ids, None, seed=4)
    assert a[0] < v.mean() < a[1]
    # Every cluster scored at 5 origins with the same value: resampling whole clusters gives
    # exactly the one-row-per-cluster interval; resampling rows would be falsely narrow.
    rep = np.repeat(v, 5)
    assert cluster_bootstrap_interval(rep, np.repeat(ids, 5), None, seed=3) == pytest.approx(a)
    rows = cluster_bootstrap_interval(rep, np.arange(200), None, seed=3)
    assert rows[1] - rows[0] < 0.6 * (a[1] - a[0])


def test_cluster_bootstrap_uses_weights() -> None:
    v = np.array([1.0, 1.0, 5.0, 7.0])
    clusters = np.array(["a", "b", "c", "c"])
    # Only the weighted clusters carry weight; all their values are 1.
    assert cluster_bootstrap_interval(v, clusters, np.array([1.0, 2.0, 0.0, 0.0])) == (1.0, 1.0)
    w = np.array([1.0, 2.0, 0.5, 0.5])
    assert cluster_bootstrap_interval(v, clusters, w) == pytest.approx(
        cluster_bootstrap_interval(v, clusters, 3 * w)
    )


# --- horizon buckets --------------------------------------------------------------------


def test_horizon_bucket_edges() -> None:
    h = np.array([-1.0, 0.0, 1e-9, 1.0, 1.0001, 3.0, 3.5, 5.0, 5.0001, np.nan])
    want = ["", "", "0-1", "0-1", "1-3", "1-3", "3-5", "3-5", "", ""]
    assert horizon_bucket(h).tolist() == want


# --- OLS baseline -----------------------------------------------------------------------


def test_ols_predictive_matches_the_textbook_formula() -> None:
    rng = np.random.default_rng(5)
    t = np.sort(rng.uniform(2010, 2020, 12))
    y = 0.5 * (t - 2015) + rng.normal(0, 0.3, t.size)
    tt = np.array([2012.0, 2021.0, 2024.5])
    pred = ols_predictive(t, y, tt, 4000, np.random.default_rng(0))
    slope, intercept = np.polyfit(t, y, 1)
    np.testing.assert_allclose(pred.loc, intercept + slope * tt, rtol=0, atol=1e-9)
    s = math.sqrt(np.sum((y - intercept - slope * t) ** 2) / (t.size - 2))
    lev = 1 + 1 / t.size + (tt - t.mean()) ** 2 / np.sum((t - t.mean()) ** 2)
    np.testing.assert_allclose(pred.scale, s * np.sqrt(lev), rtol=1e-12)
    assert pred.df == t.size - 2
    assert pred.draws.shape == (4000, 3)
    np.testing.assert_allclose(pred.logpdf(y[:3]), stats.t.logpdf(y[:3], 10, pred.loc, pred.scale))
    np.testing.assert_allclose(
        pred.logpdf(y[:3]), log_score_student_t(pred.loc[None], pred.scale[None], 10.0, y[:3])
    )
    # The draws follow loc + scale * t_df: their 95% quantile within its sampling error.
    m = pred.draws.shape[0]
    q = stats.t.ppf(0.95, pred.df)
    se = math.sqrt(0.95 * 0.05 / m) / stats.t.pdf(q, pred.df) * pred.scale
    for j in range(3):
        got = float(np.quantile(pred.draws[:, j], 0.95))
        assert_within_mcse(got, pred.loc[j] + q * pred.scale[j], se[j], 0.0, what="q95")


def test_ols_prediction_interval_covers_fresh_points_at_its_level() -> None:
    """Over R independent training sets, each with one fresh point (extrapolated up to 5
    years), the exact 90% interval covers a Binomial(R, 0.9) count."""
    rng = np.random.default_rng(6)
    reps, n, hits = 2000, 8, 0
    for _ in range(reps):
        t = rng.uniform(2010, 2020, n)
        y = 0.3 * (t - 2015) + rng.normal(0, 0.25, n)
        tt = rng.uniform(2020, 2025, 1)
        yy = 0.3 * (tt - 2015) + rng.normal(0, 0.25, 1)
        pred = ols_predictive(t, y, tt, 1, rng)
        half = stats.t.ppf(0.95, pred.df) * pred.scale
        hits += int(abs(yy[0] - pred.loc[0]) <= half[0])
    assert_within_mcse(hits / reps, 0.9, math.sqrt(0.9 * 0.1 / reps), 0.0, what="OLS coverage")


def test_ols_predictive_guards_tiny_samples() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="at least 3"):
        ols_predictive(np.array([1.0, 2.0]), np.array([1.0, 2.0]), np.array([3.0]), 10, rng)
    with pytest.raises(ValueError, match="distinct"):
        ols_predictive(np.full(4, 2000.0), np.arange(4.0), np.array([2001.0]), 10, rng)


# --- random walk with drift -------------------------------------------------------------


def test_random_walk_by_hand() -> None:
    t = np.array([2000.2, 2000.7, 2001.5, 2003.1, 2003.4, 2003.9])
    y = np.array([1.0, 1.4, 1.5, 2.0, 2.6, 2.2])
    # Year medians 1.2, 1.5, 2.2 at 2000.5, 2001.5, 2003.5; gaps 1 and 2 years.
    drift = (0.3 + 0.7) / (1 + 2)
    sigma2 = ((0.3 - drift) ** 2 + (0.7 - 2 * drift) ** 2 / 2) / (2 - 1)
    point2 = (0.2**2 + 0.2**2 + 0.0 + 0.2**2 + 0.4**2 + 0.0) / (6 - 3)
    fit = _yearly_random_walk(t, y)
    assert fit.t_last == 2003.5
    assert fit.y_last == pytest.approx(2.2)
    assert fit.drift == pytest.approx(drift)
    assert fit.sigma**2 == pytest.approx(sigma2)
    assert fit.sigma_point**2 == pytest.approx(point2)
    pred = random_walk_drift_predictive(
        t, y, np.array([2005.5, 2003.2]), 100, np.random.default_rng(0)
    )
    assert isinstance(pred, Predictive)
    assert pred.df == np.inf
    # h = 2 years ahead; a date before the last year's mid-point gets no walk variance.
    np.testing.assert_allclose(pred.loc, [2.2 + 2 * drift, 2.2 - 0.3 * drift])
    np.testing.assert_allclose(pred.scale**2, [2 * sigma2 + point2, point2])
    assert pred.draws.shape == (100, 2)


def test_random_walk_drift_recovers_the_slope_of_a_line() -> None:
    """Line plus noise, 15 points a year for 12 years: across R replicates the mean drift is
    the true slope within Z standard errors of that mean."""
    rng = np.random.default_rng(8)
    slope, reps, drifts = 0.3, 200, []
    for _ in range(reps):
        t = 2008 + rng.uniform(0, 12, 180)
        y = slope * (t - 2008) + rng.normal(0, 0.2, t.size)
        pred = random_walk_drift_predictive(t, y, np.array([2021.0, 2023.0]), 1, rng)
        drifts.append((pred.loc[1] - pred.loc[0]) / 2.0)
    d = np.array(drifts)
    assert_within_mcse(float(d.mean()), slope, float(d.std(ddof=1) / math.sqrt(reps)), 0.0)


def test_random_walk_needs_three_years() -> None:
    t = np.array([2000.1, 2000.5, 2001.2, 2001.9])
    with pytest.raises(ValueError, match="at least 3 distinct calendar years"):
        random_walk_drift_predictive(
            t, np.arange(4.0), np.array([2003.0]), 10, np.random.default_rng(0)
        )


# --- per-point table and summary --------------------------------------------------------


def test_score_points_columns_agree_with_the_scores() -> None:
    rng = np.random.default_rng(9)
    draws = rng.normal(size=(500, 6))
    y = np.array([-2.0, -0.5, 0.0, 0.3, 1.0, 2.5])
    tab = score_points(draws, y)
    assert list(tab.columns) == [
        "pit", "in_50", "in_90", "crps", "log_score", "median", "lower_90", "upper_90", "width_90",
    ]  # fmt: skip
    assert len(tab) == 6 and tab["log_score"].isna().all()
    np.testing.assert_allclose(tab["pit"], pit(draws, y))
    np.testing.assert_array_equal(tab["in_90"], interval_hits(draws, y, 0.9))
    np.testing.assert_array_equal(tab["in_50"], interval_hits(draws, y, 0.5))
    np.testing.assert_allclose(tab["crps"], crps_draws(draws, y))
    np.testing.assert_allclose(tab["median"], np.median(draws, axis=0))
    np.testing.assert_allclose(tab["width_90"], tab["upper_90"] - tab["lower_90"])
    lp = stats.norm.logpdf(y)
    np.testing.assert_allclose(score_points(draws, y, logpdf=lp)["log_score"], lp)


def _points() -> pd.DataFrame:
    return pd.DataFrame({
        "bucket": ["0-1", "0-1", "0-1", "1-3", "1-3"],
        "point_id": ["a", "a", "b", "a", "c"],
        "weight": [0.5, 0.5, 1.0, 1.0, 2.0],
        "pit": [0.2, 0.4, 0.9, 0.5, 0.1],
        "in_50": [True, True, False, True, False],
        "in_90": [True, True, True, True, False],
        "crps": [0.1, 0.3, 0.2, 0.4, 1.0],
        "log_score": [-1.0, -2.0, 0.5, -0.5, -3.0],
        "width_90": [1.0, 1.0, 2.0, 1.5, 0.5],
    })  # fmt: skip


def test_summarise_weights_and_wilson_bounds() -> None:
    out = summarise(_points(), ["bucket"]).set_index("bucket")
    g = out.loc["0-1"]
    assert (g["n_points"], g["n_distinct"], g["effective_n"]) == (3, 2, 2.0)
    assert g["coverage_50"] == pytest.approx(0.5)  # (0.5 + 0.5) of 2
    assert g["coverage_90"] == pytest.approx(1.0)
    assert (g["coverage_50_lower"], g["coverage_50_upper"]) == pytest.approx(wilson_interval(1, 2))
    assert (g["coverage_90_lower"], g["coverage_90_upper"]) == pytest.approx(wilson_interval(2, 2))
    assert g["mean_pit"] == pytest.approx((0.1 + 0.2 + 0.9) / 2)
    assert g["crps"] == pytest.approx((0.05 + 0.15 + 0.2) / 2)
    assert g["log_score"] == pytest.approx((-0.5 - 1.0 + 0.5) / 2)
    assert g["width_90"] == pytest.approx(1.5)
    h = out.loc["1-3"]
    assert (h["n_points"], h["n_distinct"], h["effective_n"]) == (2, 2, 3.0)
    assert h["coverage_90"] == pytest.approx(1 / 3)
    assert (h["coverage_90_lower"], h["coverage_90_upper"]) == pytest.approx(wilson_interval(1, 3))
    assert summarise(_points(), ["bucket"], prob=0.5).loc[0, "coverage_90_upper"] == pytest.approx(
        wilson_interval(2, 2, 0.5)[1]
    )


def test_summarise_overall_and_missing_columns() -> None:
    out = summarise(_points(), [])
    assert len(out) == 1 and out.loc[0, "n_points"] == 5 and out.loc[0, "n_distinct"] == 3
    assert out.loc[0, "effective_n"] == pytest.approx(5.0)
    with pytest.raises(KeyError, match="weight"):
        summarise(_points().drop(columns="weight"), ["bucket"])


def test_end_to_end_ols_backtest_table() -> None:
    rng = np.random.default_rng(10)
    t = rng.uniform(2010, 2020, 30)
    y = 0.4 * (t - 2015) + rng.normal(0, 0.3, t.size)
    tt = np.array([2020.5, 2021.5, 2023.0, 2024.5, 2026.0])
    yy = 0.4 * (tt - 2015) + rng.normal(0, 0.3, tt.size)
    pred = ols_predictive(t, y, tt, 2000, rng)
    tab = score_points(pred.draws, yy, logpdf=pred.logpdf(yy))
    tab["bucket"] = horizon_bucket(np.round(tt - 2020.0, 6))
    tab["weight"] = 1.0
    tab["point_id"] = np.arange(tt.size)
    out = summarise(tab[tab["bucket"] != ""], ["bucket"])
    assert out["bucket"].tolist() == ["0-1", "1-3", "3-5"]
    assert out["n_points"].tolist() == [1, 2, 1]
    assert np.isfinite(out["log_score"]).all() and (out["crps"] > 0).all()
