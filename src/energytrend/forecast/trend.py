"""The fitted trends as paths in time, draw by draw: what forecasts and crossings are made of.

A trend path is the log10 value of a line (a group's compute, a series' efficiency, or a
group's energy) at given times, one row per posterior draw. Inside the data it is the fitted
line. After the domain's last data date, the forecast origin ``t0``, a compute trend continues
as ``models/priors.toml`` ``[extrapolation]`` says:

* ``"linear"``: the fitted line (the thesis and v1);
* ``"damped"``: the slope relaxes from its fitted value ``b`` to the long-run slope ``L`` by
  the factor ``damping`` per year, so ``Δ`` years after ``t0`` the trend has grown by
  ``L Δ + (b - L) (1 - damping**Δ) / (-ln damping)`` (the integral of the slope). ``L`` and
  ``damping`` are drawn from their priors, draw by draw, so the uncertainty about future
  growth widens the bands.

Energy is compute minus efficiency, path by path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from energytrend.data.precision import PRECISIONS, precision_at, precision_eras_from_config
from energytrend.model.efficiency import efficiency_mean

if TYPE_CHECKING:
    from energytrend.inference.result import TrendFit


def origin_t(result: TrendFit, domain: str) -> float:
    """The forecast origin of ``domain``: its last model's date, in years from the fit's time
    origin."""
    models = result.models
    years = models.loc[models["domain"] == domain, "year"].to_numpy(dtype=float)
    return float(years.max()) - float(result.idata.attrs["year_origin"])


def forecast_origin(result: TrendFit, domain: str) -> float:
    """The forecast origin of ``domain`` as a decimal year (its last model's date)."""
    return origin_t(result, domain) + float(result.idata.attrs["year_origin"])


def damped_growth(
    delta: np.ndarray, slope: np.ndarray, longrun: np.ndarray, damping: np.ndarray
) -> np.ndarray:
    """Growth in log10 over ``delta`` years after the origin of a slope that starts at
    ``slope`` and relaxes to ``longrun`` by the factor ``damping`` per year (arrays broadcast:
    draws along the first axis, times along the second)."""
    rate = -np.log(np.clip(damping, 1e-12, 1.0 - 1e-12))
    kept = -np.expm1(-rate * delta) / rate  # (1 - damping**delta) / -ln damping
    out: np.ndarray = longrun * delta + (slope - longrun) * kept
    return out


def compute_path(result: TrendFit, group: str, t: np.ndarray) -> np.ndarray:
    """Draws (sample, time) of the log10 compute trend of ``group`` at ``t`` (years from the
    time origin): the fitted line to the forecast origin, then its continuation."""
    domain = group.split("/")[0]
    a = result.draws("intercept").sel(group=group).to_numpy()[:, None]
    b = result.draws("slope").sel(group=group).to_numpy()[:, None]
    tt = np.asarray(t, dtype=float)[None, :]
    if "longrun_slope" not in result.idata["posterior"]:
        out: np.ndarray = a + b * tt
        return out
    t0 = origin_t(result, domain)
    longrun = result.draws("longrun_slope").sel(domain=domain).to_numpy()[:, None]
    damping = result.draws("damping").sel(domain=domain).to_numpy()[:, None]
    inside = a + b * np.minimum(tt, t0)
    after = damped_growth(np.maximum(tt - t0, 0.0), b, longrun, damping)
    path: np.ndarray = inside + after
    return path


def is_precision_model(result: TrendFit) -> bool:
    """Whether efficiency is the precision model (:mod:`energytrend.model.efficiency`)."""
    return "eff_line_slope" in result.idata["posterior"]


def efficiency_at(
    result: TrendFit, series: np.ndarray, t: np.ndarray, server: np.ndarray | float = 1.0
) -> np.ndarray:
    """Draws (sample, point) of the mean log10 GFLOPS/W of efficiency series ``series``
    (indices into :attr:`TrendFit.series`) at times ``t`` (years from the origin); in the
    precision model for a server part (``server=1``) or a desktop one (0), with its bends,
    including the prior's future ones after the data."""
    s, tt = np.asarray(series, dtype=int), np.asarray(t, dtype=float)
    if is_precision_model(result):
        cd = result.idata["constant_data"]
        return efficiency_mean(
            lambda name: result.draws(name).to_numpy(),
            cd["eff_knot_series"].to_numpy(),
            cd["eff_knot_t"].to_numpy(),
            s,
            tt,
            server,
        )
    a = result.draws("eff_intercept").to_numpy()[:, s]
    b = result.draws("eff_slope").to_numpy()[:, s]
    out: np.ndarray = a + b * tt
    return out


def efficiency_path(result: TrendFit, series: str, t: np.ndarray) -> np.ndarray:
    """Draws (sample, time) of the log10 GFLOPS/W trend of the efficiency ``series`` (a
    server part, in the precision model)."""
    tt = np.asarray(t, dtype=float)
    return efficiency_at(result, np.full(tt.shape, result.series.index(series)), tt)


def inference_series(result: TrendFit, group: str, t: np.ndarray) -> np.ndarray:
    """Index into :attr:`TrendFit.series` of the efficiency that ``group``'s inference runs
    on at each time: the domain's adapted series (v1), or the precision of the era
    (``[precision] eras`` of the specification) in the precision model."""
    tt = np.asarray(t, dtype=float)
    if not is_precision_model(result):
        return np.full(tt.shape, result.series.index(group.split("/")[0]))
    years = tt + float(result.idata.attrs["year_origin"])
    return era_series(result.series, result.config.spec["precision"], years)


def era_series(
    available: Sequence[str], precision_spec: Mapping[str, Any], years: np.ndarray
) -> np.ndarray:
    """Index into ``available`` (the fitted precision series) of the precision inference
    runs at in each decimal year, by the ``[precision] eras`` of the specification; an era
    whose precision has no data falls back to the nearest earlier one."""
    names = precision_at(np.asarray(years, dtype=float), precision_eras_from_config(precision_spec))
    available = list(available)
    fallback = [p for p in PRECISIONS if p in available]
    return np.array(
        [available.index(n if n in available else _earlier(n, fallback)) for n in names],
        dtype=int,
    )


def _earlier(name: str, available: list[str]) -> str:
    earlier = [p for p in available if PRECISIONS.index(p) < PRECISIONS.index(name)]
    return earlier[-1] if earlier else available[0]


def energy_path(
    result: TrendFit, group: str, t: np.ndarray, *, calibrated: bool = False
) -> np.ndarray:
    """Draws (sample, time) of the log10 joules per forward pass of ``group``: its compute
    path minus the efficiency of the precision inference runs at on each date, draw by draw.

    ``calibrated=False`` is the peak-based estimate, a lower bound (the thesis's method);
    ``True`` multiplies it by the MLPerf realisation factor (measured over peak-based
    energy), draw by draw.
    """
    tt = np.asarray(t, dtype=float)
    out: np.ndarray = compute_path(result, group, tt) - efficiency_at(
        result, inference_series(result, group, tt), tt
    )
    if calibrated:
        if not has_calibration(result):
            raise ValueError(
                "this fit has no MLPerf energy measurements to calibrate with "
                "(the 'thesis' dataset has none); use the peak-based energy"
            )
        out = out + result.draws("realisation").to_numpy()[:, None]
    return out


def has_calibration(result: TrendFit) -> bool:
    """Whether the fit estimated the MLPerf realisation factor."""
    return "realisation" in result.idata["posterior"]


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
