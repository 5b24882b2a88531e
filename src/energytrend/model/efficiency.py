"""Hardware efficiency by numeric precision: the model block and its evaluation.

With ``[efficiency] kind = "precision"`` (the default), peak GFLOPS per watt of TDP is one
series per numeric precision (FP32, FP16/BF16 tensor, INT8/FP8; see
:mod:`energytrend.data.precision`), each a line that can bend::

    log10 GFLOPS/W[k] ~ Normal(a[p] + b[p] t + server_effect * server[k]
                               + sum_j delta[j] relu(t - knot_t[j]) [knot j of series p],
                               sigma[p])

* ``server_effect``: server parts against desktop and workstation ones at the same date,
  shared by the precisions (the same boards, power delivery and memory).
* changepoints: knots every ``changepoints.spacing`` years after a series' first two years of
  data, up to ``changepoints.until``; slope changes ``delta[j] = tau z[j]``, ``z ~ Normal(0,
  1)``, with ``tau`` the fixed ``changepoints.scale`` (``changepoints.tau = "fixed"``, the
  default) or learned, ``tau ~ HalfNormal(scale)``, for all precisions (``"shared"``) or per
  precision (``"per_series"``; neither improved the early backtest). Knots after the last
  data point carry no
  data: their draws are the prior's, so the forecast's slope can change as often and as much
  as it did in the past (Prophet's trend uncertainty), which widens the bands honestly.

Reported: ``eff_intercept[p]``, the level of a server part at the time origin, and
``eff_slope[p]``, the slope at the series' last data point (the current growth).

Also in this block, as data of their own:

* the thesis's measured speed-ups (Table B.2), ``log10(measured speed-up / peak ratio)``
  ~ Normal(``speedup_fraction[p]``, ``speedup_sigma``): the share of a precision's peak
  advantage over FP32 that real inference realised;
* MLPerf Inference's measured joules per sample against the peak-based estimate for the same
  hardware and model, ``log10(measured / peak-based)`` ~ Normal(``realisation``,
  ``realisation_sigma``): the calibration of energy estimates to measured energy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt

if TYPE_CHECKING:
    from energytrend.model.arrays import ModelData, Tensor


def knots(
    series: tuple[str, ...], gpu_series: np.ndarray, gpu_t: np.ndarray, spec: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Changepoint knots (series index, time) of every series: every ``spacing`` years from
    two years after its first point, until ``until`` (years from the time origin)."""
    cp = spec["efficiency"]["changepoints"]
    spacing, until = float(cp["spacing"]), float(cp["until"]) - float(spec["time"]["year_origin"])
    idx, ts = [], []
    for k in range(len(series)):
        t = gpu_t[gpu_series == k]
        if t.size == 0:
            continue
        grid = np.arange(np.ceil(t.min()) + 2.0, until + 1e-9, spacing)
        idx += [k] * grid.size
        ts += grid.tolist()
    return np.asarray(idx, dtype=int), np.asarray(ts, dtype=float)


def _hinge(t: Tensor, series: Tensor, knot_t: Tensor, knot_series: Tensor) -> Tensor:
    on = pt.eq(series[:, None], knot_series[None, :])
    out: Tensor = pt.switch(on, pt.maximum(t[:, None] - knot_t[None, :], 0.0), 0.0)
    return out


