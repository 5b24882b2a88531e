"""The report's "per query" section: one LLM query's energy, its crossings of the human
levels, and the published 2025 figures beside the model (a fit of the ``llm`` domain)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from energytrend.data.datasets import load_data
from energytrend.data.llm import llm_excluded
from energytrend.data.llm_queries import DEFAULT_SCENARIO, query_scenarios
from energytrend.data.tables import from_decimal_year
from energytrend.forecast.query import J_PER_WH, energy_per_query, query_crossing_dates
from energytrend.forecast.query_compare import published_comparison
from energytrend.forecast.query_regimes import REGIMES
from energytrend.inference.formatting import (
    format_energy,
    format_number,
    format_significant,
    format_year,
)
from energytrend.report.findings import crossing_phrase
from energytrend.report.query_figure import (
    plot_query_crossing_curve,
    plot_query_energy,
    short_source,
)
from energytrend.report.serving_figure import plot_energy_per_token_by_batch

if TYPE_CHECKING:
    from energytrend.inference.result import TrendFit

#: How the report renders a figure and a table (passed in by :mod:`energytrend.report.html`).
FigureHTML = Callable[[Figure, str], str]
TableHTML = Callable[[pd.DataFrame], str]

DECOMPOSITION = (
    "The energy of one query is (prompt tokens + output tokens) &times; the forward GFLOPs "
    "per token of the model's active parameters (the <code>llm</code> fit's trend) &divide; "
    "the peak GFLOPS/W of a server accelerator at the precision of the era &times; the "
    "realisation factor, measured over peak-based energy on MLPerf's language-model "
    "benchmarks. Every factor is a posterior draw, so the bands carry their uncertainty "
    "jointly. The boundary is a tuned MLPerf server's wall power: no idle capacity and no "
    "data-centre overhead."
)


def _band(row: pd.Series, prefix: str = "") -> str:
    """Median (lower to upper) with SI units, each to the digits its MCSE supports."""
    m, lo, hi = (
        format_energy(row[f"{prefix}{k}_j"], row[f"{prefix}mcse_{k}_j"])
        for k in ("median", "lower", "upper")
    )
    return f"{m} ({lo} to {hi})"


def scenario_table(llm: TrendFit, *, year: float, prob: float) -> pd.DataFrame:
    """Every scenario's query energy at ``year``, typical and frontier model, in words."""
    rows = []
    for _, s in query_scenarios().iterrows():
        t = energy_per_query(llm, scenario=str(s["scenario"]), year=year, prob=prob)
        by = t.set_index("group")
        date = f"{by['date'].iloc[0]:%Y-%m-%d}"  # the date the year stands for
        rows.append(
            {
                "scenario": s["scenario"],
                "tokens (in / out)": f"{s['prompt_tokens']:,} / {s['output_tokens']:,}",
                f"typical model, {date}": _band(by.loc["all"]),
                f"frontier model, {date}": _band(by.loc["frontier"]),
            }
        )
    return pd.DataFrame(rows)


#: What the ``server`` boundary of the regime table holds, in words.
SERVER_BOUNDARY = (
    "server: the whole server's wall power as MLPerf measures it (accelerators, host CPU, "
    "memory, fans), no idle capacity and no data-centre overhead (PUE)"
)


def regime_table(llm: TrendFit, *, year: float, prob: float) -> pd.DataFrame:
    """The default scenario's query at ``year`` per serving regime (benchmark, interactive,
    batch1), typical and frontier model, with each regime's batch, chip and boundary."""
    rows = []
    for name, reg in REGIMES.items():
        by = energy_per_query(llm, year=year, regime=name, prob=prob).set_index("group")
        date = f"{by['date'].iloc[0]:%Y-%m-%d}"
        if reg.batch is None:
            batch = "the MLPerf runs' own (tuned, full)"
            chip = "efficiency trend"
        else:
            lo, hi = reg.batch
            batch = f"{lo}" if lo == hi else f"{lo} to {hi}"
            chip = f"{by['hardware'].iloc[0]} ({by['precision'].iloc[0]})"
        rows.append(
            {
                "regime": name,
                "sequences per replica": batch,
                "chip (precision)": chip,
                "boundary": reg.boundary,
                f"typical model, {date}": _band(by.loc["all"]),
                f"frontier model, {date}": _band(by.loc["frontier"]),
            }
        )
    return pd.DataFrame(rows)


def crossing_words(llm: TrendFit, *, prob: float) -> pd.DataFrame:
    """When each scenario's typical and frontier query crosses each human level, in words."""
    c = query_crossing_dates(llm, prob=prob)
    horizon = format_year(float(c["horizon"].iloc[0]))
    return pd.DataFrame(
        {
            "scenario": c["scenario"],
            "model": c["group"].map({"all": "typical", "frontier": "frontier"}),
            "level": [
                f"{n} ({format_significant(j, 2)} J)"
                for n, j in zip(c["level"], c["joules"], strict=True)
            ],
            "crossing (median)": c["crossing"],
            f"{prob:.0%} interval": c["interval"],
            "P(already)": [format_number(v, 2) for v in c["p_already"]],
            f"P(by {horizon})": [format_number(v, 2) for v in c["p_by_horizon"]],
        }
    )


