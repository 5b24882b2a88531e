"""The retrospective: how the forecasts made from the data before 2021 did on the models and
chips that came after, read from the shipped backtest points (``results/backtest_points.csv``,
written by ``energytrend backtest``), so the report never refits.

Each later point carries the 90% predictive interval and median that the 2021-origin fit gave
for a new point of its series at its date (log10 units). For CV compute these depend on the
date alone, so the band is a smooth curve through them (a cubic in time, which removes the
Monte Carlo noise of each point's quantiles); a chip's interval also depends on whether it is
a server part, so each chip is drawn with its own interval.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from energytrend.inference.result import TrendFit
from energytrend.report.figures_forecast import (
    _axes,
    decade_ticks,
    log_axis,
    outside_legend,
    whole_years,
)

#: The origin of the retrospective: fits to the data released before 1 January 2021.
ORIGIN = 2021.0
#: The shipped specification's name in the backtest files.
MODEL = "v2"
#: Efficiency series and their names in the text.
PRECISIONS = {"fp32": "FP32", "fp16": "FP16/BF16 tensor", "int8": "8-bit"}
INSIDE, OUTSIDE = "#2c7fb8", "#e6550d"


def retrospective_points(path: Path, *, origin: float = ORIGIN) -> pd.DataFrame:
    """The shipped model's scored points of the ``origin`` fit: CV compute (``cv/all``) and
    chip efficiency per precision, one row per later point."""
    p = pd.read_csv(path)
    keep = (p["model"] == MODEL) & (p["origin"] == origin)
    keep &= (p["series"] == "cv/all") | p["series"].isin(list(PRECISIONS))
    return p[keep].reset_index(drop=True)


def retrospective_coverage(points: pd.DataFrame) -> pd.DataFrame:
    """Per series: the later points, how many fell inside the 90% band, the share, and the
    years they span (the numbers the figure's caption and the key findings quote)."""
    rows = []
    for series in ["cv/all", *PRECISIONS]:
        sub = points[points["series"] == series]
        if sub.empty:
            continue
        rows.append(
            {
                "series": series,
                "n": len(sub),
                "inside_90": int(sub["in_90"].sum()),
                "share_90": float(sub["in_90"].mean()),
                "first": float(sub["year"].min()),
                "last": float(sub["year"].max()),
            }
        )
    return pd.DataFrame(rows)


def _smooth(x: np.ndarray, y: np.ndarray, grid: np.ndarray, degree: int = 3) -> np.ndarray:
    coef = np.polynomial.polynomial.polyfit(x, y, min(degree, max(len(x) - 1, 0)))
    return np.asarray(np.polynomial.polynomial.polyval(grid, coef))


def _mark(ax: Axes, sub: pd.DataFrame, y: str, **kwargs: object) -> None:
    """Later points, blue inside their 90% band and orange outside."""
    for inside, colour, what in ((True, INSIDE, "inside"), (False, OUTSIDE, "outside")):
        at = sub["in_90"].astype(bool) == inside
        ax.scatter(sub.loc[at, "year"], 10 ** sub.loc[at, y], color=colour, zorder=3,
                   label=f"later, {what} the 90% band ({int(at.sum())})", **kwargs)  # type: ignore[arg-type]  # fmt: skip


def plot_retro_compute(result: TrendFit, points: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """CV compute per forward pass: the models before 2021 (grey, what the forecast saw), the
    2021-origin forecast's 90% predictive band and median for a new model, and every model
    released later, coloured by whether it fell inside the band."""
    fig, ax = _axes(ax, (8.5, 4.2))
    sub = points[points["series"] == "cv/all"].sort_values("year")
    seen = result.models[(result.models["domain"] == "cv") & (result.models["group"] == "all")]
    seen = seen[seen["year"] < ORIGIN]
    ax.scatter(seen["year"], seen["compute"], s=9, color="0.6", lw=0,
               label=f"CV models before 2021 ({len(seen)}): the fit's data")  # fmt: skip
    x = sub["year"].to_numpy()
    grid = np.linspace(ORIGIN, x.max(), 100)
    lower, upper = (_smooth(x, sub[c].to_numpy(), grid) for c in ("lower_90", "upper_90"))
    ax.fill_between(grid, 10**lower, 10**upper, color=INSIDE, alpha=0.15, lw=0,
                    label="2021 forecast: 90% band for a new model")  # fmt: skip
    ax.plot(grid, 10 ** _smooth(x, sub["median"].to_numpy(), grid), color=INSIDE, lw=1.8,
            label="2021 forecast: median")  # fmt: skip
    _mark(ax, sub, "observed", s=12, lw=0)
    ax.axvline(ORIGIN, color="0.5", lw=0.8, ls=(0, (1, 2)))
    ax.annotate("forecast made here", (ORIGIN, 0.0), xycoords=("data", "axes fraction"),
                xytext=(3, 3), textcoords="offset points", fontsize=7, color="0.4")  # fmt: skip
    log_axis(ax, "gflops")
    whole_years(ax)
    ax.set(xlabel="release date (year)", ylabel="GFLOPs per forward pass",
           title="CV compute: forecast from the data before 2021 vs the later models")  # fmt: skip
    outside_legend(ax)
    return fig


def plot_retro_efficiency(
    result: TrendFit, points: pd.DataFrame, *, ax: Axes | None = None, series: str | None = None
) -> Figure:
    """Peak GFLOPS/W per precision: the chips before 2021 (grey), and every chip launched
    later with the 90% interval (bar) the 2021-origin forecast gave it, coloured by whether
    it fell inside; filled markers are server parts, hollow ones desktop and workstation.
    Without ``ax``, one panel per precision; with ``ax``, ``series`` (default the first)."""
    present = [s for s in PRECISIONS if (points["series"] == s).any()]
    if ax is None:
        fig, grid = plt.subplots(1, len(present), figsize=(3.1 * len(present) + 0.6, 3.6),
                                 layout="constrained", squeeze=False)  # fmt: skip
        panels = list(zip(grid[0], present, strict=True))
    else:
        fig, panels = ax.figure, [(ax, series or present[0])]  # type: ignore[assignment]
    types = result.gpus.drop_duplicates("label").set_index("label")["type"]
    for k, (axis, s) in enumerate(panels):
        sub = points[points["series"] == s]
        seen = result.gpus[(result.gpus["domain"] == s) & (result.gpus["year"] < ORIGIN)]
        axis.scatter(seen["year"], seen["gflops_per_watt"], s=12, color="0.6", lw=0,
                     label="chips before 2021: the fit's data")  # fmt: skip
        server = sub["label"].map(types).eq("Server").to_numpy()
        colours = np.where(sub["in_90"].astype(bool), INSIDE, OUTSIDE)
        axis.vlines(sub["year"], 10 ** sub["lower_90"], 10 ** sub["upper_90"], colors=colours,
                    alpha=0.45, lw=2.5, label="2021 forecast: each chip's 90%")  # fmt: skip
        axis.scatter(sub["year"], 10 ** sub["median"], marker="_", s=40, color="0.2", lw=1,
                     label="2021 forecast: median", zorder=3)  # fmt: skip
        for srv, face in ((True, None), (False, "white")):
            at = server == srv
            for inside, colour in ((True, INSIDE), (False, OUTSIDE)):
                m = at & (sub["in_90"].astype(bool).to_numpy() == inside)
                axis.scatter(sub.loc[m, "year"], 10 ** sub.loc[m, "observed"], s=22, zorder=4,
                             color=face or colour, edgecolors=colour, lw=1.2)  # fmt: skip
        axis.axvline(ORIGIN, color="0.5", lw=0.8, ls=(0, (1, 2)))
        log_axis(axis, "gflops_per_watt")
        decade_ticks(axis)
        whole_years(axis)
        n_in = int(sub["in_90"].sum())
        axis.set(xlabel="launch date (year)", xlim=(2016, float(np.ceil(sub["year"].max()))),
                 title=f"{PRECISIONS[s]}: {n_in} of {len(sub)} inside")  # fmt: skip
        if k == 0:
            axis.set_ylabel("peak GFLOPS/W")
    legend = [
        Line2D([], [], ls="", marker="o", ms=4, color="0.6", label="chips before 2021: the data"),
        Line2D([], [], lw=2.5, color="0.6", alpha=0.6, label="2021 forecast: a chip's 90%"),
        Line2D([], [], ls="", marker="_", ms=8, color="0.2", label="2021 forecast: median"),
        Line2D([], [], ls="", marker="o", color=INSIDE, label="later chip, inside its 90%"),
        Line2D([], [], ls="", marker="o", color=OUTSIDE, label="later chip, outside"),
        Line2D([], [], ls="", marker="o", mfc="white", mec="0.3", label="hollow: not a server"),
    ]
    panels[-1][0].legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                         fontsize=7, frameon=False)  # fmt: skip
    return fig
