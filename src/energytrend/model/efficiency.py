"""Hardware efficiency, log10 peak GFLOPS/W over time: two model parts.

* :class:`ThesisEfficiency` (``[efficiency] kind = "thesis"``, v1): each domain's adapted GPU
  series of thesis Table B.3, one straight line each, ``log10 GFLOPS/W[k] ~ Normal(
  eff_intercept[s] + eff_slope[s] t[k], eff_sigma[s])``, with independent priors.
* :class:`PrecisionEfficiency` (``"precision"``, the default): by numeric precision, below.

In the precision model, peak GFLOPS per watt of TDP is one series per numeric precision
(FP32, FP16/BF16 tensor, INT8/FP8; see :mod:`energytrend.data.precision`), each a line that
can bend::

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

With ``[efficiency] pooling = "partial"`` the precisions are groups of one hierarchy: their
slopes at the centre of their data are ``Normal(eff_slope_mu, eff_slope_tau)`` and their
scatters log-normal around ``eff_log_sigma_mu`` with spread ``eff_log_sigma_tau``, both
spreads estimated (non-centred). ``"none"`` keeps every precision's own priors.

Reported: ``eff_intercept[p]``, the level of a server part at the time origin, and
``eff_slope[p]``, the slope at the series' last data point (the current growth).

Also in this block, as data of its own:

* the thesis's measured speed-ups (Table B.2), ``log10(measured speed-up / peak ratio)``
  ~ Normal(``speedup_fraction[p]``, ``speedup_sigma``): the share of a precision's peak
  advantage over FP32 that real inference realised.

The MLPerf calibration of energy is a part of its own, :mod:`energytrend.model.realisation`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from energytrend.data.precision import PRECISIONS, precision_at, precision_eras_from_config
from energytrend.model.arrays import ModelData, Tensor
from energytrend.model.draws import Draws
from energytrend.model.likelihood import observe, standard_noise


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


def ceiling(spec: Mapping[str, Any]) -> float:
    """log10 GFLOPS/W of the physical limit ``[efficiency] limit`` (``inf``: none)."""
    return float(np.log10(float(spec["efficiency"]["limit"]["flop_per_joule"]) / 1e9))


def below_ceiling(line: Any, top: float) -> Any:
    """``line`` (log10 GFLOPS/W) bent smoothly under the ceiling ``top``:
    ``top - log10(1 + 10^(top - line))``, the identity far below it (0.001 orders at 2.7
    orders under), ``top`` far above. Works on numpy arrays and PyTensor tensors."""
    if not np.isfinite(top):
        return line
    scaled = (top - line) * np.log(10.0)
    if isinstance(line, np.ndarray):
        return top - np.logaddexp(0.0, scaled) / np.log(10.0)
    return top - pt.softplus(scaled) / np.log(10.0)


def efficiency_mean(
    draw: Callable[[str], np.ndarray],
    knot_series: np.ndarray,
    knot_t: np.ndarray,
    series: np.ndarray,
    t: np.ndarray,
    server: np.ndarray | float,
    top: float = np.inf,
) -> np.ndarray:
    """Draws (sample, point) of the mean log10 GFLOPS/W at points (``series`` index, time
    ``t`` from the origin, ``server`` 0/1) of the precision model, with the knots
    (``knot_series``, ``knot_t``) it was fitted with, under the ceiling ``top``
    (:func:`ceiling`); ``draw(name)`` gives the stacked posterior draws (sample, ...) of a
    variable (a :class:`~energytrend.model.draws.Draws`)."""
    a, b = draw("eff_line_intercept"), draw("eff_line_slope")
    server_effect, delta = draw("eff_server"), draw("eff_delta")
    s, tt = np.asarray(series, dtype=int), np.asarray(t, dtype=float)
    on = s[:, None] == knot_series[None, :]
    hinge = np.where(on, np.maximum(tt[:, None] - knot_t[None, :], 0.0), 0.0)
    srv = np.broadcast_to(np.asarray(server, dtype=float), tt.shape)
    line = a[:, s] + b[:, s] * tt + server_effect[:, None] * srv + delta @ hinge.T
    out: np.ndarray = below_ceiling(np.asarray(line, dtype=float), top)
    return out


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


class EfficiencyTrend(ABC):
    """One efficiency part: its PyMC block and its predictions from posterior draws.

    Every part reports ``eff_intercept`` and ``eff_slope`` along ``series``.
    """

    #: The ``[efficiency] kind`` this part implements.
    kind: ClassVar[str]

    def __init__(self, spec: dict[str, Any], data: ModelData) -> None:
        self.spec = spec
        self.data = data

    @abstractmethod
    def build(self) -> tuple[Tensor, Tensor]:
        """Add the block to the model in context; returns ``eff_intercept`` and
        ``eff_slope`` by series."""

    @abstractmethod
    def mean(
        self, draws: Draws, series: np.ndarray, t: np.ndarray, server: np.ndarray | float = 1.0
    ) -> np.ndarray:
        """Draws (sample, point) of the mean log10 GFLOPS/W of series ``series`` (indices)
        at times ``t`` (years from the origin); ``server`` (0/1 per point) where the part
        tells server from desktop parts."""

    @abstractmethod
    def inference_series(self, group: str, years: np.ndarray) -> np.ndarray:
        """Index of the series that ``group``'s inference runs on in each decimal year."""

    def scale(
        self, draws: Draws, index: np.ndarray, t: np.ndarray, n_draws: int | None = None
    ) -> np.ndarray:
        """Draws (sample, point) of the likelihood scale of new points of series ``index``."""
        out: np.ndarray = draws("eff_sigma")[:n_draws][:, np.asarray(index, dtype=int)]
        return out

    def noise(self, draws: Draws, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Standardised noise of new points: ``shape[0]`` draws by any points."""
        return standard_noise(draws, self.spec, "eff_nu", shape, rng)

    def _observed_data(self) -> tuple[Tensor, Tensor, Tensor]:
        gpu_series = pm.Data("gpu_series", self.data.gpu_series, dims="gpu")
        gpu_t = pm.Data("gpu_t", self.data.gpu_t, dims="gpu")
        gpu_y = pm.Data("gpu_y", self.data.gpu_y, dims="gpu")
        return gpu_series, gpu_t, gpu_y


class ThesisEfficiency(EfficiencyTrend):
    """Each domain's adapted GPU series of thesis Table B.3, one straight line each (v1)."""

    kind = "thesis"

    def build(self) -> tuple[Tensor, Tensor]:
        gpu_series, gpu_t, gpu_y = self._observed_data()
        eff = self.spec["efficiency"]
        eff_intercept = pm.Normal(
            "eff_intercept", eff["intercept"]["mu"], eff["intercept"]["sigma"], dims="series"
        )
        eff_slope = pm.Normal("eff_slope", eff["slope"]["mu"], eff["slope"]["sigma"], dims="series")
        eff_sigma = pm.HalfNormal("eff_sigma", eff["sigma"]["sigma"], dims="series")
        observe(
            "log10_gflops_per_watt",
            eff_intercept[gpu_series] + eff_slope[gpu_series] * gpu_t,
            eff_sigma[gpu_series],
            gpu_y,
            "gpu",
            self.spec,
            "eff_nu",
        )
        return eff_intercept, eff_slope

    def mean(
        self, draws: Draws, series: np.ndarray, t: np.ndarray, server: np.ndarray | float = 1.0
    ) -> np.ndarray:
        s, tt = np.asarray(series, dtype=int), np.asarray(t, dtype=float)
        out: np.ndarray = draws("eff_intercept")[:, s] + draws("eff_slope")[:, s] * tt
        return out

    def inference_series(self, group: str, years: np.ndarray) -> np.ndarray:
        return np.full(np.shape(years), self.data.series.index(group.split("/")[0]))


class PrecisionEfficiency(EfficiencyTrend):
    """One bending line per numeric precision, with a server effect (see the module doc)."""

    kind = "precision"

    def build(self) -> tuple[Tensor, Tensor]:
        data, eff = self.data, self.spec["efficiency"]
        gpu_series, gpu_t, gpu_y = self._observed_data()
        gpu_server = pm.Data("gpu_server", data.gpu_server, dims="gpu")
        knot_series = pm.Data("eff_knot_series", data.eff_knot_series, dims="eff_knot")
        knot_t = pm.Data("eff_knot_t", data.eff_knot_t, dims="eff_knot")

        sigma = self._scatter()
        server = pm.Normal("eff_server", 0.0, eff["server"]["sigma"])
        delta = self._bends(knot_series)
        a, b = self._line(knot_t, knot_series, delta)
        bends = (_hinge(gpu_t, gpu_series, knot_t, knot_series) * delta[None, :]).sum(axis=1)
        line = a[gpu_series] + b[gpu_series] * gpu_t + server * gpu_server + bends
        observe(
            "log10_gflops_per_watt",
            below_ceiling(line, ceiling(self.spec)),
            sigma[gpu_series],
            gpu_y,
            "gpu",
            self.spec,
            "eff_nu",
        )
        # reported: the level of a server part at the time origin and the current slope
        n = len(data.series)
        series = pt.as_tensor(np.arange(n))
        at0 = (_hinge(pt.zeros(n), series, knot_t, knot_series) * delta[None, :]).sum(axis=1)
        eff_intercept = pm.Deterministic("eff_intercept", a + server + at0, dims="series")
        last = pm.Data("eff_last_t", data.eff_last_t, dims="series")
        passed = (
            pt.eq(series[:, None], knot_series[None, :]) * pt.le(knot_t, last[knot_series])[None, :]
        )
        eff_slope = pm.Deterministic(
            "eff_slope", b + (passed * delta[None, :]).sum(axis=1), dims="series"
        )
        if data.sp_y.size:
            self._build_speedups()
        return eff_intercept, eff_slope

    @property
    def pooled(self) -> bool:
        """Whether the precisions' slopes and scatters are partially pooled."""
        return bool(self.spec["efficiency"].get("pooling", "none") == "partial")

    def _scatter(self) -> Tensor:
        """``eff_sigma`` by series: independent, or log-normal around a shared centre."""
        eff = self.spec["efficiency"]
        if not self.pooled:
            sigma: Tensor = pm.HalfNormal("eff_sigma", eff["sigma"]["sigma"], dims="series")
            return sigma
        centre = pm.Normal("eff_log_sigma_mu", eff["log_sigma"]["mu"], eff["log_sigma"]["sigma"])
        spread = pm.HalfNormal("eff_log_sigma_tau", eff["log_sigma_tau"]["sigma"])
        z = pm.Normal("eff_sigma_z", 0.0, 1.0, dims="series")
        pooled: Tensor = pm.Deterministic("eff_sigma", pt.exp(centre + spread * z), dims="series")
        return pooled

    def _bends(self, knot_series: Tensor) -> Tensor:
        """The slope changes at the knots, ``eff_delta``."""
        eff = self.spec["efficiency"]
        scale = float(eff["changepoints"]["scale"])
        z = pm.Normal("eff_delta_z", 0.0, 1.0, dims="eff_knot")
        tau = eff["changepoints"].get("tau", "fixed")
        if tau == "fixed":
            bend: Tensor | float = scale
        elif tau == "shared":
            bend = pm.HalfNormal("eff_bend_scale", scale)
        else:  # "per_series"
            bend = pm.HalfNormal("eff_bend_scale", scale, dims="series")[knot_series]
        delta: Tensor = pm.Deterministic("eff_delta", bend * z, dims="eff_knot")
        return delta

    def _line(self, knot_t: Tensor, knot_series: Tensor, delta: Tensor) -> tuple[Tensor, Tensor]:
        """``eff_line_intercept`` and ``eff_line_slope`` (the first segment's line, extended
        to the time origin), sampled at the centre of each series' data.

        The prior is on the first segment's line: intercept ``a ~ Normal(intercept)`` and slope
        ``b ~ Normal(slope)``, independent of each other and of the bends. The sampler sees
        instead the series' slope ``eff_centre_slope`` and level ``eff_centre_level`` at the
        centre ``c`` of its points (``pm.Data`` ``eff_centre``), given the bends:
        ``slope_c = b + sum of the bends before c`` and ``level_c = a + b c + sum of delta
        relu(c - knot)``. The map has unit Jacobian, so the model is the same; but the first
        segment holds two or three chips, and its intercept and slope were correlated -0.6 to
        -0.7 with each other and with the first bend, which cost effective samples.
        """
        eff, n = self.spec["efficiency"], len(self.data.series)
        centre = pm.Data("eff_centre", self.data.eff_centre, dims="series")
        own = pt.eq(pt.as_tensor(np.arange(n))[:, None], knot_series[None, :])
        before = (own * pt.lt(knot_t[None, :], centre[:, None]) * delta[None, :]).sum(axis=1)
        hinge = (own * pt.maximum(centre[:, None] - knot_t[None, :], 0.0) * delta[None, :]).sum(
            axis=1
        )
        if self.pooled:
            # partial pooling: the precisions' slopes at their centres from one distribution
            mu = pm.Normal("eff_slope_mu", eff["slope"]["mu"], eff["slope"]["sigma"])
            tau = pm.HalfNormal("eff_slope_tau", eff["slope_tau"]["sigma"])
            z = pm.Normal("eff_centre_slope_z", 0.0, 1.0, dims="series")
            slope_c = pm.Deterministic("eff_centre_slope", mu + tau * z, dims="series")
        else:
            slope_c = pm.Normal(
                "eff_centre_slope",
                eff["slope"]["mu"] + before,
                eff["slope"]["sigma"],
                dims="series",
            )
        b = pm.Deterministic("eff_line_slope", slope_c - before, dims="series")
        level_c = pm.Normal(
            "eff_centre_level",
            eff["intercept"]["mu"] + b * centre + hinge,
            eff["intercept"]["sigma"],
            dims="series",
        )
        a = pm.Deterministic("eff_line_intercept", level_c - b * centre - hinge, dims="series")
        return a, b

    def _build_speedups(self) -> None:
        """One realised fraction of the peak speed-up per precision that has measurements."""
        data, eff = self.data, self.spec["efficiency"]
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

    def mean(
        self, draws: Draws, series: np.ndarray, t: np.ndarray, server: np.ndarray | float = 1.0
    ) -> np.ndarray:
        return efficiency_mean(
            draws,
            self.data.eff_knot_series,
            self.data.eff_knot_t,
            series,
            t,
            server,
            ceiling(self.spec),
        )

    def inference_series(self, group: str, years: np.ndarray) -> np.ndarray:
        return era_series(self.data.series, self.spec["precision"], years)


#: The efficiency parts by ``[efficiency] kind``.
EFFICIENCY_PARTS: dict[str, type[EfficiencyTrend]] = {
    part.kind: part for part in (ThesisEfficiency, PrecisionEfficiency)
}
