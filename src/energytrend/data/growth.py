"""Conversions between a log10-per-year slope and the growth rates researchers quote.

Shared by the thesis's OLS baseline and the Bayesian fits so both report identical units.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

LOG10_2 = float(np.log10(2.0))


def factor_per_year(slope: npt.ArrayLike) -> np.ndarray:
    """Multiplicative change per year: ``10 ** slope``."""
    return np.asarray(np.power(10.0, np.asarray(slope, dtype=float)), dtype=float)


def doubling_time_months(slope: npt.ArrayLike) -> np.ndarray:
    """Months for the quantity to double (positive slope) or halve (negative slope, reported
    as a negative number). Infinite when the slope is zero."""
    s = np.asarray(slope, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(s == 0.0, np.inf, 12.0 * LOG10_2 / s)


def orders_of_magnitude_per_year(slope: npt.ArrayLike) -> np.ndarray:
    """Orders of magnitude per year: the log10 slope itself."""
    return np.asarray(slope, dtype=float)
