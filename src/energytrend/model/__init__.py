"""Stage 2, the model: the specification (:mod:`~energytrend.model.spec`, read from
``models/priors.toml``), the design that turns tables into arrays
(:mod:`~energytrend.model.design`, :mod:`~energytrend.model.design_efficiency`), the arrays
(:mod:`~energytrend.model.arrays`), the model parts (:mod:`~energytrend.model.parts`: compute,
efficiency, extrapolation, realisation, each owning its PyMC block and its predictions) and
the pure model builder (:mod:`~energytrend.model.build`).
"""

from energytrend.model.arrays import POOLINGS, ModelData, Pooling, Tensor
from energytrend.model.build import build_model
from energytrend.model.draws import Draws
from energytrend.model.parts import ModelParts, model_parts

__all__ = [
    "POOLINGS",
    "Draws",
    "ModelData",
    "ModelParts",
    "Pooling",
    "Tensor",
    "build_model",
    "model_parts",
]
