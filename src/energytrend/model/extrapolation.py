"""How a compute trend continues after its domain's last data date, the forecast origin
``t0`` (``[extrapolation] kind`` of the specification).

* :class:`LinearExtrapolation` (``"linear"``, the thesis and v1): the fitted line.
* :class:`FlatExtrapolation` (``"flat"``): no growth after the data (a scenario).
* :class:`DampedExtrapolation` (``"damped"``): the slope relaxes from its fitted value ``b``
  to a long-run slope ``L`` by the factor ``damping`` per year, so ``Δ`` years after ``t0``
  the trend has grown by ``L Δ + (b - L) (1 - damping**Δ) / (-ln damping)`` (the integral of
  the slope). ``longrun_slope[d]`` and ``damping[d]`` are per domain and only their priors
  inform them (the data end at ``t0``), so the uncertainty about future growth widens the
  bands draw by draw.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
import pymc as pm

from energytrend.model.draws import Draws


def damped_growth(
    delta: np.ndarray, slope: np.ndarray, longrun: np.ndarray, damping: np.ndarray
) -> np.ndarray:
    """Growth in log10 over ``delta`` years after the origin of a slope that starts at
    ``slope`` and relaxes to ``longrun`` by the factor ``damping`` per year (arrays broadcast:
    draws along the first axis, times along the second).

    Examples:
        >>> round(float(damped_growth(np.array(1.0), np.array(0.2), 0.0, np.array(0.5))), 6)
        0.14427
    """
    rate = -np.log(np.clip(damping, 1e-12, 1.0 - 1e-12))
    kept = -np.expm1(-rate * delta) / rate  # (1 - damping**delta) / -ln damping
    out: np.ndarray = longrun * delta + (slope - longrun) * kept
    return out


class Extrapolation(ABC):
    """One extrapolation part: its (prior-only) PyMC block and the path after ``t0``."""

    #: The ``[extrapolation] kind`` this part implements.
    kind: ClassVar[str]

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    @abstractmethod
    def build(self) -> None:
        """Add the block's parameters to the model in context."""

    @abstractmethod
    def path(
        self,
        draws: Draws,
        domain: str,
        line: tuple[np.ndarray, np.ndarray],
        t: np.ndarray,
        t0: float,
    ) -> np.ndarray:
        """Draws (sample, time) of the log10 trend at ``t`` (years from the time origin) of a
        line ``(intercept, slope)`` (each (sample, 1)) fitted to data up to ``t0``."""

    @abstractmethod
    def rate_growth(
        self, draws: Draws, domain: str, rate: np.ndarray, delta: np.ndarray
    ) -> np.ndarray:
        """Growth over ``delta`` years after the origin (each (sample, time)) of a quantity
        whose log grew at ``rate`` (sample, 1) per year over the data, such as the log scatter
        of a widening scale: bounded after the data."""


class LinearExtrapolation(Extrapolation):
    """The fitted line, continued as it is."""

    kind = "linear"

    def build(self) -> None:
        """No parameters: the line continues as fitted."""

    def path(
        self,
        draws: Draws,
        domain: str,
        line: tuple[np.ndarray, np.ndarray],
        t: np.ndarray,
        t0: float,
    ) -> np.ndarray:
        a, b = line
        out: np.ndarray = a + b * np.asarray(t, dtype=float)[None, :]
        return out

    def rate_growth(
        self, draws: Draws, domain: str, rate: np.ndarray, delta: np.ndarray
    ) -> np.ndarray:
        """None: a line continues forever, a growing scatter would not be bounded, so it
        stays where the data end."""
        return np.zeros(np.broadcast_shapes(np.shape(rate), np.shape(delta)))


class DampedExtrapolation(Extrapolation):
    """The slope relaxes to a long-run slope after ``t0`` (see the module doc)."""

    kind = "damped"

    def build(self) -> None:
        ext = self.spec["extrapolation"]
        slope = ext["longrun_slope"]
        pm.Normal("longrun_slope", slope["mu"], slope["sigma"], dims="domain")
        pm.Beta("damping", ext["damping"]["alpha"], ext["damping"]["beta"], dims="domain")

    def path(
        self,
        draws: Draws,
        domain: str,
        line: tuple[np.ndarray, np.ndarray],
        t: np.ndarray,
        t0: float,
    ) -> np.ndarray:
        a, b = line
        tt = np.asarray(t, dtype=float)[None, :]
        longrun = draws.at("longrun_slope", "domain", domain)[:, None]
        damping = draws.at("damping", "domain", domain)[:, None]
        inside = a + b * np.minimum(tt, t0)
        after = damped_growth(np.maximum(tt - t0, 0.0), b, longrun, damping)
        out: np.ndarray = inside + after
        return out

    def rate_growth(
        self, draws: Draws, domain: str, rate: np.ndarray, delta: np.ndarray
    ) -> np.ndarray:
        """The rate relaxes to none by the domain's ``damping``: bounded by
        ``rate / -ln damping``."""
        damping = draws.at("damping", "domain", domain)[:, None]
        return damped_growth(np.asarray(delta, dtype=float), rate, np.zeros(1), damping)


class FlatExtrapolation(LinearExtrapolation):
    """No growth after the data: the trend stays where it was at the forecast origin (a
    scenario, not a fitted belief). Like the straight line, it has no parameters and holds a
    growing scatter where the data end."""

    kind = "flat"

    def path(
        self,
        draws: Draws,
        domain: str,
        line: tuple[np.ndarray, np.ndarray],
        t: np.ndarray,
        t0: float,
    ) -> np.ndarray:
        a, b = line
        out: np.ndarray = a + b * np.minimum(np.asarray(t, dtype=float)[None, :], t0)
        return out


#: The extrapolation parts by ``[extrapolation] kind``.
EXTRAPOLATION_PARTS: dict[str, type[Extrapolation]] = {
    part.kind: part for part in (LinearExtrapolation, DampedExtrapolation, FlatExtrapolation)
}
