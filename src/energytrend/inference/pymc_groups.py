"""The ArviZ groups of a fit, from PyMC on the built model: ``log_likelihood``,
``posterior_predictive`` and ``prior`` (with ``prior_predictive``).

* ``log_likelihood``: :func:`pymc.compute_log_likelihood` on the posterior draws, one
  variable per observed variable, named as in ``observed_data`` (``log10_gflops`` along
  ``obs``, ``log10_gflops_per_watt`` along ``gpu``, and where the data have them
  ``log10_speedup_fraction`` and ``log10_realisation``). ArviZ functions that pair an
  observed variable with its likelihood and predictive draws work directly:
  ``az.loo(result.idata, var_name="log10_gflops")``, ``az.compare``, ``az.loo_pit``,
  ``az.plot_ppc_dist``.
* ``posterior_predictive``: :func:`pymc.sample_posterior_predictive`, seeded with the fit's
  seed + 1.
* ``prior`` and ``prior_predictive``: :func:`pymc.sample_prior_predictive`,
  :data:`PRIOR_DRAWS` draws seeded with the fit's seed + 3 (enough for prior predictive
  checks; more cost about a second per thousand in every new fit).

All three are computed once, when a fit is made, and saved with it; the per-observation ones
(log-likelihood and the two predictive groups) in single precision. They are compiled with
numba (:data:`BACKEND`) and the prior with C (:data:`PRIOR_BACKEND`).
"""

from __future__ import annotations

import logging
import warnings

import pymc as pm
import xarray as xr

from energytrend.inference.config import FitConfig
from energytrend.inference.engine import numerics
from energytrend.model.arrays import ModelData
from energytrend.model.build import build_model

#: The groups this module adds.
GROUPS = ("log_likelihood", "posterior_predictive", "prior", "prior_predictive")

#: PyMC's compile backends: numba for the log-likelihood and the posterior predictive; C for
#: the prior, whose truncated normal numba can only run in (slow) object mode.
BACKEND = "numba"
PRIOR_BACKEND = "c"
#: Draws of the stored prior and prior predictive.
PRIOR_DRAWS = 1000


def _model_posterior(tree: xr.DataTree, model: pm.Model) -> xr.DataTree:
    """A tree of the posterior's model variables only (no per-model energies, no data
    groups: PyMC then uses the model's own data)."""
    names = [v.name for v in model.free_RVs] + [v.name for v in model.deterministics]
    post = tree["posterior"].to_dataset()[names]
    return xr.DataTree(children={"posterior": xr.DataTree(post)})


def pymc_groups(tree: xr.DataTree, data: ModelData, config: FitConfig) -> dict[str, xr.Dataset]:
    """The datasets of :data:`GROUPS` for the posterior in ``tree`` of the model of ``data``
    and ``config``."""
    model = build_model(data, config.spec, config.resolved_pooling)
    posterior = _model_posterior(tree, model)
    sampling_log = logging.getLogger("pymc")
    level = sampling_log.level
    sampling_log.setLevel(logging.WARNING)  # "Sampling: [...]" is noise in a fit
    try:
        with numerics(), warnings.catch_warnings():
            # numba runs the truncated normal's sampler in object mode: slower, same draws
            warnings.filterwarnings("ignore", "Numba will use object mode", UserWarning)
            log_lik = pm.compute_log_likelihood(
                posterior,
                model=model,
                extend_inferencedata=False,
                progressbar=False,
                backend=BACKEND,
            )
            predictive = pm.sample_posterior_predictive(
                posterior,
                model=model,
                random_seed=config.seed + 1,
                # the posterior's draws are what is predicted from, never resampled (PyMC
                # would resample parameters downstream of data it cannot compare)
                freeze_vars=[rv.name for rv in model.free_RVs],
                progressbar=False,
                extend_inferencedata=False,
                backend=BACKEND,
            )
            prior = pm.sample_prior_predictive(
                draws=PRIOR_DRAWS,
                model=model,
                random_seed=config.seed + 3,
                backend=PRIOR_BACKEND,
            )
    finally:
        sampling_log.setLevel(level)
    # per-observation groups in single precision: half the size in memory and in the cache,
    # and seven significant digits are more than any score or check of them reads
    return {
        "log_likelihood": _dataset(log_lik).astype("float32"),
        "posterior_predictive": predictive["posterior_predictive"].to_dataset().astype("float32"),
        "prior": prior["prior"].to_dataset(),
        "prior_predictive": prior["prior_predictive"].to_dataset().astype("float32"),
    }


def _dataset(group: xr.Dataset | xr.DataTree) -> xr.Dataset:
    if isinstance(group, xr.DataTree):
        return (
            group["log_likelihood"].to_dataset()
            if "log_likelihood" in group
            else group.to_dataset()
        )
    return group


def with_pymc_groups(tree: xr.DataTree, data: ModelData, config: FitConfig) -> xr.DataTree:
    """``tree`` with the groups of :func:`pymc_groups` added."""
    out = tree.copy()
    for name, ds in pymc_groups(tree, data, config).items():
        out[name] = xr.DataTree(ds)
    return out
