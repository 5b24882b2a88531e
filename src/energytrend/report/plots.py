"""Figures of a fit, built from its posterior only (a loaded result plots without refitting).

Every function returns a matplotlib ``Figure`` and accepts ``ax=`` to draw into an existing
axes; none calls ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, FuncFormatter, MaxNLocator, NullFormatter

from energytrend.data.baseline import YEAR_ORIGIN, baseline_lines
from energytrend.forecast.forecasts import forecast
from energytrend.inference.result import TrendFit
from energytrend.report.figures_forecast import (
    _si_joules,
    log_axis,
    outside_legend,
    plot_crossing_curve,
    plot_forecast,
    whole_years,
)

UNITS = {
    "gflops": "GFLOPs per forward pass",
    "gflops_per_watt": "GFLOPS/W",
    "joules": "Joules per forward pass",
}
GROUP_COLOURS = {"frontier": "#c0392b", "all": "#2c7fb8", "hardware": "#238b45"}
ARCH_MARKERS = {"CNN": "o", "Transformer": "^", "Hybrid": "s", "": "o"}


def _axes(ax: Axes | None, size: tuple[float, float] = (8.0, 4.5)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig, new = plt.subplots(figsize=size, layout="constrained")
    return fig, new


def _log10_joules(result: TrendFit) -> pd.Series:
    """Posterior median log10 Joules of every (group, model) observation."""
    draws = result.draws("log10_joules")
    return pd.Series(np.median(draws.to_numpy(), axis=0), index=result.models.index)


def _points(result: TrendFit, metric: str, domain: str) -> pd.DataFrame:
    m = result.models.assign(joules=10 ** _log10_joules(result))
    m = m[(m["domain"] == domain) & (m["group"] == "all")]
    return m.assign(value=m["compute"] if metric == "gflops" else m["joules"])


def _bands(ax: Axes, f: pd.DataFrame, colour: str, label: str) -> None:
    ax.fill_between(f["year"], f["lower"], f["upper"], color=colour, alpha=0.15, lw=0)
    ax.fill_between(f["year"], f["lower_50"], f["upper_50"], color=colour, alpha=0.3, lw=0)
    ax.plot(f["year"], f["median"], color=colour, lw=2, label=label)


def plot_trend(
    result: TrendFit,
    metric: str = "gflops",
    domain: str | None = None,
    *,
    ax: Axes | None = None,
    show_ols: bool = True,
) -> Figure:
    """Data by group, architecture and extra-data flag, the posterior median trend with 50%
    and 90% bands of the mean, and the thesis's OLS line dashed.

    ``metric`` is ``"gflops"`` or ``"joules"``; ``domain`` defaults to the fit's first.
    """
    if metric not in ("gflops", "joules"):
        raise ValueError(f"metric must be 'gflops' or 'joules', got {metric!r}")
    domain = domain or result.domains[0]
    if domain not in result.domains:
        raise ValueError(f"this fit has domains {result.domains}, not {domain!r}")
    fig, ax = _axes(ax)
    pts = _points(result, metric, domain)
    end = float(np.ceil(pts["year"].max()))
    f = forecast(result, start=float(np.floor(pts["year"].min())), end=end, step=0.1)
    for group in ("all", "frontier"):
        sub = f[
            (f["metric"] == metric)
            & (f["domain"] == domain)
            & (f["group"] == group)
            & (f["band"] == "mean")
        ]
        _bands(ax, sub, GROUP_COLOURS[group], f"{group} models: posterior median, 50%/90%")
    for (arch, extra, front), sub in pts.groupby(
        [pts["architecture"].fillna(""), _has_extra_data(pts), pts["frontier"]]
    ):
        ax.scatter(
            sub["year"],
            sub["value"],
            marker=ARCH_MARKERS.get(str(arch), "o"),
            s=40 if front else 22,
            facecolors=GROUP_COLOURS["frontier" if front else "all"] if not extra else "none",
            edgecolors=GROUP_COLOURS["frontier" if front else "all"],
            lw=1,
            label=f"{arch or 'model'}{', extra data' if extra else ''}"
            f"{', frontier' if front else ''}",
        )
    if show_ols and not (result.config.per_token and domain == "nlp"):
        ols = baseline_lines(domain, rule=dict(result.config.rule)[domain]).set_index(  # type: ignore[arg-type]
            ["metric", "group"]
        )
        years = np.linspace(pts["year"].min(), end, 50)
        for group in ("frontier", "all"):
            line = ols.loc[(metric, group)]
            ax.plot(
                years,
                10 ** (line["intercept"] + line["slope"] * (years - YEAR_ORIGIN)),
                ls="--",
                color=GROUP_COLOURS[group],
                lw=1,
                label=f"{group}: thesis OLS",
            )
    log_axis(ax, metric)
    unit = (
        UNITS[metric].replace("forward pass", "token")
        if (result.config.per_token and domain == "nlp")
        else UNITS[metric]
    )
    ax.set(xlabel="release date (year)", ylabel=unit, title=f"{domain.upper()}: {unit} over time")
    whole_years(ax)  # whole years, never 2017.5
    outside_legend(ax)
    return fig


def _has_extra_data(pts: pd.DataFrame) -> pd.Series:
    """Trained on data beyond ImageNet-1k: ``extra_data`` names a data set. NLP models have
    no such column (missing, or empty after a round trip through a file), CV models say
    "No" when they used none."""
    text = pts["extra_data"].fillna("").astype(str).str.strip().str.lower()
    return ~text.isin(["", "no", "nan", "none"])


def plot_energy_fan(
    result: TrendFit,
    domain: str | None = None,
    *,
    end: float = 2040.0,
    levels: dict[str, float] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Energy per forward pass to ``end`` (:meth:`TrendFit.plot_forecast`) and, underneath,
    P(crossed by year) of each level from the forecast origin on
    (:meth:`TrendFit.plot_crossing_curve`): the report's fan, made of the result's two plot
    calls. With ``ax``, the fan alone is drawn there."""
    domain = domain or result.domains[0]
    if ax is not None:
        return plot_forecast(result, metric="joules", domain=domain, end=end, levels=levels, ax=ax)
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(8.5, 6.8), height_ratios=(3, 1.4), sharex=True, layout="constrained"
    )
    plot_forecast(result, metric="joules", domain=domain, end=end, levels=levels, ax=top)
    plot_crossing_curve(result, levels=levels, horizon=end, domain=domain, ax=bottom)
    top.set_xlabel("")
    bottom.set_title("probability that the energy trend has reached each level", fontsize=9)
    return fig


