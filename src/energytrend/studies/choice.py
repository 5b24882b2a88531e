"""Model choices by proper scores on the early backtest origins only.

:func:`early_scores` backtests model v2 under a prior or structure override at the early
origins (before 2021; the late ones stay confirmatory) and returns its pooled scores per
series: CRPS, log score and band coverage of new typical models, and for the frontier the
pinball loss of its quantile line and the share of later models above it.
:func:`scale_choice` uses them to choose how a year's models scatter (a constant scale, or one
that changes with time so that the frontier can outgrow the typical model); the
extrapolation priors are chosen the same way (:mod:`energytrend.studies.extrapolation_choice`).
Each choice scores and fits its candidates through :func:`candidate_fits`, with the sampler
settings of :class:`Sampling`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypedDict, Unpack

import numpy as np
import pandas as pd

from energytrend.data.datasets import DEFAULT_DATA
from energytrend.inference.config import FitConfig
from energytrend.inference.fit import fit
from energytrend.inference.result import TrendFit
from energytrend.model.design import FitDomain
from energytrend.studies.backtest import backtest
from energytrend.studies.backtest_scores import LATE_FROM, coverage_table, pooled

#: Early origins of the compute backtest.
EARLY_ORIGINS: dict[str, tuple[float, ...]] = {
    "cv": (2016.0, 2017.0, 2018.0, 2019.0, 2020.0),
    "nlp": (2019.0, 2020.0),
    "accelerators": (),
    "energy": (),
}
#: Early origins of the efficiency backtest.
DEFAULT_ACCELERATOR_ORIGINS = (2014.0, 2015.0, 2016.0, 2017.0, 2018.0, 2019.0, 2020.0)
#: The efficiency series are scored through the CV fits: no CV compute origin here.
EFFICIENCY_ORIGINS: dict[str, tuple[float, ...]] = {
    "cv": (),
    "nlp": (),
    "accelerators": DEFAULT_ACCELERATOR_ORIGINS,
    "energy": (),
}

#: How the precisions' efficiency series share information: candidate -> prior override.
EFFICIENCY_POOLINGS: dict[str, dict[str, Any]] = {
    "none": {"efficiency": {"pooling": "none"}},
    "partial": {"efficiency": {"pooling": "partial"}},
}

#: How a year's models scatter around the typical line: candidate -> prior override.
#: (Scored with model v2's frontier, the typical model's quantile, whose scale it changes.)
SCALES: dict[str, dict[str, Any]] = {
    "constant": {"likelihood": {"scatter": "constant"}, "structure": {"frontier": "scatter"}},
    "changes with time": {
        "likelihood": {"scatter": "widening"},
        "structure": {"frontier": "scatter"},
    },
}


#: How the compute lines' growth may change within the data: candidate -> prior override.
#: Straight lines (v2); bends at every knot with a fixed scale, 0.1 log10/yr (a change of
#: growth by a factor 1.26 a year per knot at 1 sd); or with a scale learned from all domains
#: together, HalfNormal(0.2).
BENDS: dict[str, dict[str, Any]] = {
    "straight": {"compute": {"changepoints": {"scale": 0.0, "tau": "fixed"}}},
    "bends, fixed scale 0.1": {"compute": {"changepoints": {"scale": 0.1, "tau": "fixed"}}},
    "bends, learned scale": {"compute": {"changepoints": {"scale": 0.2, "tau": "shared"}}},
}


#: How the frontier line is drawn: candidate -> prior override. The typical model's
#: quantile (v2), or a quantile regression of its own.
FRONTIER_LINES: dict[str, dict[str, Any]] = {
    "quantile of the typical model": {"structure": {"frontier": "scatter"}},
    "quantile regression": {"structure": {"frontier": "regression"}},
}


class Sampling(TypedDict, total=False):
    """Sampler settings of a choice, as keyword arguments: ``draws``, ``tune``, ``chains`` and
    ``seed`` of every fit (each cached) and ``workers``, the backtest's local worker
    processes. A setting not given takes its value in :data:`SAMPLING`."""

    draws: int
    tune: int
    chains: int
    seed: int
    workers: int | None


#: The sampler settings of a choice unless it is given others.
SAMPLING: Sampling = {"draws": 1000, "tune": 1000, "chains": 4, "seed": 2021, "workers": None}


def sampling(given: Sampling) -> Sampling:
    """Every setting: those ``given``, the others from :data:`SAMPLING`; a setting that is not
    one of them is refused (:class:`TypeError`, as for any unknown keyword argument)."""
    unknown = set(given) - set(SAMPLING)
    if unknown:
        raise TypeError(f"unknown sampler settings: {', '.join(sorted(unknown))}")
    return {**SAMPLING, **given}


def fit_config(given: Sampling) -> FitConfig:
    """The :class:`FitConfig` of a choice's fits under the settings ``given``."""
    s = sampling(given)
    return FitConfig(
        draws=s["draws"], tune=s["tune"], chains=s["chains"], seed=s["seed"], progressbar=False
    )


