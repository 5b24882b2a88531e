"""Forecasts of the fitted trends and the dates at which energy crosses human levels.

Everything here is computed from a :class:`~energytrend.result.TrendFit`'s posterior draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energytrend.data import from_decimal_year
from energytrend.result import CI_PROB, TrendFit, _bounds

KCAL = 4184.0  # J
KWH = 3.6e6  # J
SECONDS_PER_DAY = 86400.0
SECONDS_PER_YEAR = 365.25 * SECONDS_PER_DAY


@dataclass(frozen=True)
class EnergyLevel:
    """A reference energy, in joules, with how it was computed."""

    name: str
    joules: float
    derivation: str


def human_levels() -> tuple[EnergyLevel, ...]:
    """The thesis's two reference levels (section 5.3), computed from their inputs.

    * a human body for one second: 2,000 kcal per day is about 97 W, so about 97 J;
    * a person's total energy use for one second: 79,897 kWh per year (USA, 2019) is about
      9.1 kW, so about 9,100 J.
    """
    body = 2000 * KCAL / SECONDS_PER_DAY
    total = 79_897 * KWH / SECONDS_PER_YEAR
    return (
        EnergyLevel(
            "human body, 1 s",
            body,
            f"2,000 kcal/day x {KCAL:.0f} J/kcal / 86,400 s = {body:.1f} W, for 1 s",
        ),
        EnergyLevel(
            "person's total energy use, 1 s",
            total,
            f"79,897 kWh/yr x 3,600,000 J/kWh / {SECONDS_PER_YEAR:.0f} s = {total:.0f} W, for 1 s",
        ),
    )


def _lines(result: TrendFit) -> list[tuple[str, str, str, np.ndarray, np.ndarray, str, int]]:
    """(metric, domain, group, intercept draws, slope draws, kind, index) of every trend
    line; ``kind`` and ``index`` locate its scatter (:meth:`TrendFit.scale`)."""
    out = []
    for k, s in enumerate(result.series):
        out.append(
            (
                "gflops_per_watt",
                s,
                "hardware",
                result.draws("eff_intercept").sel(series=s).to_numpy(),
                result.draws("eff_slope").sel(series=s).to_numpy(),
                "efficiency",
                k,
            )
        )
    for k, g in enumerate(result.groups):
        d, grp = g.split("/")
        for metric, prefix in (("gflops", ""), ("joules", "energy_")):
            out.append(
                (
                    metric,
                    d,
                    grp,
                    result.draws(f"{prefix}intercept").sel(group=g).to_numpy(),
                    result.draws(f"{prefix}slope").sel(group=g).to_numpy(),
                    "compute",
                    k,
                )
            )
    return out


def forecast(
    result: TrendFit,
    *,
    start: float | None = None,
    end: float = 2040.0,
    step: float = 0.25,
    prob: float = CI_PROB,
) -> pd.DataFrame:
    """Median and credible bands of every trend from ``start`` (default: the first data
    year) to ``end``, in natural units (GFLOPs, GFLOPS/W, J per forward pass).

    Every line has rows of two bands, told apart by the ``band`` column (it is not an
    argument): ``"mean"`` rows give the uncertainty of the trend line itself, ``"predictive"``
    rows add the scatter of a new model (or GPU) around it. For energy, the predictive band adds the
    compute scatter only: the energy of a new model is its GFLOPs over the efficiency trend.
    Columns: metric, domain, group, year, date (the calendar date of the decimal year, so
    2030.0 is 2030-01-01), band, median, lower, upper, lower_50, upper_50, prob.
    """
    lo, hi = _bounds(prob)
    if start is None:
        start = float(np.floor(min(result.models["year"].min(), result.gpus["year"].min())))
    if end <= start:
        raise ValueError(f"end ({end}) must be after start ({start})")
    years = np.arange(start, end + step / 2, step)
    t = years - result.idata.attrs["year_origin"]
    rng = np.random.default_rng(result.config.seed + 2)
    rows = []
    for metric, domain, group, a, b, kind, k in _lines(result):
        mean = a[:, None] + b[:, None] * t[None, :]
        sd = result.scale(kind, np.full(t.shape, k), t)
        predictive = mean + sd * result.scatter(kind, mean.shape, rng)
        for band, values in (("mean", mean), ("predictive", predictive)):
            q = np.quantile(values, [0.5, lo, hi, 0.25, 0.75], axis=0)
            rows.append(
                pd.DataFrame(
                    {
                        "metric": metric,
                        "domain": domain,
                        "group": group,
                        "year": years,
                        "date": from_decimal_year(years),
                        "band": band,
                        "median": 10 ** q[0],
                        "lower": 10 ** q[1],
                        "upper": 10 ** q[2],
                        "lower_50": 10 ** q[3],
                        "upper_50": 10 ** q[4],
                        "prob": prob,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _levels(levels: Mapping[str, float] | None) -> list[tuple[str, float]]:
    if levels is None:
        return [(lv.name, lv.joules) for lv in human_levels()]
    out = [(str(k), float(v)) for k, v in levels.items()]
    if any(not np.isfinite(v) or v <= 0 for _, v in out):
        raise ValueError(f"energy levels must be positive numbers of joules, got {levels}")
    return out


def crossing_dates(
    result: TrendFit,
    *,
    levels: Mapping[str, float] | None = None,
    horizon: float = 2100.0,
    prob: float = CI_PROB,
) -> pd.DataFrame:
    """When does each group's energy trend reach each level?

    For every posterior draw the trend crosses ``level`` at
    ``origin + (log10 level - intercept) / slope`` when its slope is positive; draws whose
    trend never reaches the level before ``horizon`` count as "not by the horizon". The median
    and interval are quantiles over all draws.

    Columns:
        domain, group, level, joules.
        crossing: the answer in words: ``"already crossed"`` (the median trend is above the
            level at the last data date), the calendar year of the median crossing, or
            ``"not by <horizon>"``.
        interval: the ``prob`` interval in words, e.g. ``"2024 to 2031"`` or ``"2030 to
            after 2100"``.
        median_year, lower_year, upper_year: the same as decimal years; NaN where the
            quantile lies beyond the horizon (never ``inf``).
        median_date: the median as an ISO date ``YYYY-MM-DD`` ("" beyond the horizon).
        already_crossed, p_by_horizon (P(crossed by the horizon)), p_never (P(slope <= 0)),
        horizon, prob.
    """
    lo, hi = _bounds(prob)
    if not np.isfinite(horizon):
        raise ValueError(f"horizon must be a finite year, got {horizon}")
    origin = result.idata.attrs["year_origin"]
    last = float(result.models["year"].max())
    rows = []
    for metric, domain, group, a, b, *_ in _lines(result):
        if metric != "joules":
            continue
        for name, joules in _levels(levels):
            y = np.log10(joules)
            with np.errstate(divide="ignore", invalid="ignore"):
                year = origin + (y - a) / b
            at_last = a + b * (last - origin)
            already = bool(np.median(at_last) >= y)
            reaches = (b > 0) & (year <= horizon)
            # a draw already above the level has crossed (at its crossing year, or before)
            year = np.where(at_last >= y, np.minimum(year, last), year)
            year = np.where(reaches | (at_last >= y), year, np.inf)
            q = np.quantile(year, [0.5, lo, hi], method="inverted_cdf")  # inf-safe
            med, low, high = (float(v) if np.isfinite(v) else float("nan") for v in q)
            rows.append(
                {
                    "domain": domain,
                    "group": group,
                    "level": name,
                    "joules": joules,
                    "crossing": _in_words(med, horizon, already),
                    "interval": f"{_year_text(low, horizon)} to {_year_text(high, horizon)}",
                    "median_year": med,
                    "lower_year": low,
                    "upper_year": high,
                    "median_date": _iso(med),
                    "already_crossed": already,
                    "p_by_horizon": float(np.mean(np.isfinite(year))),
                    "p_never": float(np.mean(b <= 0)),
                    "horizon": horizon,
                    "prob": prob,
                }
            )
    return pd.DataFrame(rows)


def _calendar_year(year: float) -> int:
    """The calendar year of the date of a decimal year (as :func:`from_decimal_year`, whose
    rounding to the nearest day can reach 1 January of the next year), for any year."""
    whole = np.floor(year)
    days = 366 if (whole % 4 == 0 and whole % 100 != 0) or whole % 400 == 0 else 365
    return int(whole) + int(np.round((year - whole) * days) >= days)


def _year_text(year: float, horizon: float) -> str:
    return str(_calendar_year(year)) if np.isfinite(year) else f"after {horizon:g}"


def _in_words(median: float, horizon: float, already: bool) -> str:
    if already:
        return "already crossed"
    if not np.isfinite(median):
        return f"not by {horizon:g}"
    return str(_calendar_year(median))


def _iso(year: float) -> str:
    if not np.isfinite(year):
        return ""
    try:
        return str(from_decimal_year(year)[0].strftime("%Y-%m-%d"))
    except (pd.errors.OutOfBoundsDatetime, OverflowError):  # beyond pandas' years 1677-2262
        return ""


def crossing_curve(
    result: TrendFit,
    *,
    levels: Mapping[str, float] | None = None,
    start: float = 2020.0,
    end: float = 2100.0,
) -> pd.DataFrame:
    """Probability that each group's energy trend is above each level, by year.

    Columns: domain, group, level, joules, year, p_crossed.
    """
    years = np.arange(start, end + 1.0)
    t = years - result.idata.attrs["year_origin"]
    rows = []
    for metric, domain, group, a, b, *_ in _lines(result):
        if metric != "joules":
            continue
        trend = a[:, None] + b[:, None] * t[None, :]
        for name, joules in _levels(levels):
            rows.append(
                pd.DataFrame(
                    {
                        "domain": domain,
                        "group": group,
                        "level": name,
                        "joules": joules,
                        "year": years,
                        "p_crossed": np.mean(trend >= np.log10(joules), axis=0),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)
