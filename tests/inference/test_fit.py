"""The Bayesian fits on the shipped data: diagnostics gate, agreement with the thesis's OLS
lines, honest energy uncertainty, and the tables a researcher reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import energytrend as et
from energytrend import thesis
from energytrend.inference.intervals import doubling_mcse, doubling_row, interval, interval_mcse
from tolerance import assert_within_mcse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def fits() -> dict[str, et.TrendFit]:
    """The three fits of the thesis's data with v1's model (the thesis's two lines per
    domain), with the production sampler settings: the tests below compare them with the
    thesis's own OLS lines."""
    return {d: et.fit(d, data="thesis", priors=thesis.V1_PRIORS) for d in ("cv", "nlp", "all")}


@pytest.mark.parametrize("domain", ["cv", "nlp", "all"])
def test_default_2025_fits_pass_the_gate(domain: str) -> None:
    """The default dataset ("2025") fits pass the diagnostics gate with the defaults."""
    r = et.fit(domain)
    assert r.config.data == "2025"
    assert r.passed, r.diagnostics.failures
    # every posterior variable is gated: the sampled ones, internal ones included, and the
    # deterministic ones
    gated = {p.split("[")[0] for p in r.diagnostics.table["parameter"]}
    per_model = {"log10_joules"}  # deterministic transforms of gated parameters (the reason)
    assert gated == set(r.idata["posterior"].data_vars) - per_model
    assert {"eff_centre_slope", "eff_centre_level", "eff_delta_z", "line_level"} <= gated


@pytest.mark.parametrize("domain", ["cv", "nlp", "all"])
def test_shipped_fits_pass_the_gate(fits: dict[str, et.TrendFit], domain: str) -> None:
    r = fits[domain]
    assert r.passed, r.diagnostics.failures
    d = r.diagnostics
    assert d.divergences == 0
    assert d.table["r_hat"].max() <= 1.01
    assert d.table[["ess_bulk", "ess_tail"]].min().min() >= 400
    # every reported quantity is gated
    reported = set(r.summary()["parameter"])
    assert reported <= set(d.table["parameter"])
    assert {"slope[cv/frontier]", "energy_slope[cv/all]"} <= reported or domain == "nlp"


@pytest.mark.parametrize("domain", ["cv", "nlp"])
def test_slopes_agree_with_the_thesis_ols_lines(fits: dict[str, et.TrendFit], domain: str) -> None:
    """Each posterior slope lies within 3 posterior sd of the thesis's OLS slope (partial
    pooling may pull the six-point NLP frontier towards the other lines, but not further)."""
    summary = fits[domain].summary().set_index("parameter")
    ols = thesis.baseline_lines(domain).set_index(["metric", "group"])
    pairs = {("gflops_per_watt", "hardware"): f"eff_slope[{domain}]"}
    for group in ("frontier", "all"):
        pairs[("gflops", group)] = f"slope[{domain}/{group}]"
        pairs[("joules", group)] = f"energy_slope[{domain}/{group}]"
    for key, param in pairs.items():
        post = summary.loc[param]
        assert abs(post["median"] - ols.loc[key, "slope"]) <= 3 * post["sd"], (key, param)


@pytest.fixture(scope="session")
def weak_cv() -> et.TrendFit:
    """Separate lines (as the thesis) with priors far wider than the data, and the constant
    scatter that OLS assumes."""
    weak = {
        "likelihood": {"scatter": "constant"},
        "compute": {
            "intercept_mu": {"sigma": 10.0},
            "intercept_tau": {"sigma": 10.0},
            "slope_mu": {"sigma": 5.0},
            "slope_tau": {"sigma": 5.0},
            "sigma": {"sigma": 10.0},
        },
        "efficiency": {
            "kind": "thesis",
            "intercept": {"sigma": 10.0},
            "slope": {"sigma": 5.0},
            "sigma": {"sigma": 10.0},
        },
    }
    weak = {**thesis.V1_PRIORS, **weak}
    return et.fit("cv", data="thesis", priors=weak, config=et.FitConfig(pooling="none"))


