"""Energy of one query to a language model, draw by draw, and when it crosses human levels.

A query reads ``prompt_tokens`` and writes ``output_tokens``. Its energy is decomposed as::

    J_query = (prompt_tokens + output_tokens) x F(t) / E(t) x R

* ``F(t)``: forward GFLOPs per token of the group's model in year ``t``, the ``llm`` fit's
  compute trend (2 x active parameters, plus attention at a 2,048-token context;
  :mod:`energytrend.data.llm`). The typical new model is the ``all`` group (the median of
  the year's new models), the ``frontier`` group the upper quantile of the same
  distribution. Prefill and decode run the same forward FLOPs per token.
* ``E(t)``: peak GFLOPS/W of a server accelerator at the precision inference runs at in
  ``t`` (``[precision] eras`` of the specification: 8-bit from 2022), with the efficiency
  trend's bends.
* ``R``: the realisation factor, measured energy over the peak-based bound, estimated in the
  same fit from MLPerf's language-model benchmarks (whole-system wall power of tuned
  servers; :mod:`energytrend.data.llm_realisation`). It carries what the FLOP count leaves
  out: memory-bound decoding, host power, idle capacity inside the run. The MLPerf runs mix
  prompt and output tokens in their own proportions; one factor for both is an assumption.

``basis="peak"`` drops ``R``: the thesis's lower bound. Every factor is a posterior draw, so
the bands carry all of their uncertainty jointly. The query's boundary is the MLPerf
server's wall power: no data-centre overhead (PUE), no idle fleet, no networking.

This is the ``"benchmark"`` serving regime. ``regime="interactive"`` or ``"batch1"`` answers
with the physical serving model instead, at smaller batches, for the same trend's model on
the chip of the date (:mod:`energytrend.forecast.query_regimes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energytrend.data.llm_queries import DEFAULT_SCENARIO, query_scenarios
from energytrend.data.tables import from_decimal_year
from energytrend.forecast.forecasts import (
    STEP,
    Passage,
    crossing_table,
    curve_table,
    energy_levels,
)
from energytrend.forecast.query_regimes import REGIMES, Regime, era_at, regime_of, regime_path
from energytrend.forecast.trend import (
    energy_path,
    first_passage,
    forecast_origin,
    has_calibration,
)
from energytrend.inference.intervals import CI_PROB, bounds
from energytrend.inference.mcse import quantile_mcse
from energytrend.inference.result import TrendFit

#: Joules in one watt-hour.
J_PER_WH = 3600.0

BASES = ("calibrated", "peak")


@dataclass(frozen=True)
class QueryShape:
    """The tokens of one query: read (``prompt_tokens``) and written (``output_tokens``)."""

    scenario: str
    prompt_tokens: int
    output_tokens: int

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.output_tokens


def _whole(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer | float):
        raise ValueError(f"{name} must be a whole number of tokens, got {value!r}")
    if not np.isfinite(value) or value != int(value) or value < 0:
        raise ValueError(f"{name} must be a whole number of tokens >= 0, got {value!r}")
    return int(value)


def query_shape(
    scenario: str | None = None,
    prompt_tokens: int | None = None,
    output_tokens: int | None = None,
) -> QueryShape:
    """The query of a named scenario (:func:`energytrend.data.llm_queries.query_scenarios`),
    with either token count overridden; with neither a scenario nor counts, the default
    scenario. Raises ``ValueError`` for an unknown scenario or a negative or fractional count.
    """
    table = query_scenarios()
    if scenario is None and prompt_tokens is not None and output_tokens is not None:
        name = "custom"
        base = (0, 0)
    else:
        name = DEFAULT_SCENARIO if scenario is None else scenario
        known = list(table["scenario"])
        if name not in known:
            raise ValueError(f"unknown query scenario {name!r}; choose one of {', '.join(known)}")
        row = table.set_index("scenario").loc[name]
        base = (int(row["prompt_tokens"]), int(row["output_tokens"]))
    prompt = base[0] if prompt_tokens is None else _whole("prompt_tokens", prompt_tokens)
    output = base[1] if output_tokens is None else _whole("output_tokens", output_tokens)
    if name != "custom" and (prompt, output) != base:
        name = f"{name}, edited"  # a scenario's name never labels other token counts
    if prompt + output == 0:
        raise ValueError("a query needs at least one token (prompt_tokens + output_tokens > 0)")
    return QueryShape(name, prompt, output)


def _check_llm(result: TrendFit, basis: str) -> None:
    if "llm" not in result.domains:
        raise ValueError(
            "energy per query needs a fit of the language models: et.fit('llm') "
            f"(this fit's domains: {', '.join(result.domains)})"
        )
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, got {basis!r}")
    if basis == "calibrated" and not has_calibration(result):
        raise ValueError("this fit has no MLPerf measurements; use basis='peak'")


def _groups(group: str | None) -> list[str]:
    if group is None:
        return ["frontier", "all"]
    if group not in ("frontier", "all"):
        raise ValueError(f"group must be 'frontier', 'all' or None (both), got {group!r}")
    return [group]


def query_log10_joules(
    result: TrendFit,
    group: str,
    years: np.ndarray,
    shape: QueryShape,
    basis: str,
    regime: str | Regime = "benchmark",
    hardware: str | None = None,
) -> np.ndarray:
    """Draws (sample, year) of log10 joules of one query of ``shape`` to the ``group`` model
    (``"frontier"`` or ``"all"``) in each decimal year, served in ``regime``."""
    reg = regime_of(regime)
    if reg.physical:
        path = regime_path(
            result, group, years, shape.prompt_tokens, shape.output_tokens, reg, hardware=hardware
        )
        return path.log10_joules
    t = np.asarray(years, dtype=float) - float(result.idata.attrs["year_origin"])
    per_token = energy_path(result, f"llm/{group}", t, calibrated=basis == "calibrated")
    out: np.ndarray = per_token + np.log10(shape.tokens)
    return out


def _check_regime(regime: str, basis: str, hardware: str | None) -> Regime:
    reg = regime_of(regime)
    if not reg.physical and hardware is not None:
        raise ValueError(
            f"hardware={hardware!r} needs a serving-model regime: the {reg.name!r} regime is "
            "the trend's calibrated line, which has no chip; choose regime="
            + " or ".join(repr(r) for r, v in REGIMES.items() if v.physical)
        )
    if reg.physical and basis != "calibrated":
        raise ValueError(
            f"basis={basis!r} applies to the 'benchmark' regime only; the {reg.name!r} regime "
            "uses the serving model: leave basis out"
        )
    return reg


def first_year(result: TrendFit) -> float:
    """The first language model's release date in the fit (a decimal year)."""
    return float(result.models.loc[result.models["domain"] == "llm", "year"].min())


