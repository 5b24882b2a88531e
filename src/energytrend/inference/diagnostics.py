"""The diagnostics gate: a posterior is reported only if it passed.

Thresholds (Vehtari et al. 2021): no divergent transitions, R-hat <= 1.01, bulk and tail
effective sample size >= 400, for every variable of the posterior: every sampled parameter
(including the internal ones, such as the standardised changepoints ``eff_delta_z`` and the
lines' levels at their data's centre) and every deterministic transform of them (the reported
intercepts and slopes), except the per-model energies (:data:`PER_MODEL`), deterministic
transforms of gated parameters.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from arviz_stats.base import array_stats  # type: ignore[attr-defined]
from arviz_stats.validate import validate_ci_prob

MAX_RHAT = 1.01
MIN_ESS = 400.0

#: Posterior variables that the result's tables report (those present in the posterior); the
#: gate covers every variable of the posterior, these and the internal ones.
REPORTED = (
    "intercept",
    "slope",
    "sigma",
    "sigma_trend",
    "eff_intercept",
    "eff_slope",
    "eff_sigma",
    "energy_intercept",
    "energy_slope",
    "nu",
    "eff_nu",
    "eff_server",
    "speedup_fraction",
    "speedup_sigma",
    "realisation",
    "realisation_sigma",
    # the hierarchy's centres and spreads, where a part pools (model v3)
    "line_intercept_mu",
    "line_intercept_tau",
    "line_slope_mu",
    "line_slope_tau",
    "intercept_mu",
    "intercept_tau",
    "slope_mu",
    "slope_tau",
    "eff_slope_mu",
    "eff_slope_tau",
    "eff_log_sigma_mu",
    "eff_log_sigma_tau",
)


class DiagnosticsWarning(UserWarning):
    """A fit did not pass the diagnostics gate; its numbers should not be reported."""


@dataclass(frozen=True, eq=False)
class Diagnostics:
    """Outcome of the gate: the per-parameter table, divergence count and failure reasons."""

    table: pd.DataFrame
    divergences: int
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def reported_vars(tree: xr.DataTree) -> list[str]:
    return [v for v in REPORTED if v in tree["posterior"].data_vars]


#: The per-model dimension. Variables along it (``log10_joules``, each model's energy) are
#: left out of the gate: each is a deterministic transform, the model's observed GFLOPs minus
#: the efficiency line at its date, whose parameters are all gated; checking hundreds of them
#: cost seconds a fit and adds no parameter.
PER_MODEL = "obs"


def _components(posterior: xr.Dataset) -> tuple[list[str], np.ndarray]:
    """Every scalar component of the posterior's variables, labelled as ``az.summary``
    labels them (``name``, ``name[label]``, ``name[a, b]``), and their draws stacked into one
    (component, chain, draw) array."""
    labels: list[str] = []
    blocks = []
    for name, da in posterior.data_vars.items():
        extra = [d for d in da.dims if d not in ("chain", "draw")]
        if PER_MODEL in extra:
            continue
        da = da.transpose("chain", "draw", *extra)
        values = da.to_numpy().astype(float)
        blocks.append(values.reshape(values.shape[0], values.shape[1], -1))
        if not extra:
            labels.append(str(name))
            continue
        coords = [[str(v) for v in da[d].to_numpy()] for d in extra]
        labels += [f"{name}[{', '.join(c)}]" for c in itertools.product(*coords)]
    stacked = np.concatenate(blocks, axis=2).transpose(2, 0, 1)
    return labels, stacked


def check(tree: xr.DataTree) -> Diagnostics:
    """Compute R-hat, bulk/tail ESS and divergences of every posterior variable.

    The three numbers are ArviZ's (rank-normalised split R-hat, bulk and tail ESS, as
    ``az.summary`` gives them), computed for all components at once."""
    labels, draws = _components(tree["posterior"].to_dataset())
    axes = {"chain_axis": 1, "draw_axis": 2}
    tail_prob = validate_ci_prob(None)  # type: ignore[no-untyped-call]  # az.summary's
    with np.errstate(invalid="ignore", divide="ignore"):
        bulk = array_stats.ess(draws, method="bulk", **axes)  # type: ignore[no-untyped-call]
        tail = array_stats.ess(draws, method="tail", prob=tail_prob, **axes)  # type: ignore[no-untyped-call]
        rhat = array_stats.rhat(draws, method="rank", **axes)  # type: ignore[no-untyped-call]
    table = pd.DataFrame({"parameter": labels, "ess_bulk": bulk, "ess_tail": tail, "r_hat": rhat})
    return gate(table, int(tree["sample_stats"]["diverging"].sum()))


def gate(table: pd.DataFrame, divergences: int) -> Diagnostics:
    """Apply the thresholds to a per-parameter table (parameter, ess_bulk, ess_tail, r_hat)."""
    failures = []
    if divergences:
        failures.append(f"{divergences} divergent transitions (must be 0)")
    undefined = table.loc[table[["ess_bulk", "ess_tail", "r_hat"]].isna().any(axis=1), "parameter"]
    if len(undefined):
        failures.append(f"R-hat or ESS undefined for {', '.join(map(str, undefined[:3]))}")
    worst_rhat = table.loc[table["r_hat"].idxmax()]
    if worst_rhat["r_hat"] > MAX_RHAT:
        failures.append(
            f"R-hat {worst_rhat['r_hat']:.3f} > {MAX_RHAT} for {worst_rhat['parameter']}"
        )
    for col in ("ess_bulk", "ess_tail"):
        worst = table.loc[table[col].idxmin()]
        if worst[col] < MIN_ESS:
            failures.append(f"{col} {worst[col]:.0f} < {MIN_ESS:.0f} for {worst['parameter']}")
    return Diagnostics(table=table, divergences=divergences, failures=tuple(failures))


#: Name of the result-file group that stores the diagnostics table.
GROUP = "energytrend_diagnostics"


def to_dataset(diag: Diagnostics) -> xr.Dataset:
    """The diagnostics table as a Dataset along ``parameter`` (stored with a result)."""
    t = diag.table
    return xr.Dataset(
        {c: ("parameter", t[c].to_numpy(dtype=float)) for c in ("ess_bulk", "ess_tail", "r_hat")},
        coords={"parameter": t["parameter"].astype(str).to_numpy()},
        attrs={"divergences": diag.divergences},
    )


def from_dataset(ds: xr.Dataset) -> Diagnostics:
    """Inverse of :func:`to_dataset`; the gate is re-applied to the stored numbers."""
    table = pd.DataFrame(
        {
            "parameter": ds["parameter"].to_numpy().astype(str).astype(object),
            **{c: ds[c].to_numpy() for c in ("ess_bulk", "ess_tail", "r_hat")},
        }
    )
    return gate(table, int(ds.attrs["divergences"]))
