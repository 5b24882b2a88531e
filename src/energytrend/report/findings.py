"""The report's key findings: a few sentences generated from the fit, each with its number
and interval, printed to the digits the Monte Carlo error supports. Nothing is hand-written:
every number comes from the result (and, for the retrospective, from the shipped backtest
points)."""

from __future__ import annotations

import pandas as pd

from energytrend.forecast.forecasts import crossing_dates, energy_levels
from energytrend.forecast.trend import SCENARIOS, has_calibration
from energytrend.inference.formatting import format_estimate, format_probability, format_year
from energytrend.inference.result import TrendFit

#: What each efficiency series is called in the text.
PRECISION_NAMES = {"fp32": "FP32", "fp16": "FP16/BF16 tensor", "int8": "8-bit"}


def _factor(rates: pd.DataFrame, metric: str, domain: str, group: str) -> str:
    """``x1.20 per year (90%: 1.02-1.39)`` from the growth table's factor rows."""
    row = rates[
        (rates["metric"] == metric)
        & (rates["domain"] == domain)
        & (rates["group"] == group)
        & (rates["quantity"] == "factor_per_year")
    ].iloc[0]
    return (
        f"×{format_estimate(row['median'], row['mcse_median'])} per year "
        f"({row['prob']:.0%}: {format_estimate(row['lower'], row['mcse_lower'])}-"
        f"{format_estimate(row['upper'], row['mcse_upper'])})"
    )


def _faster(result: TrendFit, n_draws: int) -> str:
    """``"; P(the frontier grows faster than the typical model) 0.97 in CV, ..."``: the
    probability that a domain's frontier compute slope exceeds its typical model's."""
    c = result.contrasts()
    c = c[(c["contrast"] == "frontier - all") & (c["metric"] == "gflops")]
    said = ", ".join(
        f"{format_probability(r.prob_positive, r.mcse_prob, n_draws)} in {r.domain.upper()}"
        for r in c.itertuples()
    )
    return f"; P(the frontier grows faster than the typical model): {said}."


#: How each scenario for compute after the data reads in a sentence.
SCENARIO_WORDS = {
    "fitted": "as fitted (growth fades)",
    "straight": "on the straight line",
    "flat": "with no growth",
}


def crossing_finding(result: TrendFit, *, prob: float, n_draws: int) -> str:
    """The key finding on the first human level (the body, about 97 J): when each domain's
    frontier energy per forward pass reaches it under each scenario for compute after the
    data, calibrated where the fit has MLPerf runs (the full table is in the report)."""
    energy = "calibrated" if has_calibration(result) else "peak"
    level = dict([energy_levels(None)[0]])
    c = crossing_dates(result, prob=prob, levels=level, scenarios=list(SCENARIOS), energy=[energy])
    frontier = c[c["group"] == "frontier"]
    ((name, joules),) = level.items()
    parts = []
    for domain, rows in frontier.groupby("domain", sort=False):
        by = {r["scenario"]: _short_crossing(r, n_draws) for _, r in rows.iterrows()}
        if len(set(by.values())) == 1:
            said = f"{next(iter(by.values()))} in every scenario"
        else:
            said = ", ".join(f"{by[n]} {SCENARIO_WORDS[n]}" for n in SCENARIOS if n in by)
        per = result.unit("joules", str(domain)).removeprefix("J ")
        parts.append(f"in {str(domain).upper()} ({per}) {said}")
    basis = "calibrated" if energy == "calibrated" else "peak-based"
    return (
        f"The frontier's {basis} energy reaches the {name} level "
        f"({joules:,.0f} J) " + "; ".join(parts) + " (all levels and scenarios: below)."
    )


def _short_crossing(c: pd.Series, n_draws: int) -> str:
    """A crossing row as a year or "not by <horizon>", with P(by the horizon)."""
    if c["crossing"] == "already crossed":
        return "already"
    p_by = float(c["p_by_horizon"])
    p = format_probability(p_by, (p_by * (1 - p_by) / n_draws) ** 0.5, n_draws)
    when = c["crossing"] if c["crossing"].startswith("not by") else f"in {c['crossing']}"
    by = f"P(by {c['horizon']:.0f})"
    return f"{when} ({by} {p})" if p.startswith("<") else f"{when} ({by} = {p})"


