"""Stage 2, the model: the specification (:mod:`~energytrend.model.spec`, read from
``models/priors.toml``), the design that turns tables into arrays
(:mod:`~energytrend.model.design`, :mod:`~energytrend.model.design_efficiency`), the arrays
(:mod:`~energytrend.model.arrays`) and the pure model builders
(:mod:`~energytrend.model.build` and :mod:`~energytrend.model.efficiency`).
"""

from energytrend.model.arrays import POOLINGS, ModelData, Pooling, Tensor
from energytrend.model.build import build_model

__all__ = [
    "POOLINGS",
    "ModelData",
    "Pooling",
    "Tensor",
    "build_model",
]
