"""Held-out data in simulation-based calibration: the extrapolation put to the test.

The damping, the long-run slope and the efficiency bends after the data are prior-only: their
SBC ranks compare the prior with itself and cannot see a wrong extrapolation. So every
simulation also draws data *past* the forecast origin from the generating process (the true
parameters, the prior's draws of the extrapolation included), and the fit to the data before
the origin predicts them with the same code as every forecast
(:meth:`energytrend.model.parts.ModelParts`: the compute part's line and scatter continued by
the extrapolation part, the efficiency part's mean with its future bends):

* ``heldout[<domain>/all@+h]``: a new typical model of the domain ``h`` years after its last
  model (``h`` in :data:`HORIZONS`);
* ``heldout[<series>@+h]``: a new server part of the efficiency series ``h`` years after its
  last chip.

Each is recorded like a parameter: the rank of the held-out value among the thinned
predictive draws (uniform if the forecast is calibrated), whether the central 50% and 90%
predictive intervals hold it, and its CRPS (:func:`energytrend.studies.scoring.crps_draws`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import xarray as xr

from energytrend.model.arrays import ModelData
from energytrend.model.draws import Draws
from energytrend.model.parts import ModelParts, model_parts
from energytrend.model.spec import Spec
from energytrend.studies.calibration_forecast import origins

#: Years after the last data point at which held-out points are simulated.
HORIZONS = (0.5, 2.5, 4.5)
#: Prefix of the held-out quantities.
HELDOUT = "heldout["


def is_heldout(name: str) -> bool:
    """Whether ``name`` is a held-out data point (not a parameter)."""
    return name.startswith(HELDOUT)


def _points(data: ModelData) -> Iterator[tuple[str, str, int, np.ndarray]]:
    """(kind, label, index, times) of the held-out points: compute of each domain's typical
    model (index into the groups) and each efficiency series with data (index into series)."""
    t0s = origins(data)
    h = np.asarray(HORIZONS, dtype=float)
    for domain, t0 in t0s.items():
        group = f"{domain}/all"
        if group in data.groups:
            yield "compute", group, data.groups.index(group), t0 + h
    for k, series in enumerate(data.series):
        t = data.gpu_t[data.gpu_series == k]
        if t.size:
            yield "efficiency", series, k, float(t.max()) + h


def predictive(
    parts: ModelParts, draws: Draws, data: ModelData, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """``{"heldout[cv/all@+0.5]": draws (sample,), ...}``: new points past the data, drawn
    from ``draws`` (a posterior's, or one prior draw's: the truth) with the parts' code."""
    t0s = origins(data)
    out: dict[str, np.ndarray] = {}
    for kind, label, index, t in _points(data):
        idx = np.full(t.shape, index)
        if kind == "compute":
            domain = label.split("/")[0]
            mean = parts.compute.path(draws, label, t, t0s[domain], parts.extrapolation)
            scale = parts.compute.scale(draws, idx, t)
            noise = parts.compute.noise(draws, mean.shape, rng)
        else:
            mean = parts.efficiency.mean(draws, idx, t, 1.0)
            scale = parts.efficiency.scale(draws, idx, t)
            noise = parts.efficiency.noise(draws, mean.shape, rng)
        y = mean + scale * noise
        for j, h in enumerate(HORIZONS):
            out[f"{HELDOUT}{label}@+{h:g}]"] = y[:, j]
    return out


def truths(prior: xr.Dataset, data: ModelData, spec: Spec, seed: int) -> list[dict[str, float]]:
    """The held-out values of every simulation: one prior draw each (``prior`` has one chain
    and a draw per simulation), with the simulation's own noise (seeded by ``seed``)."""
    parts = model_parts(spec, data)
    rng = np.random.default_rng(seed)
    out = []
    for i in range(prior.sizes["draw"]):
        one = Draws(prior.isel(draw=[i]))
        out.append({k: float(v[0]) for k, v in predictive(parts, one, data, rng).items()})
    return out
