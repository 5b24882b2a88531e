"""The hierarchical trend model, built by one pure function.

:func:`build_model` turns prepared arrays (:class:`ModelData`) and a specification into a
``pm.Model``; it reads no files, samples nothing and has no side effects.

Structure (all quantities in log10 units, time in years from ``year_origin``):

* compute, structure ``"quantile"`` (the default): every model once,
  ``log10 GFLOPs[i] ~ Normal(line_intercept[d] + line_slope[d] * t[i], line_sigma[d])`` for
  its domain ``d``. The reported groups are functionals of that distribution: ``d/all`` is
  its median (the typical new model) and ``d/frontier`` its ``frontier_quantile`` quantile,
  ``intercept[d/frontier] = line_intercept[d] + z_q * line_sigma[d]`` with the same slope.
* compute, structure ``"two_lines"`` (the thesis, v1): ``log10 GFLOPs[i] ~ Normal(intercept[g]
  + slope[g] * t[i], sigma[g])`` for the model groups ``g`` (domain x {frontier, all});
  frontier models belong to both of their domain's groups, as in the thesis's two lines.
  With ``scatter = "widening"`` the scatter is ``sigma[g] * exp(sigma_trend[g] * t[i])``.
* extrapolation ``"damped"``: per domain, a long-run slope ``longrun_slope[d]`` and a yearly
  damping ``damping[d]`` that only the priors inform (the data end at the last model); the
  forecast uses them after the last data date (:mod:`energytrend.forecast.trend`).
* efficiency: ``log10 GFLOPS/W[k] ~ Normal(eff_intercept[s] + eff_slope[s] * t[k],
  eff_sigma[s])`` for each domain's adapted GPU series ``s``, with independent priors (the two
  series share most of their points, so they are not pooled).
* energy: ``log10 J = log10 GFLOPs - log10 GFLOPS/W`` exactly, so the energy line of a group is
  ``energy_intercept[g] = intercept[g] - eff_intercept[s(g)]`` and ``energy_slope[g] = slope[g]
  - eff_slope[s(g)]``, computed draw by draw: the efficiency posterior propagates into every
  energy quantity instead of being plugged in as a point estimate. The energies of the
  individual models (``log10_joules[obs]``) are computed the same way after sampling
  (:func:`energytrend.inference.engine.with_data_groups`), so that no sampled quantity has a
  per-model dimension and a compiled model accepts data with any number of models.

Intercepts and slopes are partially pooled across lines (non-centred parameterisation);
``pooling="none"`` fits independent lines (the thesis) and ``"complete"`` one shared line.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy import stats

from energytrend.model.arrays import POOLINGS, ModelData, Pooling, Tensor
from energytrend.model.efficiency import build_efficiency


def _line_parameters(
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


def _likelihood(
    name: str,
    mu: Tensor,
    sigma: Tensor,
    observed: Tensor,
    dim: str,
    spec: dict[str, Any],
    nu_name: str,
) -> None:
    if spec["likelihood"]["family"] == "student_t":
        nu_prior = spec["student_t"]["nu"]
        nu = pm.Gamma(nu_name, alpha=nu_prior["alpha"], beta=nu_prior["beta"])
        pm.StudentT(name, nu=nu, mu=mu, sigma=sigma, observed=observed, dims=dim)
    else:
        pm.Normal(name, mu=mu, sigma=sigma, observed=observed, dims=dim)


def _quantile_compute(
    data: ModelData, spec: dict[str, Any], pooling: Pooling, obs: tuple[Tensor, Tensor, Tensor]
) -> tuple[Tensor, Tensor, Tensor]:
    """One all-model line per domain; the groups' intercepts, slopes and scatters as its
    median and upper quantile (structure ``"quantile"``)."""
    obs_group, obs_t, obs_y = obs
    comp = spec["compute"]
    n_dom = len(data.domains)
    line_intercept, line_slope = _line_parameters("line_", comp, "domain", n_dom, pooling)
    line_sigma = pm.HalfNormal("line_sigma", comp["sigma"]["sigma"], dims="domain")
    group_domain = np.array([data.domains.index(g.split("/")[0]) for g in data.groups])
    frontier = np.array([g.endswith("/frontier") for g in data.groups], dtype=float)
    z = float(stats.norm.ppf(spec["structure"]["frontier_quantile"]))
    sigma_g = line_sigma[group_domain]
    intercept = pm.Deterministic(
        "intercept", line_intercept[group_domain] + frontier * z * sigma_g, dims="group"
    )
    slope = pm.Deterministic("slope", line_slope[group_domain], dims="group")
    sigma = pm.Deterministic("sigma", sigma_g, dims="group")
    _likelihood(
        "log10_gflops",
        intercept[obs_group] + slope[obs_group] * obs_t,
        sigma[obs_group],
        obs_y,
        "obs",
        spec,
        "nu",
    )
    return intercept, slope, sigma


def _extrapolation(spec: dict[str, Any]) -> None:
    """Prior-only parameters of the damped continuation of each domain's compute trend."""
    ext = spec["extrapolation"]
    if ext["kind"] != "damped":
        return
    slope = ext["longrun_slope"]
    pm.Normal("longrun_slope", slope["mu"], slope["sigma"], dims="domain")
    pm.Beta("damping", ext["damping"]["alpha"], ext["damping"]["beta"], dims="domain")


