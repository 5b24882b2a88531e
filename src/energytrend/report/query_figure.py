"""The figure of one LLM query's energy, with the human levels and the published figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from energytrend.data.llm_queries import DEFAULT_SCENARIO
from energytrend.forecast.forecasts import human_levels
from energytrend.forecast.query import J_PER_WH, energy_per_query, first_year, query_crossing_curve
from energytrend.forecast.query_compare import published_comparison
from energytrend.inference.intervals import CI_PROB

if TYPE_CHECKING:
    from energytrend.inference.result import TrendFit

GROUP_COLOURS = {"frontier": "#c0392b", "all": "#2c7fb8"}
GROUP_NAMES = {"frontier": "frontier model", "all": "typical new model"}
#: Marker of a published figure by its energy boundary.
BOUNDARY_MARKERS = {"accelerator": "v", "server": "s", "datacentre": "D", "undisclosed": "o"}


def plot_query_energy(
    result: TrendFit,
    *,
    scenario: str = DEFAULT_SCENARIO,
    end: float = 2030.0,
    prob: float = CI_PROB,
    show_published: bool = True,
    ax: Axes | None = None,
) -> Figure:
    """Calibrated energy of one query of ``scenario`` to the typical and the frontier model,
    median and ``prob`` band by year, with the two human levels and (``show_published``) the
    2025 published figures, marked by boundary. Returns the Figure (never shows it)."""
    if ax is None:
        fig = Figure(figsize=(7.5, 4.6))
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    start = float(np.floor(first_year(result)))
    years = np.arange(start, end + 1e-9, 0.25)
    table = energy_per_query(result, scenario=scenario, year=list(years), prob=prob)
    for group in ("all", "frontier"):
        g = table[table["group"] == group]
        colour = GROUP_COLOURS[group]
        ax.fill_between(g["year"], g["lower_j"], g["upper_j"], color=colour, alpha=0.2, lw=0)
        ax.plot(g["year"], g["median_j"], color=colour, lw=2, label=GROUP_NAMES[group])
    for level in human_levels():
        ax.axhline(level.joules, color="k", lw=0.8, ls="--")
        ax.annotate(
            level.name,
            (start, level.joules),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=8,
        )
    if show_published:
        _published(ax, result, prob)
    ax.set_yscale("log")
    ax.set_xlim(start, end)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year")
    shape = table.iloc[0]
    ax.set_ylabel(f"J per query ({shape['prompt_tokens']:,} in, {shape['output_tokens']:,} out)")
    wh = ax.secondary_yaxis("right", functions=(_to_wh, _to_joules))
    wh.set_ylabel("Wh per query")
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    ax.grid(alpha=0.3, which="major")
    return fig


def _to_wh(joules: ArrayLike) -> np.ndarray:
    out: np.ndarray = np.asarray(joules, dtype=float) / J_PER_WH
    return out


def _to_joules(wh: ArrayLike) -> np.ndarray:
    out: np.ndarray = np.asarray(wh, dtype=float) * J_PER_WH
    return out


def _published(ax: Axes, result: TrendFit, prob: float) -> pd.DataFrame:
    """The published figures as black markers (hollow when read on secondary pages only),
    labelled in a column to their right, lowest at the bottom."""
    comparison = published_comparison(result, prob=prob).sort_values("joules_per_query")
    seen: set[tuple[str, bool]] = set()
    for i, (_, row) in enumerate(comparison.iterrows()):
        boundary = str(row["boundary_class"])
        primary = row["verified"] == "primary"
        key = (boundary, primary)
        ax.scatter(
            [row["year"]],
            [row["joules_per_query"]],
            marker=BOUNDARY_MARKERS.get(boundary, "o"),
            s=40,
            facecolors="k" if primary else "white",
            edgecolors="k",
            zorder=5,
            label=None
            if key in seen
            else f"published 2025: {boundary}" + ("" if primary else " (secondary source)"),
        )
        seen.add(key)
        ax.annotate(
            f"{short_source(str(row['source']))} {row['wh_per_query']:g} Wh",
            (row["year"], row["joules_per_query"]),
            xytext=(row["year"] + 1.0, row["joules_per_query"] * 0.35 * 2.2**i),
            fontsize=7,
            va="center",
            arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "0.4"},
        )
    return comparison


def short_source(source: str) -> str:
    """A publisher's name from a source string ("Google (Elsworth ...)" -> "Google")."""
    return source.split("(")[0].split(",")[0].strip()


SCENARIO_COLOURS = ("#6a3d9a", "#e08214", "#1b7837", "#555555")


def plot_query_crossing_curve(
    result: TrendFit,
    *,
    end: float = 2040.0,
    ax: Axes | None = None,
) -> Figure:
    """P(crossed by year) of one query's calibrated energy, one panel per human level, a
    colour per scenario; solid for the frontier model, dashed for the typical one. Starts at
    the forecast origin (nothing before it is plotted). Returns the Figure."""
    curve = query_crossing_curve(result, horizon=end)
    levels = list(dict.fromkeys(curve["level"]))
    if ax is None:
        fig = Figure(figsize=(8.0, 3.6))
        axes = list(fig.subplots(1, len(levels), sharey=True))
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
        axes = [ax] * len(levels)
    scenarios = list(dict.fromkeys(curve["scenario"]))
    for a, level in zip(axes, levels, strict=True):
        for k, scenario in enumerate(scenarios):
            colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
            for group, style in (("frontier", "-"), ("all", "--")):
                c = curve[
                    (curve["level"] == level)
                    & (curve["scenario"] == scenario)
                    & (curve["group"] == group)
                ]
                a.step(
                    c["year"],
                    c["p_crossed"],
                    where="post",
                    color=colour,
                    ls=style,
                    lw=1.6,
                    label=f"{scenario.replace('_', ' ')}" if group == "frontier" else None,
                )
        a.set_title(str(level), fontsize=9)
        a.set_ylim(-0.02, 1.02)
        a.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        a.set_xlabel("year")
        a.grid(alpha=0.3)
    axes[0].set_ylabel("P(crossed by year)")
    handles, labels = axes[0].get_legend_handles_labels()
    handles += [Line2D([], [], color="k", ls="-"), Line2D([], [], color="k", ls="--")]
    labels += ["frontier model", "typical model"]
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    fig.subplots_adjust(bottom=0.27, wspace=0.08)
    return fig
