"""Measured against peak-based energy: MLPerf's runs beside the thesis's lower bound."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from energytrend.data.llm_realisation import llm_realisation_table
from energytrend.data.realisation import realisation_table
from energytrend.inference.formatting import format_significant

if TYPE_CHECKING:
    from energytrend.inference.result import TrendFit

#: One colour per benchmark family.
FAMILY_COLOURS = {"vision": "#2c7fb8", "language": "#c0392b"}


def _joules(value: float, _: object = None) -> str:
    for factor, unit in ((1e3, "kJ"), (1.0, "J"), (1e-3, "mJ")):
        if value >= factor or factor == 1e-3:
            return f"{format_significant(value / factor, 2).removesuffix('.0')} {unit}"
    return ""


def _factor_band(ax: Axes, result: TrendFit, x: np.ndarray, colour: str, label: str) -> None:
    """The fitted realisation factor as a line through the origin with its 90% band."""
    r = result.draws("realisation").to_numpy()
    lo, med, hi = 10.0 ** np.quantile(r, [0.05, 0.5, 0.95])
    ax.fill_between(x, lo * x, hi * x, color=colour, alpha=0.15, lw=0)
    ax.plot(x, med * x, color=colour, lw=1.2, label=f"{label}: measured = {med:.2g} x bound")


def plot_measured_vs_peak(
    result: TrendFit, *, llm: TrendFit | None = None, ax: Axes | None = None
) -> Figure:
    """MLPerf's measured joules per sample against the peak-based estimate for the same model
    and hardware, log-log: vision runs (ResNet-50, SSD-ResNet34) and, when the dataset has
    them, language-model runs. The dashed diagonal is the peak-based bound; the coloured lines
    are the fitted realisation factors with their 90% bands (``result``'s for vision,
    ``llm``'s for the language models). Returns the Figure."""
    if ax is None:
        fig = Figure(figsize=(6.4, 4.6))
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    data = result.config.data
    runs = [("vision", realisation_table(data), result)]
    if llm is not None:
        runs.append(("language", llm_realisation_table(data), llm))
    every = pd.concat([t for _, t, _ in runs], ignore_index=True)
    span = np.array([every["peak_j_per_sample"].min(), every["measured_j_per_sample"].max()])
    x = np.geomspace(span[0] / 2, span[1] * 2, 50)
    ax.plot(x, x, color="k", ls="--", lw=0.9, label="peak-based bound (measured = bound)")
    for family, table, fitted in runs:
        colour = FAMILY_COLOURS[family]
        xs = np.geomspace(
            table["peak_j_per_sample"].min() / 1.5, table["peak_j_per_sample"].max() * 1.5
        )
        _factor_band(ax, fitted, xs, colour, f"{family} fit")
        ax.scatter(
            table["peak_j_per_sample"],
            table["measured_j_per_sample"],
            s=22,
            color=colour,
            edgecolors="white",
            linewidths=0.5,
            zorder=3,
            label=f"{family} runs ({', '.join(sorted(set(table['benchmark'])))})",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10))
        axis.set_major_formatter(FuncFormatter(_joules))
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(x[0], x[-1])
    ax.set_xlabel("peak-based estimate, J per sample (FLOPs / peak GFLOPS/W)")
    ax.set_ylabel("measured, J per sample (system wall power)")
    ax.grid(alpha=0.3, which="major")
    ax.legend(loc="upper left", fontsize=7, framealpha=0.9)
    return fig
