"""Forecast figures of a fit, the bodies of :meth:`TrendFit.plot_forecast` and
:meth:`TrendFit.plot_crossing_curve` (the report draws its fans with the same calls).

Each function returns a matplotlib ``Figure``, accepts ``ax=`` and never calls
``plt.show()``. The figures follow one set of rules: the y-axis shows the data and the
plausible band range (never tens of orders of magnitude of a band's far tail), human energy
levels are drawn and labelled, the x-axis ticks whole years, legends sit outside the data, and
band edges are smooth (see :func:`energytrend.forecast.forecasts.forecast`).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from energytrend.forecast.forecasts import crossing_curve, forecast, human_levels
from energytrend.forecast.trend import forecast_origin
from energytrend.inference.result import TrendFit

GROUP_COLOURS = {"frontier": "#c0392b", "all": "#2c7fb8", "hardware": "#238b45"}
METRICS = ("gflops", "joules", "gflops_per_watt")
#: Colours of the levels in the crossing curves (the fan's level lines are black).
LEVEL_COLOURS = ("#6a3d9a", "#e6550d", "#31a354", "#636363")


def whole_years(ax: Axes) -> None:
    """Tick the x-axis at whole years only, printed as years (2030, never 2030.0 or 2.03e3)."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))


def _si_joules(value: float, _pos: object = None) -> str:
    """A decade of joules in words: 1 mJ, 10 mJ, 100 J, 1 kJ, 10 MJ."""
    if value <= 0:
        return ""
    for scale, unit in ((1e9, "GJ"), (1e6, "MJ"), (1e3, "kJ"), (1.0, "J"), (1e-3, "mJ")):
        if value >= scale * 0.999:
            return f"{value / scale:,.4g} {unit}"
    return f"{value / 1e-6:,.4g} µJ"


def energy_label(joules: float) -> str:
    """An energy to two significant digits with its SI unit: 97 J, 9.1 kJ."""
    return _si_joules(float(f"{joules:.2g}"))


def _plain_decade(value: float, _pos: object = None) -> str:
    """A decade as a plain number with thousands separators: 0.01, 1, 1,000, 100,000."""
    if value <= 0:
        return ""
    if value >= 1:
        return f"{value:,.0f}"
    return f"{value:.{int(np.ceil(-np.log10(value) - 1e-9))}f}".rstrip("0").rstrip(".")


def log_axis(ax: Axes, metric: str) -> None:
    """A log y-axis ticked at decades, labelled in SI joules or plain numbers."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=12))
    ax.yaxis.set_major_formatter(FuncFormatter(_si_joules if metric == "joules" else _plain_decade))
    ax.yaxis.set_minor_formatter(NullFormatter())


def decade_ticks(ax: Axes) -> None:
    """On a log y-axis spanning less than two decades, tick 1, 2 and 5 of each decade too (a
    narrow panel would otherwise show one labelled tick, or mathtext minor labels)."""
    low, high = ax.get_ylim()
    subs = (1.0, 2.0, 5.0) if np.log10(high / low) < 2 else (1.0,)
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs, numticks=12))
    ax.yaxis.set_minor_formatter(NullFormatter())


def outside_legend(ax: Axes, **kwargs: object) -> None:
    """The legend to the right of the axes, where it covers no data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False, **kwargs)


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig, new = plt.subplots(figsize=size, layout="constrained")
    return fig, new


def _bands(ax: Axes, f: pd.DataFrame, colour: str, label: str) -> None:
    ax.fill_between(f["year"], f["lower"], f["upper"], color=colour, alpha=0.15, lw=0)
    ax.fill_between(f["year"], f["lower_50"], f["upper_50"], color=colour, alpha=0.3, lw=0)
    ax.plot(f["year"], f["median"], color=colour, lw=2, label=label)


def _model_points(result: TrendFit, metric: str, domain: str) -> pd.DataFrame:
    """Every model of ``domain`` once, with ``value`` in the metric's natural unit (energy:
    the posterior median peak-based joules)."""
    m = result.models.assign(
        joules=10 ** np.median(result.draws("log10_joules").to_numpy(), axis=0)
    )
    m = m[(m["domain"] == domain) & (m["group"] == "all")]
    return m.assign(value=m["compute"] if metric == "gflops" else m["joules"])


def plausible_limits(
    values: pd.Series | np.ndarray, lower: pd.Series, upper: pd.Series, extra: list[float]
) -> tuple[float, float]:
    """y-limits of a log axis: the data, the bands' 2-98% range over time and ``extra``
    reference values, with a little room; never the far tail of a band."""
    low = min(float(np.min(values)), float(lower.quantile(0.02)), *extra)
    high = max(float(np.max(values)), float(upper.quantile(0.98)), *extra)
    return low / 3, high * 3


