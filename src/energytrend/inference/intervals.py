"""Credible intervals of posterior draws and the doubling (halving) times of slopes, with
their Monte Carlo standard errors: the small numeric helpers behind
:class:`energytrend.inference.result.TrendFit`'s tables (importable from there too)."""

from __future__ import annotations

from typing import Any

import numpy as np

from energytrend.data.growth import LOG10_2
from energytrend.inference.mcse import quantile_mcse, transformed_mcse

#: Default probability of every credible interval (equal-tailed).
CI_PROB = 0.9


def check_prob(prob: float, name: str = "prob") -> None:
    """Raise ``ValueError`` unless ``0 < prob < 1`` (``name`` is what the message calls it)."""
    if not 0 < prob < 1:
        raise ValueError(f"{name} must be between 0 and 1 (e.g. 0.9), got {prob}")


def bounds(prob: float) -> tuple[float, float]:
    """The lower and upper quantile levels of the equal-tailed ``prob`` interval."""
    check_prob(prob)
    return (1 - prob) / 2, 1 - (1 - prob) / 2


def interval(draws: np.ndarray, prob: float) -> tuple[float, float, float]:
    """Median and equal-tailed ``prob`` interval of 1-D draws."""
    lo, hi = bounds(prob)
    q = np.quantile(draws, [0.5, lo, hi])
    return float(q[0]), float(q[1]), float(q[2])


def interval_mcse(draws: np.ndarray, prob: float) -> tuple[float, float, float]:
    """Monte Carlo standard errors of :func:`interval`'s median and bounds; ``draws`` has
    shape (chain, draw)."""
    lo, hi = bounds(prob)
    return quantile_mcse(draws, 0.5), quantile_mcse(draws, lo), quantile_mcse(draws, hi)


def doubling_row(slope: np.ndarray, prob: float) -> dict[str, Any]:
    """Doubling (or halving) time in months from slope draws.

    When the slope's interval excludes zero, the times are the transformed quantiles
    (``direction`` doubling or halving, values positive). When it includes zero the time is
    unbounded: ``median`` and ``upper`` are infinite and ``lower`` is the shortest doubling or
    halving time the interval allows.
    """
    med, lo, hi = interval(slope, prob)
    k = 12.0 * LOG10_2
    if lo > 0:
        return {"median": k / med, "lower": k / hi, "upper": k / lo, "direction": "doubling"}
    if hi < 0:
        return {"median": k / -med, "lower": k / -lo, "upper": k / -hi, "direction": "halving"}
    return {
        "median": np.inf,
        "lower": k / max(abs(lo), abs(hi)),
        "upper": np.inf,
        "direction": "unbounded",
    }


def doubling_mcse(
    direction: str, slopes: tuple[float, float, float], mcses: tuple[float, float, float]
) -> dict[str, float]:
    """MCSEs of :func:`doubling_row`'s times, by the delta method on ``k / |q|`` (``k`` = 12
    log10 2, ``q`` a slope quantile): ``slopes`` and ``mcses`` are (median, lower, upper)."""
    k = 12.0 * LOG10_2
    (med, lo, hi), (e_med, e_lo, e_hi) = slopes, mcses

    def m(q: float, e: float) -> float:
        return transformed_mcse(k / abs(q), e, k / q**2)

    nan = float("nan")
    if direction == "doubling":
        return {"mcse_median": m(med, e_med), "mcse_lower": m(hi, e_hi), "mcse_upper": m(lo, e_lo)}
    if direction == "halving":
        return {"mcse_median": m(med, e_med), "mcse_lower": m(lo, e_lo), "mcse_upper": m(hi, e_hi)}
    nearest = (lo, e_lo) if abs(lo) >= abs(hi) else (hi, e_hi)
    return {"mcse_median": nan, "mcse_lower": m(*nearest), "mcse_upper": nan}
