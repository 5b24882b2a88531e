"""The diagnostics gate: a posterior is reported only if it passed.

Thresholds (Vehtari et al. 2021): no divergent transitions, R-hat <= 1.01, bulk and tail
effective sample size >= 400, for every variable of the posterior: every sampled parameter
(including the internal ones, such as the standardised changepoints ``eff_delta_z`` and the
lines' levels at their data's centre) and every deterministic transform of them (the reported
intercepts and slopes, the per-model energies). None is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import arviz as az
import pandas as pd
import xarray as xr

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


def check(tree: xr.DataTree) -> Diagnostics:
    """Compute R-hat, bulk/tail ESS and divergences of every posterior variable."""
    summary = az.summary(tree, kind="diagnostics", round_to="none")
    table = pd.DataFrame(summary)[["ess_bulk", "ess_tail", "r_hat"]].astype(float)
    table.index.name = "parameter"
    return gate(table.reset_index(), int(tree["sample_stats"]["diverging"].sum()))


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
