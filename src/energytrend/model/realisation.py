"""The realisation factor: measured energy over the peak-based estimate.

MLPerf Inference's measured joules per sample against the peak-based estimate for the same
hardware and model, ``log10(measured / peak-based) ~ Normal(realisation,
realisation_sigma)``: the calibration of peak-based energy (FLOPs over peak GFLOPS/W, a lower
bound) to the energy a tuned server measures at the wall. ``realisation`` is the mean over
deployments, ``realisation_sigma`` the spread of one deployment around it. The prior of the
mean may be truncated below at a physical bound (``[realisation] mu.lower``).

The part exists in a fit whose efficiency is the precision model and whose data have MLPerf
runs (:func:`energytrend.model.parts.model_parts`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pymc as pm

from energytrend.model.arrays import ModelData
from energytrend.model.draws import Draws


class Realisation:
    """The MLPerf calibration part: its PyMC block and its factor draw by draw."""

    kind = "mlperf"

    def __init__(self, spec: dict[str, Any], data: ModelData) -> None:
        self.spec = spec
        self.data = data

    def build(self) -> None:
        """Add the block to the model in context."""
        real_y = pm.Data("real_y", self.data.real_y, dims="mlperf")
        real = self.spec["realisation"]
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

    def factor(self, draws: Draws) -> np.ndarray:
        """Draws (sample,) of the mean log10 realisation factor."""
        return draws("realisation")

    def spread(self, draws: Draws) -> np.ndarray:
        """Draws (sample,) of one deployment's scatter around it (log10)."""
        return draws("realisation_sigma")
