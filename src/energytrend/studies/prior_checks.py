"""Prior-predictive acceptance checks at the forecast horizon.

The data end years before 2040; what a forecast says there is largely what the priors say
(``models/priors.toml``: the damped extrapolation, the efficiency slopes and their future
changepoints). These checks draw from the *prior* of the default model for a dataset and hold
it to bounds that no forecaster would want to exceed:

1. ``frontier_energy``: P(peak-based J per inference of a domain's frontier in ``year`` >
   10^9 J) < 1%, for every domain (:func:`energytrend.forecast.trend.energy_path`).
2. ``fp32_efficiency``: P(FP32 GFLOPS/W of a server part in ``year`` > 10^4) < 5%
   (:func:`energytrend.forecast.trend.efficiency_at`).
3. ``new_model_compute`` and ``new_model_energy``: the 90% prior predictive band of a new
   typical model (``<domain>/all``) in ``year`` spans at most 8 orders of magnitude: compute
   is the trend plus the likelihood's scatter, energy that minus the efficiency at the
   precision inference runs at.

On the pure prior these bounds are demanding: the level and slope priors of the lines in the
data are weakly informative, and 22 years of their uncertainty compound by 2040.
:func:`horizon_checks` applies the same criteria to a fit, whose draws hold the data-informed
parameters at their posterior and the extrapolation-only ones (long-run slope, damping, the
efficiency bends after the data) at their prior: the check of the extrapolation priors given
the data.

Every value carries its Monte Carlo standard error (prior draws are independent): for a
probability ``sqrt(p (1 - p) / n)``, for a band width the quantile MCSEs of its two ends
(:func:`energytrend.inference.mcse.quantile_mcse`) added in quadrature.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from energytrend.data.datasets import DEFAULT_DATA, check_data
from energytrend.forecast.trend import compute_path, efficiency_at, energy_path, inference_series
from energytrend.inference.config import DEFAULT_SEED, FitConfig
from energytrend.inference.diagnostics import Diagnostics, DiagnosticsWarning, reported_vars
from energytrend.inference.engine import numerics, with_data_groups
from energytrend.inference.formatting import format_estimate, format_number, format_probability
from energytrend.inference.loading import attach_data, make_result
from energytrend.inference.mcse import quantile_mcse
from energytrend.inference.result import TrendFit
from energytrend.model.build import build_model
from energytrend.model.design import FitDomain, prepare
from energytrend.model.spec import resolve_spec

#: Why a prior result never passes the diagnostics gate (its tables warn with this).
PRIOR_ONLY = "prior draws, not a posterior: for prior-predictive checks only"

#: criterion -> (reading with ``{year}``, threshold, statistic); a criterion passes when
#: its value is below the threshold.
CRITERIA: dict[str, tuple[str, float, str]] = {
    "frontier_energy": ("P(frontier J per inference in {year} > 10^9 J)", 0.01, "probability"),
    "fp32_efficiency": ("P(FP32 GFLOPS/W in {year} > 10^4)", 0.05, "probability"),
    "new_model_compute": ("90% band of a new model's GFLOPs in {year}", 8.0, "width"),
    "new_model_energy": ("90% band of a new model's J per inference in {year}", 8.0, "width"),
}
#: log10 of the levels of the two probability criteria.
FRONTIER_JOULES, FP32_GFLOPS_PER_WATT = 9.0, 4.0
#: Probability of the band of criterion 3.
BAND = 0.9


def prior_result(
    domain: FitDomain = "all",
    *,
    data: str = DEFAULT_DATA,
    priors: Mapping[str, Any] | None = None,
    draws: int = 4000,
    seed: int = DEFAULT_SEED,
) -> TrendFit:
    """Draws from the *prior* of the default model (partial pooling) for ``domain`` and the
    dataset ``data``, packaged as a :class:`TrendFit` so that the trend functions
    (:mod:`energytrend.forecast.trend`, :func:`energytrend.forecast.forecasts.forecast`, ...)
    work on it.

    Its ``idata["posterior"]`` holds the prior draws (one chain of ``draws``), with the data
    groups a fit carries. It is for prior checks only: its :class:`Diagnostics` is a table
    of NaNs built here, not computed, and fails with :data:`PRIOR_ONLY`, so ``passed`` is
    ``False`` and every table method warns that its numbers are not a posterior's.
    """
    spec = resolve_spec(priors)
    config = FitConfig(
        domain=domain,
        data=check_data(data),
        draws=int(draws),
        tune=0,
        chains=1,
        seed=int(seed),
        pooling="partial",
        spec=spec,
    )
    prepared = prepare(domain, data=config.data, year_origin=config.year_origin, spec=spec)
    model = build_model(prepared.arrays, spec, "partial")
    with numerics():
        prior = pm.sample_prior_predictive(draws=config.draws, model=model, random_seed=config.seed)
    tree = xr.DataTree(children={"posterior": xr.DataTree(prior["prior"].to_dataset())})
    tree = attach_data(with_data_groups(tree, prepared.arrays, spec), prepared)
    tree.attrs["priors"] = json.dumps(dict(priors or {}), sort_keys=True)
    names = reported_vars(tree)
    nan = np.full(len(names), np.nan)
    table = pd.DataFrame({"parameter": names, "ess_bulk": nan, "ess_tail": nan, "r_hat": nan})
    diagnostics = Diagnostics(table=table, divergences=0, failures=(PRIOR_ONLY,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiagnosticsWarning)  # failed by construction
        return make_result(tree, config, diagnostics)


def _probability(criterion: str, line: str, above: np.ndarray) -> dict[str, Any]:
    p, n = float(np.mean(above)), int(above.size)
    return _row(criterion, line, p, float(np.sqrt(p * (1.0 - p) / n)), n)


def _width(criterion: str, line: str, draws: np.ndarray) -> dict[str, Any]:
    lo, hi = (1.0 - BAND) / 2.0, 1.0 - (1.0 - BAND) / 2.0
    q = np.quantile(draws, [lo, hi])
    mcse = float(np.hypot(quantile_mcse(draws, lo), quantile_mcse(draws, hi)))
    return _row(criterion, line, float(q[1] - q[0]), mcse, int(draws.size))


def _row(criterion: str, line: str, value: float, mcse: float, n: int) -> dict[str, Any]:
    _, threshold, statistic = CRITERIA[criterion]
    # a probability must stay below its bound; a band may be as wide as its bound
    passed = value < threshold if statistic == "probability" else value <= threshold
    return {
        "criterion": criterion,
        "line": line,
        "value": value,
        "threshold": threshold,
        "passed": bool(passed),
        "mcse": mcse,
        "n_draws": n,
    }


def horizon_checks(
    result: TrendFit, year: float = 2040.0, seed: int = DEFAULT_SEED
) -> pd.DataFrame:
    """The acceptance criteria of the module evaluated on the draws of ``result`` at
    ``year``: a prior result (:func:`prior_result`), or a fit, to see what the data changed.

    Returns one row per criterion and line: ``criterion`` (a key of :data:`CRITERIA`),
    ``line``, ``value`` (a probability, or a band width in orders of magnitude),
    ``threshold``, ``passed`` (a probability below, a width at most its threshold),
    ``mcse``, ``n_draws`` and ``year``. ``seed``
    draws the scatter of the new models of criterion 3.
    """
    t = np.array([float(year) - float(result.idata.attrs["year_origin"])])
    rng = np.random.default_rng(seed)
    domains = list(dict.fromkeys(g.split("/")[0] for g in result.groups))
    rows = []
    for d in domains:
        joules = energy_path(result, f"{d}/frontier", t)[:, 0]
        rows.append(_probability("frontier_energy", f"{d}/frontier", joules > FRONTIER_JOULES))
    if "fp32" in result.series:
        fp32 = efficiency_at(result, np.array([result.series.index("fp32")]), t)[:, 0]
        rows.append(_probability("fp32_efficiency", "fp32", fp32 > FP32_GFLOPS_PER_WATT))
    for d in domains:
        group = f"{d}/all"
        index = np.array([result.groups.index(group)])
        mean = compute_path(result, group, t)
        part, draws = result.parts.compute, result.posterior_draws
        compute = mean + part.scale(draws, index, t) * part.noise(draws, mean.shape, rng)
        energy = compute - efficiency_at(result, inference_series(result, group, t), t)
        rows.append(_width("new_model_compute", group, compute[:, 0]))
        rows.append(_width("new_model_energy", group, energy[:, 0]))
    return pd.DataFrame(rows).assign(year=float(year))


def prior_predictive_checks(
    domain: FitDomain = "all",
    *,
    data: str = DEFAULT_DATA,
    priors: Mapping[str, Any] | None = None,
    draws: int = 4000,
    seed: int = DEFAULT_SEED,
    year: float = 2040.0,
) -> pd.DataFrame:
    """The acceptance criteria (module doc) on ``draws`` prior draws of the default model
    for ``domain`` and ``data``, with the prior overrides ``priors``, at ``year``.

    See :func:`horizon_checks` for the columns. A few seconds: prior sampling only.
    """
    result = prior_result(domain, data=data, priors=priors, draws=draws, seed=seed)
    return horizon_checks(result, year=year, seed=seed + 1)


def prior_check_table(checks: pd.DataFrame | None = None, **kwargs: Any) -> str:
    """The checks as a Markdown table, every value to the digits its MCSE
    supports (:mod:`energytrend.inference.formatting`). ``checks`` is
    :func:`prior_predictive_checks`'s (or :func:`horizon_checks`'s) table; when ``None`` it
    is computed, with ``kwargs``."""
    if checks is None:
        checks = prior_predictive_checks(**kwargs)
    lines = [
        "| Criterion | Line | Value | Bound | Passes |",
        "|---|---|---|---|---|",
    ]
    for r in checks.itertuples(index=False):
        reading, _, statistic = CRITERIA[str(r.criterion)]
        if statistic == "probability":
            value = format_probability(float(r.value), float(r.mcse), int(r.n_draws))
            bound = f"< {format_number(float(r.threshold), 2)}"
        else:
            value = f"{format_estimate(float(r.value), float(r.mcse))} orders of magnitude"
            bound = f"≤ {format_number(float(r.threshold), 0)}"
        passed = "yes" if r.passed else "**no**"
        year = f"{float(r.year):g}"
        lines.append(f"| {reading.format(year=year)} | {r.line} | {value} | {bound} | {passed} |")
    return "\n".join(lines) + "\n"
