"""Joules per output token against batch size, from the serving model, with the MLPerf LLM
power runs as points and the published 2025 per-query figures where they can be placed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from energytrend.data.llm_queries import DEFAULT_SCENARIO, published_query_energy
from energytrend.data.serving_inputs import mlperf_serving_runs
from energytrend.forecast.query import energy_per_query
from energytrend.forecast.query_regimes import REGIMES
from energytrend.forecast.serving import query_energy
from energytrend.inference.intervals import CI_PROB
from energytrend.report.query_figure import (
    BOUNDARY_MARKERS,
    GROUP_COLOURS,
    GROUP_NAMES,
    short_source,
)

if TYPE_CHECKING:
    from energytrend.inference.result import TrendFit

#: (label, model, hardware, precision) drawn by default: a 70B dense model and a mixture of
#: experts on an H100 and a B200.
DEFAULT_CASES: tuple[tuple[str, str, str, str], ...] = (
    ("Llama 3.3 70B, H100 FP8", "Llama 3.3 70B", "NVIDIA H100 SXM5 80GB", "FP8"),
    ("Llama 3.3 70B, B200 FP4", "Llama 3.3 70B", "NVIDIA B200", "FP4"),
    ("DeepSeek-V3, B200 FP4", "DeepSeek-V3", "NVIDIA B200", "FP4"),
    ("Kimi K2, B200 FP4", "Kimi K2", "NVIDIA B200", "FP4"),
)

#: Marker of an MLPerf run by its benchmark (others: a plus).
MLPERF_MARKERS = {
    "llama2-70b": "o",
    "mixtral-8x7b": "^",
    "llama3.1-405b": "s",
    "llama3.1-8b": "v",
}


def mlperf_points(runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The MLPerf LLM power runs (:func:`~energytrend.data.serving_inputs.mlperf_serving_runs`)
    as points of the figure: ``batch`` (sequences per replica, read from the submission) and
    ``j_per_output_token``, the measured J per sample at the server's wall divided by the
    sample's mean output tokens (prefill included, as the serving model's per-token figure).

    >>> p = mlperf_points()
    >>> bool((p["j_per_output_token"] > 0).all()), sorted(p["scenario"].unique())
    (True, ['Offline', 'Server'])
    """
    r = mlperf_serving_runs() if runs is None else runs
    out = r[["round", "benchmark", "scenario", "hardware_name", "precision", "batch"]].copy()
    out["input_tokens"] = r["input_tokens"]
    out["output_tokens"] = r["output_tokens"]
    out["j_per_output_token"] = r["measured_j_per_sample"] / r["output_tokens"]
    return out.reset_index(drop=True)


def _chip(name: str) -> str:
    return name.removeprefix("NVIDIA ").split(" ")[0]


def _draw_mlperf(ax: Axes, points: pd.DataFrame) -> None:
    """Black markers, one shape per benchmark; filled Offline, hollow Server."""
    for (bench, hw, rnd, prec), g in points.groupby(
        ["benchmark", "hardware_name", "round", "precision"], sort=False
    ):
        for scenario, s in g.groupby("scenario"):
            offline = scenario == "Offline"
            ax.scatter(
                s["batch"],
                s["j_per_output_token"],
                marker=MLPERF_MARKERS.get(str(bench), "P"),
                s=36,
                facecolors="k" if offline else "white",
                edgecolors="k",
                zorder=6,
                label=f"MLPerf {rnd} {bench}, {_chip(str(hw))} {prec} ({scenario})",
            )


def _draw_published_lines(ax: Axes, published: pd.DataFrame) -> None:
    """Published figures whose source states output tokens: J per query / output tokens, a
    horizontal line (no batch is published)."""
    for _, row in published[published["output_tokens"].fillna(0) > 0].iterrows():
        per_token = float(row["joules_per_query"]) / float(row["output_tokens"])
        ax.axhline(per_token, color="0.35", lw=1, ls=":", zorder=1)
        ax.annotate(
            f"{short_source(str(row['source']))}, {row['model_or_service']}: "
            f"{row['wh_per_query']:g} Wh / {int(row['output_tokens']):,} output tokens "
            f"({row['boundary_class']} boundary; no batch published)",
            (0.01, per_token),
            xycoords=("axes fraction", "data"),
            xytext=(0, 3),
            textcoords="offset points",
            fontsize=7,
            color="0.25",
        )


