"""The arithmetic of the rolling-origin backtest (:mod:`energytrend.studies.backtest`): scored rows,
weights, the energy forecast of an MLPerf run, the baselines, and the summary tables.

Pure functions of arrays and tables (no fitting, no I/O), so each can be tested by hand.
Every quantity is in log10 units; see :mod:`energytrend.studies.scoring` for the score conventions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energytrend.studies.baselines import pinball_loss, random_walk_predictive
from energytrend.studies.scoring import (
    Predictive,
    cluster_bootstrap_interval,
    horizon_bucket,
    log_score_normal_mixture,
    ols_predictive,
    score_points,
    summarise,
    wilson_interval,
)

#: Later points are scored up to this many years after their origin.
HORIZON = 5.0
#: Origins from this year on form the *late* (confirmatory) set; earlier ones the *early* set.
LATE_FROM = 2021.0
#: Fewest earlier points a series needs before an origin to be forecast at that origin.
MIN_EARLIER = 3
#: The shipped model, whose rows are flagged ``default``.
DEFAULT_MODEL = "v2"
#: Peak-based energy is a lower bound: it is scored, but held to no calibration target.
LOWER_BOUND_SERIES = ("energy/peak",)
#: The fair baselines (:mod:`energytrend.studies.baselines`): each sees what the model sees
#: before an origin. ``top_decile`` is a frontier line only (scored by the pinball loss).
FAIR_BASELINES = ("ols", "random_walk", "top_decile")
#: (model, series) rows kept only as the thesis's reference, never a baseline to beat: the
#: OLS's peak-based energy, a lower bound (its 50% band holds no measured run).
REFERENCE_ROWS = (("ols", "energy/peak"),)
#: The quantile a frontier line stands for (v2's ``structure.frontier_quantile`` in
#: ``models/priors.toml``; the lower edge of the top decile).
FRONTIER_QUANTILE = 0.9

BUCKETS = ("0-1", "1-3", "3-5")
POINT_COLUMNS = [
    "model", "set", "origin", "series", "kind", "point_id", "label", "year", "horizon",
    "bucket", "observed", "pit", "in_50", "in_90", "crps", "log_score", "median",
    "lower_90", "upper_90", "width_90", "above", "passed",
]  # fmt: skip


def set_of(origin: float) -> str:
    """``"late"`` for the confirmatory origins (2021 on), ``"early"`` before."""
    return "late" if origin >= LATE_FROM else "early"


def later_mask(year: np.ndarray, origin: float) -> np.ndarray:
    """Points strictly after ``origin`` and at most :data:`HORIZON` years after it."""
    h = np.round(np.asarray(year, dtype=float) - origin, 9)
    out: np.ndarray = (h > 0) & (h <= HORIZON)
    return out


def scored(
    meta: pd.DataFrame,
    draws: np.ndarray,
    y: np.ndarray,
    logpdf: np.ndarray,
    *,
    model: str,
    origin: float,
    series: str,
    kind: str,
    passed: bool = True,
) -> pd.DataFrame:
    """Rows of :data:`POINT_COLUMNS` for the points ``meta`` (columns point_id, label, year)
    forecast by ``draws`` (n_draws, n_points) with log predictive densities ``logpdf``."""
    s = score_points(draws, y, logpdf=logpdf)
    h = np.round(meta["year"].to_numpy(dtype=float) - origin, 9)
    out = pd.DataFrame(
        {
            "model": model,
            "set": set_of(origin),
            "origin": origin,
            "series": series,
            "kind": kind,
            "point_id": meta["point_id"].to_numpy(),
            "label": meta["label"].to_numpy(),
            "year": meta["year"].to_numpy(dtype=float),
            "horizon": h,
            "bucket": horizon_bucket(h),
            "observed": np.asarray(y, dtype=float),
        }
    )
    out = pd.concat([out, s], axis=1)
    out["in_50"] = out["in_50"].astype(float)
    out["in_90"] = out["in_90"].astype(float)
    out["above"] = np.nan
    out["passed"] = passed
    return out[POINT_COLUMNS]


def bayes_scored(
    meta: pd.DataFrame,
    mu: np.ndarray,
    sd: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    **kw: object,
) -> pd.DataFrame:
    """:func:`scored` for a normal mixture (per-draw mean ``mu`` and scale ``sd``, both
    (n_draws, n_points)): one predictive draw per posterior draw; the log score is exact."""
    draws = mu + sd * rng.standard_normal(mu.shape)
    return scored(meta, draws, y, log_score_normal_mixture(mu, sd, y), **kw)  # type: ignore[arg-type]


def quantile_scored(
    meta: pd.DataFrame, line: np.ndarray, y: np.ndarray, **kw: object
) -> pd.DataFrame:
    """Rows of :data:`POINT_COLUMNS` for a frontier line's *quantile check* (kind
    ``quantile_check``): ``median`` is the line at each later model's date, ``above`` whether
    the model lies above it; the band and score columns are NaN (a line has no band). The
    table functions score these rows by the share above and the pinball loss."""
    ln = np.asarray(line, dtype=float)
    q = scored(meta, ln[None, :] + np.zeros((2, 1)), y, np.full(len(ln), np.nan),
               kind="quantile_check", **kw)  # type: ignore[arg-type]  # fmt: skip
    for col in ("pit", "in_50", "in_90", "crps", "log_score", "width_90"):
        q[col] = np.nan
    q["lower_90"] = q["upper_90"] = np.nan
    return q.assign(above=(np.asarray(y, dtype=float) > ln).astype(float))


def role_of(model: str, series: str) -> str:
    """``"model"`` (v2, v1), ``"baseline"`` (:data:`FAIR_BASELINES`) or ``"reference"``
    (:data:`REFERENCE_ROWS`: the thesis's peak-based OLS, kept for reference only)."""
    if (model, series) in REFERENCE_ROWS:
        return "reference"
    return "baseline" if model in FAIR_BASELINES else "model"


def energy_forecast(
    log10_gflops: np.ndarray,
    eff_mu: np.ndarray,
    eff_sd: np.ndarray,
    realisation: np.ndarray | None = None,
    realisation_sigma: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-draw mean and scale of log10 J per sample of MLPerf runs.

    Peak-based: ``log10 GFLOPs per sample - log10 GFLOPS/W`` of a new chip of the run's
    precision (mean ``eff_mu``, scatter ``eff_sd``, both (n_draws, n_runs)). Calibrated (when
    ``realisation`` and ``realisation_sigma``, per draw (n_draws,), are given): plus the
    realisation factor, and its run-to-run scatter added in quadrature.
    """
    g = np.asarray(log10_gflops, dtype=float)[None, :]
    mu: np.ndarray = g - np.asarray(eff_mu, dtype=float)
    sd: np.ndarray = np.asarray(eff_sd, dtype=float) * np.ones_like(mu)
    if realisation is not None:
        if realisation_sigma is None:
            raise ValueError("a calibrated forecast needs realisation_sigma too")
        mu = mu + np.asarray(realisation, dtype=float)[:, None]
        sd = np.sqrt(sd**2 + np.asarray(realisation_sigma, dtype=float)[:, None] ** 2)
    return mu, sd


def shifted(p: Predictive, by: np.ndarray) -> Predictive:
    """The predictive of ``by - X`` for a predictive ``X`` (symmetric, so same scale)."""
    b = np.asarray(by, dtype=float)
    return Predictive(draws=b[None, :] - p.draws, loc=b - p.loc, scale=p.scale, df=p.df)


BASELINES = {"ols": ols_predictive, "random_walk": random_walk_predictive}


def baseline(
    name: str,
    t_train: np.ndarray,
    y_train: np.ndarray,
    t_test: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
) -> Predictive | None:
    """The baseline ``name`` (``"ols"`` or ``"random_walk"``, see :data:`BASELINES`) at
    ``t_test``, or None when the earlier points cannot support it (fewer than
    :data:`MIN_EARLIER`, too few years)."""
    if len(t_train) < MIN_EARLIER:
        return None
    try:
        return BASELINES[name](t_train, y_train, t_test, n_draws, rng)
    except ValueError:
        return None


def add_weights(points: pd.DataFrame) -> pd.DataFrame:
    """``weight`` = 1 / (number of origins of the set that score the point), per model, set
    and series: every distinct point weighs 1 in total per set, however often it is scored."""
    keys = ["model", "set", "series", "point_id"]
    n = points.groupby(keys, sort=False)["origin"].transform("nunique")
    return points.assign(weight=1.0 / n.to_numpy(dtype=float))


def blocks(points: pd.DataFrame) -> pd.Series:
    """The bootstrap block of each scored row: its origin x its release year. Points of one
    origin share one fitted trend, and points of one year share what happened that year."""
    year = np.floor(points["year"].to_numpy(dtype=float)).astype(int)
    return points["origin"].map("{:g}".format) + "x" + pd.Series(year, index=points.index).map(str)


def coverage_table(
    points: pd.DataFrame, frontier_quantile: float = FRONTIER_QUANTILE
) -> pd.DataFrame:
    """One row per (model, set, series, bucket incl. ``"all"``), and per origin (bucket
    ``"all"``; ``origin`` is NaN on the pooled rows): the columns of
    :func:`energytrend.studies.scoring.summarise` with block-bootstrap coverage intervals
    (:func:`blocks`), the frontier quantile check (rows of kind ``quantile_check``: v2's and
    the top-decile line's; ``share_above`` with its Wilson interval and ``pinball``, the mean
    pinball loss at ``frontier_quantile``), ``role`` (:func:`role_of`) and ``default``."""
    pts = points if "weight" in points else add_weights(points)
    pts = pts.assign(block=blocks(pts))
    scored_pts = pts[pts["kind"] != "quantile_check"]
    keys = ["model", "set", "series"]
    parts = [
        summarise(scored_pts, [*keys, "bucket"], block="block"),
        summarise(scored_pts, keys, block="block").assign(bucket="all"),
        # within one origin every point counts once: equal weights
        summarise(scored_pts.assign(weight=1.0), [*keys, "origin"], block="block").assign(
            bucket="all"
        ),
    ]
    q = pts[pts["kind"] == "quantile_check"]
    if len(q):
        q = q.assign(pinball=pinball_loss(q["observed"], q["median"], frontier_quantile))
        parts += [
            _quantile(q, [*keys, "bucket"]),
            _quantile(q, keys).assign(bucket="all"),
            _quantile(q.assign(weight=1.0), [*keys, "origin"]).assign(bucket="all"),
        ]
    out = pd.concat(parts, ignore_index=True)
    if "origin" not in out:
        out["origin"] = np.nan
    order = {m: i for i, m in enumerate(dict.fromkeys(points["model"]))}
    out["bucket_order"] = out["bucket"].map({b: i for i, b in enumerate((*BUCKETS, "all"))})
    out["origin_order"] = out["origin"].fillna(-1.0)
    out = out.sort_values(
        ["model", "set", "series", "bucket_order", "origin_order"],
        key=lambda c: c.map(order) if c.name == "model" else c,
    ).drop(columns=["bucket_order", "origin_order"])
    out["role"] = [role_of(m, x) for m, x in zip(out["model"], out["series"], strict=True)]
    out["default"] = out["model"] == DEFAULT_MODEL
    return out.reset_index(drop=True)


def pooled(coverage: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`coverage_table` pooled over origins (``origin`` NaN)."""
    if "origin" not in coverage:
        return coverage
    return coverage[coverage["origin"].isna()]


def _quantile(q: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    rows = []
    for key, g in q.groupby(by, sort=True):
        w = g["weight"].to_numpy(dtype=float)
        eff = float(w.sum())
        succ = float(np.sum(w * g["above"].to_numpy(dtype=float)))
        lo, hi = wilson_interval(min(succ, eff), eff, 0.9)
        rows.append(
            {
                **dict(zip(by, key, strict=True)),
                "n_points": len(g),
                "n_distinct": g["point_id"].nunique(),
                "effective_n": eff,
                "share_above": succ / eff,
                "share_above_lower": lo,
                "share_above_upper": hi,
                "pinball": float(np.sum(w * g["pinball"].to_numpy(dtype=float)) / eff),
            }
        )
    return pd.DataFrame(rows)


def score_difference(
    points: pd.DataFrame,
    model: str = DEFAULT_MODEL,
    baseline: str = "ols",
    prob: float = 0.9,
    *,
    score: str = "crps",
    frontier_quantile: float = FRONTIER_QUANTILE,
) -> pd.DataFrame:
    """Paired score difference ``model`` minus ``baseline`` per set and series, on the
    (origin, point) rows both scored in that series, weighted as in the coverage table, with
    a ``prob`` percentile interval from resampling whole blocks (origin x release year,
    :func:`blocks`; 2,000 replicates, seed 2021); and the same per origin, each point of the
    origin weighing 1 (``origin`` NaN on the pooled rows).

    ``score="crps"`` compares the predictive rows' CRPS; ``score="pinball"`` the frontier
    lines' pinball loss at ``frontier_quantile`` (rows of kind ``quantile_check``). Columns:
    set, series, origin, n_distinct, n_blocks, difference, lower, upper. Lower is better for
    both scores, so a negative difference favours ``model``."""
    if score not in ("crps", "pinball"):
        raise ValueError(f"score must be 'crps' or 'pinball', got {score!r}")
    pts = points if "weight" in points else add_weights(points)
    pts = pts.assign(block=blocks(pts))
    if score == "pinball":
        pts = pts[pts["kind"] == "quantile_check"]
        pts = pts.assign(pinball=pinball_loss(pts["observed"], pts["median"], frontier_quantile))
    keys = ["set", "series", "origin", "point_id"]
    mine = pts[(pts["model"] == model) & pts[score].notna()]
    theirs = pts[(pts["model"] == baseline) & pts[score].notna()]
    rows = []
    for (set_name, series), g in mine.groupby(["set", "series"], sort=True):
        both = g.merge(theirs[[*keys, score]], on=keys, suffixes=("", "_base"))
        if both.empty:
            continue
        # pooled: each distinct point weighs 1 in total; within one origin, each point 1
        groups = [(float("nan"), both)]
        groups += [(o, b.assign(weight=1.0)) for o, b in both.groupby("origin", sort=True)]
        for origin, b in groups:
            d = (b[score] - b[f"{score}_base"]).to_numpy(dtype=float)
            w = b["weight"].to_numpy(dtype=float)
            lo, hi = cluster_bootstrap_interval(d, b["block"].to_numpy(), w, prob, seed=2021)
            rows.append({"set": set_name, "series": series, "origin": origin,
                         "n_distinct": b["point_id"].nunique(), "n_blocks": b["block"].nunique(),
                         "difference": float(np.sum(w * d) / np.sum(w)),
                         "lower": lo, "upper": hi})  # fmt: skip
    columns = ["set", "series", "origin", "n_distinct", "n_blocks", "difference", "lower", "upper"]
    return pd.DataFrame(rows, columns=columns)


#: (model, baseline, score) of :func:`differences`: every model against every fair baseline
#: (the frontier lines by the pinball loss), and the random walk against the OLS.
DIFFERENCE_PAIRS = (
    *[(m, b, "crps") for m in ("v2", "v1") for b in ("ols", "random_walk")],
    ("v2", "top_decile", "pinball"),
    ("random_walk", "ols", "crps"),
)


def differences(points: pd.DataFrame) -> pd.DataFrame:
    """:func:`score_difference` of every pair of :data:`DIFFERENCE_PAIRS` whose models are
    both in ``points``, stacked, with columns ``model``, ``baseline`` and ``score`` first
    (``results/backtest_differences.csv``)."""
    present = set(points["model"])
    frames = [
        score_difference(points, m, b, score=s).assign(model=m, baseline=b, score=s)
        for m, b, s in DIFFERENCE_PAIRS
        if {m, b} <= present
    ]
    first = ["model", "baseline", "score"]
    if not frames:
        return pd.DataFrame(columns=[*first, *score_difference(points.iloc[:0]).columns])
    out = pd.concat(frames, ignore_index=True)
    return out[[*first, *[c for c in out.columns if c not in first]]]


def crps_difference(
    points: pd.DataFrame, model: str = DEFAULT_MODEL, baseline: str = "ols", prob: float = 0.9
) -> pd.DataFrame:
    """:func:`score_difference` of the CRPS: ``model`` minus ``baseline`` in the same series
    (the calibrated energy against the OLS's calibrated energy, never against its peak-based
    lower bound)."""
    return score_difference(points, model, baseline, prob, score="crps")


def check_targets(
    coverage: pd.DataFrame,
    *,
    points: pd.DataFrame | None = None,
    min_points: int = 10,
    frontier_quantile: float = 0.9,
) -> pd.DataFrame:
    """The issue's targets on the ``default`` rows (bucket ``"all"``) of every set and series
    with at least ``min_points`` distinct later points: the 90% band holds 80-97% of them, the
    50% band 35-70%, the CRPS is below the OLS's, and (frontier quantile check) the share of
    later models above the frontier line has a Wilson interval holding 1 - quantile.
    Peak-based energy (a lower bound by construction) is held to none, and the CRPS is
    compared with the OLS's in the same series only (calibrated energy with the OLS line times
    the OLS realisation factor; no row where the OLS has none).

    Columns: set, series, target, value, pass, and ``within_error``: whether the ideal is
    within sampling error of what was measured. For a coverage, its 90% block-bootstrap
    interval holds the nominal level (0.9 or 0.5); for the CRPS, the 90% block-bootstrap
    interval of the paired difference against the OLS (from ``points``, by
    :func:`crps_difference`) reaches below 0;
    for the frontier share, its interval holds 1 - quantile. A failed target that is within
    error is not shown to be missed by so few points; one that is not is a real miss. Without
    ``points`` the CRPS rows' ``within_error`` is missing."""
    c = pooled(coverage[coverage["bucket"] == "all"])
    ols = c[c["model"] == "ols"].set_index(["set", "series"])["crps"].dropna()
    if points is not None:
        d = crps_difference(points)
        diff = d[d["origin"].isna()].set_index(["set", "series"])
    else:
        diff = pd.DataFrame(columns=["lower", "upper"])
    rows = []
    for r in c[c["default"] & (c["n_distinct"] >= min_points)].itertuples():
        if r.series in LOWER_BOUND_SERIES:
            continue
        base = {"set": r.set, "series": r.series}
        share = getattr(r, "share_above", np.nan)
        if pd.notna(share):
            lo, hi = r.share_above_lower, r.share_above_upper
            target = 1 - frontier_quantile
            ok = bool(lo <= target <= hi)
            rows.append({**base, "target": f"share above the frontier line ~ {target:.2f}",
                         "value": f"{share:.3f} [{lo:.3f}, {hi:.3f}]",
                         "pass": ok, "within_error": ok})  # fmt: skip
            continue
        for level, (low, high) in ((90, (0.80, 0.97)), (50, (0.35, 0.70))):
            v = getattr(r, f"coverage_{level}")
            lo, hi = getattr(r, f"coverage_{level}_lower"), getattr(r, f"coverage_{level}_upper")
            rows.append({**base, "target": f"{level}% band holds {low * 100:.0f}-{high * 100:.0f}%",
                         "value": f"{v:.3f} [{lo:.2f}, {hi:.2f}]",
                         "pass": bool(low <= v <= high),
                         "within_error": bool(lo <= level / 100 <= hi)})  # fmt: skip
        key = (r.set, r.series)
        if key in ols.index:
            d = (r.set, r.series)
            within = bool(diff.loc[d, "lower"] < 0) if d in diff.index else None
            rows.append({**base, "target": f"CRPS below OLS ({key[1]})",
                         "value": f"{r.crps:.4f} vs {ols[key]:.4f}",
                         "pass": bool(r.crps < ols[key]), "within_error": within})  # fmt: skip
    return pd.DataFrame(rows, columns=["set", "series", "target", "value", "pass", "within_error"])


def readable_targets(targets: pd.DataFrame, no: str = "no") -> pd.DataFrame:
    """:func:`check_targets`'s table for reading: ``pass`` and ``within_error`` as yes/``no``
    (``-`` where not computed), the latter headed "within error"."""
    words = {True: "yes", False: no}
    return targets.assign(
        **{
            "pass": targets["pass"].map(words),
            "within_error": targets["within_error"].map(
                lambda v: "-" if v is None or v != v else words[bool(v)]
            ),
        }
    ).rename(columns={"within_error": "within error"})


def gpu_counts(
    points: pd.DataFrame, origin: float = 2021.0, years: tuple[float, float] = (2022.0, 2026.0)
) -> pd.DataFrame:
    """Per model and efficiency series: how many NVIDIA chips launched in ``years`` (from,
    to exclusive) fall inside the 90% band of the forecast made at ``origin``."""
    p = points[
        (points["kind"] == "efficiency")
        & (points["origin"] == origin)
        & points["label"].str.startswith("NVIDIA")
        & (points["year"] >= years[0])
        & (points["year"] < years[1])
    ]
    p = p.assign(below=(p["observed"] < p["lower_90"]).astype(int))
    out = p.groupby(["model", "series"], sort=False).agg(
        chips=("in_90", "size"), inside_90=("in_90", "sum"), below_90=("below", "sum")
    )
    out["inside_90"] = out["inside_90"].astype(int)
    return out.reset_index()


COLOURS = {
    "v2": "#d95f0e", "v1": "#2c7fb8", "ols": "#636363", "random_walk": "#238b45",
    "top_decile": "#756bb1",
}  # fmt: skip


def plot_coverage(coverage: pd.DataFrame) -> Figure:
    """Per set: 90% (filled) and 50% (open) coverage with Wilson intervals, and CRPS, per
    series and model (bucket ``"all"``) of a coverage table (:func:`coverage_table`)."""
    c = pooled(coverage[(coverage["bucket"] == "all") & coverage["coverage_90"].notna()])
    sets = [s for s in ("early", "late") if s in set(c["set"])]
    models = list(dict.fromkeys(c["model"]))
    fig = Figure(figsize=(12, 3.2 * len(sets) + 1.0), layout="constrained")
    axes = fig.subplots(len(sets), 2, squeeze=False, width_ratios=[2, 1])
    for (ax, ax_crps), s in zip(axes, sets, strict=True):
        cs = c[c["set"] == s]
        series = list(dict.fromkeys(cs["series"]))
        height = 0.8 / len(models)
        for k, m in enumerate(models):
            r = cs[cs["model"] == m].set_index("series").reindex(series)
            y = np.arange(len(series))[::-1] + (k - (len(models) - 1) / 2) * height
            colour = COLOURS.get(m, "k")
            for lvl, marker, face in (("90", "o", colour), ("50", "s", "white")):
                v = r[f"coverage_{lvl}"].to_numpy()
                bounds = [r[f"coverage_{lvl}_lower"], r[f"coverage_{lvl}_upper"]]
                err = np.abs(np.vstack(bounds) - v)
                ax.errorbar(v, y, xerr=err, fmt=marker, color=colour, mfc=face, ms=5, lw=1,
                            label=f"{m} {lvl}%" if s == sets[0] else None)  # fmt: skip
            ax_crps.barh(y, r["crps"], height=height, color=colour, label=m)
        n = cs.groupby("series", sort=False)["n_distinct"].max()
        ax.set_yticks(np.arange(len(series))[::-1], [f"{x} (n={n[x]})" for x in series])
        ax_crps.set_yticks(np.arange(len(series))[::-1], series)
        for level in (0.5, 0.9):
            ax.axvline(level, color="k", ls=":", lw=1)
        ax.set(xlim=(0, 1), title=f"{s} origins: share of later points inside the band "
               "(filled 90%, open 50%; bars: 90% Wilson)")  # fmt: skip
        ax_crps.set(title=f"{s}: CRPS (log10, lower = better)")
    axes[0, 0].legend(fontsize=7, ncol=2, loc="lower left")
    axes[0, 1].legend(fontsize=7)
    return fig
