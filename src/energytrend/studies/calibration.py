"""Simulation-based calibration (SBC) of the models (Talts et al. 2018), forecasts included.

For each simulation: draw every parameter from the prior, simulate *every* likelihood of the
model at the shipped data's dates and sizes (compute per forward pass, the GPU points with
their server flags and the changepoints' bends, the measured speed-ups and the MLPerf energy
ratios where the data have them), fit the model to the simulated data and record the rank of
each true value among ``L`` thinned posterior draws. The ranked quantities are the reported
parameters (:data:`energytrend.inference.diagnostics.REPORTED`, plus the prior-only extrapolation
parameters, calibrated by construction) and the forecasts' ingredients of
:mod:`energytrend.studies.calibration_forecast`: each group's log10 energy in 2030, which the
extrapolation and the future changepoints shape, and whether its energy trend reaches the
human-body level by 2040 (a binary, judged by its probabilities, not by ranks); and data
held out past the forecast origin (:mod:`energytrend.studies.calibration_heldout`), simulated
from the generating process and predicted by the fit, with their coverage and CRPS: the only
quantities through which SBC sees the prior-only extrapolation.

If model and sampler are calibrated, every rank is uniform on ``0..L``
(:mod:`energytrend.studies.calibration_ecdf` tests it with simultaneous ECDF bands), every central
``p`` interval holds the truth in a share ``p`` of the simulations, and among simulations
given a crossing probability ``p`` a share ``p`` of the truths cross.

The model is compiled once per worker process and every simulation swaps its data in
(:mod:`energytrend.inference.engine`), so a 200-simulation run takes minutes.
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

from energytrend.data.datasets import DEFAULT_DATA
from energytrend.inference.diagnostics import MAX_RHAT, REPORTED, check
from energytrend.inference.engine import SamplerSettings, numerics, sample_nutpie
from energytrend.inference.store import atomic_path
from energytrend.model.arrays import ModelData, Pooling
from energytrend.model.build import build_model
from energytrend.model.design import FitDomain, prepare
from energytrend.model.draws import Draws
from energytrend.model.parts import model_parts
from energytrend.model.spec import Spec, merge_spec, resolve_spec
from energytrend.studies import calibration_heldout as heldout
from energytrend.studies.calibration_ecdf import ALPHA, ecdf_test, plot_ecdf_differences
from energytrend.studies.calibration_forecast import forecast_quantities, is_indicator
from energytrend.studies.scoring import crps_draws
from energytrend.studies.sweep import run_tasks

#: Parameters whose ranks are recorded (those present in the model): the reported ones, the
#: prior-only extrapolation parameters and, with partial pooling, the hierarchy's.
SBC_VARS = tuple(
    dict.fromkeys(
        (
            *REPORTED,
            "longrun_slope",
            "damping",
            "intercept_mu",
            "slope_mu",
            "intercept_tau",
            "slope_tau",
        )
    )
)
#: Simulated likelihood -> the :class:`ModelData` field it replaces.
SIMULATED = {
    "log10_gflops": "obs_y",
    "log10_gflops_per_watt": "gpu_y",
    "log10_speedup_fraction": "sp_y",
    "log10_realisation": "real_y",
}
#: Stream of a simulation's random numbers for the noise of its held-out predictive draws.
HELDOUT_STREAM = 7
#: Bins of the crossing probabilities' reliability table.
RELIABILITY_BINS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)


@dataclass(frozen=True)
class SBCTask:
    """One simulation: the simulated data and the true values of the ranked quantities."""

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


def _one_simulation(task: SBCTask) -> tuple[list[dict[str, Any]], str]:
    """The rows of one simulation, or no rows and the error of a fit that raised."""
    try:
        tree = sample_nutpie(task.data, task.spec, task.pooling, task.settings)
    except Exception as e:  # a failed fit is counted, not fatal to the study
        return [], f"{type(e).__name__}: {e}"
    posterior = tree["posterior"].to_dataset()
    heldout_rng = np.random.default_rng([task.settings.seed, HELDOUT_STREAM])
    post = Draws(posterior)
    draws = {
        **flatten(posterior),
        **forecast_quantities(post, task.data, task.spec),
        **heldout.predictive(model_parts(task.spec, task.data), post, task.data, heldout_rng),
    }
    diag = check(tree)
    fit = {
        "divergences": diag.divergences,
        "max_rhat": float(diag.table["r_hat"].max()),
        "min_ess": float(diag.table[["ess_bulk", "ess_tail"]].min().min()),
        "passed_gate": diag.passed,
    }
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
                "posterior_mean": float(d.mean()),
                "covered_50": bool(q[1] <= true <= q[2]),
                "covered_90": bool(q[0] <= true <= q[3]),
                "crps": float(crps_draws(d[:, None], np.array([true]))[0])
                if heldout.is_heldout(parameter)
                else np.nan,
                **fit,
            }
        )
    return rows, ""


@dataclass(frozen=True)
class Calibration:
    """Ranks of the true values in every simulation; methods summarise them.

    ``ranks`` has one row per simulation and quantity: sim, parameter (the quantity), true,
    rank (0 to ``n_rank_draws``), posterior_mean, covered_50, covered_90 and the fit's
    divergences, max_rhat, min_ess (bulk and tail) and passed_gate
    (:mod:`energytrend.inference.diagnostics`). Crossing indicators
    (:func:`energytrend.studies.calibration_forecast.is_indicator`) have a 0/1 truth and their
    posterior probability as posterior_mean. ``settings["failed_sims"]`` lists the
    simulations whose fit raised (they have no rows).
    """

    ranks: pd.DataFrame
    domain: str
    n_rank_draws: int
    settings: dict[str, Any]

    @property
    def n_sims(self) -> int:
        """Simulations with a fit (failed fits excluded)."""
        return int(self.ranks["sim"].nunique())

    @property
    def failed_fits(self) -> int:
        """Simulations whose fit raised an error."""
        return len(self.settings.get("failed_sims", []))

    def _ranked(self) -> pd.DataFrame:
        return self.ranks[~self.ranks["parameter"].map(is_indicator)]

    def _indicators(self) -> pd.DataFrame:
        return self.ranks[self.ranks["parameter"].map(is_indicator)]

    def uniformity(self, alpha: float = ALPHA) -> pd.DataFrame:
        """ECDF test of rank uniformity per ranked quantity, with a simultaneous ``1 - alpha``
        band (:mod:`energytrend.studies.calibration_ecdf`). Columns: parameter, n, inside (the ECDF
        stays in the band), p_value (simultaneous), max_abs_diff (largest ECDF difference)."""
        rows = []
        for parameter, g in self._ranked().groupby("parameter", sort=False):
            t = ecdf_test(g["rank"].to_numpy(), self.n_rank_draws + 1, alpha)
            rows.append(
                {
                    "parameter": parameter,
                    "n": len(g),
                    "inside": t.inside,
                    "p_value": t.p_value,
                    "max_abs_diff": t.max_abs_diff,
                }
            )
        return pd.DataFrame(rows)

    def coverage(self) -> pd.DataFrame:
        """Share of simulations whose central 50% and 90% intervals contain the truth, per
        ranked quantity, with its Monte Carlo standard error at the nominal level."""
        g = self._ranked().groupby("parameter", sort=False)
        out = (
            g[["covered_50", "covered_90"]]
            .mean()
            .rename(columns={"covered_50": "coverage_50", "covered_90": "coverage_90"})
        )
        out["n"] = g.size()
        out["se_90"] = np.sqrt(0.9 * 0.1 / out["n"])
        return out.reset_index()

    def crossing(self) -> pd.DataFrame:
        """Calibration of each crossing indicator: the average posterior probability against
        the share of truths that cross. Under calibration their difference has mean 0 and
        standard error ``sqrt(sum p (1 - p)) / n`` (each truth is Bernoulli with its fit's
        probability), so ``z`` is about standard normal. Columns: parameter, n,
        mean_probability, truth_rate, se, z, brier."""
        rows = []
        for parameter, g in self._indicators().groupby("parameter", sort=False):
            p, y = g["posterior_mean"].to_numpy(), g["true"].to_numpy()
            se = float(np.sqrt(np.sum(p * (1 - p)))) / len(g)
            diff = float(y.mean() - p.mean())
            rows.append(
                {
                    "parameter": parameter,
                    "n": len(g),
                    "mean_probability": float(p.mean()),
                    "truth_rate": float(y.mean()),
                    "se": se,
                    "z": diff / se if se > 0 else 0.0 if diff == 0 else float(np.inf),
                    "brier": float(np.mean((p - y) ** 2)),
                }
            )
        return pd.DataFrame(rows)

    def reliability(self, bins: Sequence[float] = RELIABILITY_BINS) -> pd.DataFrame:
        """Binned reliability of the crossing probabilities: per indicator and probability
        bin, the simulations in it, their mean probability and the share of truths that
        cross (equal under calibration, to binomial error)."""
        ind = self._indicators()
        cut = pd.cut(ind["posterior_mean"], list(bins), include_lowest=True)
        g = ind.assign(bin=cut).groupby(["parameter", "bin"], observed=True)
        out = g.agg(
            n=("true", "size"),
            mean_probability=("posterior_mean", "mean"),
            truth_rate=("true", "mean"),
        )
        out = out.reset_index()
        out["bin"] = out["bin"].astype(str)
        return out

    def heldout(self) -> pd.DataFrame:
        """The held-out points' predictive calibration, per quantity: n, coverage_50,
        coverage_90 (nominal under calibration, to binomial error), mean_pit, mean_crps."""
        h = self.ranks[self.ranks["parameter"].map(heldout.is_heldout)]
        if "crps" not in h:  # ranks written before the held-out points existed
            h = h.assign(crps=np.nan)
        g = h.assign(pit=h["rank"] / self.n_rank_draws).groupby("parameter", sort=False)
        return g.agg(
            n=("true", "size"),
            coverage_50=("covered_50", "mean"),
            coverage_90=("covered_90", "mean"),
            mean_pit=("pit", "mean"),
            mean_crps=("crps", "mean"),
        ).reset_index()

    def fits(self) -> pd.DataFrame:
        """One row per simulated fit: divergences, max_rhat, min_ess, passed_gate."""
        cols = ["divergences", "max_rhat", "min_ess", "passed_gate"]
        return self.ranks.groupby("sim")[cols].first().reset_index()

    def summary(self, alpha: float = ALPHA) -> pd.DataFrame:
        """One row: simulations, failed fits, ranked quantities, how many leave their ECDF
        band (and the number expected under calibration, ``alpha`` x quantities), how many
        are non-uniform after a Bonferroni correction (simultaneous p below
        ``alpha / quantities``), mean 50%/90% coverage, the crossing indicators' largest
        ``|z|``, the shares of fits with divergences and with an R-hat above 1.01, and the median
        over fits of the smallest bulk or tail ESS (the study's short chains are not meant to
        pass the production gate's ESS >= 400; ``passed_gate`` per fit is in :meth:`fits`)."""
        u = self.uniformity(alpha)
        c = self.coverage()
        x = self.crossing()
        h = self.heldout()
        f = self.fits()
        return pd.DataFrame(
            [
                {
                    "domain": self.domain,
                    "data": self.settings.get("data", ""),
                    "simulations": self.n_sims,
                    "failed_fits": self.failed_fits,
                    "quantities": len(u),
                    "outside_band": int((~u["inside"]).sum()),
                    "expected_outside": alpha * len(u),
                    "outside_parameters": ";".join(u.loc[~u["inside"], "parameter"]),
                    "min_p_value": float(u["p_value"].min()),
                    "bonferroni_threshold": alpha / len(u),
                    "non_uniform_bonferroni": int((u["p_value"] < alpha / len(u)).sum()),
                    "coverage_50": float(c["coverage_50"].mean()),
                    "coverage_90": float(c["coverage_90"].mean()),
                    "min_coverage_90": float(c["coverage_90"].min()),
                    "max_coverage_90": float(c["coverage_90"].max()),
                    "crossing_indicators": len(x),
                    "crossing_mean_probability": float(x["mean_probability"].mean())
                    if len(x)
                    else np.nan,
                    "crossing_truth_rate": float(x["truth_rate"].mean()) if len(x) else np.nan,
                    "crossing_max_abs_z": float(x["z"].abs().max()) if len(x) else np.nan,
                    "heldout_points": len(h),
                    "heldout_coverage_50": float(h["coverage_50"].mean()) if len(h) else np.nan,
                    "heldout_coverage_90": float(h["coverage_90"].mean()) if len(h) else np.nan,
                    "heldout_mean_crps": float(h["mean_crps"].mean()) if len(h) else np.nan,
                    "sims_with_divergences": float(np.mean(f["divergences"] > 0)),
                    "fits_rhat_over_1.01": float(np.mean(f["max_rhat"] > MAX_RHAT)),
                    "median_min_ess": float(f["min_ess"].median()),
                }
            ]
        )

    def plot_ecdf(self, alpha: float = ALPHA, ncols: int = 5) -> Figure:
        """ECDF differences of every ranked quantity with their simultaneous bands
        (:func:`energytrend.studies.calibration_ecdf.plot_ecdf_differences`)."""
        r = self._ranked()
        ranks = {k: g["rank"].to_numpy() for k, g in r.groupby("parameter", sort=False)}
        title = (
            f"SBC, {self.domain}: ECDF of ranks minus uniform, {self.n_sims} simulations, "
            f"{self.n_rank_draws} draws; grey: simultaneous {1 - alpha:.0%} band"
        )
        return plot_ecdf_differences(ranks, self.n_rank_draws + 1, title, alpha, ncols)

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


def _distinct(truths: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Drop quantities identical to an earlier one in every simulation (in model v2 both
    groups of a domain share the slope and the scatter): each is ranked once."""
    out: dict[str, np.ndarray] = {}
    for k, v in truths.items():
        if not any(np.array_equal(v, w) for w in out.values()):
            out[k] = v
    return out


def simulate_calibration(
    domain: FitDomain = "cv",
    *,
    data: str = DEFAULT_DATA,
    n_sims: int = 200,
    priors: Mapping[str, Any] | None = None,
    pooling: Pooling | None = None,
    draws: int = 400,
    tune: int = 400,
    chains: int = 4,
    target_accept: float = 0.99,
    n_rank_draws: int = 99,
    seed: int = 2021,
    only: Sequence[int] | None = None,
    client: Any | None = None,
    workers: int | None = None,
) -> Calibration:
    """Run SBC of the model of ``domain`` at the dates and sizes of dataset ``data``.

    ``pooling`` defaults as in :func:`energytrend.fit` (``"none"`` for model v2,
    ``"partial"`` for v1). Each fit samples ``chains`` chains of ``draws`` draws on one core;
    ``n_rank_draws`` evenly spaced draws are kept for the ranks (thinning removes most
    autocorrelation), all draws for the intervals and the crossing probabilities. Parallel
    over local processes by default, or over a Dask ``client``'s cluster. ``only`` runs just
    these simulations of the ``n_sims`` (the same prior draws and seeds as in the full run),
    to reproduce or inspect a few of them.

    A frontier drawn by quantile regression (``[structure] frontier = "regression"``) is a
    working likelihood, not a model of how the data arise: simulated data come from the
    typical model's distribution, so its parameters cannot be calibrated against their prior
    draws. The simulations then use the typical model's quantile for the frontier
    (``"scatter"``, recorded in the settings); every other parameter has the same posterior
    in both, since the quantile regression's parameters are its own. The quantile-regression
    frontier is checked out of sample instead (the backtest's pinball loss and share above).
    """
    if n_sims < 1:
        raise ValueError(f"n_sims must be >= 1, got {n_sims}")
    indices = range(n_sims) if only is None else sorted(set(only))
    if not all(0 <= i < n_sims for i in indices):
        raise ValueError(f"only must list simulations between 0 and {n_sims - 1}")
    if n_rank_draws >= draws * chains:
        raise ValueError("n_rank_draws must be smaller than draws x chains")
    spec = merge_spec(resolve_spec(priors), {"structure": {"frontier": "scatter"}})
    if pooling is None:
        pooling = "partial" if spec["structure"]["kind"] == "two_lines" else "none"
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
    prior_ds = prior["prior"].to_dataset()
    truths = _distinct({**flatten(prior_ds), **forecast_quantities(Draws(prior_ds), base, spec)})
    held = heldout.truths(prior_ds, base, spec, seed)
    predictive = prior["prior_predictive"].to_dataset()
    simulated = {
        field: predictive[name].to_numpy().reshape(n_sims, -1)
        for name, field in SIMULATED.items()
        if name in predictive.data_vars
    }
    tasks = [
        SBCTask(
            index=i,
            data=replace(base, **{field: y[i] for field, y in simulated.items()}),
            truth={**{k: float(v[i]) for k, v in truths.items()}, **held[i]},
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
    results = run_tasks(_one_simulation, tasks, client=client, workers=workers)
    rows = [row for sim_rows, _ in results for row in sim_rows]
    failed = [(t.index, err) for t, (_, err) in zip(tasks, results, strict=True) if err]
    settings = {
        "data": data,
        "n_sims": n_sims,
        "pooling": pooling,
        "draws": draws,
        "tune": tune,
        "chains": chains,
        "target_accept": target_accept,
        "seed": seed,
        "likelihood": spec["likelihood"]["family"],
        "structure": spec["structure"]["kind"],
        "frontier": spec["structure"]["frontier"],
        "efficiency": spec["efficiency"]["kind"],
        "simulated": sorted(k for k in SIMULATED if k in predictive.data_vars),
        "failed_sims": [i for i, _ in failed],
        "failures": [e for _, e in failed],
    }
    return Calibration(
        ranks=pd.DataFrame(rows), domain=domain, n_rank_draws=n_rank_draws, settings=settings
    )