def early_origins(origins: Mapping[str, Sequence[float]] | None) -> dict[str, Sequence[float]]:
    """``origins`` (default :data:`EARLY_ORIGINS`), refused if any is a late one."""
    out = dict(origins or EARLY_ORIGINS)
    if any(o >= LATE_FROM for v in out.values() for o in v):
        raise ValueError(f"choose on the early origins only (before {LATE_FROM:g})")
    return out


def early_scores(
    priors: Mapping[str, Any],
    *,
    data: str = DEFAULT_DATA,
    domains: Sequence[FitDomain] = ("cv", "nlp"),
    origins: Mapping[str, Sequence[float]] | None = None,
    **settings: Unpack[Sampling],
) -> dict[str, Any]:
    """Pooled early-origin scores of model v2 under ``priors``: ``<series> crps``, ``<series>
    log score``, ``<series> 50%``, ``<series> 90%`` for the typical lines, ``<series> pinball``
    and ``<series> share above`` for the frontier quantile lines, and ``passed`` (every
    backtest fit passed its diagnostics). ``settings``: :class:`Sampling`."""
    origins = early_origins(origins)
    points = backtest(
        domains, models=("v2",), priors=dict(priors), data=data, origins=origins,
        **sampling(settings),
    ).points  # fmt: skip
    cov = coverage_table(points)
    cov = pooled(cov[cov["bucket"] == "all"])
    row: dict[str, Any] = {"passed": bool(points["passed"].all())}
    for r in cov.itertuples():
        if pd.notna(r.crps):
            row[f"{r.series} crps"] = r.crps
            row[f"{r.series} log score"] = r.log_score
            row[f"{r.series} 50%"] = r.coverage_50
            row[f"{r.series} 90%"] = r.coverage_90
            row[f"{r.series} n"] = r.n_points
        if pd.notna(getattr(r, "pinball", None)):
            row[f"{r.series} pinball"] = r.pinball
            row[f"{r.series} share above"] = r.share_above
    return row


def candidate_fits(
    candidates: Mapping[str, Mapping[str, Any]],
    fit_domain: FitDomain,
    *,
    data: str = DEFAULT_DATA,
    domains: Sequence[FitDomain] = ("cv", "nlp"),
    origins: Mapping[str, Sequence[float]] | None = None,
    **settings: Unpack[Sampling],
) -> Iterator[tuple[dict[str, Any], TrendFit]]:
    """Score and fit each candidate (name -> prior overrides) in turn.

    Yields, per candidate, its row (``candidate`` and the :func:`early_scores` columns of
    ``domains`` at ``origins``, with ``passed`` true only if the fit below passed too) and its
    fit of ``fit_domain``'s ``data`` under its priors; ``settings``: :class:`Sampling`.
    """
    config = fit_config(settings)
    for name, priors in candidates.items():
        row: dict[str, Any] = {"candidate": name}
        row.update(early_scores(priors, data=data, domains=domains, origins=origins, **settings))
        result = fit(fit_domain, data=data, priors=dict(priors), config=config)
        row["passed"] = bool(row["passed"] and result.passed)
        yield row, result


def scale_choice(
    candidates: Mapping[str, Mapping[str, Any]] = SCALES,
    *,
    data: str = DEFAULT_DATA,
    **settings: Unpack[Sampling],
) -> pd.DataFrame:
    """Every scale candidate's early-origin scores and in-sample frontier contrast, and the
    choice (:func:`choose_scale`).

    Returns one row per candidate: ``candidate``, the :func:`early_scores` columns, and
    ``cv frontier - all`` / ``P(cv frontier faster)``: the posterior median of the difference
    between the CV frontier's and the typical model's slopes, and the probability that it is
    positive, in a fit of the default data (information, not a criterion). ``settings``:
    :class:`Sampling`.
    """
    rows = []
    for row, result in candidate_fits(candidates, "cv", data=data, **settings):
        c = result.contrasts()
        c = c[(c["contrast"] == "frontier - all") & (c["metric"] == "gflops")]
        row["cv frontier - all"] = float(c["median"].iloc[0]) if len(c) else 0.0
        row["P(cv frontier faster)"] = float(c["prob_positive"].iloc[0]) if len(c) else 0.0
        rows.append(row)
    return choose_scale(pd.DataFrame(rows))


