"""The likelihood family shared by every model part: its PyMC term and its standardised noise.

``[likelihood] family`` of the specification is ``"normal"`` or ``"student_t"``; with the
Student-t, each part that observes data has its own degrees of freedom (``nu`` for compute,
``eff_nu`` for efficiency), Gamma-distributed as ``[student_t] nu`` says.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from energytrend.model.arrays import Tensor
from energytrend.model.draws import Draws


def observe(
    name: str,
    mu: Tensor,
    sigma: Tensor,
    observed: Tensor,
    dim: str,
    spec: dict[str, Any],
    nu_name: str,
) -> None:
    """Add the observed variable ``name`` ~ family(``mu``, ``sigma``) to the model in context."""
    if is_student_t(spec):
        nu_prior = spec["student_t"]["nu"]
        nu = pm.Gamma(nu_name, alpha=nu_prior["alpha"], beta=nu_prior["beta"])
        pm.StudentT(name, nu=nu, mu=mu, sigma=sigma, observed=observed, dims=dim)
    else:
        pm.Normal(name, mu=mu, sigma=sigma, observed=observed, dims=dim)


def with_imputation_sd(sigma: Tensor) -> Tensor:
    """The compute likelihood's scale of each model: ``sigma``, widened where the model's
    log10 GFLOPs is imputed with sd ``obs_sd`` (``pm.Data`` of the model in context, if any):
    ``sqrt(sigma**2 + obs_sd**2)``, the imputed value integrated out (exactly for the normal
    family; the Student-t takes the same scale)."""
    model = pm.modelcontext(None)
    if "obs_sd" not in model.named_vars:
        return sigma
    out: Tensor = pt.sqrt(sigma**2 + model["obs_sd"] ** 2)
    return out


def is_student_t(spec: dict[str, Any]) -> bool:
    """Whether the specification's likelihood is the Student-t."""
    return bool(spec["likelihood"]["family"] == "student_t")


def standard_noise(
    draws: Draws,
    spec: dict[str, Any],
    nu_name: str,
    shape: tuple[int, ...],
    rng: np.random.Generator,
) -> np.ndarray:
    """Standardised likelihood noise, ``shape[0]`` posterior draws by any points: normal, or
    Student-t with the posterior ``nu_name`` draw by draw."""
    if is_student_t(spec):
        nu = draws(nu_name)[: shape[0]]
        out: np.ndarray = rng.standard_t(nu.reshape((-1,) + (1,) * (len(shape) - 1)), size=shape)
        return out
    return rng.standard_normal(shape)
