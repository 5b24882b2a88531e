"""The model parts: each owns its PyMC block and its numpy predictions, and the two agree.

The strongest check of a part's predictions is the model itself: on every posterior draw,
the log-likelihood PyMC stores for each observation equals the normal log-density at the
part's numpy mean and scale. A part that predicted differently from what it built would
fail here.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import energytrend as et
from energytrend.model.compute import COMPUTE_PARTS, QuantileCompute, TwoLinesCompute
from energytrend.model.design import prepare
from energytrend.model.efficiency import (
    EFFICIENCY_PARTS,
    PrecisionEfficiency,
    ThesisEfficiency,
)
from energytrend.model.extrapolation import (
    EXTRAPOLATION_PARTS,
    DampedExtrapolation,
    LinearExtrapolation,
    damped_growth,
)
from energytrend.model.parts import model_parts
from energytrend.model.spec import EFFICIENCIES, EXTRAPOLATIONS, STRUCTURES, resolve_spec
from energytrend.thesis import V1_PRIORS

pytestmark = pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")

#: The stored log-likelihood is single precision: agreement to a few of its units.
F32 = 4 * float(np.finfo(np.float32).eps)

SMALL = et.FitConfig(draws=200, tune=300, chains=2, seed=3, cache=False, progressbar=False)


def test_every_specified_variant_is_a_part() -> None:
    assert set(COMPUTE_PARTS) == set(STRUCTURES)
    assert set(EFFICIENCY_PARTS) == set(EFFICIENCIES)
    assert set(EXTRAPOLATION_PARTS) == set(EXTRAPOLATIONS)


def test_the_specification_and_data_choose_the_parts() -> None:
    spec = resolve_spec(None)
    parts = model_parts(spec, prepare("cv", spec=spec).arrays)
    assert isinstance(parts.compute, QuantileCompute)
    assert isinstance(parts.efficiency, PrecisionEfficiency)
    assert isinstance(parts.extrapolation, DampedExtrapolation)
    assert parts.realisation is not None  # the 2025 data have MLPerf runs
    v1 = resolve_spec(V1_PRIORS)
    old = model_parts(v1, prepare("cv", data="thesis", spec=v1).arrays)
    assert isinstance(old.compute, TwoLinesCompute)
    assert isinstance(old.efficiency, ThesisEfficiency)
    assert isinstance(old.extrapolation, LinearExtrapolation)
    assert old.realisation is None
    assert old.names() == {
        "compute": "two_lines",
        "efficiency": "thesis",
        "extrapolation": "linear",
        "realisation": "none",
    }


def _gaussian_log_lik(y: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    out: np.ndarray = stats.norm.logpdf(y, loc=mu, scale=sd)
    return out


#: Compute lines that bend at changepoints (a candidate of model v3).
BENT = {"compute": {"changepoints": {"scale": 0.1, "tau": "fixed"}}}


@pytest.mark.parametrize(
    ("domain", "data", "priors"),
    [
        ("cv", "2025", None),
        ("all", "thesis", V1_PRIORS),
        ("nlp", "2025", None),
        ("all", "2025", BENT),
    ],
    ids=["v2", "v1", "imputed", "bends"],
)
def test_part_predictions_reproduce_the_models_log_likelihood(
    domain: str, data: str, priors: dict[str, object] | None
) -> None:
    result = et.fit(domain, data=data, priors=priors, config=SMALL)
    assert result.idata.attrs["parts"]  # the fit records its parts
    draws, parts = result.posterior_draws, result.parts
    cd, obs = result.idata["constant_data"], result.idata["observed_data"]
    ll = result.idata["log_likelihood"]

    index, t = cd["obs_group"].to_numpy(), cd["obs_t"].to_numpy()
    mu = np.empty((draws.n, t.size))
    for k in np.unique(index):
        # the part's path over the data: its line, and its bends where it has them
        at = index == k
        mu[:, at] = parts.compute.path(
            draws, result.groups[k], t[at], float(t[at].max()), parts.extrapolation
        )
    sd = parts.compute.scale(draws, index, t)
    if "obs_sd" in cd:  # imputed compute: its sd widens the scale
        sd = np.sqrt(sd**2 + cd["obs_sd"].to_numpy() ** 2)
        assert (cd["obs_sd"].to_numpy() > 0).any()
    if priors is BENT:
        assert draws("line_delta").shape[1] > 0
    expected = _gaussian_log_lik(obs["log10_gflops"].to_numpy(), mu, sd)
    stored = ll["log10_gflops"].to_numpy().reshape(draws.n, -1)
    np.testing.assert_allclose(stored, expected.astype(np.float32), rtol=F32, atol=F32)

    series, gpu_t = cd["gpu_series"].to_numpy(), cd["gpu_t"].to_numpy()
    server = cd["gpu_server"].to_numpy() if "gpu_server" in cd else 1.0
    eff = parts.efficiency.mean(draws, series, gpu_t, server)
    eff_sd = parts.efficiency.scale(draws, series, gpu_t)
    expected = _gaussian_log_lik(obs["log10_gflops_per_watt"].to_numpy(), eff, eff_sd)
    stored = ll["log10_gflops_per_watt"].to_numpy().reshape(draws.n, -1)
    np.testing.assert_allclose(stored, expected.astype(np.float32), rtol=F32, atol=F32)


def test_extrapolations_continue_the_line() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(50, 1)), rng.normal(0.3, 0.1, size=(50, 1))
    t = np.linspace(-3.0, 20.0, 47)
    linear = LinearExtrapolation(resolve_spec(None)).path(None, "cv", (a, b), t, 4.0)  # type: ignore[arg-type]
    np.testing.assert_allclose(linear, a + b * t[None, :])
    # the damped path is the line up to the origin and grows at the long-run rate far after
    growth = damped_growth(np.array([[1e-9, 200.0, 201.0]]), np.array([[0.3]]), 0.05, 0.5)
    assert growth[0, 0] == pytest.approx(0.3e-9)
    assert growth[0, 2] - growth[0, 1] == pytest.approx(0.05)


def test_compute_knots_lie_inside_the_data() -> None:
    a = prepare("all").arrays
    domain, t = a.line_knots(2.0)
    for d in range(len(a.domains)):
        own = t[domain == d]
        assert own.size > 0
        assert (own >= a.line_first[d] + 1.0).all() and (own <= a.line_last[d] - 1.0).all()
        assert np.allclose(np.diff(own), 2.0)
    assert a.line_knots(0.0)[0].size == 0
    # a short history has no knot: its line stays straight
    short = prepare("nlp", data="thesis").arrays
    assert short.line_knots(2.0)[0].size == 1  # 2017.4-2020.5: one knot, 2019
    assert short.line_knots(5.0)[0].size == 1


def test_a_quantile_regression_frontier_is_its_own_line() -> None:
    priors = {"structure": {"frontier": "regression"}}
    result = et.fit("cv", priors=priors, config=SMALL)
    draws, parts = result.posterior_draws, result.parts
    assert parts.compute.frontier_has_own_slope
    cd, obs = result.idata["constant_data"], result.idata["observed_data"]
    t, y = cd["obs_t"].to_numpy(), obs["log10_gflops"].to_numpy()
    t0 = float(t.max())
    line = parts.compute.path(draws, "cv/frontier", t, t0, parts.extrapolation)
    # the part's frontier line is the line of the asymmetric Laplace likelihood PyMC built
    q = float(result.config.spec["structure"]["frontier_quantile"])
    kappa = np.sqrt(q / (1 - q))
    rate = 1.0 / draws.at("front_scale", "domain", "cv")[:, None]
    s = np.sign(y - line)
    expected = np.log(rate / (kappa + 1 / kappa)) - (y - line) * rate * s * kappa**s
    stored = result.idata["log_likelihood"]["log10_gflops_frontier"].to_numpy()
    np.testing.assert_allclose(
        stored.reshape(draws.n, -1), expected.astype(np.float32), rtol=F32, atol=F32
    )
    # a quantile line: about 1 - q of the models lie above it (binomial error)
    share = float(np.mean(y > np.median(line, axis=0)))
    assert abs(share - (1 - q)) < 3 * np.sqrt(q * (1 - q) / y.size)
    slopes = draws.at("slope", "group", "cv/frontier") - draws.at("slope", "group", "cv/all")
    assert np.std(slopes) > 0  # the frontier's slope is not the typical model's
