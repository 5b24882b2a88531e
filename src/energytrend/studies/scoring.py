"""Scores and baselines for a rolling-origin forecast backtest (pure functions, no I/O).

Every quantity is in log10 units. A forecast of ``n_points`` held-out points is an ensemble of
predictive draws of shape ``(n_draws, n_points)``. Sign conventions:

* CRPS (:func:`crps_draws`) is in the units of ``y`` (log10), >= 0, **lower is better**.
* The log score (:func:`log_score_normal_mixture`, :func:`log_score_student_t`) is a log
  predictive density (natural log, per log10 unit of ``y``), **higher is better**.
* PIT (:func:`pit`) should be uniform on [0, 1] for a calibrated forecast; a mean PIT above
  0.5 means the outcomes tend to lie above the forecasts (the forecast is too low).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import logsumexp

from energytrend.inference.intervals import check_prob


def _draws_and_y(draws: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(draws, dtype=float)
    obs = np.asarray(y, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"draws must have shape (n_draws, n_points), got {x.shape}")
    if obs.shape != (x.shape[1],):
        raise ValueError(f"y must have shape ({x.shape[1]},), got {obs.shape}")
    if x.shape[0] == 0:
        raise ValueError("draws is empty (n_draws == 0)")
    return x, obs


def crps_draws(draws: np.ndarray, y: np.ndarray) -> np.ndarray:
    """CRPS of the ensemble's empirical distribution at each point (lower is better).

    Exact energy form ``E|X - y| - 1/2 E|X - X'|`` over the ``m`` draws, with
    ``1/2 E|X - X'| = (1/m^2) sum_i (2i - m - 1) x_(i)`` for sorted draws: O(m log m) per point.
    ``draws`` has shape (n_draws, n_points), ``y`` shape (n_points,); returns (n_points,).
    """
    x, obs = _draws_and_y(draws, y)
    m = x.shape[0]
    spread = np.mean(np.abs(x - obs), axis=0)
    coef = 2.0 * np.arange(1, m + 1) - m - 1.0
    half_mean_diff = coef @ np.sort(x, axis=0) / m**2
    out: np.ndarray = spread - half_mean_diff
    return out


def _per_draw(a: np.ndarray, n_draws: int, name: str) -> np.ndarray:
    """``a`` as an array broadcastable against (n_draws, n_points): (S,) is per draw."""
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 1 and arr.shape[0] == n_draws and n_draws != 1:
        arr = arr[:, None]
    if arr.ndim > 2:
        raise ValueError(f"{name} must be a scalar, (n_draws,), (n_draws, 1) or 2-D array")
    return arr


def log_score_student_t(
    mu: np.ndarray, sigma: np.ndarray, df: float | np.ndarray, y: np.ndarray
) -> np.ndarray:
    """Log predictive density ``log(mean_s t_df(y | mu_s, sigma_s))`` (higher is better).

    ``mu`` has shape (n_draws, n_points); ``sigma`` and ``df`` broadcast against it: a scalar,
    per draw ((n_draws,) or (n_draws, 1)) or (n_draws, n_points); ``df = np.inf`` gives a
    normal; a 1-D array of length n_draws is read as per draw. Natural log, density per log10
    unit of ``y``; returns (n_points,).
    """
    loc, obs = _draws_and_y(mu, y)
    s = loc.shape[0]
    scale = np.broadcast_to(_per_draw(sigma, s, "sigma"), loc.shape)
    if np.any(scale <= 0):
        raise ValueError("sigma must be positive")
    nu = _per_draw(np.asarray(df, dtype=float), s, "df")
    logpdf = stats.t.logpdf(obs, nu, loc=loc, scale=scale)
    out: np.ndarray = logsumexp(logpdf, axis=0) - np.log(s)
    return out


def log_score_normal_mixture(mu: np.ndarray, sigma: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Log predictive density ``log(mean_s N(y | mu_s, sigma_s))`` (higher is better).

    Same shapes as :func:`log_score_student_t`; computed with logsumexp over the draws.
    """
    return log_score_student_t(mu, sigma, np.inf, y)


