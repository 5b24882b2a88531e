"""The ArviZ groups of a fit come from PyMC on the built model: the stored log-likelihood is
``pm.compute_log_likelihood``'s, a fresh fit has a ``prior`` group, and ArviZ's functions that
pair observations, log-likelihood and predictive draws work on ``result.idata``."""

from __future__ import annotations

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
import pymc as pm
import pytest

import energytrend as et
from energytrend.inference.engine import numerics
from energytrend.inference.persist import arrays_from_tree
from energytrend.inference.pymc_groups import BACKEND, PRIOR_DRAWS, _model_posterior
from energytrend.model.build import build_model

# small fits: their diagnostics may fail, which does not matter for these checks
pytestmark = pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")

SMALL = et.FitConfig(draws=300, tune=300, chains=2, seed=7, cache=False, progressbar=False)


@pytest.fixture(scope="module")
def fresh() -> et.TrendFit:
    return et.fit("cv", config=SMALL)


def test_stored_log_likelihood_is_pymcs_on_the_same_draws(fresh: et.TrendFit) -> None:
    model = build_model(
        arrays_from_tree(fresh.idata), fresh.config.spec, fresh.config.resolved_pooling
    )
    with numerics():
        again = pm.compute_log_likelihood(
            _model_posterior(fresh.idata, model),
            model=model,
            extend_inferencedata=False,
            progressbar=False,
            backend=BACKEND,
        )
    stored = fresh.idata["log_likelihood"]
    observed = {v.name for v in model.observed_RVs}
    assert set(stored.data_vars) == observed
    for name in observed:  # kept in single precision (inference.pymc_groups)
        assert stored[name].dtype == np.float32
        expected = again[name].to_numpy().astype(np.float32)
        np.testing.assert_array_equal(stored[name].to_numpy(), expected)


def test_log_likelihood_names_match_the_observed_data(fresh: et.TrendFit) -> None:
    """Each observed variable has its log-likelihood and its predictive draws, same name."""
    observed = set(fresh.idata["observed_data"].data_vars)
    assert observed == set(fresh.idata["log_likelihood"].data_vars)
    assert observed == set(fresh.idata["posterior_predictive"].data_vars)
    for name in observed:
        obs = fresh.idata["observed_data"][name]
        assert fresh.idata["log_likelihood"][name].shape[2:] == obs.shape
        assert fresh.idata["posterior_predictive"][name].shape[2:] == obs.shape


def test_a_fresh_fit_has_a_prior_group(fresh: et.TrendFit) -> None:
    prior = fresh.idata["prior"]
    assert prior.sizes["draw"] == PRIOR_DRAWS
    free = {"line_intercept", "line_slope", "line_sigma", "eff_line_slope", "damping"}
    assert free <= set(prior.data_vars)
    assert "log10_gflops" in fresh.idata["prior_predictive"].data_vars


def test_arviz_functions_work_on_the_result(fresh: et.TrendFit) -> None:
    loo = az.loo(fresh.idata, var_name="log10_gflops")
    assert np.isfinite(loo.elpd)
    other = et.fit("cv")  # the default fit, which the session has made already
    table = az.compare({"a": fresh.idata, "b": other.idata}, var_name="log10_gflops")
    assert set(table.index) == {"a", "b"}
    pit = az.loo_pit(fresh.idata, var_names=["log10_gflops"])
    values = np.asarray(pit["log10_gflops"])
    assert values.shape[-1] == fresh.idata["observed_data"]["log10_gflops"].size
    assert ((values >= 0) & (values <= 1)).all()
    az.plot_loo_pit(fresh.idata, var_names=["log10_gflops"])
    az.plot_ppc_dist(fresh.idata, var_names=["log10_gflops"])
    plt.close("all")


def test_ppc_reads_the_stored_predictive_group(fresh: et.TrendFit) -> None:
    table = fresh.ppc().set_index("line")
    y = fresh.idata["observed_data"]["log10_gflops"].to_numpy()
    rep = fresh.idata["posterior_predictive"]["log10_gflops"].to_numpy().reshape(-1, y.size)
    q = np.quantile(rep, [0.05, 0.95], axis=0)
    assert table.loc["cv/all", "coverage_90"] == np.mean((y >= q[0]) & (y <= q[1]))
