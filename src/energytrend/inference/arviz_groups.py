"""The ArviZ groups a fitted model is expected to carry: ``log_likelihood`` and
``posterior_predictive``.

Both are computed from the posterior draws (the likelihood exactly, the replicated data with
the fit's seed), added to every :class:`~energytrend.inference.result.TrendFit` by
:func:`energytrend.fit` and :func:`energytrend.load`, and saved with it, so that
``az.loo(result.idata)``, ``az.compare({...: r.idata})`` and
``az.plot_ppc_dist(result.idata)`` work directly.

``log_likelihood`` holds one variable, ``joint``, along ``point``: every compute observation
(``compute/<obs>``) and then every GPU point (``efficiency/<gpu>``) of the joint model. One
variable, because ArviZ's ``loo`` and ``compare`` need ``var_name`` when there are several;
the likelihood family and the scatter are shared by both parts, so model comparisons are of
the whole model. ``posterior_predictive`` holds ``log10_gflops`` (``obs``) and
``log10_gflops_per_watt`` (``gpu``), named like ``observed_data``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import xarray as xr
from scipy import stats

if TYPE_CHECKING:
    from energytrend.inference.result import TrendFit

#: The groups this module adds.
GROUPS = ("log_likelihood", "posterior_predictive")

#: (observed variable, kind of line, line index, time, dimension) of the two likelihoods.
PARTS = (
    ("log10_gflops", "compute", "obs_group", "obs_t", "obs"),
    ("log10_gflops_per_watt", "efficiency", "gpu_series", "gpu_t", "gpu"),
)


def pointwise_log_likelihood(result: TrendFit, name: str) -> np.ndarray:
    """Log-likelihood (sample, point) of the observations of ``name`` (``log10_gflops`` or
    ``log10_gflops_per_watt``), draw by draw, as the model defines it."""
    kind, idx, t = next((k, i, tt) for n, k, i, tt, _ in PARTS if n == name)
    cd = result.idata["constant_data"]
    index, times = cd[idx].to_numpy(), cd[t].to_numpy()
    y = result.idata["observed_data"][name].to_numpy()
    server = cd["gpu_server"].to_numpy() if "gpu_server" in cd else 1.0
    mu = result.mean_at(kind, index, times, server)
    sd = result.scale(kind, index, times)
    nu_name = {"compute": "nu", "efficiency": "eff_nu"}[kind]
    if nu_name in result.idata["posterior"]:
        nu = result.draws(nu_name).to_numpy()[:, None]
        out: np.ndarray = stats.t.logpdf(y, df=nu, loc=mu, scale=sd)
        return out
    normal: np.ndarray = stats.norm.logpdf(y, loc=mu, scale=sd)
    return normal


def arviz_groups(result: TrendFit) -> dict[str, xr.Dataset]:
    """The ``log_likelihood`` and ``posterior_predictive`` datasets of ``result``."""
    post = result.idata["posterior"]
    chains, draws = post.sizes["chain"], post.sizes["draw"]
    chain_coords = {"chain": post["chain"].to_numpy(), "draw": post["draw"].to_numpy()}
    cd = result.idata["constant_data"]

    def by_chain(x: np.ndarray) -> np.ndarray:
        return x.reshape(chains, draws, -1)

    parts = [pointwise_log_likelihood(result, name) for name, *_ in PARTS]
    labels = [f"compute/{o}" for o in cd["obs"].to_numpy()] + [
        f"efficiency/{g}" for g in cd["gpu"].to_numpy()
    ]
    log_lik = xr.Dataset(
        {"joint": (("chain", "draw", "point"), by_chain(np.concatenate(parts, axis=1)))},
        coords={**chain_coords, "point": labels},
        attrs={"description": "log-likelihood of every compute and GPU point (joint model)"},
    )
    rep = result.posterior_predictive()
    predictive = xr.Dataset(
        {
            name: (("chain", "draw", dim), by_chain(rep[name]))
            for name, _kind, _idx, _t, dim in PARTS
        },
        coords={
            **chain_coords,
            "obs": cd["obs"].to_numpy(),
            "gpu": cd["gpu"].to_numpy(),
        },
        attrs={"seed": result.config.seed + 1},
    )
    return {"log_likelihood": log_lik, "posterior_predictive": predictive}


def with_arviz_groups(tree: xr.DataTree, result: TrendFit) -> xr.DataTree:
    """``tree`` with the groups of :func:`arviz_groups` added where missing."""
    missing = [g for g in GROUPS if g not in tree.children]
    if not missing:
        return tree
    tree = tree.copy()
    for name, ds in arviz_groups(result).items():
        if name in missing:
            tree[name] = xr.DataTree(ds)
    return tree
