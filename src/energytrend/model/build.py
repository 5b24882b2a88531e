"""The trend model of compute, hardware efficiency and energy, built by one pure function.

:func:`build_model` turns prepared arrays (:class:`~energytrend.model.arrays.ModelData`) and
a specification into a ``pm.Model``; it reads no files, samples nothing and has no side
effects. The model is the sum of its parts (:mod:`energytrend.model.parts`), built in a fixed
order: efficiency (and the realisation factor), the extrapolation, compute. All quantities
are in log10 units, time in years from ``year_origin``.

Energy per forward pass is compute minus efficiency, exactly: the energy line of a group is
``energy_intercept[g] = intercept[g] - eff_intercept[s(g)]`` and ``energy_slope[g] =
slope[g] - eff_slope[s(g)]``, draw by draw, so the efficiency posterior propagates into every
energy quantity. The energies of the individual models (``log10_joules[obs]``) are computed
the same way after sampling (:func:`energytrend.inference.engine.with_data_groups`), so that
no sampled quantity has a per-model dimension and a compiled model accepts data with any
number of models.
"""

from __future__ import annotations

from typing import Any

import pymc as pm

from energytrend.model.arrays import POOLINGS, ModelData, Pooling
from energytrend.model.parts import model_parts


def build_model(data: ModelData, spec: dict[str, Any], pooling: Pooling = "partial") -> pm.Model:
    """Build the joint compute-efficiency-energy model. Pure: no I/O, no sampling.

    Examples:
        >>> from energytrend.model.design import prepare
        >>> from energytrend.model.spec import resolve_spec
        >>> spec = resolve_spec(None)
        >>> model = build_model(prepare("cv", spec=spec).arrays, spec, "none")
        >>> sorted(v.name for v in model.observed_RVs)[:3]
        ['log10_gflops', 'log10_gflops_frontier', 'log10_gflops_per_watt']
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    parts = model_parts(spec, data)
    with pm.Model(coords=data.coords) as model:
        obs_group = pm.Data("obs_group", data.obs_group, dims="obs")
        obs_t = pm.Data("obs_t", data.obs_t, dims="obs")
        obs_y = pm.Data("obs_y", data.obs_y, dims="obs")
        if data.obs_sd.size:
            pm.Data("obs_sd", data.obs_sd, dims="obs")  # imputed compute's sd
        group_series = pm.Data("group_series", data.group_series, dims="group")
        eff_intercept, eff_slope = parts.efficiency.build()
        if parts.realisation is not None:
            parts.realisation.build()
        parts.extrapolation.build()
        intercept, slope = parts.compute.build(data, pooling, (obs_group, obs_t, obs_y))
        pm.Deterministic("energy_intercept", intercept - eff_intercept[group_series], dims="group")
        pm.Deterministic("energy_slope", slope - eff_slope[group_series], dims="group")
    return model
