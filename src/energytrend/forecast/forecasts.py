"""Forecasts of the fitted trends and the dates at which energy crosses human levels.

Everything here is computed from the posterior draws of a
:class:`~energytrend.inference.result.TrendFit`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energytrend.data.tables import from_decimal_year
from energytrend.forecast.trend import (
    compute_path,
    efficiency_path,
    energy_path,
    first_passage,
    forecast_origin,
    has_calibration,
    scenario_extrapolation,
)
from energytrend.inference.intervals import CI_PROB, bounds
from energytrend.inference.result import TrendFit

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

    Examples:
        >>> [round(level.joules) for level in human_levels()]
        [97, 9114]
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


def _lines(result: TrendFit) -> list[tuple[str, str, str, str, int]]:
    """(metric, domain, group, kind, index) of every trend; ``kind`` (the model part,
    ``compute`` or ``efficiency``) and ``index`` locate its scatter."""
    out = [("gflops_per_watt", s, "hardware", "efficiency", k) for k, s in enumerate(result.series)]
    calibrated = has_calibration(result)
    for k, g in enumerate(result.groups):
        d, grp = g.split("/")
        out += [("gflops", d, grp, "compute", k), ("joules", d, grp, "compute", k)]
        if calibrated:
            out.append(("joules_calibrated", d, grp, "compute", k))
    return out


def _path(result: TrendFit, metric: str, domain: str, group: str, t: np.ndarray) -> np.ndarray:
    if metric == "gflops_per_watt":
        return efficiency_path(result, domain, t)
    line = f"{domain}/{group}"
    if metric == "gflops":
        return compute_path(result, line, t)
    return energy_path(result, line, t, calibrated=metric == "joules_calibrated")


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

    Inside the data a trend is its fitted line; after the domain's last model it continues as
    the ``[extrapolation]`` of the specification says (see :mod:`energytrend.forecast.trend`).

    Energy comes as two labelled lines: ``metric="joules"`` is the peak-based estimate,
    FLOPs over peak GFLOPS/W at the precision inference runs at (the thesis's method, a lower
    bound), and ``metric="joules_calibrated"`` (where the fit has MLPerf measurements) is that
    times the realisation factor, measured over peak-based joules, draw by draw.

    Every line has rows of two bands, told apart by the ``band`` column (it is not an
    argument): ``"mean"`` rows give the uncertainty of the trend itself (the typical new
    model's median, or the frontier quantile), ``"predictive"`` rows add the scatter of one
    new model (or GPU) around it, drawn once per posterior draw and shared by every year so
    that the band's edges are smooth. A frontier that is a quantile of the year's new models has
    no scatter of its own: its predictive rows equal its mean rows. For energy, the
    predictive band adds the compute scatter only: the energy of a new model is its GFLOPs
    over the efficiency trend.

    Args:
        result: a fit (:func:`energytrend.fit` or :func:`energytrend.load`).
        start: first decimal year (default: the year of the first data point).
        end: last decimal year (default 2040).
        step: spacing of the years, in years (default a quarter).
        prob: probability of the credible bands (default :data:`CI_PROB`).

    Returns:
        Columns metric, domain, group, year, date (the calendar date of the decimal year, so
        2030.0 is 2030-01-01), band, median, lower, upper, lower_50, upper_50, prob.

    Examples:
        >>> import energytrend as et
        >>> fc = et.forecast(et.fit("cv"), end=2030)
        >>> sorted(fc["band"].unique()), float(fc["year"].max())
        (['mean', 'predictive'], 2030.0)
    """
    lo, hi = bounds(prob)
    result.warn_if_failed()
    if start is None:
        start = float(np.floor(min(result.models["year"].min(), result.gpus["year"].min())))
    if end <= start:
        raise ValueError(f"end ({end}) must be after start ({start})")
    years = np.arange(start, end + step / 2, step)
    t = years - result.idata.attrs["year_origin"]
    rng = np.random.default_rng(result.config.seed + 2)
    draws = result.posterior_draws
    rows = []
    for metric, domain, group, kind, k in _lines(result):
        mean = _path(result, metric, domain, group, t)
        predictive = mean
        part = result.parts.compute if kind == "compute" else result.parts.efficiency
        if kind == "efficiency" or result.parts.compute.has_scatter(group):
            # one standardised scatter draw per posterior draw, shared by every year (common
            # random numbers): each year's band is the same predictive distribution, and its
            # edges are smooth in time rather than jagged with independent Monte Carlo noise
            sd = part.scale(draws, np.full(t.shape, k), t)
            predictive = mean + sd * part.noise(draws, (mean.shape[0], 1), rng)
            realisation = result.parts.realisation
            if metric == "joules_calibrated" and realisation is not None:
                # and a deployment's own realisation
                spread = realisation.spread(draws)[:, None]
                predictive = predictive + spread * rng.standard_normal((mean.shape[0], 1))
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