def build_efficiency(data: ModelData, spec: dict[str, Any], family: Callable[..., None]) -> None:
    """Add the precision efficiency block to the model in context (see the module doc)."""
    eff = spec["efficiency"]
    gpu_series = pm.Data("gpu_series", data.gpu_series, dims="gpu")
    gpu_t = pm.Data("gpu_t", data.gpu_t, dims="gpu")
    gpu_y = pm.Data("gpu_y", data.gpu_y, dims="gpu")
    gpu_server = pm.Data("gpu_server", data.gpu_server, dims="gpu")
    knot_series = pm.Data("eff_knot_series", data.eff_knot_series, dims="eff_knot")
    knot_t = pm.Data("eff_knot_t", data.eff_knot_t, dims="eff_knot")

    a = pm.Normal(
        "eff_line_intercept", eff["intercept"]["mu"], eff["intercept"]["sigma"], dims="series"
    )
    b = pm.Normal("eff_line_slope", eff["slope"]["mu"], eff["slope"]["sigma"], dims="series")
    sigma = pm.HalfNormal("eff_sigma", eff["sigma"]["sigma"], dims="series")
    server = pm.Normal("eff_server", 0.0, eff["server"]["sigma"])
    scale = float(eff["changepoints"]["scale"])
    z = pm.Normal("eff_delta_z", 0.0, 1.0, dims="eff_knot")
    tau = eff["changepoints"].get("tau", "fixed")
    if tau == "fixed":
        delta = pm.Deterministic("eff_delta", scale * z, dims="eff_knot")
    elif tau == "shared":
        bend = pm.HalfNormal("eff_bend_scale", scale)
        delta = pm.Deterministic("eff_delta", bend * z, dims="eff_knot")
    else:  # "per_series"
        bend = pm.HalfNormal("eff_bend_scale", scale, dims="series")
        delta = pm.Deterministic("eff_delta", bend[knot_series] * z, dims="eff_knot")
    bends = (_hinge(gpu_t, gpu_series, knot_t, knot_series) * delta[None, :]).sum(axis=1)
    family(
        "log10_gflops_per_watt",
        a[gpu_series] + b[gpu_series] * gpu_t + server * gpu_server + bends,
        sigma[gpu_series],
        gpu_y,
        "gpu",
        spec,
        "eff_nu",
    )
    # reported: the level of a server part at the time origin and the current slope
    n = len(data.series)
    series = pt.as_tensor(np.arange(n))
    at0 = (_hinge(pt.zeros(n), series, knot_t, knot_series) * delta[None, :]).sum(axis=1)
    pm.Deterministic("eff_intercept", a + server + at0, dims="series")
    last = pm.Data("eff_last_t", data.eff_last_t, dims="series")
    passed = (
        pt.eq(series[:, None], knot_series[None, :]) * pt.le(knot_t, last[knot_series])[None, :]
    )
    pm.Deterministic("eff_slope", b + (passed * delta[None, :]).sum(axis=1), dims="series")

    if data.sp_y.size:
        # one realised fraction per precision that has measurements
        measured = np.unique(data.sp_series)
        position = np.searchsorted(measured, data.sp_series)
        pm.modelcontext(None).add_coord("speedup_precision", [data.series[k] for k in measured])
        sp_series = pm.Data("sp_series", position, dims="speedup")
        sp_y = pm.Data("sp_y", data.sp_y, dims="speedup")
        frac = pm.Normal(
            "speedup_fraction",
            eff["speedup"]["mu"],
            eff["speedup"]["sigma"],
            dims="speedup_precision",
        )
        sp_sigma = pm.HalfNormal("speedup_sigma", eff["speedup_sigma"]["sigma"])
        pm.Normal(
            "log10_speedup_fraction", frac[sp_series], sp_sigma, observed=sp_y, dims="speedup"
        )
    if data.real_y.size:
        real_y = pm.Data("real_y", data.real_y, dims="mlperf")
        real = spec["realisation"]
        prior = real["mu"]
        if "lower" in prior:
            # the mean of log10(measured / peak-based) is bounded below by a physical bound
            mu = pm.TruncatedNormal(
                "realisation", prior["mu"], prior["sigma"], lower=float(prior["lower"])
            )
        else:
            mu = pm.Normal("realisation", prior["mu"], prior["sigma"])
        sd = pm.HalfNormal("realisation_sigma", real["sigma"]["sigma"])
        pm.Normal("log10_realisation", mu, sd, observed=real_y, dims="mlperf")


def efficiency_mean(
    draw: Callable[[str], np.ndarray],
    knot_series: np.ndarray,
    knot_t: np.ndarray,
    series: np.ndarray,
    t: np.ndarray,
    server: np.ndarray | float,
) -> np.ndarray:
    """Draws (sample, point) of the mean log10 GFLOPS/W at points (``series`` index, time
    ``t`` from the origin, ``server`` 0/1) of the precision model; ``draw(name)`` returns
    the stacked posterior draws (sample, ...) of a variable."""
    a, b = draw("eff_line_intercept"), draw("eff_line_slope")
    server_effect, delta = draw("eff_server"), draw("eff_delta")
    s, tt = np.asarray(series, dtype=int), np.asarray(t, dtype=float)
    on = s[:, None] == knot_series[None, :]
    hinge = np.where(on, np.maximum(tt[:, None] - knot_t[None, :], 0.0), 0.0)
    srv = np.broadcast_to(np.asarray(server, dtype=float), tt.shape)
    out: np.ndarray = a[:, s] + b[:, s] * tt + server_effect[:, None] * srv + delta @ hinge.T
    return out