def _draw_per_query(
    ax: Axes, published: pd.DataFrame, llm: TrendFit | None, year: float, prob: float
) -> list[str]:
    """The side panel: the trend's query per regime (``llm`` given) and the published figures,
    J per query; returns the x labels."""
    labels: list[str] = []
    if llm is not None:
        for i, name in enumerate(REGIMES):
            t = energy_per_query(llm, year=year, regime=name, prob=prob).set_index("group")
            for dx, group in ((-0.12, "all"), (0.12, "frontier")):
                r = t.loc[group]
                ax.errorbar(
                    [i + dx],
                    [r["median_j"]],
                    yerr=[[r["median_j"] - r["lower_j"]], [r["upper_j"] - r["median_j"]]],
                    fmt="o",
                    ms=4,
                    color=GROUP_COLOURS[group],
                    capsize=2,
                    label=GROUP_NAMES[group] if i == 0 else None,
                )
            labels.append(f"{name}\n({REGIMES[name].boundary})")
    x = len(labels)
    order = published.sort_values("joules_per_query").reset_index(drop=True)
    for k, (_, row) in enumerate(order.iterrows()):
        boundary = str(row["boundary_class"])
        primary = row["verified"] == "primary"
        xk = x + (k - (len(order) - 1) / 2) * 0.22
        ax.annotate(
            f"{short_source(str(row['source']))} {row['wh_per_query']:g} Wh",
            (xk, row["joules_per_query"]),
            xytext=(0, -7),
            textcoords="offset points",
            rotation=90,
            ha="center",
            va="top",
            fontsize=6,
        )
        ax.scatter(
            [xk],
            [row["joules_per_query"]],
            marker=BOUNDARY_MARKERS.get(boundary, "o"),
            s=34,
            facecolors="k" if primary else "white",
            edgecolors="k",
            zorder=5,
            label=f"{short_source(str(row['source']))} {row['wh_per_query']:g} Wh "
            f"({boundary}" + ("" if primary else "; secondary source") + ")",
        )
    labels.append("published\n2025")
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    return labels


def plot_energy_per_token_by_batch(
    cases: Sequence[tuple[str, str, str, str]] = DEFAULT_CASES,
    batches: Sequence[int] = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096),
    *,
    prompt_tokens: int = 500,
    output_tokens: int = 500,
    boundary: str = "server",
    draws: int = 2000,
    seed: int = 2021,
    show_mlperf: bool = True,
    show_published: bool = True,
    llm: TrendFit | None = None,
    year: float = 2025.0,
    prob: float = CI_PROB,
) -> Figure:
    """Median and 90% band of joules per output token by batch, one line per case
    ``(label, model, hardware, precision)``, at ``boundary``.

    ``show_mlperf``: the MLPerf LLM power runs as black points at their read batch (J per
    sample at the server's wall / output tokens; each at its own benchmark's query shape).
    ``show_published``: a side panel of J per query with the published 2025 figures, each at
    its own boundary (they publish no batch); a figure whose source states its output tokens
    is also a dotted line on the main panel. ``llm`` (a fit of ``"llm"``) adds, in the side
    panel, the trend's typical and frontier query of :data:`DEFAULT_SCENARIO` at ``year`` per
    serving regime, with ``prob`` bands.

    >>> fig = plot_energy_per_token_by_batch(cases=DEFAULT_CASES[:1], batches=(1, 64), draws=200)
    >>> fig.axes[0].get_xscale(), fig.axes[0].get_yscale(), len(fig.axes)
    ('log', 'log', 2)
    """
    if not cases or not batches:
        raise ValueError("cases and batches must not be empty")
    published = published_query_energy() if show_published else None
    fig = Figure(figsize=(11.0, 5.6) if show_published else (7.5, 4.8), layout="constrained")
    if show_published:
        ax, side = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.6, 1.0]})
    else:
        ax, side = fig.add_subplot(), None
    for label, model, hardware, precision in cases:
        med, lo, hi = [], [], []
        for b in batches:
            t = query_energy(
                model, hardware, batch=b, prompt_tokens=prompt_tokens,
                output_tokens=output_tokens, precision=precision, boundary=boundary,
                draws=draws, seed=seed,
            ).set_index("quantity").loc["per_output_token"]  # fmt: skip
            med.append(t["median"])
            lo.append(t["lower"])
            hi.append(t["upper"])
        x = np.asarray(batches, dtype=float)
        (line,) = ax.plot(x, med, marker="o", ms=3, label=label)
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15, lw=0)
    if show_mlperf:
        _draw_mlperf(ax, mlperf_points())
    if published is not None:
        _draw_published_lines(ax, published)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch (sequences decoded together per replica)")
    ax.set_ylabel(f"J per output token ({boundary} boundary)")
    ax.set_title(
        f"Lines: serving model, {prompt_tokens} prompt and {output_tokens} output tokens, "
        f"median and 90% band. Points: MLPerf, measured at the server's wall, each at its "
        "own benchmark's tokens (filled Offline, hollow Server)",
        fontsize=8,
        wrap=True,
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=6.5, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.13))
    if side is not None and published is not None:
        _draw_per_query(side, published, llm, year, prob)
        side.set_yscale("log")
        side.set_ylabel("J per query")
        side.margins(y=0.25)
        title = "published 2025 figures at their own boundary"
        if llm is not None:
            s = energy_per_query(llm, year=year, scenario=DEFAULT_SCENARIO).iloc[0]
            title = (
                f"the trend's query ({s['prompt_tokens']:,} in, {s['output_tokens']:,} out) "
                f"on {s['date']:%Y-%m-%d} per regime, {prob:.0%} bands; " + title
            )
        side.set_title(title, fontsize=8, wrap=True)
        side.grid(True, which="major", axis="y", alpha=0.3)
        handles, names = side.get_legend_handles_labels()
        side.legend(handles, names, fontsize=6.5, loc="upper center",
                    bbox_to_anchor=(0.5, -0.13))  # fmt: skip
    return fig
