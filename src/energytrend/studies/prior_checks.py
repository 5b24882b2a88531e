"""Prior-predictive checks of physical plausibility at the forecast horizon.

The data end years before 2040; what a forecast says there is largely what the priors say
(``models/priors.toml``: the damped extrapolation, the efficiency slopes and their future
changepoints). These checks draw from the *prior* of the default model for a dataset
(``pm.sample_prior_predictive``, :func:`prior_result`) and ask whether it allows what physics
rules out. Each criterion has its reason (:data:`CRITERIA`):

1. ``efficiency_landauer``: P(GFLOPS/W of a precision's server part in ``year`` > Landauer's
   limit) < 1%. No irreversible computer at temperature T spends less than k_B T ln 2 per
   erased bit (Landauer 1961); one floating-point operation erases at least one bit, so at
   300 K no chip computes more than 1 / (k_B 300 K ln 2) = 3.5e20 operations per joule,
   10^11.54 GFLOPS/W.
2. ``efficiency_cmos``: P(GFLOPS/W in ``year`` > the CMOS limit) < 5%. Every chip in the data
   is CMOS; Ho, Erdil & Besiroglu (2023, arXiv:2312.08595) estimate the maximum efficiency of
   CMOS microprocessors at 4.7e15 FLOP/J (FP4, the most favourable format), 10^6.67 GFLOPS/W.
   5%, not 1%: their estimate is itself uncertain.

Band widths and probabilities of levels that physics allows are *information*, never a
filter (:data:`INFORMATION`): a new model's 90% band of compute and energy, P(frontier J per
inference > 10^9), P(FP32 GFLOPS/W > 10^4). The model and its priors are chosen by proper
scores on the early backtest origins (:mod:`energytrend.studies.extrapolation_choice`).

:func:`horizon_checks` applies the same rows to a fit, whose draws hold the data-informed
parameters at their posterior and the extrapolation-only ones at their prior.

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

#: Boltzmann's constant (J/K, exact in the SI) and the temperature of Landauer's limit (K).
BOLTZMANN, ROOM_KELVIN = 1.380649e-23, 300.0
#: log10 GFLOPS/W of Landauer's limit at room temperature: one erased bit per operation.
LANDAUER = float(np.log10(1.0 / (BOLTZMANN * ROOM_KELVIN * np.log(2.0)) / 1e9))
#: log10 GFLOPS/W of the CMOS limit of Ho, Erdil & Besiroglu (2023): 4.7e15 FLOP/J.
CMOS = float(np.log10(4.7e15 / 1e9))

#: criterion -> (reading with ``{year}``, threshold, statistic); a criterion passes when
#: its value is below the threshold. The module doc gives each one's reason.
CRITERIA: dict[str, tuple[str, float, str]] = {
    "efficiency_landauer": (
        "P(GFLOPS/W in {year} > Landauer's limit, 10^11.54)",
        0.01,
        "probability",
    ),
    "efficiency_cmos": ("P(GFLOPS/W in {year} > the CMOS limit, 10^6.67)", 0.05, "probability"),
}
#: Rows reported as information only (no bound): reading with ``{year}`` and statistic.
INFORMATION: dict[str, tuple[str, str]] = {
    "frontier_energy": ("P(frontier J per inference in {year} > 10^9 J)", "probability"),
    "fp32_efficiency": ("P(FP32 GFLOPS/W in {year} > 10^4)", "probability"),
    "new_model_compute": ("90% band of a new model's GFLOPs in {year}", "width"),
    "new_model_energy": ("90% band of a new model's J per inference in {year}", "width"),
}
#: log10 of the levels of the two probability rows of :data:`INFORMATION`.
FRONTIER_JOULES, FP32_GFLOPS_PER_WATT = 9.0, 4.0
#: Probability of the bands of :data:`INFORMATION`.
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
    threshold = CRITERIA[criterion][1] if criterion in CRITERIA else np.nan
    return {
        "criterion": criterion,
        "line": line,
        "value": value,
        "threshold": threshold,
        "passed": bool(value < threshold) if criterion in CRITERIA else pd.NA,
        "mcse": mcse,
        "n_draws": n,
    }


def statistic(criterion: str) -> str:
    """``"probability"`` or ``"width"``: what a row of ``criterion`` holds."""
    return CRITERIA[criterion][2] if criterion in CRITERIA else INFORMATION[criterion][1]


def horizon_checks(
    result: TrendFit, year: float = 2040.0, seed: int = DEFAULT_SEED
) -> pd.DataFrame:
    """The physical criteria and the information rows of the module, evaluated on the
    draws of ``result`` at ``year``: a prior result (:func:`prior_result`), or a fit, to see
    what the data changed.

    Returns one row per criterion and line: ``criterion`` (a key of :data:`CRITERIA` or
    :data:`INFORMATION`), ``line``, ``value`` (a probability, or a band width in orders of
    magnitude), ``threshold`` (NaN for information), ``passed`` (the probability below its
    threshold; NA for information), ``mcse``, ``n_draws`` and ``year``. ``seed`` draws the
    scatter of the new models of the band rows.
    """
    t = np.array([float(year) - float(result.idata.attrs["year_origin"])])
    rng = np.random.default_rng(seed)
    domains = list(dict.fromkeys(g.split("/")[0] for g in result.groups))
    rows = []
    for k, series in enumerate(result.series):
        eff = efficiency_at(result, np.array([k]), t)[:, 0]
        rows.append(_probability("efficiency_landauer", series, eff > LANDAUER))
        rows.append(_probability("efficiency_cmos", series, eff > CMOS))
        if series == "fp32":
            rows.append(_probability("fp32_efficiency", series, eff > FP32_GFLOPS_PER_WATT))
    for d in domains:
        joules = energy_path(result, f"{d}/frontier", t)[:, 0]
        rows.append(_probability("frontier_energy", f"{d}/frontier", joules > FRONTIER_JOULES))
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
    """The checks (module doc) on ``draws`` prior draws of the default model
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
        "| Check | Line | Value | Bound | Passes |",
        "|---|---|---|---|---|",
    ]
    for r in checks.itertuples(index=False):
        criterion = str(r.criterion)
        reading = CRITERIA[criterion][0] if criterion in CRITERIA else INFORMATION[criterion][0]
        if statistic(criterion) == "probability":
            value = format_probability(float(r.value), float(r.mcse), int(r.n_draws))
        else:
            value = f"{format_estimate(float(r.value), float(r.mcse))} orders of magnitude"
        if criterion in CRITERIA:
            bound = f"< {format_number(float(r.threshold), 2)}"
            passed = "yes" if r.passed else "**no**"
        else:
            bound, passed = "information", "–"
        year = f"{float(r.year):g}"
        lines.append(f"| {reading.format(year=year)} | {r.line} | {value} | {bound} | {passed} |")
    return "\n".join(lines) + "\n"
