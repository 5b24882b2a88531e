"""Monte Carlo standard errors of the numbers the result tables report.

Every printed estimate (a posterior median, an interval bound, a probability) is itself a
Monte Carlo estimate from a finite number of correlated draws. Its Monte Carlo standard error
(MCSE) says how much it would move with another seed; the tables carry it so that numbers are
printed only to the digits it supports (:mod:`energytrend.inference.formatting`) and the
tests compare sampled numbers within it.

Draws are given as arrays of shape (chain, draw); a 1-D array is taken as one chain.
"""

from __future__ import annotations

import arviz as az
import numpy as np
import numpy.typing as npt


def _chains(draws: npt.ArrayLike) -> np.ndarray:
    x = np.asarray(draws, dtype=float)
    return x[np.newaxis, :] if x.ndim == 1 else x


def quantile_mcse(draws: npt.ArrayLike, prob: float) -> float:
    """MCSE of the ``prob`` quantile of ``draws`` (ArviZ's quantile method, Vehtari et al.
    2021), accounting for autocorrelation within and between chains."""
    return float(az.mcse(_chains(draws), method="quantile", prob=prob))


def mean_mcse(draws: npt.ArrayLike) -> float:
    """MCSE of the mean of ``draws``; for an indicator (0/1) array it is the MCSE of the
    probability that the indicator estimates."""
    x = _chains(draws)
    if np.ptp(x) == 0:  # all draws equal: the estimate cannot move with another seed
        return 0.0
    return float(az.mcse(x, method="mean"))


def transformed_mcse(value: float, mcse: float, derivative: float) -> float:
    """MCSE of ``f(estimate)`` by the delta method, given ``f'`` at the estimate."""
    if not np.isfinite(value):
        return float("nan")
    return float(abs(derivative) * mcse)


def sd_mcse(draws: npt.ArrayLike) -> float:
    """MCSE of the standard deviation of ``draws`` (ArviZ's ``sd`` method, as
    ``az.summary``'s ``mcse_sd``)."""
    x = _chains(draws)
    if np.ptp(x) == 0:
        return 0.0
    return float(az.mcse(x, method="sd"))
