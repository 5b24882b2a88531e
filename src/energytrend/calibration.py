"""Simulation-based calibration (SBC) of the hierarchical models (Talts et al. 2018).

For each simulation: draw every parameter from the prior, simulate log GFLOPs and log
GFLOPS/W at the shipped data's dates and group sizes, fit the model to the simulated data
and record the rank of each true value among ``L`` thinned posterior draws. If the model and
its sampler are calibrated, every rank is uniform on ``0..L`` and every central ``p``
interval contains the truth in a share ``p`` of the simulations.

The model is compiled once per worker process and every simulation swaps its data in
(:mod:`energytrend.engine`), so a 200-simulation run takes minutes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from matplotlib.figure import Figure
from scipy import stats

from energytrend.datasets import DEFAULT_DATA
from energytrend.design import FitDomain, prepare
from energytrend.diagnostics import REPORTED
from energytrend.engine import SamplerSettings, numerics, sample_nutpie
from energytrend.model import ModelData, Pooling, build_model
from energytrend.spec import Spec, resolve_spec
from energytrend.store import atomic_path
from energytrend.sweep import run_tasks

#: Quantities whose ranks are recorded (those present in the model): the reported parameters
#: (but the energy intercepts, which only shift the compute intercepts) and the hierarchy's.
SBC_VARS = (
    *tuple(v for v in REPORTED if v != "energy_intercept"),
    "intercept_mu",
    "slope_mu",
    "intercept_tau",
    "slope_tau",
)
DEFAULT_BINS = 20


@dataclass(frozen=True)
class SBCTask:
    """One simulation: the simulated data and the true parameter values."""

    index: int
    data: ModelData
    truth: dict[str, float]
    spec: Spec
    pooling: Pooling
    settings: SamplerSettings
    n_rank_draws: int


def flatten(ds: xr.Dataset, names: tuple[str, ...] = SBC_VARS) -> dict[str, np.ndarray]:
    """``{"slope[cv/frontier]": draws, ...}`` for every scalar component of ``names``;
    each value has the sample dimensions (chain, draw) stacked into one axis."""
    out = {}
    for name in names:
        if name not in ds.data_vars:
            continue
        da = ds[name].stack(sample=("chain", "draw"))
        extra = [d for d in da.dims if d != "sample"]
        if not extra:
            out[name] = da.to_numpy()
            continue
        (dim,) = extra
        for label in da[dim].to_numpy():
            out[f"{name}[{label}]"] = da.sel({dim: label}).to_numpy()
    return out


def _one_simulation(task: SBCTask) -> list[dict[str, Any]]:
    tree = sample_nutpie(task.data, task.spec, task.pooling, task.settings)
    draws = flatten(tree["posterior"].to_dataset())
    divergences = int(tree["sample_stats"]["diverging"].sum())
    n = next(iter(draws.values())).size
    thin = np.linspace(0, n - 1, task.n_rank_draws).round().astype(int)
    rows = []
    for parameter, true in task.truth.items():
        d = draws[parameter]
        q = np.quantile(d, [0.05, 0.25, 0.75, 0.95])
        rows.append(
            {
                "sim": task.index,
                "parameter": parameter,
                "true": true,
                "rank": int(np.sum(d[thin] < true)),
                "covered_50": bool(q[1] <= true <= q[2]),
                "covered_90": bool(q[0] <= true <= q[3]),
                "divergences": divergences,
            }
        )
    return rows


@dataclass(frozen=True)
class Calibration:
    """Ranks of the true values in every simulation; methods summarise them.

    ``ranks`` has one row per simulation and parameter: sim, parameter, true, rank (0 to
    ``n_rank_draws``), covered_50, covered_90, divergences (of that simulation's fit).
    """

    ranks: pd.DataFrame
    domain: str
    n_rank_draws: int
    settings: dict[str, Any]

    @property
    def n_sims(self) -> int:
        return int(self.ranks["sim"].nunique())

    def uniformity(self, bins: int = DEFAULT_BINS) -> pd.DataFrame:
        """Chi-square test of rank uniformity per parameter: the ``L + 1`` possible ranks in
        ``bins`` equal bins. Columns: parameter, n, chi2, dof, p_value."""
        n_values = self.n_rank_draws + 1
        if n_values % bins:
            raise ValueError(f"bins must divide {n_values} (the number of possible ranks)")
        rows = []
        for parameter, g in self.ranks.groupby("parameter", sort=False):
            counts = np.bincount(g["rank"].to_numpy() * bins // n_values, minlength=bins)
            res = stats.chisquare(counts)
            rows.append(
                {
                    "parameter": parameter,
                    "n": len(g),
                    "chi2": float(res.statistic),
                    "dof": bins - 1,
                    "p_value": float(res.pvalue),
                }
            )
        return pd.DataFrame(rows)

    def coverage(self) -> pd.DataFrame:
        """Share of simulations whose central 50% and 90% intervals contain the truth, per
        parameter, with its Monte Carlo standard error at the nominal level."""
        g = self.ranks.groupby("parameter", sort=False)
        out = (
            g[["covered_50", "covered_90"]]
            .mean()
            .rename(columns={"covered_50": "coverage_50", "covered_90": "coverage_90"})
        )
        out["n"] = g.size()
        out["se_90"] = np.sqrt(0.9 * 0.1 / out["n"])
        return out.reset_index()

    def summary(self, bins: int = DEFAULT_BINS, alpha: float = 0.05) -> pd.DataFrame:
        """One row: simulations, parameters, mean 50%/90% coverage, the smallest uniformity
        p-value and whether it is significant after a Bonferroni correction over the
        parameters, and the share of simulations whose fit diverged."""
        u = self.uniformity(bins)
        c = self.coverage()
        per_sim = self.ranks.groupby("sim")["divergences"].first()
        threshold = alpha / len(u)
        return pd.DataFrame(
            [
                {
                    "domain": self.domain,
                    "simulations": self.n_sims,
                    "parameters": len(u),
                    "coverage_50": float(c["coverage_50"].mean()),
                    "coverage_90": float(c["coverage_90"].mean()),
                    "min_coverage_90": float(c["coverage_90"].min()),
                    "max_coverage_90": float(c["coverage_90"].max()),
                    "min_p_value": float(u["p_value"].min()),
                    "bonferroni_threshold": threshold,
                    "non_uniform": int((u["p_value"] < threshold).sum()),
                    "sims_with_divergences": float(np.mean(per_sim > 0)),
                }
            ]
        )

    def plot_ranks(self, bins: int = DEFAULT_BINS, ncols: int = 4) -> Figure:
        """Rank histograms, one panel per parameter, with the 99% band of a uniform
        histogram (grey): bars outside it in a pattern (a slope, a U, a hump) show bias or
        intervals that are too narrow or too wide."""
        params = list(dict.fromkeys(self.ranks["parameter"]))
        nrows = -(-len(params) // ncols)
        fig = Figure(figsize=(2.6 * ncols, 1.9 * nrows + 0.6), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
        n_values = self.n_rank_draws + 1
        n = self.n_sims
        lo, hi = stats.binom.ppf([0.005, 0.995], n, 1 / bins)
        for ax, parameter in zip(axes.flat, params, strict=False):
            r = self.ranks.loc[self.ranks["parameter"] == parameter, "rank"].to_numpy()
            ax.axhspan(lo, hi, color="0.85", zorder=0)
            ax.hist(r, bins=np.linspace(0, n_values, bins + 1), color="#2c7fb8", zorder=2)
            ax.set_title(parameter, fontsize=8)
            ax.tick_params(labelsize=7)
        for ax in axes.flat[len(params) :]:
            ax.set_visible(False)
        fig.suptitle(
            f"SBC rank histograms, {self.domain}: {n} simulations, {self.n_rank_draws} draws"
        )
        return fig

    def save(self, path: str | Path) -> Path:
        """Write the ranks as CSV (settings in a JSON header line), atomically."""
        path = Path(path)
        meta = {"domain": self.domain, "n_rank_draws": self.n_rank_draws, **self.settings}
        with atomic_path(path) as tmp, Path(tmp).open("w", encoding="utf-8") as fh:
            fh.write("# " + json.dumps(meta, sort_keys=True) + "\n")
            self.ranks.to_csv(fh, index=False)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        """Read a file written by :meth:`save`."""
        path = Path(path)
        with path.open(encoding="utf-8") as fh:
            first = fh.readline()
            if not first.startswith("# "):
                raise ValueError(f"{path} is not an energytrend SBC file (no settings line)")
            meta = json.loads(first[2:])
            ranks = pd.read_csv(fh)
        domain = meta.pop("domain")
        n_rank_draws = meta.pop("n_rank_draws")
        return cls(ranks=ranks, domain=domain, n_rank_draws=n_rank_draws, settings=meta)


def simulate_calibration(
    domain: FitDomain = "cv",
    *,
    data: str = DEFAULT_DATA,
    n_sims: int = 200,
    priors: Mapping[str, Any] | None = None,
    pooling: Pooling = "partial",
    draws: int = 500,
    tune: int = 500,
    chains: int = 2,
    target_accept: float = 0.99,
    n_rank_draws: int = 99,
    seed: int = 2021,
    only: Sequence[int] | None = None,
    client: Any | None = None,
    workers: int | None = None,
) -> Calibration:
    """Run SBC of the model of ``domain`` at the dates and group sizes of dataset ``data``.

    Each fit samples ``chains`` chains of ``draws`` draws on one core; ``n_rank_draws``
    evenly spaced draws are kept for the ranks (thinning removes most autocorrelation).
    Parallel over local processes by default, or over a Dask ``client``'s cluster.
    ``only`` runs just these simulations of the ``n_sims`` (the same prior draws and seeds
    as in the full run), to reproduce or inspect a few of them.
    """
    if n_sims < 1:
        raise ValueError(f"n_sims must be >= 1, got {n_sims}")
    indices = range(n_sims) if only is None else sorted(set(only))
    if not all(0 <= i < n_sims for i in indices):
        raise ValueError(f"only must list simulations between 0 and {n_sims - 1}")
    if n_rank_draws >= draws * chains:
        raise ValueError("n_rank_draws must be smaller than draws x chains")
    spec = resolve_spec(priors)
    base = prepare(
        domain,
        data=data,
        year_origin=float(spec["time"]["year_origin"]),
        spec=spec,
    ).arrays
    with numerics():
        prior = pm.sample_prior_predictive(
            draws=n_sims, model=build_model(base, spec, pooling), random_seed=seed
        )
    truths = flatten(prior["prior"].to_dataset())
    sim_y = prior["prior_predictive"]["log10_gflops"].to_numpy().reshape(n_sims, -1)
    sim_gpu = prior["prior_predictive"]["log10_gflops_per_watt"].to_numpy().reshape(n_sims, -1)
    tasks = [
        SBCTask(
            index=i,
            data=replace(base, obs_y=sim_y[i], gpu_y=sim_gpu[i]),
            truth={k: float(v[i]) for k, v in truths.items()},
            spec=spec,
            pooling=pooling,
            settings=SamplerSettings(
                draws=draws,
                tune=tune,
                chains=chains,
                seed=seed + 1 + i,
                target_accept=target_accept,
                cores=1,
            ),
            n_rank_draws=n_rank_draws,
        )
        for i in indices
    ]
    rows = [
        row
        for sim in run_tasks(_one_simulation, tasks, client=client, workers=workers)
        for row in sim
    ]
    settings = {
        "n_sims": n_sims,
        "pooling": pooling,
        "draws": draws,
        "tune": tune,
        "chains": chains,
        "target_accept": target_accept,
        "seed": seed,
        "likelihood": spec["likelihood"]["family"],
    }
    return Calibration(
        ranks=pd.DataFrame(rows), domain=domain, n_rank_draws=n_rank_draws, settings=settings
    )
