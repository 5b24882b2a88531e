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

They are computed by the model parts (:mod:`energytrend.model.parts`), the code of every
forecast, on :class:`~energytrend.model.draws.Draws` (no
:class:`~energytrend.inference.result.TrendFit`), so that the same function gives the truth (from
a prior draw) and the posterior draws of a simulated fit. ``tests/studies/test_studies.py``
checks that they agree with :mod:`energytrend.forecast.trend` on a real fit.
"""

from __future__ import annotations

import numpy as np

from energytrend.forecast.forecasts import STEP, human_levels
from energytrend.forecast.trend import first_passage
from energytrend.model.arrays import ModelData
from energytrend.model.draws import Draws
from energytrend.model.parts import ModelParts, model_parts
from energytrend.model.spec import Spec

#: Year at which the forecast energy is ranked.
ENERGY_YEAR = 2030.0
#: Horizon of the crossing indicator.
HORIZON = 2040.0
#: Prefix of the binary crossing indicators (ranked quantities are everything else).
INDICATOR = "crosses_"


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


def _energy_path(
    parts: ModelParts, draws: Draws, data: ModelData, group: str, t: np.ndarray, t0: float
) -> np.ndarray:
    """Draws (sample, time) of ``group``'s log10 energy trend at ``t`` (years from the time
    origin), by the model parts as :func:`energytrend.forecast.trend.energy_path` computes it:
    the compute path minus the efficiency of the precision inference runs at (a server part)."""
    compute = parts.compute.path(draws, group, t, t0, parts.extrapolation)
    series = parts.efficiency.inference_series(group, t + data.year_origin)
    out: np.ndarray = compute - parts.efficiency.mean(draws, series, t, 1.0)
    return out


def forecast_quantities(draws: Draws, data: ModelData, spec: Spec) -> dict[str, np.ndarray]:
    """``{"energy_2030[cv/all]": (sample,), "crosses_97J_by_2040[cv/all]": (sample,), ...}``
    from ``draws`` of the model of ``data`` and ``spec`` (prior draws give the truths,
    posterior draws a fit's distribution); indicators are 0.0 or 1.0."""
    parts = model_parts(spec, data)
    t0s = origins(data)
    level = float(np.log10(level_joules()))
    out: dict[str, np.ndarray] = {}
    for group in data.groups:
        t0 = t0s[group.split("/")[0]]
        at = np.array([ENERGY_YEAR - data.year_origin])
        out[f"energy_{ENERGY_YEAR:g}[{group}]"] = _energy_path(parts, draws, data, group, at, t0)[
            :, 0
        ]
        start = t0 + data.year_origin
        years = np.append(np.arange(start, HORIZON, STEP), HORIZON)
        path = _energy_path(parts, draws, data, group, years - data.year_origin, t0)
        passage = first_passage(path, years, level)
        out[indicator_name(group)] = np.isfinite(passage).astype(float)
    return out