def published_words(llm: TrendFit, *, prob: float) -> pd.DataFrame:
    """The published 2025 figures beside the model's bands, with where each falls and why."""
    c = published_comparison(llm, prob=prob)
    return pd.DataFrame(
        {
            "figure": [
                f"{short_source(s)}: {m}"
                for s, m in zip(c["source"], c["model_or_service"], strict=True)
            ],
            "published": [
                f"{format_number(w, 2)} Wh ({format_energy(j, 1.0)})"
                for w, j in zip(c["wh_per_query"], c["joules_per_query"], strict=True)
            ],
            "boundary": c["boundary_class"],
            "source read": c["verified"],
            "query compared": [
                f"{p:,} in / {o:,} out ({s})"
                for p, o, s in zip(c["prompt_tokens"], c["output_tokens"], c["shape"], strict=True)
            ],
            "modelled at": [f"{d:%Y-%m-%d}" for d in from_decimal_year(c["year"].to_numpy())],
            "typical model": [_band(r, "typical_") for _, r in c.iterrows()],
            "frontier model": [_band(r, "frontier_") for _, r in c.iterrows()],
            "where it falls": c["position"],
        }
    )


def query_finding(llm: TrendFit, *, prob: float) -> str:
    """The key-findings sentence on one LLM query: its energy in 2025 for the default
    scenario, typical and frontier, and when each crosses the two human levels."""
    shape = query_scenarios().set_index("scenario").loc[DEFAULT_SCENARIO]
    t = energy_per_query(llm, year=2025.0, prob=prob).set_index("group")
    crossings = query_crossing_dates(llm, scenarios=[DEFAULT_SCENARIO], prob=prob)
    n_draws = llm.draws("slope").shape[0]
    when = "; ".join(
        f"on the {'typical' if group == 'all' else 'frontier'} model it reaches "
        + " and ".join(
            f"{format_significant(row['joules'], 2)} J ({row['level']}) "
            + crossing_phrase(row, n_draws)
            for _, row in rows.iterrows()
        )
        for group, rows in crossings.groupby("group", sort=False)
    )
    return (
        f"One chat query to a language model ({shape['prompt_tokens']:,} tokens in, "
        f"{shape['output_tokens']:,} out, the mean turn of LMSYS-Chat-1M) takes "
        f"{_band(t.loc['all'])} on the typical 2025 model and {_band(t.loc['frontier'])} on "
        f"the frontier one ({prob:.0%} intervals, calibrated to MLPerf's measured energy); "
        f"{when}."
    )


def query_section(llm: TrendFit, *, prob: float, figure: FigureHTML, table: TableHTML) -> list[str]:
    """The HTML parts of the "per query" section."""
    n_fitted = int((llm.models["domain"] == "llm").sum())
    left_out = ""
    own = json.loads(str(llm.idata.attrs.get("own_tables", "[]")))
    if "language_models" not in own:
        out = llm_excluded(load_data("language_models", llm.config.data))
        closed = int((out["reason"] == "no published parameter count").sum())
        left_out = (
            f" Left out: {len(out)} models without a per-token compute, {closed} of them "
            "(mostly closed models such as GPT-4o, Claude and Gemini) without a published "
            "parameter count."
        )
    default = query_scenarios().set_index("scenario").loc[DEFAULT_SCENARIO]
    return [
        "<h2>Energy per LLM query</h2>",
        f"<p>{DECOMPOSITION} The fit has {n_fitted} language models released 2018-2025 "
        f"with a published (active) parameter count.{html.escape(left_out)}</p>",
        table(scenario_table(llm, year=2025.0, prob=prob)),
        figure(
            plot_query_energy(llm, prob=prob),
            f"Energy of one {DEFAULT_SCENARIO.replace('_', ' ')} query "
            f"({default['prompt_tokens']:,} tokens in, {default['output_tokens']:,} out; "
            f"{prob:.0%} bands) to the typical and the frontier new model, calibrated to "
            "MLPerf's measured energy, against the human levels (dashed). Black markers: the "
            "figures published in 2025, by energy boundary; hollow ones were read on "
            "secondary pages only. Read where each marker sits against the two bands.",
        ),
        "<h3>The published figures beside the model</h3>",
        table(published_words(llm, prob=prob)),
        "<h3>Per query by serving regime</h3>",
        f"<p>The same {DEFAULT_SCENARIO.replace('_', ' ')} query served three ways "
        "(<code>energy_per_query(..., regime=)</code>): <em>benchmark</em> is the calibrated "
        "line above, a tuned MLPerf server at its full batch; <em>interactive</em> (a "
        "latency-bound chat service, 8 to 64 sequences at once, an assumption) and "
        "<em>batch1</em> (one sequence at a time, the memory-bound limit) run the physical "
        "serving model on the trend's model of the date (dense, its active parameters) and "
        "the best server chip released by then. Boundary: "
        f"{SERVER_BOUNDARY}, in every regime, so only the serving differs.</p>",
        table(regime_table(llm, year=2025.0, prob=prob)),
        figure(
            plot_energy_per_token_by_batch(llm=llm, prob=prob),
            "Left: joules per output token against batch (sequences decoded together per "
            "replica) from the serving model, for a 70B dense model and two mixtures of "
            "experts on an H100 and a B200, at the server boundary (500 tokens in, 500 out; "
            "median and 90% band, the model's priors). Black points: MLPerf LLM power runs at "
            "the batch read from their submissions, measured J per sample at the server's wall "
            "/ output tokens (filled Offline, hollow Server). The dotted line: Epoch AI's "
            "estimate per output token (it states 500), at a data-centre boundary. Right: "
            f"J per query per regime ({prob:.0%} bands, server boundary) beside the published "
            "2025 figures, which give no batch, each marked by its own boundary (hollow: read "
            "on secondary pages only).",
        ),
        "<h3>When does one query reach human levels?</h3>",
        table(crossing_words(llm, prob=prob)),
        figure(
            plot_query_crossing_curve(llm),
            "P(crossed by year) of one query's calibrated energy, per scenario, from the "
            "last language model on; it never falls. Solid: frontier model; dashed: typical.",
        ),
        f"<p>1 Wh = {J_PER_WH:,.0f} J.</p>",
    ]
