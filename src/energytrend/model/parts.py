"""The model parts of one fit, chosen by the specification and the data.

A fit is made of a compute trend (:mod:`energytrend.model.compute`), an efficiency trend
(:mod:`energytrend.model.efficiency`), an extrapolation after the data
(:mod:`energytrend.model.extrapolation`) and, where MLPerf runs are in the data, the
realisation factor (:mod:`energytrend.model.realisation`). Each part owns its PyMC block, its
predictions from posterior draws and its names; the forecast asks the parts. A new variant is
a new class in its module's table (``COMPUTE_PARTS``, ...), not new branches elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from energytrend.model.arrays import ModelData
from energytrend.model.compute import COMPUTE_PARTS, ComputeTrend
from energytrend.model.efficiency import EFFICIENCY_PARTS, EfficiencyTrend
from energytrend.model.extrapolation import EXTRAPOLATION_PARTS, Extrapolation
from energytrend.model.realisation import Realisation


@dataclass(frozen=True, eq=False)
class ModelParts:
    """The parts of one fit."""

    compute: ComputeTrend
    efficiency: EfficiencyTrend
    extrapolation: Extrapolation
    realisation: Realisation | None

    def names(self) -> dict[str, str]:
        """Which variant of each part, e.g. ``{"compute": "quantile", ...,
        "realisation": "none"}`` (recorded with every fit)."""
        return {
            "compute": self.compute.kind,
            "efficiency": self.efficiency.kind,
            "extrapolation": self.extrapolation.kind,
            "realisation": self.realisation.kind if self.realisation else "none",
        }


def model_parts(spec: dict[str, Any], data: ModelData) -> ModelParts:
    """The parts that ``spec`` and ``data`` make: the realisation factor only with the
    precision efficiency model and MLPerf runs in the data."""
    efficiency = EFFICIENCY_PARTS[spec["efficiency"]["kind"]](spec, data)
    calibrated = efficiency.kind == "precision" and data.real_y.size > 0
    return ModelParts(
        compute=COMPUTE_PARTS[spec["structure"]["kind"]](spec, data),
        efficiency=efficiency,
        extrapolation=EXTRAPOLATION_PARTS[spec["extrapolation"]["kind"]](spec),
        realisation=Realisation(spec, data) if calibrated else None,
    )
