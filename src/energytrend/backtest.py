"""Backtests of the forecasts: fit on the data up to a cut-off, score the later data.

For each cut-off year and model variant, the model is fitted to the models released and the
GPUs launched before the cut-off (nothing later is seen: frontier flags of the thesis rule
are a column of the data; other rules and the efficiency adaptation use all the data), and every
later model and GPU is compared with the 50% and 90% central *predictive* bands for a new
point of its group at its date. Bands that contain the later points about 50% and 90% of the
time are calibrated out of sample; fewer means the forecasts are over-confident.

Metrics scored: ``gflops`` (each later model's GFLOPs, on its group's compute line),
``gflops_per_watt`` (each later GPU point, on its domain's efficiency line) and ``joules``
(each later model's energy per forward pass: its GFLOPs divided by the efficiency trend at
its date; as energy is not measured, the "realised" value uses the efficiency trend of the
fit to all the data, while the forecast uses the trend extrapolated from before the cut-off).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energytrend.data import decimal_year
from energytrend.datasets import DEFAULT_DATA
from energytrend.design import FitDomain, before, prepare
from energytrend.result import TrendFit
from energytrend.spec import resolve_spec
from energytrend.sweep import run_tasks

#: Model variants compared by default: constant normal scatter, a heavier-tailed likelihood,
#: and a normal scatter that widens (or narrows) with time.
DEFAULT_VARIANTS: dict[str, dict[str, Any]] = {
    "normal": {"likelihood": {"family": "normal", "scatter": "constant"}},
    "student_t": {"likelihood": {"family": "student_t", "scatter": "constant"}},
    "widening": {"likelihood": {"family": "normal", "scatter": "widening"}},
}
DEFAULT_CUTOFFS: dict[str, tuple[float, ...]] = {
    "cv": (2016.0, 2017.0, 2018.0, 2019.0, 2020.0),
    "nlp": (2020.0,),
}
METRICS = ("gflops", "gflops_per_watt", "joules")
MIN_TRAINING_POINTS = 3


@dataclass(frozen=True)
class BacktestTask:
    """Fit ``domain`` to the data before ``cutoff`` under the prior overrides ``priors``."""

    domain: FitDomain
    data: str
    cutoff: float
    variant: str
    priors: dict[str, Any]
    rule: str
    draws: int
    tune: int
    chains: int
    seed: int


def _scores(
    later: pd.DataFrame, draws: np.ndarray, observed: np.ndarray, cutoff: float
) -> pd.DataFrame:
    q = np.quantile(draws, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    out = later.copy()
    out["observed"] = observed
    out["median"] = q[2]
    out["lower_90"], out["lower_50"], out["upper_50"], out["upper_90"] = q[0], q[1], q[3], q[4]
    out["covered_50"] = (observed >= q[1]) & (observed <= q[3])
    out["covered_90"] = (observed >= q[0]) & (observed <= q[4])
    out["pit"] = np.mean(draws < observed, axis=0)
    out["horizon"] = out["year"] - cutoff
    return out


def _one_cutoff(task: BacktestTask) -> pd.DataFrame:
    from energytrend.fit import FitConfig, fit_prepared

    cutoff = task.cutoff
    spec = resolve_spec(task.priors)
    config = FitConfig(
        domain=task.domain,
        data=task.data,
        rule=(("cv", task.rule), ("nlp", task.rule)),
        draws=task.draws,
        tune=task.tune,
        chains=task.chains,
        seed=task.seed,
        spec=spec,
    )
    full = prepare(task.domain, data=task.data, rule=task.rule, year_origin=config.year_origin)
    result = fit_prepared(before(full, cutoff), config, progressbar=False)
    # the efficiency trend of all the data, for the "realised" energy of later models
    everything = fit_prepared(full, config, progressbar=False)
    origin = config.year_origin
    rng = np.random.default_rng(task.seed + 7)
    rows = []
    models = full.models.assign(year=decimal_year(full.models["release_date"]))
    later = models[models["year"] >= cutoff].reset_index(drop=True)
    if len(later):
        group = np.array([result.groups.index(g) for g in later["line"]])
        series = np.array([result.series.index(d) for d in later["domain"]])
        t = later["year"].to_numpy() - origin
        compute = result.predictive_draws("compute", group, t, rng)
        y = np.log10(later["compute"].to_numpy(dtype=float))
        cols = later[["domain", "group", "label", "year"]]
        rows.append(_scores(cols.assign(metric="gflops"), compute, y, cutoff))
        eff_then = _efficiency_line(result, series, t)
        eff_all = np.median(_efficiency_line(everything, series, t), axis=0)
        rows.append(_scores(cols.assign(metric="joules"), compute - eff_then, y - eff_all, cutoff))
    gpus = full.gpus[full.gpus["year"] >= cutoff].reset_index(drop=True)
    if len(gpus):
        series = np.array([result.series.index(d) for d in gpus["domain"]])
        t = gpus["year"].to_numpy(dtype=float) - origin
        draws = result.predictive_draws("efficiency", series, t, rng)
        y = np.log10(gpus["gflops_per_watt"].to_numpy(dtype=float))
        cols = gpus[["domain", "label", "year"]].assign(group="hardware", metric="gflops_per_watt")
        rows.append(_scores(cols, draws, y, cutoff))
    out = pd.concat(rows, ignore_index=True)
    return out.assign(
        cutoff=cutoff,
        variant=task.variant,
        passed=result.passed,
        n_train=len(result.models),
    )


def _efficiency_line(result: TrendFit, series: np.ndarray, t: np.ndarray) -> np.ndarray:
    a = result.draws("eff_intercept").to_numpy()[:, series]
    b = result.draws("eff_slope").to_numpy()[:, series]
    out: np.ndarray = a + b * t
    return out


def _usable(domain: FitDomain, cutoff: float, rule: str, data: str) -> bool:
    """Does every group have enough models before ``cutoff``, and is anything later?"""
    full = prepare(domain, data=data, rule=rule)
    years = decimal_year(full.models["release_date"])
    before = full.models[years < cutoff].groupby("line").size()
    return (
        len(before) == len(full.arrays.groups)
        and bool((before >= MIN_TRAINING_POINTS).all())
        and bool((years >= cutoff).any())
    )


@dataclass(frozen=True)
class Backtest:
    """Every later point scored against the predictive bands of a fit before its cut-off.

    ``points`` columns: variant, cutoff, metric, domain, group, label, year, horizon (years
    after the cut-off), observed, median, lower_90, lower_50, upper_50, upper_90 (log10
    units), covered_50, covered_90, pit (share of predictive draws below the observation),
    passed (the training fit passed its diagnostics), n_train.
    """

    points: pd.DataFrame

    def coverage(
        self, by: Sequence[str] = ("variant", "metric", "domain", "group")
    ) -> pd.DataFrame:
        """Share of later points inside the 50% and 90% bands, grouped by ``by``; also the
        number of points and cut-offs and the mean PIT (0.5 when the bands are centred,
        above when the later data run above the forecasts)."""
        g = self.points.groupby(list(by), sort=False)
        out = g.agg(
            n=("observed", "size"),
            cutoffs=("cutoff", "nunique"),
            coverage_50=("covered_50", "mean"),
            coverage_90=("covered_90", "mean"),
            mean_pit=("pit", "mean"),
        )
        return out.reset_index()

    def plot(self) -> Figure:
        """Left: 90% (dark) and 50% (light) coverage per metric, group and variant, with the
        nominal levels dashed. Right: histogram of the PIT values per variant (flat when
        calibrated; piled at the ends when the bands are too narrow)."""
        cov = self.coverage()
        variants = list(dict.fromkeys(cov["variant"]))
        lines = list(dict.fromkeys(zip(cov["metric"], cov["domain"], cov["group"], strict=True)))
        fig = Figure(figsize=(11, 0.45 * len(lines) + 2.2), layout="constrained")
        ax, ax_pit = fig.subplots(1, 2, width_ratios=[2, 1])
        height = 0.8 / len(variants)
        colours = ["#2c7fb8", "#d95f0e", "#238b45", "#756bb1"]
        for k, v in enumerate(variants):
            c = cov[cov["variant"] == v].set_index(["metric", "domain", "group"])
            y = np.arange(len(lines))[::-1] + (k - (len(variants) - 1) / 2) * height
            vals = [c.loc[line] if line in c.index else None for line in lines]
            c90 = [np.nan if r is None else r["coverage_90"] for r in vals]
            c50 = [np.nan if r is None else r["coverage_50"] for r in vals]
            colour = colours[k % len(colours)]
            ax.barh(y, c90, height=height, color=colour, label=f"{v}: 90% band")
            ax.barh(y, c50, height=height * 0.5, color="white", alpha=0.6)
            pit = self.points.loc[self.points["variant"] == v, "pit"]
            ax_pit.hist(pit, bins=10, range=(0, 1), histtype="step", lw=2, color=colour, label=v)
        ax.axvline(0.9, color="k", ls="--", lw=1)
        ax.axvline(0.5, color="k", ls=":", lw=1)
        n = cov.groupby(["metric", "domain", "group"], sort=False)["n"].first()
        labels = [f"{' '.join(line)} (n={n[line]})" for line in lines]
        ax.set_yticks(np.arange(len(lines))[::-1], labels, fontsize=8)
        ax.set(xlim=(0, 1), xlabel="share of later points inside the band (light: 50% band)")
        ax.set_title("Out-of-sample coverage of the predictive bands")
        ax.legend(fontsize=8, loc="lower right")
        ax_pit.set(xlabel="PIT of later points", ylabel="points", title="PIT (flat = calibrated)")
        ax_pit.legend(fontsize=8)
        return fig


def backtest(
    domains: Sequence[FitDomain] = ("cv", "nlp"),
    *,
    data: str = DEFAULT_DATA,
    cutoffs: Mapping[str, Sequence[float]] | None = None,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    rule: str = "thesis",
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 2021,
    client: Any | None = None,
    workers: int | None = None,
) -> Backtest:
    """Backtest every domain at every usable cut-off under every model variant.

    Args:
        domains: ``"cv"`` and/or ``"nlp"`` (each fitted on its own).
        data: the named dataset (see :func:`energytrend.datasets`).
        cutoffs: per domain, the cut-off years (default :data:`DEFAULT_CUTOFFS`). Cut-offs
            that leave a group fewer than 3 models, or nothing to score, are skipped.
        variants: name -> prior overrides (default :data:`DEFAULT_VARIANTS`).
        rule, draws, tune, chains, seed: as for :func:`energytrend.fit`.
        client, workers: see :func:`energytrend.sweep.run_tasks`.
    """
    cutoffs = dict(DEFAULT_CUTOFFS if cutoffs is None else cutoffs)
    variants = DEFAULT_VARIANTS if variants is None else variants
    for overrides in variants.values():
        resolve_spec(overrides)  # fail early on a bad override
    tasks = [
        BacktestTask(domain, data, float(c), name, dict(overrides), rule, draws, tune, chains, seed)
        for domain in domains
        for c in cutoffs.get(domain, ())
        if _usable(domain, float(c), rule, data)
        for name, overrides in variants.items()
    ]
    if not tasks:
        raise ValueError("no usable cut-off: every one leaves a group too few models")
    frames = run_tasks(_one_cutoff, tasks, client=client, workers=workers)
    return Backtest(points=pd.concat(frames, ignore_index=True))