def _years(result: TrendFit, year: float | Sequence[float]) -> np.ndarray:
    years = np.atleast_1d(np.asarray(year, dtype=float))
    if years.ndim != 1 or years.size == 0 or not np.isfinite(years).all():
        raise ValueError(f"year must be a finite decimal year or a list of them, got {year!r}")
    first = first_year(result)
    if (years < np.floor(first)).any():
        raise ValueError(
            f"year {years.min():g} is before the language-model data, which start in "
            f"{first:.1f}; choose a year from {np.floor(first):.0f}"
        )
    return years


def energy_per_query(
    result: TrendFit,
    *,
    prompt_tokens: int | None = None,
    output_tokens: int | None = None,
    scenario: str | None = None,
    year: float | Sequence[float] = 2025.0,
    group: str | None = None,
    basis: str = "calibrated",
    prob: float = CI_PROB,
    regime: str = "benchmark",
    hardware: str | None = None,
) -> pd.DataFrame:
    """Energy of one query, in joules and watt-hours: see the module's decomposition.

    ``regime`` names how the query is served (:data:`~energytrend.forecast.query_regimes.REGIMES`):
    ``"benchmark"`` (default) is the calibrated line above; ``"interactive"`` (8 to 64
    sequences at once) and ``"batch1"`` run the physical serving model on the trend's model
    of the date (active parameters = GFLOPs per token / 2) and the best server chip released
    by the date, or the chip named by ``hardware`` (a ``hardware_name`` of ``accelerators``).

    Columns: scenario, prompt_tokens, output_tokens, year, date (the calendar date of the
    decimal year: ``year=2025`` is 1 January 2025), group, basis (``"serving model"`` in a
    physical regime), median_j, lower_j, upper_j, median_wh, lower_wh, upper_wh,
    mcse_median_j, mcse_lower_j, mcse_upper_j, prob, regime, hardware, precision (the chip's
    and precision of each date; ``"efficiency trend"`` and the era's on the benchmark line).
    One row per (year, group). The bands are equal-tailed ``prob`` intervals of the trend
    (the typical or frontier model's query), not of one user's query.

    Examples:
        >>> import energytrend as et
        >>> t = et.energy_per_query(et.fit("llm"), prompt_tokens=1000, output_tokens=500, year=2025)
        >>> list(t["group"]), bool((t["lower_j"] < t["median_j"]).all())
        (['frontier', 'all'], True)
        >>> b1 = et.energy_per_query(et.fit("llm"), year=2025, regime="batch1")
        >>> bool((b1["median_j"].to_numpy() > t["median_j"].to_numpy()).all()), b1["hardware"][0]
        (True, 'NVIDIA B100')
    """
    _check_llm(result, basis)
    reg = _check_regime(regime, basis, hardware)
    result.warn_if_failed()
    shape = query_shape(scenario, prompt_tokens, output_tokens)
    years = _years(result, year)
    lo, hi = bounds(prob)
    rows = []
    for g in _groups(group):
        if reg.physical:
            path = regime_path(
                result, g, years, shape.prompt_tokens, shape.output_tokens, reg, hardware=hardware
            )
            log_j, chips, precisions = path.log10_joules, path.hardware, path.precision
        else:
            log_j = query_log10_joules(result, g, years, shape, basis)
            chips = ["efficiency trend"] * len(years)
            precisions = [str(p) for p in era_at(result, years)]
        for k, y in enumerate(years):
            by_chain = result.posterior_draws.by_chain(log_j[:, k])
            q = np.quantile(log_j[:, k], [0.5, lo, hi])
            err = [quantile_mcse(by_chain, p) for p in (0.5, lo, hi)]
            j = 10.0**q
            rows.append(
                {
                    "scenario": shape.scenario,
                    "prompt_tokens": shape.prompt_tokens,
                    "output_tokens": shape.output_tokens,
                    "year": float(y),
                    "date": from_decimal_year(np.array([y]))[0],
                    "group": g,
                    "basis": "serving model" if reg.physical else basis,
                    "median_j": j[0],
                    "lower_j": j[1],
                    "upper_j": j[2],
                    "median_wh": j[0] / J_PER_WH,
                    "lower_wh": j[1] / J_PER_WH,
                    "upper_wh": j[2] / J_PER_WH,
                    # delta method: d(10^x) = ln(10) 10^x dx
                    "mcse_median_j": float(np.log(10) * j[0] * err[0]),
                    "mcse_lower_j": float(np.log(10) * j[1] * err[1]),
                    "mcse_upper_j": float(np.log(10) * j[2] * err[2]),
                    "prob": prob,
                    "regime": reg.name,
                    "hardware": chips[k],
                    "precision": precisions[k],
                }
            )
    return pd.DataFrame(rows)


