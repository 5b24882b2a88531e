"""Fair baselines of the rolling-origin backtest (issue 22, item 4): simple forecasts that see
exactly the data a model sees before an origin, each a predictive distribution of a new point
(or, for a frontier, a line), so they are scored as the model is.

* :func:`ols_predictive` (from :mod:`energytrend.studies.scoring`): least squares of log10 on
  the date, the classical Student-t prediction interval (parameter uncertainty included).
* :func:`random_walk_predictive`: a random walk with drift on the yearly medians, with the
  drift's estimation error and a Student-t for the estimated scales.
* :func:`calibrated_energy`: the energy of an MLPerf run as ``log10 GFLOPs per sample -
  log10 GFLOPS/W + log10 realisation``, with the efficiency from a baseline line (OLS or random
  walk) of the run's precision series and the realisation factor from
  :func:`realisation_predictive`, an OLS on a constant of the earlier runs' factors.
* :func:`top_decile_line`: the frontier as Epoch AI draws it, an OLS line through each
  year's top-decile models; scored by :func:`pinball_loss` at the frontier quantile and by
  the share of later models above it.

Pure functions of arrays (no I/O, no fitting). Every quantity is in log10 units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from energytrend.studies.scoring import (
    Predictive,
    _train_test,
    _yearly_random_walk,
    log_score_student_t,
    ols_predictive,
)

__all__ = [
    "EnergyPredictive",
    "calibrated_energy",
    "ols_predictive",
    "pinball_loss",
    "random_walk_predictive",
    "realisation_predictive",
    "top_decile_line",
    "top_decile_mask",
]

#: Share of each year's models that :func:`top_decile_mask` keeps.
TOP_SHARE = 0.1


def random_walk_predictive(
    t_train: np.ndarray,
    y_train: np.ndarray,
    t_test: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
) -> Predictive:
    """Random walk with drift on the yearly medians, predicting a single new point, with the
    parameters' uncertainty.

    The training points are reduced to one median ``m_k`` per calendar year ``Y_k``
    (``floor(t)``), placed at the year's mid-point; ``K`` increments over ``T = Y_K - Y_0``
    years. drift ``d = (m_K - m_0) / T`` (the maximum-likelihood drift when the variance grows
    with the gap), ``s^2 = sum((dy - d dt)^2 / dt) / (K - 1)``, and ``s_p^2`` the pooled
    within-year variance of the points around their medians (``n - K - 1`` degrees of freedom;
    0 when every year has one point). At horizon ``h = t - (Y_K + 0.5)`` (0 if negative) the
    prediction is Student-t with location ``m_K + d h`` and scale
    ``sqrt(s^2 (h + h^2 / T) + s_p^2)``: the walk's ``h`` steps, the drift's estimation
    variance ``h^2 s^2 / T`` and a point's scatter around its year. Its degrees of freedom are
    Welch-Satterthwaite's for the two estimated variances (``K - 1`` without point scatter).
    With one median a year at mid-year and Gaussian steps the interval is exact.

    Raises ValueError with fewer than 3 distinct years, or with no spread at all.

    Examples:
        >>> t = np.array([2000.5, 2001.5, 2002.5, 2003.5])
        >>> p = random_walk_predictive(t, np.array([0.0, 1.0, 2.5, 3.0]), np.array([2005.5]),
        ...                            10, np.random.default_rng(0))
        >>> float(p.loc[0]), float(p.df[0])
        (5.0, 2.0)
    """
    t, y, tt = _train_test(t_train, y_train, t_test)
    fit = _yearly_random_walk(t, y)
    years = np.unique(np.floor(t))
    k = years.size - 1
    span = float(years[-1] - years[0])
    h = np.maximum(tt - fit.t_last, 0.0)
    walk = fit.sigma**2 * (h + h**2 / span)
    point = fit.sigma_point**2
    scale2 = walk + point
    if np.any(scale2 <= 0):
        raise ValueError("random-walk baseline has zero predictive spread (constant data?)")
    dof_point = t.size - years.size
    denom = walk**2 / (k - 1) + (point**2 / dof_point if dof_point > 0 else 0.0)
    df = np.where(denom > 0, scale2**2 / np.where(denom > 0, denom, 1.0), float(k - 1))
    loc = fit.y_last + fit.drift * h
    scale = np.sqrt(scale2)
    draws = loc + scale * rng.standard_t(df, size=(n_draws, tt.size))
    return Predictive(draws=draws, loc=loc, scale=scale, df=df)


def realisation_predictive(
    r_train: np.ndarray, n_points: int, n_draws: int, rng: np.random.Generator
) -> Predictive:
    """The log10 realisation factor of a new MLPerf run, from the earlier runs' factors: an
    OLS on a constant (the model's factor is constant too), so Student-t with ``m - 1``
    degrees of freedom, location their mean and scale ``s sqrt(1 + 1/m)`` (``s`` their
    standard deviation), repeated for ``n_points`` runs (independent draws per run).

    Raises ValueError with fewer than 3 runs or no spread.

    Examples:
        >>> p = realisation_predictive(np.array([0.3, 0.4, 0.5]), 2, 5, np.random.default_rng(0))
        >>> round(float(p.loc[0]), 3), round(float(p.scale[0]), 3), p.df, p.draws.shape
        (0.4, 0.115, 2.0, (5, 2))
    """
    r = np.asarray(r_train, dtype=float).ravel()
    if r.size < 3 or not np.isfinite(r).all():
        raise ValueError(f"a realisation factor needs at least 3 finite earlier runs, got {r.size}")
    s = float(np.std(r, ddof=1))
    if s <= 0:
        raise ValueError("the earlier runs' realisation factors have no spread")
    df = float(r.size - 1)
    loc = np.full(n_points, float(r.mean()))
    scale = np.full(n_points, s * math.sqrt(1 + 1 / r.size))
    draws = loc + scale * rng.standard_t(df, size=(n_draws, n_points))
    return Predictive(draws=draws, loc=loc, scale=scale, df=df)


@dataclass(frozen=True)
class EnergyPredictive:
    """Predictive of ``X + R`` for an ensemble ``X`` (``shift``, (n_draws, n_points)) and an
    independent Student-t ``R`` (``loc``, ``scale`` per point, ``df``): ``draws`` are
    ``shift + R`` draws; the density is the mixture ``mean_s t_df(y - shift_s | loc, scale)``
    (Rao-Blackwellised over the draws of ``X``, as the model's log score is over its
    posterior draws)."""

    draws: np.ndarray
    shift: np.ndarray
    loc: np.ndarray
    scale: np.ndarray
    df: float

    def logpdf(self, y: np.ndarray) -> np.ndarray:
        """Log predictive density at ``y`` (n_points,), natural log per log10 unit."""
        return log_score_student_t(self.shift + self.loc, self.scale[None, :], self.df, y)


def calibrated_energy(
    log10_gflops: np.ndarray, efficiency: Predictive, realisation: Predictive
) -> EnergyPredictive:
    """Log10 joules per sample of MLPerf runs: ``log10 GFLOPs per sample - E + R``, with ``E``
    the predictive log10 GFLOPS/W of a new chip of each run's precision at its date (a
    baseline line) and ``R`` the predictive log10 realisation factor
    (:func:`realisation_predictive`), independent.

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> eff = ols_predictive(np.array([2018.0, 2019.0, 2020.0, 2021.0]),
        ...                      np.array([2.0, 2.1, 2.3, 2.4]), np.array([2022.0]), 100, rng)
        >>> real = realisation_predictive(np.array([0.3, 0.4, 0.5]), 1, 100, rng)
        >>> e = calibrated_energy(np.array([3.0]), eff, real)
        >>> round(float(3.0 - eff.loc[0] + real.loc[0]), 2), e.draws.shape
        (0.85, (100, 1))
    """
    g = np.asarray(log10_gflops, dtype=float)
    if efficiency.draws.shape != realisation.draws.shape or g.shape != efficiency.loc.shape:
        raise ValueError(
            "efficiency and realisation need draws of one shape (n_draws, n_runs) and "
            "log10_gflops one value per run"
        )
    shift = g[None, :] - efficiency.draws
    return EnergyPredictive(
        draws=shift + realisation.draws,
        shift=shift,
        loc=np.asarray(realisation.loc, dtype=float),
        scale=np.asarray(realisation.scale, dtype=float),
        df=float(realisation.df),
    )


def top_decile_mask(t: np.ndarray, y: np.ndarray, share: float = TOP_SHARE) -> np.ndarray:
    """Per calendar year (``floor(t)``), its ``ceil(share * n)`` models of largest ``y`` (at
    least one a year; ties by order), as a boolean mask.

    Examples:
        >>> t = np.array([2000.1, 2000.2, 2000.3, 2001.5])
        >>> top_decile_mask(t, np.array([1.0, 3.0, 2.0, 0.0])).tolist()
        [False, True, False, True]
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    tt = np.asarray(t, dtype=float)
    yy = np.asarray(y, dtype=float)
    year = np.floor(tt)
    out = np.zeros(tt.size, dtype=bool)
    for yr in np.unique(year):
        idx = np.flatnonzero(year == yr)
        k = math.ceil(share * idx.size - 1e-9)
        out[idx[np.argsort(-yy[idx], kind="stable")[:k]]] = True
    return out