def test_weak_prior_energy_medians_match_plug_in_ols(weak_cv: et.TrendFit) -> None:
    """(a) With weak priors and separate lines the energy-trend medians are the thesis's
    plug-in OLS slopes, up to Monte Carlo error (a small fraction of the posterior sd)."""
    assert weak_cv.passed
    summary = weak_cv.summary().set_index("parameter")
    ols = thesis.baseline_lines("cv").set_index(["metric", "group"])
    for group in ("frontier", "all"):
        post = summary.loc[f"energy_slope[cv/{group}]"]
        assert abs(post["median"] - ols.loc[("joules", group), "slope"]) < 0.15 * post["sd"]


def test_energy_intervals_at_least_as_wide_as_plug_in(
    weak_cv: et.TrendFit, fits: dict[str, et.TrendFit]
) -> None:
    """(b) Propagating the efficiency posterior widens the energy-trend intervals compared
    with the plug-in fit, which treats the fitted GFLOPS/W as exact."""
    ols = thesis.baseline_lines("cv").set_index(["metric", "group"])
    for result in (weak_cv, fits["cv"]):
        rates = result.growth_rates(prob=0.9)
        rates = rates[
            (rates["metric"] == "joules") & (rates["quantity"] == "slope_log10_per_year")
        ].set_index("group")
        for group in ("frontier", "all"):
            line = ols.loc[("joules", group)]
            plug_in = 2 * stats.t.ppf(0.95, line["n"] - 2) * line["slope_se"]
            width = rates.loc[group, "upper"] - rates.loc[group, "lower"]
            if result is weak_cv:
                assert width >= plug_in, (group, width, plug_in)
            # energy is always wider than compute alone in the same fit
            comp = result.growth_rates(prob=0.9)
            comp = comp[
                (comp["metric"] == "gflops")
                & (comp["group"] == group)
                & (comp["quantity"] == "slope_log10_per_year")
            ].iloc[0]
            assert width >= comp["upper"] - comp["lower"]


def test_growth_rate_table(fits: dict[str, et.TrendFit]) -> None:
    rates = fits["all"].growth_rates()
    assert set(rates["metric"]) == {"gflops", "joules", "gflops_per_watt"}
    assert set(rates["quantity"]) == {
        "slope_log10_per_year",
        "factor_per_year",
        "doubling_time_months",
    }
    assert len(rates) == 3 * (2 + 4 + 4)  # no quantity under two names
    assert (rates["lower"] <= rates["median"]).all() and (rates["median"] <= rates["upper"]).all()
    slope = rates[rates["quantity"] == "slope_log10_per_year"].reset_index(drop=True)
    factor = rates[rates["quantity"] == "factor_per_year"].reset_index(drop=True)
    np.testing.assert_allclose(factor["median"], 10 ** slope["median"])
    doubling = rates[rates["quantity"] == "doubling_time_months"]
    assert set(doubling["direction"]) <= {"doubling", "halving", "unbounded"}
    assert (doubling["median"] > 0).all()
    unbounded = doubling[doubling["direction"] == "unbounded"]
    assert np.isinf(unbounded["median"]).all() and np.isinf(unbounded["upper"]).all()


def test_contrasts_and_energy_verdict(fits: dict[str, et.TrendFit]) -> None:
    r = fits["all"]
    c = r.contrasts()
    assert set(c["contrast"]) == {"frontier - all", "cv - nlp", "compute - efficiency"}
    assert c["prob_positive"].between(0, 1).all()
    verdict = r.energy_verdict().set_index(["domain", "group"])
    energy = c[c["contrast"] == "compute - efficiency"].set_index(["domain", "group"])
    for key in verdict.index:
        assert verdict.loc[key, "prob_growing"] == pytest.approx(energy.loc[key, "prob_positive"])
    # The thesis's conclusion for CV: frontier energy per inference grows.
    assert verdict.loc[("cv", "frontier"), "prob_growing"] > 0.95
    assert verdict.loc[("cv", "frontier"), "reading"].startswith("growing")
    # The README: on the thesis's own data the all-model lines stay uncertain.
    for domain in ("cv", "nlp"):
        assert verdict.loc[(domain, "all"), "reading"].startswith("uncertain")


