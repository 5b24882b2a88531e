"""The fitted trends as paths in time, draw by draw: what forecasts and crossings are made of.

A trend path is the log10 value of a line (a group's compute, a series' efficiency, or a
group's energy) at given times, one row per posterior draw. Inside the data it is the fitted
line. After the domain's last data date, the forecast origin ``t0``, a compute trend continues
as the fit's extrapolation part says (:mod:`energytrend.model.extrapolation`). Each path is
asked of the fit's model parts (``result.parts``), never read from variable names.

Energy is compute minus efficiency, path by path.

What happens after the data is an assumption, so every path can be asked under a named
*scenario* (:data:`SCENARIOS`) for the growth of compute after the forecast origin:
``"fitted"``, the fit's own extrapolation (the damped trend of the shipped model);
``"straight"``, the fitted line continued as it is; ``"flat"``, no growth after the data.
Efficiency keeps its fitted continuation in every scenario.
"""

from __future__ import annotations

import numpy as np

from energytrend.inference.result import TrendFit
from energytrend.model.extrapolation import EXTRAPOLATION_PARTS, Extrapolation

#: Scenarios for compute after the data: name -> extrapolation kind (None: the fit's own).
SCENARIOS: dict[str, str | None] = {"fitted": None, "straight": "linear", "flat": "flat"}


def scenario_extrapolation(result: TrendFit, scenario: str) -> Extrapolation:
    """The extrapolation part of ``scenario`` (one of :data:`SCENARIOS`) for ``result``."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")
    kind = SCENARIOS[scenario]
    if kind is None:
        return result.parts.extrapolation
    return EXTRAPOLATION_PARTS[kind](result.config.spec)


def origin_t(result: TrendFit, domain: str) -> float:
    """The forecast origin of ``domain``: its last model's date, in years from the fit's time
    origin."""
    models = result.models
    years = models.loc[models["domain"] == domain, "year"].to_numpy(dtype=float)
    return float(years.max()) - float(result.idata.attrs["year_origin"])


def forecast_origin(result: TrendFit, domain: str) -> float:
    """The forecast origin of ``domain`` as a decimal year (its last model's date)."""
    return origin_t(result, domain) + float(result.idata.attrs["year_origin"])


def compute_path(
    result: TrendFit, group: str, t: np.ndarray, scenario: str = "fitted"
) -> np.ndarray:
    """Draws (sample, time) of the log10 compute trend of ``group`` at ``t`` (years from the
    time origin): the fitted line to the forecast origin, then its continuation under
    ``scenario`` (:data:`SCENARIOS`; the fit's extrapolation part by default)."""
    domain = group.split("/")[0]
    ext = scenario_extrapolation(result, scenario)
    return result.parts.compute.path(
        result.posterior_draws, group, t, origin_t(result, domain), ext
    )


def efficiency_at(
    result: TrendFit, series: np.ndarray, t: np.ndarray, server: np.ndarray | float = 1.0
) -> np.ndarray:
    """Draws (sample, point) of the mean log10 GFLOPS/W of efficiency series ``series``
    (indices into :attr:`TrendFit.series`) at times ``t`` (years from the origin); in the
    precision model for a server part (``server=1``) or a desktop one (0), with its bends,
    including the prior's future ones after the data."""
    return result.parts.efficiency.mean(result.posterior_draws, series, t, server)


def efficiency_path(result: TrendFit, series: str, t: np.ndarray) -> np.ndarray:
    """Draws (sample, time) of the log10 GFLOPS/W trend of the efficiency ``series`` (a
    server part, in the precision model)."""
    tt = np.asarray(t, dtype=float)
    return efficiency_at(result, np.full(tt.shape, result.series.index(series)), tt)


def inference_series(result: TrendFit, group: str, t: np.ndarray) -> np.ndarray:
    """Index into :attr:`TrendFit.series` of the efficiency that ``group``'s inference runs
    on at each time: the domain's adapted series (v1), or the precision of the era
    (``[precision] eras`` of the specification) in the precision model."""
    years = np.asarray(t, dtype=float) + float(result.idata.attrs["year_origin"])
    return result.parts.efficiency.inference_series(group, years)


def compute_mean(result: TrendFit, index: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Draws (sample, point) of the compute trend of groups ``index`` (into
    :attr:`TrendFit.groups`) at times ``t``, continued after the data."""
    i, tt = np.asarray(index, dtype=int), np.asarray(t, dtype=float)
    out = np.empty((result.posterior_draws.n, tt.size))
    for k in np.unique(i):
        at = i == k
        out[:, at] = compute_path(result, result.groups[k], tt[at])
    return out


def energy_path(
    result: TrendFit,
    group: str,
    t: np.ndarray,
    *,
    calibrated: bool = False,
    scenario: str = "fitted",
) -> np.ndarray:
    """Draws (sample, time) of the log10 joules per forward pass of ``group``: its compute
    path minus the efficiency of the precision inference runs at on each date, draw by draw.

    ``calibrated=False`` is the peak-based estimate, a lower bound (the thesis's method);
    ``True`` multiplies it by the MLPerf realisation factor (measured over peak-based
    energy), draw by draw. ``scenario`` is the growth of compute after the data
    (:data:`SCENARIOS`).
    """
    tt = np.asarray(t, dtype=float)
    out: np.ndarray = compute_path(result, group, tt, scenario) - efficiency_at(
        result, inference_series(result, group, tt), tt
    )
    if calibrated:
        realisation = result.parts.realisation
        if realisation is None:
            raise ValueError(
                "this fit has no MLPerf energy measurements to calibrate with "
                "(the 'thesis' dataset has none); use the peak-based energy"
            )
        out = out + realisation.factor(result.posterior_draws)[:, None]
    return out


def has_calibration(result: TrendFit) -> bool:
    """Whether the fit estimated the MLPerf realisation factor."""
    return result.parts.realisation is not None


def first_passage(path: np.ndarray, t: np.ndarray, level: float) -> np.ndarray:
    """For each draw (row of ``path``, evaluated at the increasing times ``t``), the first
    time at which the path is at or above ``level``: ``t[0]`` when it already is, the
    linearly interpolated crossing time after that, ``inf`` when it never is within ``t``."""
    above = path >= level
    first = np.argmax(above, axis=1)
    hit = above.any(axis=1)
    out = np.full(path.shape[0], np.inf)
    rows = np.flatnonzero(hit)
    k = first[rows]
    out[rows] = t[k]
    later = rows[k > 0]
    if later.size:
        j = first[later]
        y0, y1 = path[later, j - 1], path[later, j]
        frac = np.clip((level - y0) / np.where(y1 > y0, y1 - y0, 1.0), 0.0, 1.0)
        out[later] = t[j - 1] + frac * (t[j] - t[j - 1])
    return out