def crossing_phrase(c: pd.Series, n_draws: int) -> str:
    """A crossing-table row in words: already above, not by the horizon, or the year."""
    if c["crossing"] == "already crossed":
        return f"already by the end of its data ({format_year(c['origin'])})"
    p_by = float(c["p_by_horizon"])
    p = format_probability(p_by, (p_by * (1 - p_by) / n_draws) ** 0.5, n_draws)
    # the probability of reaching the level by the horizon, never read as that of not reaching it
    reached = f"P(by {c['horizon']:.0f}) " + ("" if p.startswith("<") else "= ") + p
    if c["crossing"].startswith("not by"):
        return f"{c['crossing']} ({reached})"
    return f"in {c['crossing']} ({c['interval']}; {reached})"


def retrospective_sentence(coverage: pd.DataFrame) -> str:
    """How the forecast from the data before 2021 did, from
    :func:`energytrend.report.figures_retro.retrospective_coverage` (the numbers the
    retrospective figures show)."""
    rows = coverage.set_index("series")
    text = "Forecasts fitted to the data released before 2021 held "
    if "cv/all" in rows.index:
        cv = rows.loc["cv/all"]
        text += (
            f"{cv['share_90']:.0%} ({cv['inside_90']:.0f} of {cv['n']:.0f}) of the CV models "
            f"released {cv['first']:.0f}-{cv['last']:.0f} in their 90% band (target 80-97%)"
        )
    chips = [
        f"{rows.loc[s, 'inside_90']:.0f} of {rows.loc[s, 'n']:.0f} {PRECISION_NAMES[s]}"
        for s in PRECISION_NAMES
        if s in rows.index
    ]
    if chips:
        text += (", and " if "cv/all" in rows.index else "") + ", ".join(chips)
        text += " chips launched since in theirs"
    return text + " (see the retrospective figures)."


def key_findings(
    result: TrendFit, *, prob: float, retrospective: pd.DataFrame | None = None
) -> list[str]:
    """Four to six sentences: frontier growth of compute and energy, hardware efficiency by
    precision, the thesis's question, the crossing of the human levels, and (when the
    retrospective's coverage table is given) how the forecast from the data before 2021
    did on the later models and chips."""
    rates = result.growth_rates(prob)
    n_draws = result.draws("slope").shape[0]
    out = []
    own = result.parts.compute.frontier_has_own_slope
    per = {d: result.unit("gflops", d).removeprefix("GFLOPs ") for d in result.domains}
    out.append(
        "Compute of the frontier (the most compute-hungry tenth of a year's new models) "
        "changes by "
        + "; ".join(
            f"{_factor(rates, 'gflops', d, 'frontier')} {per[d]} in {d.upper()}, and its "
            f"peak-based energy by {_factor(rates, 'joules', d, 'frontier')}"
            for d in result.domains
        )
        + (
            _faster(result, n_draws)
            if own
            else ": the typical model's rates, which this model's frontier shares."
        )
    )
    eff = [s for s in result.series if s in PRECISION_NAMES]
    if eff:
        out.append(
            "Peak hardware efficiency (GFLOPS/W) changes by "
            + "; ".join(
                f"{_factor(rates, 'gflops_per_watt', s, 'hardware')} in {PRECISION_NAMES[s]}"
                for s in eff
            )
            + "."
        )
    verdict = result.energy_verdict()
    parts = [
        f"{v.domain.upper()} {v.group}: {v.reading.split(':')[0]} "
        f"(P(growing) {format_probability(v.prob_growing, v.mcse, n_draws)})"
        for v in verdict.itertuples()
    ]
    unit = " and ".join(dict.fromkeys(result.unit("joules", d) for d in result.domains))
    out.append(
        f"Does hardware progress cancel the growth in FLOPs? Energy ({unit}) is "
        + "; ".join(parts)
        + "."
    )
    out.append(crossing_finding(result, prob=prob, n_draws=n_draws))
    if retrospective is not None and len(retrospective):
        out.append(retrospective_sentence(retrospective))
    return out