def choose_scale(table: pd.DataFrame) -> pd.DataFrame:
    """Mark the chosen scale: the first candidate (the simpler, constant scale) unless
    another passed its diagnostics and beats it on *both* proper scores of the early CV
    origins, the frontier quantile's pinball loss and the typical models' CRPS; then the one
    of those with the lowest pinball loss. A more flexible model has to forecast better, not
    only fit more.

    Examples:
        >>> t = pd.DataFrame({"candidate": ["constant", "changes"], "passed": [True, True],
        ...                   "cv/frontier pinball": [0.17, 0.16], "cv/all crps": [0.51, 0.52]})
        >>> choose_scale(t)["chosen"].tolist()
        [True, False]
    """
    out = table.drop(columns=["chosen"], errors="ignore").copy()
    base = out.iloc[0]
    better = (
        out["passed"].astype(bool)
        & (out["cv/frontier pinball"] < base["cv/frontier pinball"])
        & (out["cv/all crps"] < base["cv/all crps"])
    )
    chosen = out.loc[better, "cv/frontier pinball"].idxmin() if better.any() else out.index[0]
    out["chosen"] = out.index == chosen
    return out


def efficiency_pooling_choice(
    candidates: Mapping[str, Mapping[str, Any]] = EFFICIENCY_POOLINGS,
    *,
    data: str = DEFAULT_DATA,
    **settings: Unpack[Sampling],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The early-origin scores of each pooling of the efficiency series (the accelerators'
    early origins, 2014-2020), the choice (:func:`choose_pooling`), and the shrinkage table.

    Returns ``(scores, shrinkage)``: one row per candidate with the :func:`early_scores`
    columns, ``efficiency crps`` (over every early efficiency point) and ``chosen``; and
    per precision the posterior median and 90% interval of its slope at the centre of its data
    (``eff_centre_slope``) in a fit of the default CV data under each candidate, with the
    shared mean of the partial pooling (its complete-pooling limit) and the estimated spread.
    ``settings``: :class:`Sampling`.
    """
    rows, shrink = [], []
    fits = candidate_fits(
        candidates, "cv", data=data, domains=("cv",), origins=EFFICIENCY_ORIGINS, **settings
    )
    for row, result in fits:
        rows.append(row)
        shrink += _centre_slopes(result, row["candidate"])
    return choose_pooling(pd.DataFrame(rows)), pd.DataFrame(shrink)


def _centre_slopes(result: TrendFit, candidate: str) -> list[dict[str, Any]]:
    """Median and 90% interval of each precision's slope at the centre of its data, and of
    the pooling's shared mean and spread where it has them."""
    post = result.idata["posterior"]
    rows = []
    names = {"eff_centre_slope": None, "eff_slope_mu": "mean", "eff_slope_tau": "spread"}
    for var, label in names.items():
        if var not in post:
            continue
        da = post[var]
        labels = [label] if label else [str(v) for v in da["series"].to_numpy()]
        draws = da.stack(sample=("chain", "draw")).to_numpy().reshape(len(labels), -1)
        for precision, d in zip(labels, draws, strict=True):
            lo, med, hi = np.quantile(d, [0.05, 0.5, 0.95])
            rows.append({"candidate": candidate, "precision": precision, "median": med,
                         "lower": lo, "upper": hi})  # fmt: skip
    return rows


def choose_pooling(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``efficiency crps`` (the point-weighted mean CRPS over the efficiency series) and
    mark the chosen candidate: the lowest ``efficiency crps`` among those whose fits passed.

    Examples:
        >>> t = pd.DataFrame({"candidate": ["none", "partial"], "passed": [True, True],
        ...     "fp32 crps": [0.15, 0.14], "fp32 n": [10, 10], "fp16 crps": [0.2, 0.21],
        ...     "fp16 n": [2, 2]})
        >>> choose_pooling(t)["chosen"].tolist()
        [False, True]
    """
    out = table.drop(columns=["chosen", "efficiency crps"], errors="ignore").copy()
    series = [c[: -len(" crps")] for c in out if c.endswith(" crps") and "/" not in c]
    weights = out[[f"{s} n" for s in series]].to_numpy(dtype=float)
    crps = out[[f"{s} crps" for s in series]].to_numpy(dtype=float)
    out["efficiency crps"] = (weights * crps).sum(axis=1) / weights.sum(axis=1)
    ok = out[out["passed"].astype(bool)]
    out["chosen"] = out.index == (ok["efficiency crps"].idxmin() if len(ok) else out.index[0])
    return out


def changepoint_choice(
    candidates: Mapping[str, Mapping[str, Any]] = BENDS,
    *,
    data: str = DEFAULT_DATA,
    **settings: Unpack[Sampling],
) -> pd.DataFrame:
    """Every changepoint candidate's early-origin scores on the compute series of both
    domains, and the choice (:func:`choose_bends`).

    Returns one row per candidate: ``candidate``, the :func:`early_scores` columns, the
    pooled ``compute crps`` and ``frontier pinball`` (over the CV and NLP series, weighted by
    their points) and ``passed`` (every backtest fit and a fit of all the data passed their
    diagnostics). ``settings``: :class:`Sampling`.
    """
    rows = []
    for row, _ in candidate_fits(candidates, "all", data=data, **settings):
        row.update(pooled_compute_scores(row))
        rows.append(row)
    return choose_bends(pd.DataFrame(rows))


def pooled_compute_scores(row: Mapping[str, Any]) -> dict[str, float]:
    """``compute crps`` and ``frontier pinball`` of an :func:`early_scores` row: the CV and
    NLP series' scores weighted by their numbers of later points."""
    n = {d: float(row.get(f"{d}/all n", 0.0) or 0.0) for d in ("cv", "nlp")}
    total = sum(n.values())
    crps = sum(n[d] * float(row[f"{d}/all crps"]) for d in n if n[d]) / total
    pinball = sum(n[d] * float(row[f"{d}/frontier pinball"]) for d in n if n[d]) / total
    return {"compute crps": crps, "frontier pinball": pinball}


def choose_bends(table: pd.DataFrame) -> pd.DataFrame:
    """Mark the chosen compute lines: the first candidate (straight lines) unless another
    passed its diagnostics and beats it on *both* pooled proper scores of the early origins,
    the typical models' CRPS and the frontier quantile's pinball loss; then the one of those
    with the lowest CRPS (the rule of :func:`choose_scale`, over both domains).

    Examples:
        >>> t = pd.DataFrame({"candidate": ["straight", "bends"], "passed": [True, True],
        ...                   "compute crps": [0.50, 0.49], "frontier pinball": [0.17, 0.16]})
        >>> choose_bends(t)["chosen"].tolist()
        [False, True]
    """
    out = table.drop(columns=["chosen"], errors="ignore").copy()
    base = out.iloc[0]
    better = (
        out["passed"].astype(bool)
        & (out["compute crps"] < base["compute crps"])
        & (out["frontier pinball"] < base["frontier pinball"])
    )
    chosen = out.index[0] if not better.any() else out.loc[better, "compute crps"].idxmin()
    out["chosen"] = out.index == chosen
    return out


def frontier_choice(
    candidates: Mapping[str, Mapping[str, Any]] = FRONTIER_LINES,
    *,
    data: str = DEFAULT_DATA,
    **settings: Unpack[Sampling],
) -> pd.DataFrame:
    """Every frontier candidate's early-origin scores on the compute series of both domains,
    its in-sample frontier contrasts, and the choice (:func:`choose_frontier`).

    Returns one row per candidate: ``candidate``, the :func:`early_scores` columns, the
    pooled ``compute crps`` and ``frontier pinball`` (:func:`pooled_compute_scores`),
    ``passed``, and per domain ``<d> frontier - all`` and ``P(<d> frontier faster)`` in a fit
    of all the default data (information, not a criterion). ``settings``: :class:`Sampling`.
    """
    rows = []
    for row, result in candidate_fits(candidates, "all", data=data, **settings):
        row.update(pooled_compute_scores(row))
        c = result.contrasts()
        c = c[(c["contrast"] == "frontier - all") & (c["metric"] == "gflops")]
        for d in ("cv", "nlp"):
            one = c[c["domain"] == d]
            row[f"{d} frontier - all"] = float(one["median"].iloc[0]) if len(one) else 0.0
            row[f"P({d} frontier faster)"] = (
                float(one["prob_positive"].iloc[0]) if len(one) else 0.0
            )
        rows.append(row)
    return choose_frontier(pd.DataFrame(rows))


def choose_frontier(table: pd.DataFrame) -> pd.DataFrame:
    """Mark the chosen frontier line: the first candidate (the typical model's quantile)
    unless another passed its diagnostics and has a lower pooled pinball loss of the frontier
    quantile on the early origins, the proper score of a quantile; then the lowest.

    Examples:
        >>> t = pd.DataFrame({"candidate": ["scatter", "regression"], "passed": [True, True],
        ...                   "frontier pinball": [0.17, 0.16]})
        >>> choose_frontier(t)["chosen"].tolist()
        [False, True]
    """
    out = table.drop(columns=["chosen"], errors="ignore").copy()
    base = out.iloc[0]
    better = out["passed"].astype(bool) & (out["frontier pinball"] < base["frontier pinball"])
    chosen = out.index[0] if not better.any() else out.loc[better, "frontier pinball"].idxmin()
    out["chosen"] = out.index == chosen
    return out