def _thesis_efficiency(data: ModelData, spec: dict[str, Any]) -> tuple[Tensor, Tensor]:
    """Each domain's adapted GPU series of thesis Table B.3, one straight line each (v1)."""
    gpu_series = pm.Data("gpu_series", data.gpu_series, dims="gpu")
    gpu_t = pm.Data("gpu_t", data.gpu_t, dims="gpu")
    gpu_y = pm.Data("gpu_y", data.gpu_y, dims="gpu")
    eff = spec["efficiency"]
    eff_intercept = pm.Normal(
        "eff_intercept", eff["intercept"]["mu"], eff["intercept"]["sigma"], dims="series"
    )
    eff_slope = pm.Normal("eff_slope", eff["slope"]["mu"], eff["slope"]["sigma"], dims="series")
    eff_sigma = pm.HalfNormal("eff_sigma", eff["sigma"]["sigma"], dims="series")
    _likelihood(
        "log10_gflops_per_watt",
        eff_intercept[gpu_series] + eff_slope[gpu_series] * gpu_t,
        eff_sigma[gpu_series],
        gpu_y,
        "gpu",
        spec,
        "eff_nu",
    )
    return eff_intercept, eff_slope


def build_model(data: ModelData, spec: dict[str, Any], pooling: Pooling = "partial") -> pm.Model:
    """Build the joint compute-efficiency-energy model. Pure: no I/O, no sampling."""
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    n_groups = len(data.groups)
    quantile = spec["structure"]["kind"] == "quantile"
    with pm.Model(coords=data.coords) as model:
        obs_group = pm.Data("obs_group", data.obs_group, dims="obs")
        obs_t = pm.Data("obs_t", data.obs_t, dims="obs")
        obs_y = pm.Data("obs_y", data.obs_y, dims="obs")
        group_series = pm.Data("group_series", data.group_series, dims="group")
        widening = spec["likelihood"].get("scatter", "constant") == "widening"
        if spec["efficiency"]["kind"] == "precision":
            build_efficiency(data, spec, _likelihood)
            eff_intercept, eff_slope = model["eff_intercept"], model["eff_slope"]
        else:
            eff_intercept, eff_slope = _thesis_efficiency(data, spec)

        _extrapolation(spec)
        if quantile:
            intercept, slope, _ = _quantile_compute(data, spec, pooling, (obs_group, obs_t, obs_y))
            pm.Deterministic(
                "energy_intercept", intercept - eff_intercept[group_series], dims="group"
            )
            pm.Deterministic("energy_slope", slope - eff_slope[group_series], dims="group")
            return model

        # Compute per forward pass of each model group.
        comp = spec["compute"]
        intercept, slope = _line_parameters("", comp, "group", n_groups, pooling)
        if pooling == "complete":
            shared_sigma = pm.HalfNormal("sigma_shared", comp["sigma"]["sigma"])
            sigma = pm.Deterministic("sigma", pt.ones(n_groups) * shared_sigma, dims="group")
        else:
            sigma = pm.HalfNormal("sigma", comp["sigma"]["sigma"], dims="group")
        obs_sigma = sigma[obs_group]
        if widening and pooling == "complete":
            shared_trend = pm.Normal("sigma_trend_shared", 0.0, comp["sigma_trend"]["sigma"])
            sigma_trend = pm.Deterministic(
                "sigma_trend", pt.ones(n_groups) * shared_trend, dims="group"
            )
            obs_sigma = obs_sigma * pt.exp(sigma_trend[obs_group] * obs_t)
        elif widening:
            sigma_trend = pm.Normal("sigma_trend", 0.0, comp["sigma_trend"]["sigma"], dims="group")
            obs_sigma = obs_sigma * pt.exp(sigma_trend[obs_group] * obs_t)
        _likelihood(
            "log10_gflops",
            intercept[obs_group] + slope[obs_group] * obs_t,
            obs_sigma,
            obs_y,
            "obs",
            spec,
            "nu",
        )

        # Energy per forward pass: compute minus efficiency, draw by draw.
        pm.Deterministic("energy_intercept", intercept - eff_intercept[group_series], dims="group")
        pm.Deterministic("energy_slope", slope - eff_slope[group_series], dims="group")
    return model