def energy_levels(levels: Mapping[str, float] | None) -> list[tuple[str, float]]:
    """(name, joules) of ``levels``, default the two human levels; positive and finite."""
    if levels is None:
        return [(lv.name, lv.joules) for lv in human_levels()]
    out = [(str(k), float(v)) for k, v in levels.items()]
    if any(not np.isfinite(v) or v <= 0 for _, v in out):
        raise ValueError(f"energy levels must be positive numbers of joules, got {levels}")
    return out


#: Time step of the paths along which crossings are found: one month.
STEP = 1.0 / 12.0


def passage_times(
    result: TrendFit,
    group: str,
    joules: float,
    horizon: float,
    *,
    calibrated: bool = False,
    scenario: str = "fitted",
) -> tuple[float, np.ndarray]:
    """The forecast origin ``t0`` of ``group``'s domain (a decimal year) and, per posterior
    draw, the first date in ``[t0, horizon]`` at which its energy trend reaches ``joules``:
    ``t0`` when it is already above at ``t0``, ``inf`` when it is not by ``horizon``. The
    energy is peak-based (a lower bound) or ``calibrated`` by the MLPerf realisation factor,
    under ``scenario`` for compute after the data
    (:data:`energytrend.forecast.trend.SCENARIOS`)."""
    origin = float(result.idata.attrs["year_origin"])
    t0 = forecast_origin(result, group.split("/")[0])
    if horizon <= t0:
        raise ValueError(
            f"horizon ({horizon:g}) must be after the forecast origin ({t0:.2f}, the last "
            "model's date)"
        )
    years = np.append(np.arange(t0, horizon, STEP), horizon)
    path = energy_path(result, group, years - origin, calibrated=calibrated, scenario=scenario)
    return t0, first_passage(path, years, float(np.log10(joules)))


#: One crossing problem: its labels (domain, group, level, ...), the level in joules, the
#: forecast origin and the first-passage date of every draw.
Passage = tuple[dict[str, object], float, float, np.ndarray]


def _passages(
    result: TrendFit,
    levels: Mapping[str, float] | None,
    horizon: float,
    scenarios: Sequence[str] = ("fitted",),
    energy: Sequence[str] = ("peak",),
) -> Iterator[Passage]:
    """Every group's energy trend against every level (see :data:`Passage`), under every
    scenario and energy basis asked; the labels name the scenario and basis when more than
    the defaults are asked."""
    for name in scenarios:
        scenario_extrapolation(result, name)  # an unknown scenario fails before any work
    for basis in energy:
        if basis not in ENERGY_BASES:
            raise ValueError(f"unknown energy {basis!r}; choose from {', '.join(ENERGY_BASES)}")
        if basis == "calibrated" and not has_calibration(result):
            raise ValueError(
                "this fit has no MLPerf energy measurements to calibrate with "
                "(the 'thesis' dataset has none); use energy='peak'"
            )
    labelled = tuple(scenarios) != ("fitted",) or tuple(energy) != ("peak",)
    for metric, domain, group, *_ in _lines(result):
        if metric != "joules":
            continue
        for basis in energy:
            for scenario in scenarios:
                for name, joules in energy_levels(levels):
                    t0, when = passage_times(
                        result, f"{domain}/{group}", joules, horizon,
                        calibrated=basis == "calibrated", scenario=scenario,
                    )  # fmt: skip
                    labels: dict[str, object] = {"domain": domain, "group": group}
                    if labelled:
                        labels |= {"energy": basis, "scenario": scenario}
                    yield {**labels, "level": name}, joules, t0, when


#: The energy bases of a crossing: the thesis's peak-based lower bound, and peak-based energy
#: times the MLPerf realisation factor (measured over peak-based).
ENERGY_BASES = ("peak", "calibrated")