def test_posterior_predictive_checks(fits: dict[str, et.TrendFit]) -> None:
    ppc = fits["all"].ppc()
    assert len(ppc) == 4 + 2
    assert ppc["coverage_90"].between(0.75, 1.0).all()
    assert ppc[["ppp_sd", "ppp_max"]].stack().between(0, 1).all()


def test_per_token_normalisation_changes_nlp_rates(fits: dict[str, et.TrendFit]) -> None:
    from energytrend.studies.compare import per_token_comparison

    table = per_token_comparison(data="thesis", priors=thesis.V1_PRIORS)
    slopes = table[(table["quantity"] == "slope_log10_per_year") & (table["metric"] == "gflops")]
    per = slopes.set_index(["normalisation", "group"])["median"]
    # Frontier models grew in input length (512 -> 2,048 tokens), so per token grows slower.
    assert per[("per token", "frontier")] < per[("per forward pass", "frontier")]
    r = et.fit("nlp", data="thesis", priors=thesis.V1_PRIORS, config=et.FitConfig(per_token=True))
    assert r.growth_rates()["unit"].str.contains("per token").any()


def test_pooling_comparison_reads_the_result(fits: dict[str, et.TrendFit]) -> None:
    from energytrend.studies.compare import compare_pooling

    comparison = compare_pooling("all", data="thesis", priors=thesis.V1_PRIORS)
    table = comparison.table
    assert set(table["model"]) == {"partial", "none", "complete"}
    assert table["weight"].sum() == pytest.approx(1.0)
    # one line for frontier and all models of both domains is clearly worse than separate or
    # pooled lines (on CV alone the gap is under two standard errors)
    assert table.iloc[-1]["model"] == "complete"
    assert "complete pooling (one line) is worse by" in comparison.reading


def test_doubling_row_cases() -> None:
    rng = np.random.default_rng(0)
    draws = rng.normal(0.3, 0.01, 4000)
    up = doubling_row(draws, 0.9)
    assert up["direction"] == "doubling"
    # the median is a Monte Carlo estimate: within its MCSE of the exact 12 log10(2) / 0.3
    slopes = interval(draws, 0.9)
    mcse = doubling_mcse("doubling", slopes, interval_mcse(draws, 0.9))["mcse_median"]
    assert_within_mcse(up["median"], 12 * np.log10(2) / 0.3, mcse, 0.0, what="doubling time")
    assert up["lower"] < up["median"] < up["upper"]
    down = doubling_row(rng.normal(-0.3, 0.01, 4000), 0.9)
    assert down["direction"] == "halving" and down["median"] > 0
    flat = doubling_row(rng.normal(0.0, 0.1, 4000), 0.9)
    assert flat["direction"] == "unbounded"
    assert np.isinf(flat["median"]) and np.isinf(flat["upper"]) and np.isfinite(flat["lower"])


def test_prior_predictive_allows_plausible_rates_only() -> None:
    from energytrend.studies.compare import prior_growth_check

    check = prior_growth_check("all", data="thesis", draws=2000).set_index("slope")
    compute = check.loc["compute"]
    assert compute["p_plausible"] >= 0.9
    assert compute["p_below_10x_fall"] > 0.005 and compute["p_above_100x_rise"] > 0.001
    assert check["p_absurd"].max() < 0.01
    assert isinstance(check, pd.DataFrame)


def test_likelihood_variants_are_indistinguishable_in_sample() -> None:
    """By PSIS-LOO the normal and Student-t scatters cannot be told apart on the thesis's CV
    data (every model counted once in both)."""
    from energytrend.studies.compare import compare_likelihoods

    table = compare_likelihoods("cv", data="thesis").table
    assert set(table["model"]) == {"normal", "student_t"}
    worse = table.iloc[1:]
    assert (worse["elpd_diff"].abs() < 2 * worse["dse"]).all(), table