def pit(draws: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Probability integral transform: ``(count(x < y) + count(x == y) / 2) / m`` per point."""
    x, obs = _draws_and_y(draws, y)
    below = np.sum(x < obs, axis=0) + 0.5 * np.sum(x == obs, axis=0)
    out: np.ndarray = below / x.shape[0]
    return out


def interval_hits(draws: np.ndarray, y: np.ndarray, prob: float) -> np.ndarray:
    """Whether ``y`` lies in the central ``prob`` interval of the draws (bounds included).

    The bounds are the draws' quantiles ``(1 - prob)/2`` and ``(1 + prob)/2`` (linear
    interpolation, numpy's default). Returns a bool array of shape (n_points,).
    """
    check_prob(prob)
    x, obs = _draws_and_y(draws, y)
    lo, hi = np.quantile(x, [(1 - prob) / 2, (1 + prob) / 2], axis=0)
    out: np.ndarray = (lo <= obs) & (obs <= hi)
    return out


def wilson_interval(successes: float, n: float, prob: float = 0.9) -> tuple[float, float]:
    """Wilson score interval for a proportion at confidence ``prob``.

    ``successes`` and ``n`` may be non-integer (weighted counts and an effective sample
    size). ``n == 0`` gives (0, 1), the limit of the formula: no information.
    """
    check_prob(prob)
    if n < 0 or successes < -1e-9 * max(n, 1.0) or successes > n * (1 + 1e-9):
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    z = float(stats.norm.ppf((1 + prob) / 2))
    p = min(max(successes / n, 0.0), 1.0)
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def cluster_bootstrap_interval(
    values: np.ndarray,
    clusters: np.ndarray,
    weights: np.ndarray | None,
    prob: float = 0.9,
    n_boot: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile interval of the weighted mean of ``values`` from resampling whole clusters.

    Each replicate draws as many clusters as there are, with replacement, and keeps all of a
    drawn cluster's rows (e.g. a model scored at several origins). ``weights=None`` means
    equal weights. Replicates whose weights sum to 0 are dropped. Deterministic given ``seed``.
    With fewer than two clusters the interval is unbounded, ``(-inf, inf)``.
    """
    check_prob(prob)
    v = np.asarray(values, dtype=float).ravel()
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float).ravel()
    c = np.asarray(clusters).ravel()
    if not (v.size == w.size == c.size) or v.size == 0:
        raise ValueError("values, clusters and weights must be non-empty and of equal length")
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    _, idx = np.unique(c, return_inverse=True)
    k = int(idx.max()) + 1
    if k < 2:  # one cluster says nothing about the spread between clusters
        return float("-inf"), float("inf")
    num = np.bincount(idx, weights=w * v, minlength=k)
    den = np.bincount(idx, weights=w, minlength=k)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(k, np.full(k, 1.0 / k), size=n_boot).astype(float)
    tot = counts @ den
    ok = tot > 0
    if not np.any(ok):
        return float("nan"), float("nan")
    means = (counts[ok] @ num) / tot[ok]
    lo, hi = np.quantile(means, [(1 - prob) / 2, (1 + prob) / 2])
    return float(lo), float(hi)


def horizon_bucket(h: np.ndarray) -> np.ndarray:
    """Horizon labels in years: "0-1" for 0 < h <= 1, "1-3" for 1 < h <= 3, "3-5" for 3 < h <= 5.

    Right-closed edges (a horizon of exactly 1 year is "0-1"); h <= 0, h > 5 and NaN give ""
    (excluded). Round ``h`` first if it comes from float arithmetic near an edge.
    """
    hh = np.asarray(h, dtype=float)
    conds = [(hh > 0) & (hh <= 1), (hh > 1) & (hh <= 3), (hh > 3) & (hh <= 5)]
    out: np.ndarray = np.select(conds, ["0-1", "1-3", "3-5"], default="")
    return out


@dataclass(frozen=True)
class Predictive:
    """Baseline predictive distribution at the test dates.

    ``draws`` (n_draws, n_test) sample ``loc + scale * T_df`` (``df = np.inf``: normal);
    ``loc`` and ``scale`` have shape (n_test,); ``df`` is one number or one per test point.
    """

    draws: np.ndarray
    loc: np.ndarray
    scale: np.ndarray
    df: float | np.ndarray

    def logpdf(self, y: np.ndarray) -> np.ndarray:
        """Exact log predictive density at ``y`` (n_test,) (higher is better)."""
        out: np.ndarray = stats.t.logpdf(np.asarray(y, dtype=float), self.df, self.loc, self.scale)
        return out