def crossing_dates(
    result: TrendFit,
    *,
    levels: Mapping[str, float] | None = None,
    horizon: float = 2040.0,
    prob: float = CI_PROB,
    scenarios: Sequence[str] = ("fitted",),
    energy: Sequence[str] = ("peak",),
) -> pd.DataFrame:
    """When does each group's energy trend first reach each level after the forecast origin?

    The origin ``t0`` is the domain's last model's date: nothing before it is forecast. Along
    each posterior draw's energy path (:mod:`energytrend.forecast.trend`), the crossing date is the
    first passage at or above the level in ``[t0, horizon]``. A draw already above at ``t0``
    has crossed "already"; one that stays below has "not by the horizon".

    Args:
        result: a fit (:func:`energytrend.fit` or :func:`energytrend.load`).
        levels: ``{name: joules}``; default the thesis's two human levels
            (:func:`human_levels`).
        horizon: last decimal year considered (default 2040).
        prob: probability of the credible interval (default :data:`CI_PROB`).
        scenarios: growth of compute after the data, any of
            :data:`energytrend.forecast.trend.SCENARIOS` (``"fitted"``, ``"straight"``,
            ``"flat"``): the crossing dates are largely what this assumes.
        energy: ``"peak"`` (the thesis's lower bound) and/or ``"calibrated"`` (times the
            MLPerf realisation factor, where the fit has MLPerf runs).

    Columns:
        domain, group (and ``energy``, ``scenario`` when other than the defaults are asked),
        level, joules, origin (``t0``, decimal year).
        crossing: the median in words: ``"already crossed"``, a calendar year, or
            ``"not by <horizon>"``.
        interval: the ``prob`` interval in words, e.g. ``"2024 to 2031"``, ``"already to
            2031"`` or ``"2030 to after 2040"``; one phrase (``"already"``, ``"after 2040"``)
            when both bounds read the same.
        median_year, lower_year, upper_year: the same as decimal years; ``t0`` for
            "already", NaN for "not by the horizon" (never ``inf``).
        median_date: the median as an ISO date ``YYYY-MM-DD`` ("" when not by the horizon).
        already_crossed (the median is "already"), p_already, p_by_horizon (already
        included), p_not_by_horizon, horizon, prob.

    Examples:
        >>> import energytrend as et
        >>> table = et.crossing_dates(et.fit("cv"), levels={"a kettle, 1 s": 2000.0})
        >>> list(table[["domain", "group", "level"]].itertuples(index=False, name=None))
        [('cv', 'frontier', 'a kettle, 1 s'), ('cv', 'all', 'a kettle, 1 s')]
    """
    if not np.isfinite(horizon):
        raise ValueError(f"horizon must be a finite year, got {horizon}")
    bounds(prob)
    result.warn_if_failed()
    passages = _passages(result, levels, horizon, scenarios, energy)
    return crossing_table(passages, horizon=horizon, prob=prob)


def crossing_table(passages: Iterable[Passage], *, horizon: float, prob: float) -> pd.DataFrame:
    """The rows of :func:`crossing_dates` for any first-passage problems (their labels first)."""
    lo, hi = bounds(prob)
    rows = []
    for labels, joules, t0, when in passages:
        q = np.quantile(when, [0.5, lo, hi], method="inverted_cdf")  # inf-safe
        med, low, high = (float(v) if np.isfinite(v) else float("nan") for v in q)
        already = bool(med == t0)
        rows.append(
            {
                **labels,
                "joules": joules,
                "origin": t0,
                "crossing": _in_words(med, horizon, already),
                "interval": _interval_text(low, high, t0, horizon),
                "median_year": med,
                "lower_year": low,
                "upper_year": high,
                "median_date": _iso(med),
                "already_crossed": already,
                "p_already": float(np.mean(when == t0)),
                "p_by_horizon": float(np.mean(np.isfinite(when))),
                "p_not_by_horizon": float(np.mean(~np.isfinite(when))),
                "horizon": horizon,
                "prob": prob,
            }
        )
    return pd.DataFrame(rows)


def _interval_text(low: float, high: float, t0: float, horizon: float) -> str:
    """ "2024 to 2031", "already to 2031", "2030 to after 2040"; one phrase when both bounds
    read the same ("already", "after 2040", "2031")."""
    lo, hi = _bound_text(low, t0, horizon), _bound_text(high, t0, horizon)
    return lo if lo == hi else f"{lo} to {hi}"


def _bound_text(year: float, t0: float, horizon: float) -> str:
    if year == t0:
        return "already"
    return _year_text(year, horizon)


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
    horizon: float = 2040.0,
    scenarios: Sequence[str] = ("fitted",),
    energy: Sequence[str] = ("peak",),
) -> pd.DataFrame:
    """P(crossed by year): the probability that each group's energy trend has reached each
    level by each year, from the forecast origin ``t0`` to ``horizon``.

    It is the distribution function of the first-passage dates of :func:`crossing_dates`,
    so it never falls. Rows: the origin, then every whole year after it.
    Args:
        result: a fit (:func:`energytrend.fit` or :func:`energytrend.load`).
        levels: ``{name: joules}``; default the thesis's two human levels.
        horizon: last whole year (default 2040).
        scenarios, energy: as for :func:`crossing_dates`.

    Columns: domain, group (and ``energy``, ``scenario`` when other than the defaults are
    asked), level, joules, year, p_crossed.

    Examples:
        >>> import energytrend as et
        >>> curve = et.crossing_curve(et.fit("cv"), horizon=2030)
        >>> bool(curve.groupby(["group", "level"])["p_crossed"].is_monotonic_increasing.all())
        True
    """
    result.warn_if_failed()
    return curve_table(_passages(result, levels, horizon, scenarios, energy), end=horizon)


def curve_table(passages: Iterable[Passage], *, end: float) -> pd.DataFrame:
    """The rows of :func:`crossing_curve` for any first-passage problems (labels first)."""
    rows = []
    for labels, joules, t0, when in passages:
        years = np.concatenate([[t0], np.arange(np.floor(t0) + 1.0, end + 0.5)])
        rows.append(
            pd.DataFrame(
                {
                    **labels,
                    "joules": joules,
                    "year": years,
                    "p_crossed": np.mean(when[:, None] <= years[None, :], axis=0),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
