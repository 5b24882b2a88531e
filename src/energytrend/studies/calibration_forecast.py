"""Forecast quantities for simulation-based calibration, computed from raw draws.

SBC ranks not only the parameters but what the forecasts are made of: for each model group,

* ``energy_2030[group]``: the log10 joules per forward pass of its (peak-based) energy trend
  in 2030, the trend's compute path (fitted line to the domain's last data date, then the
  damped continuation, :func:`energytrend.model.extrapolation.damped_growth`) minus the
  efficiency of the precision inference runs at in 2030 (a server part, with the
  changepoints' bends);
* ``crosses_<J>J_by_2040[group]``: 1 if that energy trend is at or above the human-body level
  (:func:`energytrend.forecast.forecasts.human_levels`, about 97 J) at some date between the
  forecast origin and 2040 (its first passage,
  :func:`energytrend.forecast.trend.first_passage`), else 0.

These are the lines of :mod:`energytrend.forecast.trend` re-implemented on draw arrays (no
:class:`~energytrend.inference.result.TrendFit`), so that the same function gives the truth (from a
prior draw) and the posterior draws of a simulated fit. ``tests/test_studies.py`` checks that
both implementations agree on a real fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from energytrend.forecast.forecasts import STEP, human_levels
from energytrend.forecast.trend import first_passage
from energytrend.model.arrays import ModelData
from energytrend.model.efficiency import ceiling, efficiency_mean, era_series
from energytrend.model.extrapolation import damped_growth

#: Year at which the forecast energy is ranked.
ENERGY_YEAR = 2030.0
#: Horizon of the crossing indicator.
HORIZON = 2040.0
#: Prefix of the binary crossing indicators (ranked quantities are everything else).
INDICATOR = "crosses_"

#: Variables whose draws the forecast quantities need (those present in the model).
FORECAST_INPUTS = (
    "intercept",
    "slope",
    "longrun_slope",
    "damping",
    "eff_intercept",
    "eff_slope",
    "eff_line_intercept",
    "eff_line_slope",
    "eff_server",
    "eff_delta",
)


def level_joules() -> float:
    """The crossing level: the human body for one second (about 97 J)."""
    return float(human_levels()[0].joules)


def indicator_name(group: str) -> str:
    """Name of the crossing indicator of ``group``."""
    return f"{INDICATOR}{round(level_joules())}J_by_{HORIZON:g}[{group}]"


def is_indicator(name: str) -> bool:
    """Whether ``name`` is a binary crossing indicator (checked for calibration by its
    probabilities, not by ranks)."""
    return name.startswith(INDICATOR)


def origins(data: ModelData) -> dict[str, float]:
    """Forecast origin of each domain: its last model's time (years from the time origin)."""
    domain = np.array([g.split("/")[0] for g in data.groups])[data.obs_group]
    return {d: float(data.obs_t[domain == d].max()) for d in data.domains}


def _energy_paths(
    draws: Mapping[str, np.ndarray],
    data: ModelData,
    spec: Mapping[str, Any],
    group: int,
    t: np.ndarray,
    t0: float,
) -> np.ndarray:
    """Draws (sample, time) of group ``group``'s log10 energy trend at ``t`` (years from the
    time origin), as :func:`energytrend.forecast.trend.energy_path` computes it."""
    a = draws["intercept"][:, group, None]
    b = draws["slope"][:, group, None]
    domain = data.domains.index(data.groups[group].split("/")[0])
    tt = t[None, :]
    compute = a + b * np.minimum(tt, t0)
    if spec["extrapolation"]["kind"] == "damped":
        longrun = draws["longrun_slope"][:, domain, None]
        damping = draws["damping"][:, domain, None]
        compute = compute + damped_growth(np.maximum(tt - t0, 0.0), b, longrun, damping)
    else:
        compute = compute + b * np.maximum(tt - t0, 0.0)
    if spec["efficiency"]["kind"] == "precision":
        series = era_series(data.series, spec["precision"], t + data.year_origin)
        eff = efficiency_mean(
            lambda name: draws[name],
            data.eff_knot_series,
            data.eff_knot_t,
            series,
            t,
            1.0,
            ceiling(spec),
        )
    else:
        s = int(data.group_series[group])
        eff = draws["eff_intercept"][:, s, None] + draws["eff_slope"][:, s, None] * tt
    out: np.ndarray = compute - eff
    return out


def forecast_quantities(
    draws: Mapping[str, np.ndarray], data: ModelData, spec: Mapping[str, Any]
) -> dict[str, np.ndarray]:
    """``{"energy_2030[cv/all]": (sample,), "crosses_97J_by_2040[cv/all]": (sample,), ...}``
    from draws ``{name: (sample, ...)}`` of :data:`FORECAST_INPUTS` (prior draws give the
    truths, posterior draws a fit's distribution); indicators are 0.0 or 1.0."""
    t0s = origins(data)
    level = float(np.log10(level_joules()))
    out: dict[str, np.ndarray] = {}
    for k, group in enumerate(data.groups):
        t0 = t0s[group.split("/")[0]]
        at = np.array([ENERGY_YEAR - data.year_origin])
        out[f"energy_{ENERGY_YEAR:g}[{group}]"] = _energy_paths(draws, data, spec, k, at, t0)[:, 0]
        start = t0 + data.year_origin
        years = np.append(np.arange(start, HORIZON, STEP), HORIZON)
        path = _energy_paths(draws, data, spec, k, years - data.year_origin, t0)
        passage = first_passage(path, years, level)
        out[indicator_name(group)] = np.isfinite(passage).astype(float)
    return out


def stacked(ds: Any, names: tuple[str, ...] = FORECAST_INPUTS) -> dict[str, np.ndarray]:
    """``{name: (sample, ...)}`` arrays of the variables ``names`` present in ``ds`` (an
    ``xarray.Dataset`` with ``chain`` and ``draw`` dimensions), chains and draws stacked."""
    st = ds.stack(sample=("chain", "draw"))
    return {
        n: np.asarray(st[n].transpose("sample", ...).to_numpy()) for n in names if n in ds.data_vars
    }
