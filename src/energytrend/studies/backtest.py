"""Rolling-origin backtest of the forecasts (protocol v2 of the model review).

At each origin, every model is fitted to (or, for the baselines, computed from) the data
released before it (:func:`energytrend.model.design.before`), and every later point up to
:data:`~energytrend.studies.backtest_scores.HORIZON` years ahead is scored against the forecast's
predictive distribution for a new point of its series at its date:

* compute: ``cv/all``, ``nlp/all`` and ``llm/all`` (every later model against the
  typical-model predictive; language models per token, from the late origins only);
  ``<domain>/frontier`` for v1 and the baselines (the thesis-flagged frontier models against
  the frontier line); for v2, whose frontier is the ``frontier_quantile``
  quantile of the all-model distribution, a *quantile check*: the share of later models
  above the frontier line, which should be ``1 - frontier_quantile``;
* efficiency: the later chips of each precision series (``fp32``, ``fp16``, ``int8``), with
  their server flag; v1's efficiency line is FP32-based, so it forecasts ``fp32`` only;
* energy, only where it is measured: MLPerf Inference power runs (from 2021) of every
  benchmark with a cited FLOP count per sample (the vision benchmarks of
  ``data/curation/mlperf_benchmarks.csv`` and the LLM benchmarks of
  ``mlperf_llm_benchmarks.csv``, per token times tokens per sample; runs at a precision
  without an efficiency series, FP4, are left out), as ``log10 GFLOPs/sample - log10
  GFLOPS/W`` of a new server chip of the run's precision at its date (``energy/peak``, the
  thesis's peak-based estimate: a lower bound), plus the MLPerf realisation factor and its
  scatter (``energy/calibrated``). At the 2021 origin no run had been measured, so v2's
  realisation factor is its prior there, and the baselines have none.

Models: ``v2`` (the shipped specification), ``v1`` (:data:`energytrend.model.spec.V1_PRIORS`)
and the fair baselines of :mod:`energytrend.studies.baselines`, each fitted per series to
what the model sees before the origin: ``ols`` (least squares of log10 on the year,
Student-t prediction interval; for calibrated energy the OLS efficiency line times the OLS
realisation factor of the earlier MLPerf runs the model sees; its ``energy/peak`` rows are
the thesis's reference only), ``random_walk`` (random walk with drift on the yearly medians,
with its parameters' uncertainty; for calibrated energy times the same realisation factor)
and ``top_decile`` (a frontier line through each year's top-decile models, scored by the
quantile check as v2's frontier). A series is forecast at an origin only when it has at
least 3 earlier points. Origins before 2021 form the *early* set (used for model choice),
those from 2021 on (compute 2021 and 2023, energy 2021 to 2024) the *late* (confirmatory)
set. Each (point, origin) row weighs 1 / (origins of its set scoring that point), so each
distinct point counts once per set; the Wilson intervals use the distinct points as the
sample size.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from energytrend.data.datasets import DEFAULT_DATA, tables_of
from energytrend.data.llm_realisation import llm_realisation_table
from energytrend.data.precision import BENCHMARK_PEAK, PRECISIONS
from energytrend.forecast.trend import compute_mean, efficiency_at
from energytrend.inference.config import FitConfig
from energytrend.inference.fit import fit_prepared
from energytrend.inference.result import TrendFit
from energytrend.model.design import FitDomain, before, prepare, resolve_per_token
from energytrend.model.design_efficiency import realisation_points
from energytrend.model.spec import V1_PRIORS, resolve_spec
from energytrend.studies.backtest_scores import (
    DEFAULT_MODEL,
    LATE_FROM,
    MIN_EARLIER,
    add_weights,
    baseline,
    bayes_scored,
    check_targets,
    coverage_table,
    energy_forecast,
    gpu_counts,
    later_mask,
    plot_coverage,
    quantile_scored,
    scored,
    set_of,
    shifted,
)
from energytrend.studies.baselines import (
    calibrated_energy,
    realisation_predictive,
    top_decile_line,
)
from energytrend.studies.freeze import check_frozen, log_scoring, scores_of
from energytrend.studies.sweep import run_tasks

#: Prior overrides of the Bayesian models compared (v2 is the shipped specification).
BAYES_MODELS: dict[str, dict[str, Any]] = {"v2": {}, "v1": V1_PRIORS}
MODELS = ("v2", "v1", "ols", "random_walk", "top_decile")
#: The baselines: computed from the data alone at each origin (no Bayesian fit).
BASELINE_MODELS = tuple(m for m in MODELS if m not in BAYES_MODELS)
#: Origins per target: compute of each domain, the accelerators (forecast by the CV fits),
#: and the MLPerf energy (measured from 2021 on, so late origins only: 2022 and 2024 score
#: the runs after the first rounds and after nearly all of them, issue 22, item 5).
DEFAULT_ORIGINS: dict[str, tuple[float, ...]] = {
    "cv": (2016.0, 2017.0, 2018.0, 2019.0, 2020.0, 2021.0, 2023.0),
    "accelerators": (2014.0, 2015.0, 2016.0, 2017.0, 2018.0, 2019.0, 2020.0, 2021.0, 2023.0),
    "nlp": (2019.0, 2020.0),
    # language models (per token) start in 2018: late origins only, a check, not a choice
    "llm": (2021.0, 2023.0),
    "energy": (2021.0, 2022.0, 2023.0, 2024.0),
}
RULE = "thesis"


@dataclass(frozen=True)
class Targets:
    """The later points to score: a domain's models, the precision chips, the MLPerf runs,
    each with ``point_id``, ``label``, ``year`` and ``y`` (log10). The runs also hold
    ``gflops`` (log10 GFLOPs per sample), ``series`` (the efficiency series of their
    precision), ``realisation`` (log10 realisation factor) and ``seen`` (whether a CV or NLP
    fit sees the run in its realisation likelihood: the vision benchmarks)."""

    models: pd.DataFrame
    chips: pd.DataFrame
    runs: pd.DataFrame


@cache
def targets(domain: str, data: str) -> Targets:
    """The observed points every model is scored on, from the shipped (v2) layout."""
    p = prepare(domain, data=data, rule=RULE)  # type: ignore[arg-type]
    m = p.models.reset_index(drop=True)
    models = pd.DataFrame(
        {
            "point_id": m["domain"] + ":" + m["label"],
            "label": m["label"],
            "year": m["year"].to_numpy(dtype=float),
            "y": np.log10(m["compute"].to_numpy(dtype=float)),
            "frontier": m["frontier"].to_numpy(dtype=bool),
        }
    )
    g = p.gpus.reset_index(drop=True)
    chips = pd.DataFrame(
        {
            "point_id": g["domain"] + ":" + g["label"] + "#" + g.index.astype(str),
            "label": g["label"],
            "year": g["year"].to_numpy(dtype=float),
            "y": np.log10(g["gflops_per_watt"].to_numpy(dtype=float)),
            "series": g["domain"],
            "server": g["server"].to_numpy(dtype=float),
        }
    )
    return Targets(models, chips, energy_runs(data))


def _runs(r: pd.DataFrame, prefix: str, gflops: pd.Series, seen: bool) -> pd.DataFrame:
    r = r.reset_index(drop=True)
    return pd.DataFrame(
        {
            "point_id": prefix + r.index.astype(str),
            "label": (r["hardware_name"] + " " + r["benchmark"]) if len(r) else [],
            "year": r["year"].to_numpy(dtype=float),
            "y": np.log10(r["measured_j_per_sample"].to_numpy(dtype=float)) if len(r) else [],
            "gflops": np.log10(gflops.to_numpy(dtype=float)) if len(r) else [],
            "series": r["precision"].map(BENCHMARK_PEAK) if len(r) else [],
            "realisation": r["log10_realisation"].to_numpy(dtype=float) if len(r) else [],
            "seen": seen,
        }
    )


def energy_runs(data: str) -> pd.DataFrame:
    """The MLPerf power runs scored for energy: the vision benchmarks
    (:func:`~energytrend.model.design_efficiency.realisation_points`, ``mlperf#i``) and the
    LLM benchmarks (:func:`~energytrend.data.llm_realisation.llm_realisation_table`,
    ``mlperf-llm#i``; GFLOPs per sample = tokens per sample x GFLOPs per token), as
    :class:`Targets`' ``runs``. Runs whose precision has no efficiency series (FP4) have a
    missing ``series`` and are not forecast. Empty for a dataset without MLPerf runs."""
    vision = realisation_points(data)
    frames = [_runs(vision, "mlperf#", vision.get("gflops_per_sample", pd.Series()), True)]
    if data != "thesis" and "mlperf_power" in tables_of(data):
        llm = llm_realisation_table(data)
        tokens = llm["input_tokens"] + llm["output_tokens"]
        frames.append(_runs(llm, "mlperf-llm#", tokens * llm["gflops_per_token"], False))
    frames = [f for f in frames if len(f)]
    if not frames:
        return _runs(vision, "mlperf#", pd.Series(dtype=float), True)
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class BacktestTask:
    """Fit ``model`` to ``domain``'s data before ``origin`` and score what it forecasts."""

    model: str
    domain: FitDomain
    origin: float
    data: str
    compute: bool
    efficiency: bool
    energy: bool
    draws: int
    tune: int
    chains: int
    seed: int
    #: v2's prior overrides as JSON ("{}": the shipped specification)
    priors: str = "{}"


def task_spec(task: BacktestTask) -> dict[str, Any]:
    """The specification ``task`` fits: its model's, or for v2 the candidate's overrides."""
    own = json.loads(task.priors) if task.model == DEFAULT_MODEL else {}
    return resolve_spec(own or BAYES_MODELS[task.model])


def _fit(task: BacktestTask) -> TrendFit:
    spec = task_spec(task)
    config = FitConfig(
        domain=task.domain,
        data=task.data,
        rule=(("cv", RULE), ("nlp", RULE)),
        per_token=resolve_per_token(None, task.data, task.domain),
        pooling="partial",
        draws=task.draws,
        tune=task.tune,
        chains=task.chains,
        seed=task.seed,
        spec=spec,
        progressbar=False,
    )
    full = prepare(
        task.domain, data=task.data, rule=RULE, year_origin=config.year_origin, spec=spec
    )
    return fit_prepared(before(full, task.origin), config)


def _earlier(df: pd.DataFrame, origin: float) -> pd.DataFrame:
    return df[df["year"] < origin]


def _later(df: pd.DataFrame, origin: float) -> pd.DataFrame:
    return df[later_mask(df["year"].to_numpy(), origin)]


def _compute_rows(
    result: TrendFit, task: BacktestTask, tg: Targets, rng: np.random.Generator
) -> list[pd.DataFrame]:
    d, o = task.domain, task.origin
    t0 = float(result.idata.attrs["year_origin"])
    kw: dict[str, Any] = {"model": task.model, "origin": o, "passed": result.passed}
    later = _later(tg.models, o)
    rows = []
    lines = [(f"{d}/all", later)]
    if task.model != DEFAULT_MODEL and _earlier(tg.models, o)["frontier"].sum() >= MIN_EARLIER:
        lines.append((f"{d}/frontier", later[later["frontier"]]))
    for series, pts in lines:
        if len(pts) == 0:
            continue
        idx = np.full(len(pts), result.groups.index(series))
        t = pts["year"].to_numpy() - t0
        mu = compute_mean(result, idx, t)
        sd = result.parts.compute.scale(result.posterior_draws, idx, t)
        y = pts["y"].to_numpy()
        rows.append(bayes_scored(pts, mu, sd, y, rng, series=series, kind="compute", **kw))
    if task.model == DEFAULT_MODEL and len(later):
        # quantile check: the share of later models above the frontier quantile line
        idx = np.full(len(later), result.groups.index(f"{d}/frontier"))
        line = np.median(compute_mean(result, idx, later["year"].to_numpy() - t0), axis=0)
        y = later["y"].to_numpy()
        rows.append(quantile_scored(later, line, y, series=f"{d}/frontier", **kw))
    return rows


def _efficiency_rows(
    result: TrendFit, task: BacktestTask, tg: Targets, rng: np.random.Generator
) -> list[pd.DataFrame]:
    o = task.origin
    t0 = float(result.idata.attrs["year_origin"])
    kw: dict[str, Any] = {"model": task.model, "origin": o, "passed": result.passed}
    precision_model = result.parts.efficiency.kind == "precision"
    rows = []
    for series in PRECISIONS if precision_model else ("fp32",):
        chips = tg.chips[tg.chips["series"] == series]
        later = _later(chips, o)
        if len(_earlier(chips, o)) < MIN_EARLIER or len(later) == 0:
            continue
        # v1's efficiency line is its domain's adapted FP32 series
        k = result.series.index(series if precision_model else task.domain)
        idx = np.full(len(later), k)
        t = later["year"].to_numpy() - t0
        mu = efficiency_at(result, idx, t, server=later["server"].to_numpy())
        sd = result.parts.efficiency.scale(result.posterior_draws, idx, t)
        y = later["y"].to_numpy()
        rows.append(bayes_scored(later, mu, sd, y, rng, series=series, kind="efficiency", **kw))
    return rows


def _realisation(result: TrendFit, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per-draw realisation factor and scatter: the posterior, or the prior when no MLPerf
    run was measured before the origin."""
    draws, realisation = result.posterior_draws, result.parts.realisation
    if realisation is not None:
        return realisation.factor(draws), realisation.spread(draws)
    n = draws.n
    prior = result.config.spec["realisation"]
    m, s = prior["mu"]["mu"], prior["mu"]["sigma"]
    # truncated below at the physical bound when the specification has one
    lower = (float(prior["mu"]["lower"]) - m) / s if "lower" in prior["mu"] else -np.inf
    mu = stats.truncnorm.rvs(lower, np.inf, loc=m, scale=s, size=n, random_state=rng)
    return mu, np.abs(rng.normal(0.0, prior["sigma"]["sigma"], n))


def _energy_rows(
    result: TrendFit, task: BacktestTask, tg: Targets, rng: np.random.Generator
) -> list[pd.DataFrame]:
    o = task.origin
    t0 = float(result.idata.attrs["year_origin"])
    kw: dict[str, Any] = {"model": task.model, "origin": o, "passed": result.passed}
    runs = _later(tg.runs, o)
    runs = runs[runs["series"].isin(result.series)]
    if len(runs) == 0:
        return []
    idx = np.array([result.series.index(s) for s in runs["series"]])
    t = runs["year"].to_numpy() - t0
    eff_mu = efficiency_at(result, idx, t, server=1.0)
    eff_sd = result.parts.efficiency.scale(result.posterior_draws, idx, t)
    g, y = runs["gflops"].to_numpy(), runs["y"].to_numpy()
    real, real_sd = _realisation(result, rng)
    out = []
    for series, calib in (("energy/peak", False), ("energy/calibrated", True)):
        mu, sd = energy_forecast(g, eff_mu, eff_sd, *((real, real_sd) if calib else ()))
        out.append(bayes_scored(runs, mu, sd, y, rng, series=series, kind="energy", **kw))
    return out


def _fit_and_score(task: BacktestTask) -> pd.DataFrame:
    result = _fit(task)
    tg = targets(task.domain, task.data)
    rng = np.random.default_rng([task.seed, round(task.origin * 100), MODELS.index(task.model)])
    rows = []
    if task.compute:
        rows += _compute_rows(result, task, tg, rng)
    if task.efficiency:
        rows += _efficiency_rows(result, task, tg, rng)
    if task.energy and task.model == DEFAULT_MODEL:
        rows += _energy_rows(result, task, tg, rng)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def _baseline_rows(
    name: str,
    domain: str,
    origin: float,
    flags: tuple[bool, bool, bool],
    data: str,
    n_draws: int,
    seed: int,
) -> list[pd.DataFrame]:
    """The baseline ``name`` fitted per series on the series' earlier points (see the
    module doc); ``flags`` say whether compute, efficiency and energy are scored."""
    tg = targets(domain, data)
    rng = np.random.default_rng([seed, round(origin * 100), MODELS.index(name)])
    kw: dict[str, Any] = {"model": name, "origin": origin}
    if name == "top_decile":
        return _top_decile_rows(tg, domain, origin) if flags[0] else []
    todo: list[tuple[str, str, pd.DataFrame]] = []
    if flags[0]:
        todo += [(f"{domain}/all", "compute", tg.models)]
        todo += [(f"{domain}/frontier", "compute", tg.models[tg.models["frontier"]])]
    if flags[1]:
        todo += [(s, "efficiency", tg.chips[tg.chips["series"] == s]) for s in PRECISIONS]
    rows = []
    for series, kind, pts in todo:
        early, later = _earlier(pts, origin), _later(pts, origin)
        p = baseline(name, early["year"], early["y"], later["year"], n_draws, rng)
        if p is not None and len(later):
            y = later["y"].to_numpy()
            rows.append(scored(later, p.draws, y, p.logpdf(y), series=series, kind=kind, **kw))
    if flags[2]:
        rows += _energy_baseline_rows(name, tg, origin, n_draws, rng)
    return rows


def _energy_baseline_rows(
    name: str, tg: Targets, origin: float, n_draws: int, rng: np.random.Generator
) -> list[pd.DataFrame]:
    """Per efficiency series of the later MLPerf runs: ``energy/calibrated`` (the baseline's
    efficiency line times the realisation factor of the runs the model sees before
    ``origin``; none before any run was measured) and, for the OLS, ``energy/peak`` (the
    thesis's peak-based reference)."""
    kw: dict[str, Any] = {"model": name, "origin": origin, "kind": "energy"}
    runs = _later(tg.runs, origin)
    runs = runs[runs["series"].notna()]
    seen = _earlier(tg.runs[tg.runs["seen"]], origin)["realisation"].to_numpy()
    rows = []
    for s, grp in runs.groupby("series", sort=True):
        chips = _earlier(tg.chips[tg.chips["series"] == s], origin)
        eff = baseline(name, chips["year"], chips["y"], grp["year"], n_draws, rng)
        if eff is None:
            continue
        g, y = grp["gflops"].to_numpy(), grp["y"].to_numpy()
        if name == "ols":
            e = shifted(eff, g)
            rows.append(scored(grp, e.draws, y, e.logpdf(y), series="energy/peak", **kw))
        if len(seen) >= MIN_EARLIER:
            real = realisation_predictive(seen, len(grp), n_draws, rng)
            c = calibrated_energy(g, eff, real)
            rows.append(scored(grp, c.draws, y, c.logpdf(y), series="energy/calibrated", **kw))
    return rows


def _top_decile_rows(tg: Targets, domain: str, origin: float) -> list[pd.DataFrame]:
    """The frontier line through each earlier year's top-decile models, checked against
    every later model as v2's frontier quantile line is."""
    early, later = _earlier(tg.models, origin), _later(tg.models, origin)
    if len(later) == 0:
        return []
    try:
        line = top_decile_line(early["year"], early["y"], later["year"])
    except ValueError:
        return []
    y = later["y"].to_numpy()
    return [quantile_scored(later, line, y, model="top_decile", origin=origin,
                            series=f"{domain}/frontier")]  # fmt: skip


def _usable(domain: str, origin: float, data: str) -> bool:
    """At least 3 models before ``origin`` and some within the horizon after it."""
    m = targets(domain, data).models
    return len(_earlier(m, origin)) >= MIN_EARLIER and bool(
        later_mask(m["year"].to_numpy(), origin).any()
    )


@dataclass(frozen=True)
class Backtest:
    """Every scored (point, origin) row: columns of
    :data:`energytrend.studies.backtest_scores.POINT_COLUMNS` plus ``weight``. ``notes`` say
    what was skipped and why."""

    points: pd.DataFrame
    notes: tuple[str, ...] = field(default=())

    def coverage(self) -> pd.DataFrame:
        """Per model, set, series and horizon bucket (and ``"all"``): coverage with Wilson
        intervals, mean PIT, CRPS, log score, 90% width; the frontier quantile check."""
        return coverage_table(self.points)

    def targets(self, min_points: int = 10) -> pd.DataFrame:
        """The issue's targets on the shipped model's rows (see
        :func:`energytrend.studies.backtest_scores.check_targets`)."""
        return check_targets(self.coverage(), points=self.points, min_points=min_points)

    def gpu_counts(self) -> pd.DataFrame:
        """NVIDIA chips of 2022-2025 inside the 90% band of the 2021-origin forecast."""
        return gpu_counts(self.points)

    def plot(self) -> Figure:
        """Per set: 90% (filled) and 50% (open) coverage with Wilson intervals, and CRPS,
        per series and model (bucket ``"all"``)."""
        return plot_coverage(self.coverage())


def backtest(
    domains: Sequence[FitDomain] = ("cv", "nlp", "llm"),
    *,
    models: Sequence[str] = MODELS,
    data: str = DEFAULT_DATA,
    origins: Mapping[str, Sequence[float]] | None = None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 2021,
    priors: Mapping[str, Any] | None = None,
    client: Any | None = None,
    workers: int | None = None,
) -> Backtest:
    """Rolling-origin backtest of ``models`` on ``domains`` (see the module doc).

    Args:
        domains: ``"cv"`` (CV compute, and through its fits the accelerators and MLPerf
            energy), ``"nlp"`` (NLP compute per forward pass) and ``"llm"`` (language-model
            compute per token, late origins only; v2 and the baselines, as v1 has no such
            model; left out, with a note, for a dataset without the ``language_models`` table).
        models: any of :data:`MODELS`.
        data: the named dataset (see :func:`energytrend.data.datasets`).
        origins: per target (``"cv"``, ``"accelerators"``, ``"nlp"``, ``"llm"``,
            ``"energy"``), origin years before :data:`LATE_FROM`; default the early origins
            of :data:`DEFAULT_ORIGINS`. The late (confirmatory) origins are scored only by
            :func:`confirmatory_backtest`. Compute origins with fewer than 3 models
            before them, or nothing after, are skipped with a note (a frontier line with
            fewer than 3 earlier frontier models is not scored).
        draws, tune, chains, seed: sampler settings of the Bayesian fits (cached).
        priors: prior overrides of v2 (as for :func:`energytrend.fit`), to backtest a
            candidate specification; default the shipped one.
        client, workers: see :func:`energytrend.studies.sweep.run_tasks`.
    """
    orig = early_origins(origins)
    return _backtest(
        domains,
        models=models,
        data=data,
        origins=orig,
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
        priors=priors,
        client=client,
        workers=workers,
    )


def baseline_backtest(
    domains: Sequence[FitDomain] = ("cv", "nlp", "llm"),
    *,
    models: Sequence[str] = BASELINE_MODELS,
    data: str = DEFAULT_DATA,
    origins: Mapping[str, Sequence[float]] | None = None,
    n_draws: int = 4000,
    seed: int = 2021,
) -> Backtest:
    """The baselines alone (:data:`BASELINE_MODELS`) at the early origins, computed from the
    data without any Bayesian fit: the rows :func:`backtest` computes for them with
    ``draws * chains == n_draws`` and the same ``seed``. Late origins are refused, as by
    :func:`backtest` (they are scored by :func:`confirmatory_backtest` only).

    Examples:
        >>> b = baseline_backtest(("nlp",), models=("ols",))
        >>> sorted(set(b.points["series"])), sorted(set(b.points["origin"]))
        (['nlp/all', 'nlp/frontier'], [2019.0, 2020.0])
    """
    bad = sorted(set(models) - set(BASELINE_MODELS))
    if bad:
        raise ValueError(f"{bad} are not baselines; choose from {BASELINE_MODELS}")
    return _backtest(
        domains,
        models=models,
        data=data,
        origins=early_origins(origins),
        draws=n_draws,
        tune=0,
        chains=1,
        seed=seed,
        priors=None,
        client=None,
        workers=None,
    )


def early_origins(
    origins: Mapping[str, Sequence[float]] | None,
) -> dict[str, tuple[float, ...]]:
    """``origins`` (default: :data:`DEFAULT_ORIGINS`'s early ones), refused if any is late."""
    if origins is None:
        return {
            k: tuple(o for o in v if o < LATE_FROM)
            for k, v in DEFAULT_ORIGINS.items()
            if any(o < LATE_FROM for o in v)
        }
    late = sorted({float(o) for v in origins.values() for o in v if o >= LATE_FROM})
    if late:
        raise ValueError(
            f"origins {late} are confirmatory (from {LATE_FROM:g} on); score them with "
            "confirmatory_backtest(), which checks the frozen specification and logs the "
            "scoring ('energytrend backtest --confirmatory')"
        )
    return {k: tuple(float(o) for o in v) for k, v in origins.items()}


def _backtest(
    domains: Sequence[FitDomain],
    *,
    models: Sequence[str],
    data: str,
    origins: Mapping[str, Sequence[float]],
    draws: int,
    tune: int,
    chains: int,
    seed: int,
    priors: Mapping[str, Any] | None,
    client: Any | None,
    workers: int | None,
) -> Backtest:
    unknown = set(models) - set(MODELS)
    if unknown:
        raise ValueError(f"unknown models {sorted(unknown)}; choose from {MODELS}")
    orig = {k: tuple(float(o) for o in v) for k, v in origins.items()}
    notes: list[str] = []
    plan: list[tuple[FitDomain, float, tuple[bool, bool, bool]]] = []
    for d in domains:
        if d == "llm" and "language_models" not in tables_of(data):
            notes.append(f"llm left out: the {data!r} dataset has no language_models table")
            continue
        compute = set(orig.get(d, ()))
        eff = set(orig.get("accelerators", ())) if d == "cv" else set()
        energy = set(orig.get("energy", ())) if d == "cv" else set()
        for o in sorted(compute | eff | energy):
            flags = (o in compute and _usable(d, o, data), o in eff, o in energy)
            if o in compute and not flags[0]:
                notes.append(f"{d} compute at origin {o:g} skipped: fewer than {MIN_EARLIER} "
                             "models before it, or none after")  # fmt: skip
            if any(flags):
                plan.append((d, o, flags))
    tasks = [
        BacktestTask(m, d, o, data, *flags, draws, tune, chains, seed, json.dumps(priors or {}))
        for d, o, flags in plan
        for m in models
        if m in BAYES_MODELS
        and not (m == "v1" and d == "llm")
        # only v2 scores energy: no fit for a model with nothing else to score there
        and (m == DEFAULT_MODEL or flags[0] or flags[1])
    ]
    frames = run_tasks(_fit_and_score, tasks, client=client, workers=workers) if tasks else []
    n_draws = draws * chains
    for d, o, flags in plan:
        for m in models:
            if m not in BAYES_MODELS:
                frames += _baseline_rows(m, d, o, flags, data, n_draws, seed)
    frames = [f for f in frames if len(f)]
    if not frames:
        raise ValueError("nothing to score: no usable origin")
    points = pd.concat(frames, ignore_index=True)
    points["set"] = [set_of(o) for o in points["origin"]]
    return Backtest(points=add_weights(points), notes=tuple(notes))


def late_origins() -> dict[str, tuple[float, ...]]:
    """The confirmatory origins of :data:`DEFAULT_ORIGINS` (from :data:`LATE_FROM` on)."""
    return {
        k: tuple(o for o in v if o >= LATE_FROM)
        for k, v in DEFAULT_ORIGINS.items()
        if any(o >= LATE_FROM for o in v)
    }


def confirmatory_backtest(
    results: str | Path = "results",
    domains: Sequence[FitDomain] = ("cv", "llm"),
    *,
    models: Sequence[str] = MODELS,
    data: str = DEFAULT_DATA,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 2021,
    client: Any | None = None,
    workers: int | None = None,
) -> Backtest:
    """The backtest of the late (confirmatory) origins, with the frozen specification only:
    refused (:class:`~energytrend.studies.freeze.FreezeError`) unless today's hashes equal
    ``results/freeze.json``; the scoring is appended to ``results/holdout_log.csv``."""
    record = check_frozen(results)
    origins = late_origins()
    b = _backtest(
        domains,
        models=models,
        data=data,
        origins=origins,
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
        priors=record.get("priors") or None,
        client=client,
        workers=workers,
    )
    scores = scores_of(b.coverage())
    log_scoring(results, record, origins, scores)
    return b
