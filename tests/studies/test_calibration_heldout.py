"""Held-out data in SBC (energytrend.studies.calibration_heldout): the truths past the
origin and the forecast's predictive draws come from the same generating process, and a
wrong extrapolation shows."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest
from scipy import stats

from energytrend.inference.engine import numerics
from energytrend.model.build import build_model
from energytrend.model.design import prepare
from energytrend.model.draws import Draws
from energytrend.model.parts import model_parts
from energytrend.model.spec import resolve_spec
from energytrend.studies import calibration_heldout as heldout

N = 600


@pytest.fixture(scope="module")
def prior() -> tuple:
    spec = resolve_spec()
    base = prepare("cv", data="2025", year_origin=2018.0, spec=spec).arrays
    with numerics():
        draws = pm.sample_prior_predictive(
            draws=2 * N, model=build_model(base, spec, "none"), random_seed=5
        )
    return spec, base, draws["prior"].to_dataset()


def _pits(prior: tuple, spec_of_forecast: dict) -> dict[str, np.ndarray]:
    """PIT of N held-out truths (prior draws 0..N-1) under the predictive of N other prior
    draws, computed by the parts of ``spec_of_forecast``."""
    spec, base, ds = prior
    truths = heldout.truths(ds.isel(draw=slice(0, N)), base, spec, seed=1)
    parts = model_parts(spec_of_forecast, base)
    rng = np.random.default_rng(2)
    pred = heldout.predictive(parts, Draws(ds.isel(draw=slice(N, 2 * N))), base, rng)
    return {k: np.array([np.mean(pred[k] < t[k]) for t in truths]) for k in pred}


def test_points_cover_every_typical_line_and_efficiency_series(prior: tuple) -> None:
    spec, base, ds = prior
    truths = heldout.truths(ds.isel(draw=slice(0, 3)), base, spec, seed=1)
    names = set(truths[0])
    assert {f"heldout[cv/all@+{h:g}]" for h in heldout.HORIZONS} <= names
    assert {f"heldout[{s}@+4.5]" for s in base.series} <= names
    assert all(heldout.is_heldout(n) for n in names)
    assert np.isfinite([v for t in truths for v in t.values()]).all()


def test_the_forecast_of_the_generating_process_is_calibrated(prior: tuple) -> None:
    """Truths and predictive draws from the same prior: every PIT is uniform."""
    for name, u in _pits(prior, prior[0]).items():
        assert stats.kstest(u, "uniform").pvalue > 1e-3, name


def test_a_wrong_extrapolation_is_seen(prior: tuple) -> None:
    """Truths continue by the damped trend; a forecast that continues the fitted line
    unchanged misses them 4.5 years out (its PIT is far from uniform)."""
    linear = resolve_spec({"extrapolation": {"kind": "linear"}})
    u = _pits(prior, linear)["heldout[cv/all@+4.5]"]
    assert stats.kstest(u, "uniform").pvalue < 1e-6
