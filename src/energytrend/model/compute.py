"""The compute trend: log10 GFLOPs per forward pass (or per token) of new models over time.

Two parts, chosen by ``[structure] kind`` of the specification:

* :class:`QuantileCompute` (``"quantile"``, model v2): every model once,
  ``log10 GFLOPs[i] ~ Normal(line_intercept[d] + line_slope[d] t[i], line_sigma[d])`` for its
  domain ``d``; ``d/all`` is its median (the typical new model). ``d/frontier`` is the
  ``frontier_quantile`` quantile of a year's models: with ``[structure] frontier =
  "regression"`` (model v3) a Bayesian quantile regression of the same models, a line of its
  own (``front_intercept``, ``front_slope``) that can grow at another rate; with ``"scatter"``
  (model v2) ``intercept[d/frontier] = line_intercept[d] + z_q line_sigma[d]``, with the same
  slope, so that it grows at the typical rate by construction. ``[compute] changepoints`` can
  bend the typical line (:func:`bent_line`).
* :class:`TwoLinesCompute` (``"two_lines"``, the thesis and v1): ``log10 GFLOPs[i] ~
  Normal(intercept[g] + slope[g] t[i], sigma[g])`` for the groups ``g`` (domain x {frontier,
  all}); frontier models belong to both of their domain's groups. With ``[likelihood] scatter
  = "widening"`` the scatter is ``sigma[g] exp(sigma_trend[g] t[i])``.

Intercepts and slopes are partially pooled across lines (non-centred), or not pooled
(``pooling="none"``), or shared (``"complete"``). Time is in years from ``year_origin``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy import stats

from energytrend.model.arrays import ModelData, Pooling, Tensor
from energytrend.model.draws import Draws
from energytrend.model.extrapolation import EXTRAPOLATION_PARTS, Extrapolation
from energytrend.model.likelihood import observe, standard_noise, with_imputation_sd
from energytrend.model.spec import compute_changepoints

#: The observed compute data of the model in context: (group index, time, log10 GFLOPs).
Observed = tuple[Tensor, Tensor, Tensor]

#: ``pm.Data`` names of the compute lines' changepoint knots (domain index, time).
KNOT_NAMES = ("line_knot_domain", "line_knot_t")


def bend_spacing(spec: dict[str, Any]) -> float:
    """Years between the compute lines' changepoint knots, 0 when the lines are straight
    (``[compute] changepoints`` with ``scale`` 0, or the thesis's two lines)."""
    cp = compute_changepoints(spec)
    bends = spec["structure"]["kind"] == "quantile" and float(cp["scale"]) > 0
    return float(cp["spacing"]) if bends else 0.0


def has_bends(spec: dict[str, Any], data: ModelData) -> bool:
    """Whether the compute lines of ``data`` under ``spec`` have changepoint knots (a domain
    with too short a history has none: its line is straight)."""
    spacing = bend_spacing(spec)
    return spacing > 0 and data.line_knots(spacing)[0].size > 0


def bent_line(
    priors: dict[str, Any], data: ModelData
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """The compute lines of the domains with changepoints: ``line_delta`` (slope changes at
    the knots) and the first segment's ``line_intercept`` and ``line_slope``, sampled at the
    data's centre as :func:`centred_line` does; returns the lines' tangents at the data's
    end (intercept and slope by domain), the bends and the knots' domain and time tensors.

    The prior is :func:`centred_line`'s on the first segment's line, and the bends are
    ``Normal(0, scale)`` (``tau = "fixed"``) or ``Normal(0, tau)`` with one learned
    ``line_bend_scale`` ``tau ~ HalfNormal(scale)`` for every domain (``"shared"``): how much
    growth changes is then learned from all domains together. The sampler sees the slope and
    level at the centre ``c`` of each domain's data given the bends (unit Jacobian, as for the
    efficiency lines). Every knot lies inside the data, so the line after the last one is
    ``tangent_intercept + tangent_slope t``, the growth where the data end.
    """
    cp = compute_changepoints({"compute": priors})
    knot_domain, knot_t = data.line_knots(float(cp["spacing"]))
    model = pm.modelcontext(None)
    model.add_coord("line_knot", [f"{data.domains[d]}#{i}" for i, d in enumerate(knot_domain)])
    kd = pm.Data(KNOT_NAMES[0], knot_domain, dims="line_knot")
    kt = pm.Data(KNOT_NAMES[1], knot_t, dims="line_knot")
    z = pm.Normal("line_delta_z", 0.0, 1.0, dims="line_knot")
    scale = float(cp["scale"])
    tau = scale if cp["tau"] == "fixed" else pm.HalfNormal("line_bend_scale", scale)
    delta = pm.Deterministic("line_delta", tau * z, dims="line_knot")
    n = len(data.domains)
    own = pt.eq(pt.as_tensor(np.arange(n))[:, None], kd[None, :])
    c = pm.Data("line_centre", data.line_centre, dims="domain")
    before = (own * pt.lt(kt[None, :], c[:, None]) * delta[None, :]).sum(axis=1)
    hinge = (own * pt.maximum(c[:, None] - kt[None, :], 0.0) * delta[None, :]).sum(axis=1)
    mu_a, mu_b = priors["intercept_mu"], priors["slope_mu"]
    sd_a = float(np.hypot(mu_a["sigma"], priors["intercept_tau"]["sigma"]))
    sd_b = float(np.hypot(mu_b["sigma"], priors["slope_tau"]["sigma"]))
    slope_c = pm.Normal("line_centre_slope", mu_b["mu"] + before, sd_b, dims="domain")
    b = pm.Deterministic("line_slope", slope_c - before, dims="domain")
    level = pm.Normal("line_level", mu_a["mu"] + b * c + hinge, sd_a, dims="domain")
    a = pm.Deterministic("line_intercept", level - b * c - hinge, dims="domain")
    end_slope = b + (own * delta[None, :]).sum(axis=1)
    end_intercept = a - (own * delta[None, :] * kt[None, :]).sum(axis=1)
    return end_intercept, end_slope, delta, kd, kt


def before_knots(delta: np.ndarray, knot_t: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Draws (sample, time) of what a bent line adds to its end tangent at ``t``:
    ``sum_k delta_k max(knot_k - t, 0)`` (0 after the last knot), for one domain's bends
    ``delta`` (sample, knot) at ``knot_t``."""
    out: np.ndarray = delta @ np.maximum(knot_t[:, None] - np.asarray(t, dtype=float)[None, :], 0.0)
    return out


def line_parameters(
    prefix: str, priors: dict[str, Any], dim: str, n: int, pooling: Pooling
) -> tuple[Tensor, Tensor]:
    """Intercept and slope of ``n`` lines along ``dim`` under the chosen pooling.

    Partial pooling is centred or non-centred as ``priors["parameterization"]`` says:
    non-centred suits lines with few points (the NLP frontier), where the centred form makes
    a funnel; centred suits lines that their data pin down tightly.
    """
    centred = priors.get("parameterization", "non_centred") == "centred"
    out = []
    for part in ("intercept", "slope"):
        mu, tau = priors[f"{part}_mu"], priors[f"{part}_tau"]["sigma"]
        marginal_sd = float(np.hypot(mu["sigma"], tau))
        name = f"{prefix}{part}"
        if pooling == "complete":
            shared = pm.Normal(f"{name}_shared", mu["mu"], marginal_sd)
            out.append(pm.Deterministic(name, pt.ones(n) * shared, dims=dim))
        elif pooling == "none" or n == 1:
            out.append(pm.Normal(name, mu["mu"], marginal_sd, dims=dim))
        elif centred:
            centre = pm.Normal(f"{name}_mu", mu["mu"], mu["sigma"])
            spread = pm.HalfNormal(f"{name}_tau", tau)
            out.append(pm.Normal(name, centre, spread, dims=dim))
        else:
            centre = pm.Normal(f"{name}_mu", mu["mu"], mu["sigma"])
            spread = pm.HalfNormal(f"{name}_tau", tau)
            z = pm.Normal(f"{name}_z", 0.0, 1.0, dims=dim)
            out.append(pm.Deterministic(name, centre + spread * z, dims=dim))
    return out[0], out[1]


def centred_line(
    prefix: str, priors: dict[str, Any], dim: str, centre: np.ndarray
) -> tuple[Tensor, Tensor]:
    """Intercept and slope of independent lines along ``dim``, sampled at the data's centre.

    The prior is :func:`line_parameters`' with ``pooling="none"``: intercept (at the time
    origin) and slope independent normals. The sampler sees the slope and the line's level
    ``{prefix}level`` at ``centre``, ``c``, the centre of each line's data (``pm.Data``
    ``{prefix}centre``)
    instead, ``level | slope ~ Normal(intercept_mu + slope c, sd)``, and the intercept is
    ``level - slope c``. The change of variables has unit Jacobian, so the model is the same;
    but the level and slope are nearly uncorrelated in the posterior, where the intercept
    at an origin years before the data's centre is correlated about -0.9 with the slope (a
    narrow ridge that cost effective samples).
    """
    mu_a, mu_b = priors["intercept_mu"], priors["slope_mu"]
    sd_a = float(np.hypot(mu_a["sigma"], priors["intercept_tau"]["sigma"]))
    sd_b = float(np.hypot(mu_b["sigma"], priors["slope_tau"]["sigma"]))
    c = pm.Data(f"{prefix}centre", centre, dims=dim)
    slope = pm.Normal(f"{prefix}slope", mu_b["mu"], sd_b, dims=dim)
    level = pm.Normal(f"{prefix}level", mu_a["mu"] + slope * c, sd_a, dims=dim)
    intercept = pm.Deterministic(f"{prefix}intercept", level - slope * c, dims=dim)
    return intercept, slope


class ComputeTrend(ABC):
    """One compute part: its PyMC block and its predictions from posterior draws.

    Every part reports ``intercept``, ``slope`` and ``sigma`` along ``group``; the forecast
    asks the part, never the variable names.
    """

    #: The ``[structure] kind`` this part implements.
    kind: ClassVar[str]
    #: Whether a frontier line can grow at another rate than the typical model's.
    frontier_has_own_slope: ClassVar[bool]

    def __init__(self, spec: dict[str, Any], data: ModelData | None = None) -> None:
        self.spec = spec
        self.data = data

    @abstractmethod
    def build(self, data: ModelData, pooling: Pooling, observed: Observed) -> tuple[Tensor, Tensor]:
        """Add the block to the model in context; returns ``intercept`` and ``slope`` by
        group."""

    def line(self, draws: Draws, group: str) -> tuple[np.ndarray, np.ndarray]:
        """Draws (sample, 1) of the intercept and slope of ``group``'s line."""
        a = draws.at("intercept", "group", group)[:, None]
        b = draws.at("slope", "group", group)[:, None]
        return a, b

    def path(
        self, draws: Draws, group: str, t: np.ndarray, t0: float, extrapolation: Extrapolation
    ) -> np.ndarray:
        """Draws (sample, time) of ``group``'s log10 compute trend at ``t`` (years from the
        time origin): its line to the forecast origin ``t0``, continued by ``extrapolation``."""
        return extrapolation.path(draws, group.split("/")[0], self.line(draws, group), t, t0)

    def has_scatter(self, group: str) -> bool:
        """Whether new points scatter around ``group``'s line (a frontier that is a quantile
        of the year's new models is a line, not a model)."""
        return True

    def scale(
        self, draws: Draws, index: np.ndarray, t: np.ndarray, n_draws: int | None = None
    ) -> np.ndarray:
        """Draws (sample, point) of the likelihood scale of new points on line ``index`` (into
        the groups) at time ``t``."""
        out: np.ndarray = draws("sigma")[:n_draws][:, np.asarray(index, dtype=int)]
        return out

    def noise(self, draws: Draws, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """Standardised noise of new points: ``shape[0]`` draws by any points."""
        return standard_noise(draws, self.spec, "nu", shape, rng)


class QuantileCompute(ComputeTrend):
    """One all-model distribution per domain; the groups are its median and upper quantile.

    With ``[likelihood] scatter = "constant"`` (model v2) the scale is constant, so the
    frontier quantile grows at the typical rate by construction. With ``"widening"`` the scale
    changes with time, ``sigma_d(t) = line_sigma[d] exp(sigma_trend[d] (t - c_d))`` (``c_d``
    the centre of the domain's data, where ``line_sigma`` is the scale), so the frontier
    quantile ``mu(t) + z_q sigma_d(t)`` can grow faster (``sigma_trend > 0``) or slower than
    the typical model. The frontier group's reported line is its secant over the data (from
    the domain's first to its last model): its slope is the frontier's average growth there.
    After the data the scale's growth is bounded: it relaxes by the extrapolation's damping
    (:meth:`~energytrend.model.extrapolation.Extrapolation.rate_growth`), and the frontier
    stays the quantile ``z_q`` of the predictive distribution of new models.
    """

    kind = "quantile"

    @property
    def widening(self) -> bool:
        """Whether the scale changes with time."""
        return bool(self.spec["likelihood"].get("scatter", "constant") == "widening")

    @property
    def regression(self) -> bool:
        """Whether the frontier is a quantile regression line of its own."""
        return bool(self.spec["structure"].get("frontier", "scatter") == "regression")

    @property
    def frontier_has_own_slope(self) -> bool:  # type: ignore[override]
        return self.widening or self.regression

    @property
    def z(self) -> float:
        """The standard normal quantile of ``frontier_quantile``."""
        return float(stats.norm.ppf(self.spec["structure"]["frontier_quantile"]))

    def build(self, data: ModelData, pooling: Pooling, observed: Observed) -> tuple[Tensor, Tensor]:
        obs_group, obs_t, obs_y = observed
        comp = self.spec["compute"]
        n_dom = len(data.domains)
        group_domain = np.array([data.domains.index(g.split("/")[0]) for g in data.groups])
        bend: Tensor | float = 0.0
        if has_bends(self.spec, data):
            if self.widening or not (pooling == "none" or n_dom == 1):
                raise ValueError(
                    "compute changepoints need a constant scatter and unpooled domains "
                    "(likelihood.scatter = 'constant', pooling='none')"
                )
            line_intercept, line_slope, delta, kd, kt = bent_line(comp, data)
            obs_domain = pt.as_tensor(group_domain)[obs_group]
            on = pt.eq(obs_domain[:, None], kd[None, :])
            bend = (on * pt.maximum(kt[None, :] - obs_t[:, None], 0.0) * delta[None, :]).sum(1)
        elif pooling == "none" or n_dom == 1:
            line_intercept, line_slope = centred_line("line_", comp, "domain", data.line_centre)
        else:
            line_intercept, line_slope = line_parameters("line_", comp, "domain", n_dom, pooling)
        line_sigma = pm.HalfNormal("line_sigma", comp["sigma"]["sigma"], dims="domain")
        frontier = np.array([g.endswith("/frontier") for g in data.groups], dtype=float)
        if self.regression:
            if self.widening:
                raise ValueError("a quantile-regression frontier needs a constant scatter")
            front_intercept, front_slope = self._build_regression(data, observed)
            sigma_g = line_sigma[group_domain]
            intercept = pm.Deterministic(
                "intercept",
                frontier * front_intercept[group_domain]
                + (1.0 - frontier) * line_intercept[group_domain],
                dims="group",
            )
            slope = pm.Deterministic(
                "slope",
                frontier * front_slope[group_domain] + (1.0 - frontier) * line_slope[group_domain],
                dims="group",
            )
            sigma = pm.Deterministic("sigma", sigma_g, dims="group")
            obs_sigma = sigma[obs_group]
        elif not self.widening:
            sigma_g = line_sigma[group_domain]
            intercept = pm.Deterministic(
                "intercept",
                line_intercept[group_domain] + frontier * self.z * sigma_g,
                dims="group",
            )
            slope = pm.Deterministic("slope", line_slope[group_domain], dims="group")
            sigma = pm.Deterministic("sigma", sigma_g, dims="group")
            obs_sigma = sigma[obs_group]
        else:
            intercept, slope, obs_sigma = self._build_widening(
                data, line_intercept, line_slope, line_sigma, obs_group, obs_t
            )
        observe(
            "log10_gflops",
            intercept[obs_group] + slope[obs_group] * obs_t + bend,
            with_imputation_sd(obs_sigma),
            obs_y,
            "obs",
            self.spec,
            "nu",
        )
        return intercept, slope

    def _build_regression(self, data: ModelData, observed: Observed) -> tuple[Tensor, Tensor]:
        """The frontier lines of a Bayesian quantile regression at ``frontier_quantile``: an
        intercept and slope per domain with the typical line's priors (sampled at the data's
        centre, :func:`centred_line`), and the same models observed through an asymmetric
        Laplace working likelihood whose ``q`` quantile is the line (Yu & Moyeed 2001), with
        a scale per domain under the scatter's prior. Its parameters are its own, so its
        posterior is the quantile regression's alone."""
        obs_group, obs_t, _ = observed
        comp = self.spec["compute"]
        group_domain = np.array([data.domains.index(g.split("/")[0]) for g in data.groups])
        a, b = centred_line("front_", comp, "domain", data.line_centre)
        scale = pm.HalfNormal("front_scale", comp["sigma"]["sigma"], dims="domain")
        d = pt.as_tensor(group_domain)[obs_group]
        # PyMC gives each observed variable its own data: the same models, a second time
        y = pm.Data("front_y", data.obs_y, dims="obs")
        pm.AsymmetricLaplace(
            "log10_gflops_frontier",
            mu=a[d] + b[d] * obs_t,
            b=1.0 / scale[d],
            q=float(self.spec["structure"]["frontier_quantile"]),
            observed=y,
            dims="obs",
        )
        return a, b

    def _build_widening(
        self,
        data: ModelData,
        line_intercept: Tensor,
        line_slope: Tensor,
        line_sigma: Tensor,
        obs_group: Tensor,
        obs_t: Tensor,
    ) -> tuple[Tensor, Tensor, Tensor]:
        """The groups' lines and the models' scales of a scale that changes with time (the
        models all sit in their domain's ``all`` group)."""
        comp = self.spec["compute"]
        gamma = pm.Normal("sigma_trend", 0.0, comp["sigma_trend"]["sigma"], dims="domain")
        if "line_centre" in pm.modelcontext(None).named_vars:
            centre = pm.modelcontext(None)["line_centre"]
        else:
            centre = pm.Data("line_centre", data.line_centre, dims="domain")
        first = pm.Data("line_first", data.line_first, dims="domain")
        last = pm.Data("line_last", data.line_last, dims="domain")

        def scale(t: Tensor, d: Any) -> Tensor:
            out: Tensor = line_sigma[d] * pt.exp(gamma[d] * (pt.minimum(t, last[d]) - centre[d]))
            return out

        d = np.array([data.domains.index(g.split("/")[0]) for g in data.groups])
        frontier = np.array([g.endswith("/frontier") for g in data.groups], dtype=float)
        q_first = line_intercept[d] + line_slope[d] * first[d] + self.z * scale(first[d], d)
        q_last = line_intercept[d] + line_slope[d] * last[d] + self.z * scale(last[d], d)
        secant = (q_last - q_first) / pt.maximum(last[d] - first[d], 1e-9)
        slope = pm.Deterministic(
            "slope", frontier * secant + (1.0 - frontier) * line_slope[d], dims="group"
        )
        intercept = pm.Deterministic(
            "intercept",
            frontier * (q_last - secant * last[d]) + (1.0 - frontier) * line_intercept[d],
            dims="group",
        )
        # the scatter of new models where the data end (the predictive's, after them)
        pm.Deterministic("sigma", scale(last[d], d), dims="group")
        obs_domain = pt.as_tensor(d)[obs_group]
        return intercept, slope, scale(obs_t, obs_domain)

    def line(self, draws: Draws, group: str) -> tuple[np.ndarray, np.ndarray]:
        if not self.widening or not group.endswith("/frontier"):
            return super().line(draws, group)
        # the frontier's line for the forecast is the typical one; path() adds the quantile
        return super().line(draws, group.replace("/frontier", "/all"))

    def _log_scale_path(
        self, draws: Draws, domain: str, t: np.ndarray, extrapolation: Extrapolation
    ) -> np.ndarray:
        """Draws (sample, time) of the log scale of ``domain`` at ``t``: the fitted trend to
        the data's end, then bounded (:meth:`Extrapolation.rate_growth`)."""
        assert self.data is not None  # a widening part is built with its data
        k = self.data.domains.index(domain)
        centre, last = float(self.data.line_centre[k]), float(self.data.line_last[k])
        tt = np.asarray(t, dtype=float)[None, :]
        gamma = draws.at("sigma_trend", "domain", domain)[:, None]
        log_sigma = np.log(draws.at("line_sigma", "domain", domain))[:, None]
        after = extrapolation.rate_growth(draws, domain, gamma, np.maximum(tt - last, 0.0))
        out: np.ndarray = log_sigma + gamma * (np.minimum(tt, last) - centre) + after
        return out

    def path(
        self, draws: Draws, group: str, t: np.ndarray, t0: float, extrapolation: Extrapolation
    ) -> np.ndarray:
        typical = super().path(draws, group, t, t0, extrapolation)
        spacing = bend_spacing(self.spec)
        if spacing > 0 and not (self.regression and group.endswith("/frontier")):
            assert self.data is not None  # a bent line's part is built with its data
            knot_domain, knot_t = self.data.line_knots(spacing)
            own = knot_domain == self.data.domains.index(group.split("/")[0])
            delta = draws("line_delta")[:, own] if own.any() else np.zeros((draws.n, 0))
            typical = typical + before_knots(delta, knot_t[own], np.asarray(t, dtype=float))
        if not self.widening or not group.endswith("/frontier"):
            return typical
        domain = group.split("/")[0]
        scale = np.exp(self._log_scale_path(draws, domain, t, extrapolation))
        out: np.ndarray = typical + self.z * scale
        return out

    def scale(
        self, draws: Draws, index: np.ndarray, t: np.ndarray, n_draws: int | None = None
    ) -> np.ndarray:
        if not self.widening:
            return super().scale(draws, index, t, n_draws)
        assert self.data is not None
        i, tt = (
            np.asarray(index, dtype=int),
            np.broadcast_to(np.asarray(t, dtype=float), np.shape(index)),
        )
        extrapolation = EXTRAPOLATION_PARTS[self.spec["extrapolation"]["kind"]](self.spec)
        out = np.empty((draws.n, i.size))
        for k in np.unique(i):
            at = i == k
            domain = self.data.groups[k].split("/")[0]
            out[:, at] = np.exp(self._log_scale_path(draws, domain, tt[at], extrapolation))
        return out[:n_draws]

    def has_scatter(self, group: str) -> bool:
        return group.split("/")[-1] != "frontier"


class TwoLinesCompute(ComputeTrend):
    """The thesis's lines: one per group, frontier models in both of their domain's."""

    kind = "two_lines"
    frontier_has_own_slope = True

    @property
    def widening(self) -> bool:
        """Whether the scatter grows or shrinks exponentially with time."""
        return bool(self.spec["likelihood"].get("scatter", "constant") == "widening")

    def build(self, data: ModelData, pooling: Pooling, observed: Observed) -> tuple[Tensor, Tensor]:
        obs_group, obs_t, obs_y = observed
        comp = self.spec["compute"]
        n_groups = len(data.groups)
        intercept, slope = line_parameters("", comp, "group", n_groups, pooling)
        if pooling == "complete":
            shared_sigma = pm.HalfNormal("sigma_shared", comp["sigma"]["sigma"])
            sigma = pm.Deterministic("sigma", pt.ones(n_groups) * shared_sigma, dims="group")
        else:
            sigma = pm.HalfNormal("sigma", comp["sigma"]["sigma"], dims="group")
        obs_sigma = sigma[obs_group]
        if self.widening and pooling == "complete":
            shared_trend = pm.Normal("sigma_trend_shared", 0.0, comp["sigma_trend"]["sigma"])
            sigma_trend = pm.Deterministic(
                "sigma_trend", pt.ones(n_groups) * shared_trend, dims="group"
            )
            obs_sigma = obs_sigma * pt.exp(sigma_trend[obs_group] * obs_t)
        elif self.widening:
            sigma_trend = pm.Normal("sigma_trend", 0.0, comp["sigma_trend"]["sigma"], dims="group")
            obs_sigma = obs_sigma * pt.exp(sigma_trend[obs_group] * obs_t)
        observe(
            "log10_gflops",
            intercept[obs_group] + slope[obs_group] * obs_t,
            with_imputation_sd(obs_sigma),
            obs_y,
            "obs",
            self.spec,
            "nu",
        )
        return intercept, slope

    def scale(
        self, draws: Draws, index: np.ndarray, t: np.ndarray, n_draws: int | None = None
    ) -> np.ndarray:
        i, tt = np.asarray(index, dtype=int), np.asarray(t, dtype=float)
        sd: np.ndarray = draws("sigma")[:n_draws][:, i]
        if self.widening:
            sd = sd * np.exp(draws("sigma_trend")[:n_draws][:, i] * tt)
        return sd


#: The compute parts by ``[structure] kind``.
COMPUTE_PARTS: dict[str, type[ComputeTrend]] = {
    part.kind: part for part in (QuantileCompute, TwoLinesCompute)
}