def top_decile_line(
    t_train: np.ndarray, y_train: np.ndarray, t_test: np.ndarray, share: float = TOP_SHARE
) -> np.ndarray:
    """The frontier line at ``t_test``: an OLS of log10 on the date through each year's top
    ``share`` of models (:func:`top_decile_mask`), as Epoch AI draws frontiers. Its slope is
    the frontier's own, not the typical model's.

    Raises ValueError with fewer than 3 such models or one year only.

    Examples:
        >>> t = np.repeat([2000.5, 2001.5, 2002.5], 10)
        >>> y = np.tile(np.arange(10.0), 3) + np.repeat([0.0, 1.0, 2.0], 10)
        >>> top_decile_line(t, y, np.array([2003.5])).round(6).tolist()
        [12.0]
    """
    t, y, tt = _train_test(t_train, y_train, t_test)
    top = top_decile_mask(t, y, share)
    if top.sum() < 3 or np.unique(np.floor(t[top])).size < 2:
        raise ValueError(
            f"a top-decile line needs at least 3 top models in 2 or more years, got "
            f"{int(top.sum())} in {np.unique(np.floor(t[top])).size}"
        )
    slope, intercept = np.polyfit(t[top] - t[top].mean(), y[top], 1)
    out: np.ndarray = intercept + slope * (tt - t[top].mean())
    return out


def pinball_loss(y: np.ndarray, line: np.ndarray, tau: float) -> np.ndarray:
    """Pinball (quantile) loss of the line ``line`` as the ``tau`` quantile of ``y`` (lower is
    better; its expectation is smallest at the true quantile): ``tau (y - q)`` above the line,
    ``(1 - tau) (q - y)`` below.

    Examples:
        >>> pinball_loss(np.array([2.0, 0.0]), np.array([1.0, 1.0]), 0.9).round(2).tolist()
        [0.9, 0.1]
    """
    if not 0 < tau < 1:
        raise ValueError(f"tau must be in (0, 1), got {tau}")
    u = np.asarray(y, dtype=float) - np.asarray(line, dtype=float)
    out: np.ndarray = np.maximum(tau * u, (tau - 1) * u)
    return out