def plot_forecast(
    result: TrendFit,
    *,
    metric: str = "joules",
    domain: str | None = None,
    end: float = 2040.0,
    levels: Mapping[str, float] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The forecast fan of ``metric`` for ``domain`` to ``end``.

    ``"gflops"`` and ``"joules"``: every model of the domain (grey), the typical new model's
    predictive fan (blue, 50% and 90%) and the frontier quantile's band (red), from the first
    model to ``end``, with the forecast origin (the last model) marked. Energy is peak-based
    (the thesis's lower bound), with the median calibrated to MLPerf's measured energy dotted
    where the fit has measurements, and the ``levels`` (default: the two human levels) as
    labelled dashed lines. ``"gflops_per_watt"``: the chips of each precision series (or only
    ``domain``'s, when it names a series) with each series' trend and band, as
    :func:`energytrend.report.plots.plot_efficiency`.

    Examples:
        >>> import energytrend as et
        >>> fig = et.plot_forecast(et.fit("cv"), metric="gflops", end=2030)
        >>> fig.axes[0].get_yscale()
        'log'
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    if metric == "gflops_per_watt":
        if domain is not None and domain not in result.series:
            raise ValueError(f"this fit has efficiency series {result.series}, not {domain!r}")
        return plot_efficiency(result, end=end, ax=ax, series=None if domain is None else [domain])
    domain = domain or result.domains[0]
    if domain not in result.domains:
        raise ValueError(f"this fit has domains {result.domains}, not {domain!r}")
    fig, ax = _axes(ax, (8.5, 4.8))
    pts = _model_points(result, metric, domain)
    f = forecast(result, start=float(np.floor(pts["year"].min())), end=end, step=0.25)
    f = f[f["domain"] == domain]
    for group, band in (("all", "predictive"), ("frontier", "mean")):
        sub = f[(f["metric"] == metric) & (f["group"] == group) & (f["band"] == band)]
        what = "typical new model" if group == "all" else "frontier"
        kind = "predictive" if group == "all" else "trend"
        peak = "peak-based " if metric == "joules" else ""
        _bands(ax, sub, GROUP_COLOURS[group], f"{what}: {peak}{kind},\nmedian, 50% and 90%")
        cal = f[(f["metric"] == "joules_calibrated") & (f["group"] == group) & (f["band"] == band)]
        if metric == "joules" and len(cal):
            ax.plot(cal["year"], cal["median"], color=GROUP_COLOURS[group], ls=":", lw=1.6,
                    label=f"{what}: calibrated to\nMLPerf's measured energy")  # fmt: skip
    ax.scatter(pts["year"], pts["value"], s=10, color="0.35", alpha=0.6, lw=0, zorder=3,
               label=f"{domain.upper()} models")  # fmt: skip
    origin = forecast_origin(result, domain)
    ax.axvline(origin, color="0.5", lw=0.8, ls=(0, (1, 2)))
    ax.annotate("last model", (origin, 0.0), xycoords=("data", "axes fraction"), xytext=(3, 3),
                textcoords="offset points", va="bottom", fontsize=7, color="0.4")  # fmt: skip
    lv: dict[str, float] = {}
    if metric == "joules":
        lv = dict(levels or {x.name: x.joules for x in human_levels()})
        for name, joules in lv.items():
            ax.axhline(joules, color="k", lw=0.8, ls="--")
            ax.annotate(f"{name}: {energy_label(joules)}", (0.01, joules),
                        xycoords=("axes fraction", "data"), xytext=(0, 2),
                        textcoords="offset points", va="bottom", fontsize=7,
                        bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 1})  # fmt: skip
    shown = f[f["metric"].isin([metric, f"{metric}_calibrated"])]
    ax.set_ylim(*plausible_limits(pts["value"], shown["lower"], shown["upper"], list(lv.values())))
    ax.set_xlim(float(np.floor(pts["year"].min())), end)
    log_axis(ax, metric)
    whole_years(ax)
    unit = result.unit(metric, domain)
    what = "energy" if metric == "joules" else "compute"
    ax.set(xlabel="release date (year)", ylabel=unit,
           title=f"{domain.upper()}: {what} per forward pass to {end:.0f}")  # fmt: skip
    outside_legend(ax)
    return fig


def plot_crossing_curve(
    result: TrendFit,
    *,
    levels: Mapping[str, float] | None = None,
    horizon: float = 2040.0,
    domain: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """P(the energy trend has reached each level by each year), from each domain's forecast
    origin to ``horizon``: colour per level, solid for the frontier, dashed for the typical model.

    Without ``ax``, one panel per domain (or only ``domain``); with ``ax``, every requested
    domain in that axes.

    Examples:
        >>> import energytrend as et
        >>> fig = et.plot_crossing_curve(et.fit("cv"), horizon=2030)
        >>> len(fig.axes) >= 1
        True
    """
    domains = [domain] if domain is not None else result.domains
    if any(d not in result.domains for d in domains):
        raise ValueError(f"this fit has domains {result.domains}, not {domain!r}")
    curve = crossing_curve(result, levels=levels, horizon=horizon)
    if ax is None:
        fig, grid = plt.subplots(1, len(domains), figsize=(4.2 * len(domains) + 1.8, 3.4),
                                 sharey=True, layout="constrained", squeeze=False)  # fmt: skip
        panels = [(grid[0, k], [d]) for k, d in enumerate(domains)]
    else:
        fig, panels = ax.figure, [(ax, domains)]  # type: ignore[assignment]
    names = list(dict.fromkeys(curve["level"]))
    for k, (axis, ds) in enumerate(panels):
        for d in ds:
            prefix = f"{d.upper()} " if len(ds) > 1 else ""
            for group, ls in (("frontier", "-"), ("all", "--")):
                who = "frontier" if group == "frontier" else "typical model"
                for j, name in enumerate(names):
                    at = (curve["domain"] == d) & (curve["group"] == group)
                    sub = curve[at & (curve["level"] == name)]
                    joules = float(sub["joules"].iloc[0]) if len(sub) else 0.0
                    axis.step(sub["year"], sub["p_crossed"], where="post", ls=ls, lw=1.6,
                              color=LEVEL_COLOURS[j % len(LEVEL_COLOURS)],
                              label=f"{prefix}{who}:\n{name} ({energy_label(joules)})")  # fmt: skip
        axis.set_yticks([0, 0.25, 0.5, 0.75, 1])
        axis.grid(axis="y", color="0.85", lw=0.6)  # gridlines, so the curves are the only lines
        shown = curve[curve["domain"].isin(ds)]
        if len(shown) and shown["p_crossed"].max() < 0.005:
            axis.annotate(f"no level is reached by {horizon:.0f} (P < 0.5% for every line)",
                          (0.5, 0.5), xycoords="axes fraction", ha="center", va="bottom",
                          fontsize=8, color="0.3")  # fmt: skip
        axis.set_ylim(-0.02, 1.02)
        axis.set(xlabel="year", title=" and ".join(d.upper() for d in ds))
        if k == 0:
            axis.set_ylabel("P(reached by year)")
        whole_years(axis)
    outside_legend(panels[-1][0])
    return fig


def plot_efficiency(
    result: TrendFit,
    *,
    end: float | None = None,
    ax: Axes | None = None,
    series: list[str] | None = None,
) -> Figure:
    """Peak GFLOPS/W of the chips by efficiency series (numeric precision, or v1's
    domain-adapted series) with the posterior trend and its 90% band to ``end`` (default:
    the last chip's year); in the precision model the trend is a server part's, and desktop
    and workstation chips are drawn hollow. ``series`` limits the figure to those series."""
    fig, ax = _axes(ax, (8.0, 4.5))
    last = float(np.ceil(result.gpus["year"].max()))
    f = forecast(result, start=float(np.floor(result.gpus["year"].min())),
                 end=last if end is None else end, step=0.1)  # fmt: skip
    names = {"fp32": "FP32", "fp16": "FP16/BF16 tensor", "int8": "8-bit"}
    for k, name in enumerate(result.series):
        if series is not None and name not in series:
            continue
        label = names.get(name, name.upper())
        pts = result.gpus[result.gpus["domain"] == name]
        adapted = pts["adapted"].astype(bool)
        server = pts["type"] == "Server"
        on, off = pts[server & ~adapted], pts[~server & ~adapted]
        ax.scatter(on["year"], on["gflops_per_watt"], color=f"C{k}", s=18,
                   label=f"{label}: server chips")  # fmt: skip
        ax.scatter(off["year"], off["gflops_per_watt"], facecolors="none", edgecolors=f"C{k}",
                   s=18, label=f"{label}: desktop/workstation")  # fmt: skip
        if adapted.any():
            ax.scatter(pts.loc[adapted, "year"], pts.loc[adapted, "gflops_per_watt"], marker="D",
                       color=f"C{k}", s=30, label=f"adapted for {name.upper()}")  # fmt: skip
        sub = f[(f["metric"] == "gflops_per_watt") & (f["domain"] == name) & (f["band"] == "mean")]
        ax.fill_between(sub["year"], sub["lower"], sub["upper"], color=f"C{k}", alpha=0.2, lw=0)
        ax.plot(sub["year"], sub["median"], color=f"C{k}", label=f"{label}: server trend, 90%")
    # the chips and the bands' plausible range, at most a decade beyond the chips either way
    shown = f[(f["metric"] == "gflops_per_watt") & (f["band"] == "mean")]
    shown = shown[shown["domain"].isin(series or result.series)]
    chips = result.gpus[result.gpus["domain"].isin(series or result.series)]["gflops_per_watt"]
    low, high = plausible_limits(chips, shown["lower"], shown["upper"], [])
    ax.set_ylim(max(low, chips.min() / 10), min(high, chips.max() * 10))
    log_axis(ax, "gflops_per_watt")
    ax.set(xlabel="launch date (year)", ylabel="peak GFLOPS/W",
           title="Hardware efficiency by numeric precision")  # fmt: skip
    whole_years(ax)
    outside_legend(ax)
    return fig
