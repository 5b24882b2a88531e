"""Model v3's parts: a scale that changes with time (a frontier with its own growth), and the
precisions' efficiency series partially pooled. Checked on prior draws, where every identity
must hold draw by draw."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest
from scipy import stats

from energytrend.inference.diagnostics import REPORTED
from energytrend.inference.engine import numerics
from energytrend.model.build import build_model
from energytrend.model.design import prepare
from energytrend.model.draws import Draws
from energytrend.model.parts import model_parts
from energytrend.model.spec import resolve_spec

WIDENING = {"likelihood": {"scatter": "widening"}, "structure": {"frontier": "scatter"}}


@pytest.fixture(scope="module")
def widening() -> tuple:
    spec = resolve_spec(WIDENING)
    data = prepare("cv", data="2025", year_origin=2018.0, spec=spec).arrays
    with numerics():
        prior = pm.sample_prior_predictive(
            draws=400, model=build_model(data, spec, "none"), random_seed=3
        )
    return spec, data, Draws(prior["prior"].to_dataset())


def test_the_frontier_is_the_quantile_of_the_predictive(widening: tuple) -> None:
    """At every date, in the data and after, the frontier line is the typical line plus
    z_q times the scale of new models: the quantile ``frontier_quantile`` of the predictive."""
    spec, data, draws = widening
    parts = model_parts(spec, data)
    t0 = float(data.line_last[0])
    t = np.array([data.line_first[0], 0.0, t0, t0 + 1.0, t0 + 10.0, t0 + 50.0])
    ext = parts.extrapolation
    top = parts.compute.path(draws, "cv/frontier", t, t0, ext)
    typical = parts.compute.path(draws, "cv/all", t, t0, ext)
    scale = parts.compute.scale(draws, np.full(t.size, data.groups.index("cv/all")), t)
    z = stats.norm.ppf(spec["structure"]["frontier_quantile"])
    np.testing.assert_allclose(top, typical + z * scale, rtol=1e-12)
    assert parts.compute.frontier_has_own_slope


def test_the_reported_frontier_slope_is_its_growth_over_the_data(widening: tuple) -> None:
    spec, data, draws = widening
    parts = model_parts(spec, data)
    first, last = float(data.line_first[0]), float(data.line_last[0])
    path = parts.compute.path(draws, "cv/frontier", np.array([first, last]), last,
                              parts.extrapolation)  # fmt: skip
    secant = (path[:, 1] - path[:, 0]) / (last - first)
    np.testing.assert_allclose(draws.at("slope", "group", "cv/frontier"), secant, rtol=1e-9)
    np.testing.assert_allclose(
        draws.at("slope", "group", "cv/all"), draws.at("line_slope", "domain", "cv")
    )
    # the frontier can grow faster or slower than the typical model
    faster = np.mean(draws.at("sigma_trend", "domain", "cv") > 0)
    assert 0.3 < faster < 0.7


def test_the_scale_is_bounded_after_the_data(widening: tuple) -> None:
    """After the last model the log scale grows at most by ``sigma_trend / -ln damping``."""
    spec, data, draws = widening
    parts = model_parts(spec, data)
    t0 = float(data.line_last[0])
    i = np.full(2, data.groups.index("cv/all"))
    s = np.log(parts.compute.scale(draws, i, np.array([t0, t0 + 200.0])))
    gamma = draws.at("sigma_trend", "domain", "cv")
    bound = np.abs(gamma) / -np.log(draws.at("damping", "domain", "cv"))
    assert np.all(np.abs(s[:, 1] - s[:, 0]) <= bound + 1e-12)
    linear = resolve_spec({**WIDENING, "extrapolation": {"kind": "linear"}})
    held = np.log(model_parts(linear, data).compute.scale(draws, i, np.array([t0, t0 + 200.0])))
    np.testing.assert_allclose(held[:, 1], held[:, 0])


def test_partial_pooling_of_the_precisions_estimates_their_spreads() -> None:
    spec = resolve_spec({"efficiency": {"pooling": "partial"}})
    data = prepare("cv", data="2025", year_origin=2018.0, spec=spec).arrays
    model = build_model(data, spec, "none")
    free = {rv.name for rv in model.free_RVs}
    assert {"eff_slope_mu", "eff_slope_tau", "eff_log_sigma_mu", "eff_log_sigma_tau"} <= free
    assert {"eff_slope_tau", "eff_log_sigma_tau"} <= set(REPORTED)
    unpooled = build_model(data, resolve_spec(), "none")
    assert not {"eff_slope_tau", "eff_log_sigma_tau"} & {rv.name for rv in unpooled.free_RVs}
    with pytest.raises(ValueError, match=r"efficiency\.pooling"):
        resolve_spec({"efficiency": {"pooling": "complete"}})