def _train_test(
    t_train: np.ndarray, y_train: np.ndarray, t_test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.asarray(t_train, dtype=float).ravel()
    y = np.asarray(y_train, dtype=float).ravel()
    tt = np.asarray(t_test, dtype=float).ravel()
    if t.shape != y.shape:
        raise ValueError(f"t_train and y_train differ in length: {t.size} vs {y.size}")
    if not all(np.isfinite(a).all() for a in (t, y, tt)):
        raise ValueError("training and test data must be finite")
    return t, y, tt


def ols_predictive(
    t_train: np.ndarray,
    y_train: np.ndarray,
    t_test: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
) -> Predictive:
    """Classical OLS prediction interval of a new point as draws ("the thesis's OLS").

    Student-t with n - 2 df, location the OLS line, scale
    ``s * sqrt(1 + 1/n + (t - mean(t))^2 / Sxx)``. Needs n >= 3 and two distinct dates.
    """
    t, y, tt = _train_test(t_train, y_train, t_test)
    n = t.size
    if n < 3:
        raise ValueError(f"OLS baseline needs at least 3 training points, got {n}")
    tbar = t.mean()
    sxx = float(np.sum((t - tbar) ** 2))
    if sxx <= 0:
        raise ValueError("OLS baseline needs at least two distinct training dates")
    slope = float(np.sum((t - tbar) * (y - y.mean())) / sxx)
    intercept = float(y.mean())
    resid = y - intercept - slope * (t - tbar)
    s = float(np.sqrt(np.sum(resid**2) / (n - 2)))
    loc = intercept + slope * (tt - tbar)
    scale = s * np.sqrt(1 + 1 / n + (tt - tbar) ** 2 / sxx)
    df = float(n - 2)
    draws = loc + scale * rng.standard_t(df, size=(n_draws, tt.size))
    return Predictive(draws=draws, loc=loc, scale=scale, df=df)


class _YearlyWalk(NamedTuple):
    t_last: float  # mid-point of the last training year
    y_last: float  # median of the last training year
    drift: float  # log10 units per year
    sigma: float  # innovation sd per sqrt(year)
    sigma_point: float  # within-year sd of a single point around its year median


def _yearly_random_walk(t: np.ndarray, y: np.ndarray) -> _YearlyWalk:
    year = np.floor(t)
    years, idx = np.unique(year, return_inverse=True)
    if years.size < 3:
        raise ValueError(
            f"random-walk baseline needs training data in at least 3 distinct calendar years, "
            f"got {years.size}"
        )
    med = np.array([np.median(y[idx == k]) for k in range(years.size)])
    dt = np.diff(years)
    dy = np.diff(med)
    drift = float(dy.sum() / dt.sum())  # = mean(dy) / mean(dt), the MLE under var ∝ dt
    r = (dy - drift * dt) / np.sqrt(dt)
    sigma = float(np.sqrt(np.sum(r**2) / (r.size - 1)))
    dof = t.size - years.size
    sigma_point = float(np.sqrt(np.sum((y - med[idx]) ** 2) / dof)) if dof > 0 else 0.0
    return _YearlyWalk(float(years[-1] + 0.5), float(med[-1]), drift, sigma, sigma_point)


def random_walk_drift_predictive(
    t_train: np.ndarray,
    y_train: np.ndarray,
    t_test: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
) -> Predictive:
    """Random walk with drift on the yearly medians, predicting a single new point (normal),
    with its parameters taken as known. The backtest's random walk,
    :func:`energytrend.studies.baselines.random_walk_predictive`, adds their uncertainty.

    Training points are reduced to one median per calendar year (``floor(t)``), placed at the
    year's mid-point. drift = sum(dy) / sum(dt) over consecutive distinct years (= mean
    difference / mean gap; the maximum-likelihood drift when the variance grows with the gap);
    sigma^2 = sum(((dy - drift dt) / sqrt(dt))^2) / (K - 1) over the K differences. At
    horizon h = t - (last year + 0.5) the prediction is
    ``N(last + drift h, sigma^2 max(h, 0) + sigma_point^2)``, with sigma_point^2 the pooled
    within-year variance of the points around their year medians (0 if every year has one
    point). Raises ValueError with fewer than 3 distinct years.
    """
    t, y, tt = _train_test(t_train, y_train, t_test)
    fit = _yearly_random_walk(t, y)
    h = tt - fit.t_last
    loc = fit.y_last + fit.drift * h
    scale = np.sqrt(fit.sigma**2 * np.maximum(h, 0.0) + fit.sigma_point**2)
    if np.any(scale <= 0):
        raise ValueError("random-walk baseline has zero predictive spread (constant data?)")
    draws = loc + scale * rng.standard_normal((n_draws, tt.size))
    return Predictive(draws=draws, loc=loc, scale=scale, df=float(np.inf))


def score_points(
    draws: np.ndarray, y: np.ndarray, *, logpdf: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per point: ``pit``, ``in_50``, ``in_90``, ``crps`` (lower is better),
    ``log_score`` (higher is better; ``logpdf`` as given, NaN if None), ``median``,
    ``lower_90``, ``upper_90``, ``width_90`` (draw quantiles as in :func:`interval_hits`)."""
    x, obs = _draws_and_y(draws, y)
    q05, q25, q50, q75, q95 = np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    if logpdf is None:
        ls = np.full(obs.shape, np.nan)
    else:
        ls = np.asarray(logpdf, dtype=float)
        if ls.shape != obs.shape:
            raise ValueError(f"logpdf must have shape {obs.shape}, got {ls.shape}")
    cols = {
        "pit": pit(x, obs),
        "in_50": (q25 <= obs) & (obs <= q75),
        "in_90": (q05 <= obs) & (obs <= q95),
        "crps": crps_draws(x, obs),
        "log_score": ls,
        "median": q50,
        "lower_90": q05,
        "upper_90": q95,
        "width_90": q95 - q05,
    }
    return pd.DataFrame(cols)


SUMMARY_COLUMNS = [
    "n_points", "n_distinct", "effective_n", "n_blocks",
    "coverage_50", "coverage_50_lower", "coverage_50_upper",
    "coverage_90", "coverage_90_lower", "coverage_90_upper",
    "mean_pit", "crps", "log_score", "width_90",
]  # fmt: skip


def _wmean(v: np.ndarray, w: np.ndarray) -> float:
    tot = float(w.sum())
    return float(np.sum(w * v) / tot) if tot > 0 else float("nan")


def _summarise_group(
    g: pd.DataFrame, weight: str, cluster: str, prob: float, block: str | None
) -> dict[str, float]:
    w = g[weight].to_numpy(dtype=float)
    eff = float(w.sum())
    row: dict[str, float] = {
        "n_points": float(len(g)),
        "n_distinct": float(g[cluster].nunique(dropna=False)),
        "effective_n": eff,
        "n_blocks": float(g[block].nunique()) if block else float("nan"),
    }
    for level in ("50", "90"):
        hits = g[f"in_{level}"].to_numpy(dtype=float)
        succ = float(np.sum(w * hits))
        if block:
            # the wider of the block bootstrap (the spread between blocks) and a Wilson
            # interval counting each block once (the binomial floor when every block agrees)
            k = g[block].nunique()
            seed = 2021 + int(level)
            b_lo, b_hi = cluster_bootstrap_interval(hits, g[block].to_numpy(), w, prob, seed=seed)
            w_lo, w_hi = wilson_interval(min(succ, eff) / eff * k, k, prob)
            lo, hi = max(0.0, min(b_lo, w_lo)), min(1.0, max(b_hi, w_hi))
        else:
            lo, hi = wilson_interval(min(succ, eff), eff, prob)
        row[f"coverage_{level}"] = _wmean(hits, w)
        row[f"coverage_{level}_lower"] = lo
        row[f"coverage_{level}_upper"] = hi
    row["mean_pit"] = _wmean(g["pit"].to_numpy(dtype=float), w)
    for col in ("crps", "log_score", "width_90"):
        row[col] = _wmean(g[col].to_numpy(dtype=float), w)
    return row


def summarise(
    points: pd.DataFrame,
    by: list[str],
    *,
    weight: str = "weight",
    cluster: str = "point_id",
    prob: float = 0.9,
    block: str | None = None,
) -> pd.DataFrame:
    """Per-group summary of scored points (rows from :func:`score_points` plus columns).

    Columns: the ``by`` columns, ``n_points`` (rows), ``n_distinct`` (distinct ``cluster``
    values), ``effective_n`` (sum of ``weight``), ``coverage_50``/``coverage_90`` (weighted
    hit shares) with ``_lower``/``_upper`` Wilson bounds at ``prob`` (weighted successes of
    ``effective_n``), and weighted means ``mean_pit``, ``crps`` (lower is better),
    ``log_score`` (higher is better) and ``width_90``. ``by=[]`` gives one overall row.

    With ``block`` (a column of block labels, e.g. origin x release year), the coverage
    intervals resample whole blocks (:func:`cluster_bootstrap_interval`): points that share
    a fitted trend are not independent, and the Wilson interval over points, which treats
    them so, is too narrow. The interval is the wider of that bootstrap's and a Wilson
    interval that counts each block once (when every block agrees the bootstrap has no
    spread, though a handful of blocks is little evidence). ``n_blocks`` counts the blocks
    (NaN without ``block``).
    """
    check_prob(prob)
    need = [*by, weight, cluster, "pit", "in_50", "in_90", "crps", "log_score", "width_90"]
    missing = [c for c in need if c not in points.columns]
    if missing:
        raise KeyError(f"points lack columns {missing}")
    if by:
        groups = points.groupby(by, sort=True, dropna=False)
        rows = [
            {**dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True)),
             **_summarise_group(g, weight, cluster, prob, block)}
            for key, g in groups
        ]  # fmt: skip
    else:
        rows = [_summarise_group(points, weight, cluster, prob, block)]
    out = pd.DataFrame(rows, columns=[*by, *SUMMARY_COLUMNS])
    if block is None:
        out = out.drop(columns="n_blocks")
    return out.astype({"n_points": int, "n_distinct": int})