def plot_growth_forest(result: TrendFit, *, prob: float = 0.9, ax: Axes | None = None) -> Figure:
    """Slope (orders of magnitude per year) of every metric and group, median and interval."""
    rates = result.growth_rates(prob=prob)
    rates = rates[rates["quantity"] == "slope_log10_per_year"].reset_index(drop=True)
    fig, ax = _axes(ax, (7.0, 0.35 * len(rates) + 1.2))
    y = np.arange(len(rates))[::-1]
    colours = [GROUP_COLOURS[g] for g in rates["group"]]
    ax.hlines(y, rates["lower"], rates["upper"], colors=colours, lw=2)
    ax.scatter(rates["median"], y, color=colours, zorder=3)
    ax.axvline(0, color="k", lw=0.8)
    names = {"gflops": "compute", "joules": "energy", "gflops_per_watt": "efficiency"}
    groups = {"frontier": " frontier", "all": " typical", "hardware": ""}
    ax.set_yticks(
        y,
        [
            f"{names.get(r.metric, r.metric)}, {r.domain.upper()}"
            + groups.get(str(r.group), f" {r.group}")
            for r in rates.itertuples()
        ],
        fontsize=8,
    )
    ax.set(xlabel=f"growth, log10 per year (median, {prob:.0%} interval)", title="Growth rates")
    return fig


def plot_accuracy_energy(
    result: TrendFit, domain: str | None = None, *, ax: Axes | None = None
) -> Figure:
    """Accuracy (top-1 for CV, GLUE for NLP) against Joules per forward pass, coloured by
    release year, like thesis Figures 5.5 and 5.6 (posterior median Joules)."""
    domain = domain or result.domains[0]
    fig, ax = _axes(ax)
    pts = _points(result, "joules", domain).dropna(subset=["accuracy"])
    sc = ax.scatter(pts["value"], pts["accuracy"], c=pts["year"], cmap="viridis", s=30)
    bar = fig.colorbar(sc, ax=ax, label="release year")
    bar.locator = MaxNLocator(integer=True)  # whole years on the colour bar
    bar.formatter = FormatStrFormatter("%d")  # 2019, never "+2.02e3" and an offset
    bar.update_ticks()
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(_si_joules))  # 1 mJ, never 10^-3
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set(
        xlabel=UNITS["joules"] + " (peak-based)",
        ylabel="ImageNet top-1 accuracy (%)" if domain == "cv" else "GLUE score",
        title=f"{domain.upper()}: accuracy against energy per forward pass",
    )
    return fig
