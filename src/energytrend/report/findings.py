"""The report's key findings: a few sentences generated from the fit, each with its number
and interval, printed to the digits the Monte Carlo error supports. Nothing is hand-written:
every number comes from the result (and, for the backtest, from the shipped results file)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energytrend.inference.result import TrendFit
from energytrend.report.formatting import format_estimate, format_probability, format_year

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


def crossing_phrase(c: pd.Series, n_draws: int) -> str:
    """A crossing-table row in words: already above, not by the horizon, or the year."""
    if c["crossing"] == "already crossed":
        return f"already by the end of its data ({format_year(c['origin'])})"
    p_by = float(c["p_by_horizon"])
    p = format_probability(p_by, (p_by * (1 - p_by) / n_draws) ** 0.5, n_draws)
    if c["crossing"].startswith("not by"):
        return f"{c['crossing']} (probability {p})"
    return f"in {c['crossing']} ({c['interval']}; probability by {c['horizon']:.0f}: {p})"


def key_findings(result: TrendFit, *, prob: float, backtest: Path | None = None) -> list[str]:
    """Four to six sentences: frontier growth of compute and energy, hardware efficiency by
    precision, the thesis's question, the crossing of the human levels, and (when the
    backtest results file is given) how forecasts made before 2021-2023 did."""
    rates = result.growth_rates(prob)
    n_draws = result.draws("slope").shape[0]
    out = []
    for domain in result.domains:
        out.append(
            f"{domain.upper()}: compute per forward pass of the frontier (the most "
            f"compute-hungry tenth of a year's new models) changes by "
            f"{_factor(rates, 'gflops', domain, 'frontier')}, and its peak-based energy by "
            f"{_factor(rates, 'joules', domain, 'frontier')}."
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
    out.append(
        "Does hardware progress cancel the growth in FLOPs? Energy per forward pass is "
        + "; ".join(parts)
        + "."
    )
    crossings = result.crossing_dates(prob=prob)
    frontier = crossings[crossings["group"] == "frontier"]
    out.append(
        "The frontier's peak-based energy per forward pass reaches "
        + "; ".join(
            f"{row['level']} ({row['joules']:,.0f} J) in {row['domain'].upper()} "
            + crossing_phrase(row, n_draws)
            for _, row in frontier.iterrows()
        )
        + "."
    )
    if backtest is not None and backtest.exists():
        c = pd.read_csv(backtest)
        c = c[(c["bucket"] == "all") & (c["model"] == "v2") & (c["set"] == "late")]
        cv = c[c["series"] == "cv/all"]
        if len(cv):
            r = cv.iloc[0]
            out.append(
                "Forecasts made from the data before 2021 and 2023 held "
                f"{r['coverage_90']:.0%} of the {int(r['n_distinct'])} CV models released "
                "later in their 90% bands (target 80-97%; the README and the backtest section "
                "below name the series that miss)."
            )
    return out