def _scenario_shapes(scenarios: Iterable[str] | None) -> list[QueryShape]:
    names = list(query_scenarios()["scenario"]) if scenarios is None else list(scenarios)
    return [query_shape(name) for name in names]


def query_passages(
    result: TrendFit,
    *,
    scenarios: Iterable[str] | None = None,
    levels: Mapping[str, float] | None = None,
    horizon: float = 2040.0,
    basis: str = "calibrated",
    regime: str = "benchmark",
    hardware: str | None = None,
) -> Iterator[Passage]:
    """(labels, joules, origin, first-passage dates) of every scenario's query energy, per
    group and level, from the forecast origin (the last language model's date) to
    ``horizon``, served in ``regime``; the labels are scenario, domain, group, level and
    (outside the benchmark regime) regime."""
    _check_llm(result, basis)
    reg = _check_regime(regime, basis, hardware)
    t0 = forecast_origin(result, "llm")
    if horizon <= t0:
        raise ValueError(f"horizon ({horizon:g}) must be after the forecast origin ({t0:.2f})")
    years = np.append(np.arange(t0, horizon, STEP), horizon)
    for shape in _scenario_shapes(scenarios):
        for g in ("frontier", "all"):
            path = query_log10_joules(result, g, years, shape, basis, reg, hardware)
            for name, joules in energy_levels(levels):
                labels: dict[str, object] = {
                    "scenario": shape.scenario,
                    "domain": "llm",
                    "group": g,
                    "level": name,
                }
                if reg.physical:
                    labels["regime"] = reg.name
                yield labels, joules, t0, first_passage(path, years, float(np.log10(joules)))


def query_crossing_dates(
    result: TrendFit,
    *,
    scenarios: Iterable[str] | None = None,
    levels: Mapping[str, float] | None = None,
    horizon: float = 2040.0,
    basis: str = "calibrated",
    prob: float = CI_PROB,
    regime: str = "benchmark",
    hardware: str | None = None,
) -> pd.DataFrame:
    """When the typical and frontier query of each scenario first reach each human level
    after the forecast origin: the columns of
    :func:`energytrend.forecast.forecasts.crossing_dates`, with ``scenario`` first, and a
    ``regime`` column outside the default ``"benchmark"`` regime (see
    :func:`energy_per_query` for ``regime`` and ``hardware``). In a serving-model regime the
    chip after the accelerators table's last release is that release's: no new hardware.

    Examples:
        >>> import energytrend as et
        >>> table = et.query_crossing_dates(et.fit("llm"), scenarios=["short_chat"])
        >>> sorted(table["group"].unique())
        ['all', 'frontier']
    """
    bounds(prob)
    result.warn_if_failed()
    passages = query_passages(
        result,
        scenarios=scenarios,
        levels=levels,
        horizon=horizon,
        basis=basis,
        regime=regime,
        hardware=hardware,
    )
    return crossing_table(passages, horizon=horizon, prob=prob)


def query_crossing_curve(
    result: TrendFit,
    *,
    scenarios: Iterable[str] | None = None,
    levels: Mapping[str, float] | None = None,
    horizon: float = 2040.0,
    basis: str = "calibrated",
    regime: str = "benchmark",
    hardware: str | None = None,
) -> pd.DataFrame:
    """P(crossed by year) of every scenario's query energy, group and level, from the
    forecast origin to ``horizon``, served in ``regime``; it never falls (columns of
    ``crossing_curve`` plus ``scenario``)."""
    result.warn_if_failed()
    passages = query_passages(
        result,
        scenarios=scenarios,
        levels=levels,
        horizon=horizon,
        basis=basis,
        regime=regime,
        hardware=hardware,
    )
    return curve_table(passages, end=horizon)
