"""Imputing language models' per-token compute from training compute
(:mod:`energytrend.data.imputation`): the closed-form predictive against a Monte Carlo of the
same posterior, which models are imputed, recovery of a known model, and the leave-one-out
check's counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from energytrend import load_data
from energytrend.data.imputation import (
    LOG10_6,
    LOG10_GFLOPS_PER_PARAM,
    RECENT_FROM,
    imputation_check,
    imputation_loo,
    imputed_models,
    not_imputed,
    tokens_per_parameter,
    tokens_per_parameter_fit,
    wilson,
)
from energytrend.data.llm import llm_excluded
from energytrend.data.tables import decimal_year

#: Quantile levels compared with the Monte Carlo.
LEVELS = np.array([0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_data("language_models")


def synthetic_table(n: int = 30, noise: float = 0.1) -> pd.DataFrame:
    """Models whose log10 tokens per parameter are exactly 1 + 0.2 (year - 2021) plus a
    deterministic +-``noise`` (alternating), with C = 6 r N² and gflops = 2 N / 1e9."""
    dates = pd.date_range("2018-01-01", "2025-06-30", periods=n).normalize()
    years = decimal_year(pd.Series(dates))
    log10_n = np.linspace(8.0, 12.0, n)[np.argsort(np.arange(n) * 7 % n)]
    log10_r = 1.0 + 0.2 * (years - 2021.0) + noise * (-1.0) ** np.arange(n)
    params = 10.0**log10_n
    return pd.DataFrame(
        {
            "model": [f"m{i}" for i in range(n)],
            "release_date": dates,
            "params_millions": params / 1e6,
            "active_params_millions": params / 1e6,
            "is_moe": "false",
            "gflops_per_token": 2 * params / 1e9,
            "training_compute_flop": 6.0 * 10.0**log10_r * params**2,
        }
    )


def posterior_draws(years: np.ndarray, y: np.ndarray, new_year: float, size: int) -> np.ndarray:
    """Brute force: σ² ~ RSS / χ²(n - 2), β | σ² ~ N(β̂, σ² (X'X)⁻¹), y_new ~ N(x'β, σ²),
    with the design built here (uncentred) rather than taken from the fit."""
    rng = np.random.default_rng(20230315)
    x = np.column_stack([np.ones_like(years), years - 2000.0])
    xtx_inv = np.linalg.inv(x.T @ x)
    beta_hat = xtx_inv @ x.T @ y
    rss = float(np.sum((y - x @ beta_hat) ** 2))
    sigma2 = rss / rng.chisquare(len(y) - 2, size)
    z = rng.standard_normal((size, 2)) @ np.linalg.cholesky(xtx_inv).T
    beta = beta_hat + np.sqrt(sigma2)[:, None] * z
    x_new = np.array([1.0, new_year - 2000.0])
    return np.asarray(beta @ x_new + np.sqrt(sigma2) * rng.standard_normal(size))


def assert_quantiles_match(draws: np.ndarray, loc: float, scale: float, df: float) -> None:
    """Sample quantiles equal the t's within 4.5 Monte Carlo standard errors,
    sqrt(p (1 - p) / M) / density at the quantile."""
    exact = stats.t.ppf(LEVELS, df, loc, scale)
    se = np.sqrt(LEVELS * (1 - LEVELS) / draws.size) / stats.t.pdf(exact, df, loc, scale)
    sampled = np.quantile(draws, LEVELS)
    assert np.all(np.abs(sampled - exact) < 4.5 * se), (sampled, exact, se)


@pytest.mark.parametrize("new_year", [2021.3, 2027.5])
def test_predictive_matches_monte_carlo_of_the_posterior(new_year: float) -> None:
    t = synthetic_table(n=8, noise=0.3)  # few models: the t's tails differ from a normal's
    tp = tokens_per_parameter(t)
    fit = tokens_per_parameter_fit(t)
    years, y = tp["year"].to_numpy(), tp["log10_tokens_per_param"].to_numpy()
    draws = posterior_draws(years, y, new_year, 400_000)
    p = fit.predictive([new_year]).iloc[0]
    assert p["df"] == 6
    assert_quantiles_match(draws, p["loc"], p["scale"], p["df"])
    # the same draws through log10 gflops = (log10 C - log10 6 - log10 r) / 2 + log10 2 - 9
    log10_c = 24.0
    g = fit.log10_gflops_per_token([log10_c], [new_year]).iloc[0]
    gflops = (log10_c - LOG10_6 - draws) / 2 + LOG10_GFLOPS_PER_PARAM
    assert_quantiles_match(gflops, g["loc"], g["scale"], g["df"])
    # and a normal with the plug-in scale would not pass: the test can tell them apart
    with pytest.raises(AssertionError):
        assert_quantiles_match(draws, p["loc"], p["scale"], 1e9)


def test_fit_coefficients_are_least_squares(table: pd.DataFrame) -> None:
    tp = tokens_per_parameter(table)
    fit = tokens_per_parameter_fit(table)
    slope, intercept = np.polyfit(tp["year"] - fit.centre, tp["log10_tokens_per_param"], 1)
    assert fit.coef == pytest.approx([intercept, slope], abs=1e-10)
    resid = tp["log10_tokens_per_param"] - (intercept + slope * (tp["year"] - fit.centre))
    assert fit.s == pytest.approx(np.sqrt(np.sum(resid**2) / (fit.n - 2)))
    assert fit.n == len(tp) == fit.df + 2


def test_tokens_per_parameter_rests_on_the_gflops_count(table: pd.DataFrame) -> None:
    tp = tokens_per_parameter(table)
    rows = table[table["gflops_per_token"].notna() & table["training_compute_flop"].notna()]
    assert sorted(tp["model"]) == sorted(rows["model"])
    both = tp.merge(table, on="model")
    attention = both["attention_gflops_per_token"].where(both["gflops_includes_attention"], 0.0)
    from_gflops = (both["gflops_per_token"] - attention.fillna(0.0)) * 1e9 / 2
    assert np.allclose(10 ** both["log10_active_params"], from_gflops, rtol=1e-5)
    chinchilla = tp.set_index("model").loc["Chinchilla"]  # 1.4 T tokens, 70 B parameters
    assert 10 ** chinchilla["log10_tokens_per_param"] == pytest.approx(1.4e12 / 70e9, rel=0.03)


def test_imputed_rows_are_the_models_with_training_compute_only(table: pd.DataFrame) -> None:
    imp = imputed_models(table)
    expected = table[table["gflops_per_token"].isna() & table["training_compute_flop"].notna()]
    assert imp["model"].is_unique
    assert sorted(imp["model"]) == sorted(expected["model"])
    assert {"GPT-4", "GPT-3.5", "Claude 2", "Switch"} <= set(imp["model"])
    assert np.isfinite(imp["log10_gflops_loc"]).all()
    assert (imp["log10_gflops_scale"] > 0).all()
    n = tokens_per_parameter_fit(table).n
    basis = f"imputed from training compute: tokens per parameter fitted on {n} models"
    assert imp["basis"].str.startswith(basis).all()
    # the excluded models split into imputed and not imputed, with the reason kept
    out = not_imputed(table)
    excluded = llm_excluded(table)
    assert set(out["model"]).isdisjoint(imp["model"])
    assert sorted([*out["model"], *imp["model"]]) == sorted(excluded["model"])
    assert out["reason"].str.endswith("no training-compute estimate to impute from").all()


def test_imputed_median_is_the_predictive_location(table: pd.DataFrame) -> None:
    imp = imputed_models(table).set_index("model")
    fit = tokens_per_parameter_fit(table)
    gpt4 = imp.loc["GPT-4"]
    g = fit.log10_gflops_per_token([np.log10(2.1e25)], [gpt4["year"]]).iloc[0]
    assert gpt4["log10_gflops_loc"] == pytest.approx(g["loc"])
    assert gpt4["gflops_per_token_median"] == pytest.approx(10 ** g["loc"])
    assert gpt4["log10_gflops_scale"] == pytest.approx(g["scale"] * np.sqrt(fit.df / (fit.df - 2)))
    r = fit.predictive([gpt4["year"]]).iloc[0]
    assert g["loc"] == pytest.approx((np.log10(2.1e25) - np.log10(6) - r["loc"]) / 2 - 9 + 0.30103)


def test_known_model_is_recovered_when_its_compute_is_removed() -> None:
    t = synthetic_table()
    truth = np.log10(t.loc[7, "gflops_per_token"])
    t.loc[7, ["gflops_per_token", "active_params_millions", "params_millions"]] = np.nan
    imp = imputed_models(t)
    assert imp["model"].tolist() == ["m7"]
    row = imp.iloc[0]
    half = (
        stats.t.ppf(0.95, row["df"])
        * row["log10_gflops_scale"]
        / np.sqrt(row["df"] / (row["df"] - 2))
    )
    assert row["log10_gflops_loc"] - half <= truth <= row["log10_gflops_loc"] + half
    # the relation is exact up to +-0.1 in log10 r, i.e. +-0.05 in log10 N
    assert abs(row["log10_gflops_loc"] - truth) < 0.08


def test_a_real_model_is_covered_when_its_compute_is_removed(table: pd.DataFrame) -> None:
    t = table.copy()
    at = t.index[t["model"] == "Llama 3.1-405B"][0]
    truth = np.log10(2 * t.loc[at, "active_params_millions"] * 1e6 / 1e9)
    t.loc[at, ["gflops_per_token", "active_params_millions"]] = np.nan
    row = imputed_models(t).set_index("model").loc["Llama 3.1-405B"]
    assert abs(row["log10_gflops_loc"] - truth) < 1.645 * row["log10_gflops_scale"]
    assert row["basis"].startswith("imputed from training compute")


def test_leave_one_out_is_the_imputation_without_the_model(table: pd.DataFrame) -> None:
    loo = imputation_loo(table).set_index("model")
    t = table.copy()
    t.loc[t["model"] == "Mixtral 8x7B", ["gflops_per_token", "active_params_millions"]] = np.nan
    row = imputed_models(t).set_index("model").loc["Mixtral 8x7B"]
    mixtral = loo.loc["Mixtral 8x7B"]
    assert mixtral["loc"] + LOG10_GFLOPS_PER_PARAM == pytest.approx(row["log10_gflops_loc"])
    assert mixtral["log10_active_params"] == pytest.approx(np.log10(12.9e9))


def test_check_coverage_matches_a_recount(table: pd.DataFrame) -> None:
    loo = imputation_loo(table)
    check = imputation_check(table).set_index("subset")
    assert list(check.index) == ["all", "2023+"]
    # the intervals' hits are the PIT's: inside the central 50% iff 0.25 <= PIT <= 0.75
    assert (loo["in_50"] == loo["pit"].between(0.25, 0.75)).all()
    assert (loo["in_90"] == loo["pit"].between(0.05, 0.95)).all()
    for subset, rows in (("all", loo), ("2023+", loo[loo["release_date"] >= RECENT_FROM])):
        row = check.loc[subset]
        assert row["n"] == len(rows) > 20
        for level in (50, 90):
            k = int(rows[f"in_{level}"].sum())
            assert row[f"coverage_{level}"] == k / len(rows)
            assert 0 <= row[f"coverage_{level}_lower"] <= row[f"coverage_{level}"]
            assert row[f"coverage_{level}"] <= row[f"coverage_{level}_upper"] <= 1
            assert (row[f"coverage_{level}_lower"], row[f"coverage_{level}_upper"]) == wilson(
                k, len(rows), 0.9
            )
        assert row["mean_pit"] == pytest.approx(rows["pit"].mean())


def test_wilson_matches_the_studies_helper() -> None:
    from energytrend.studies.scoring import wilson_interval

    for k, n in ((0, 5), (3, 7), (45, 50), (89, 89)):
        assert wilson(k, n, 0.9) == pytest.approx(wilson_interval(k, n, 0.9))


@pytest.mark.parametrize(
    "column", ["model", "release_date", "active_params_millions", "gflops_per_token",
               "training_compute_flop"],
)  # fmt: skip
def test_missing_column_is_named(table: pd.DataFrame, column: str) -> None:
    t = table.drop(columns=column)
    for func in (tokens_per_parameter, imputed_models, imputation_check):
        with pytest.raises(ValueError, match=f"no column '{column}'"):
            func(t)


def test_gflops_not_resting_on_the_active_count_is_refused(table: pd.DataFrame) -> None:
    t = table.copy()
    t.loc[t["model"] == "Chinchilla", "gflops_per_token"] *= 1.5
    with pytest.raises(ValueError, match="Chinchilla"):
        tokens_per_parameter(t)
