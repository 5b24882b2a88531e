"""The report's building blocks: figures and tables as HTML, and the sections that read the
fit or the shipped results (data summary, crossings, calibration, retrospective, backtest).
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energytrend.data.nlp_language import IMPUTED_SOURCE
from energytrend.data.tables import shipped_path
from energytrend.forecast.forecasts import crossing_dates
from energytrend.forecast.trend import SCENARIOS, has_calibration
from energytrend.inference.formatting import (
    format_significant,
    format_year,
)
from energytrend.inference.result import TrendFit
from energytrend.report.figures_retro import (
    PRECISIONS,
    plot_retro_compute,
    plot_retro_efficiency,
    retrospective_coverage,
    retrospective_points,
)
from energytrend.studies.backtest_scores import check_targets, readable_targets


def figure_html(fig: Figure, caption: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return (
        f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def table_html(df: pd.DataFrame, digits: int = 3) -> str:
    """An HTML table; floats to ``digits`` significant digits in plain notation (sampled
    estimates arrive already formatted to their MCSE by :mod:`energytrend.inference.formatting`)."""

    def fmt(v: object) -> str:
        if isinstance(v, float):
            if v != v:  # NaN
                return ""
            if v in (float("inf"), float("-inf")):
                return "unbounded" if v > 0 else "-unbounded"
            return format_significant(v, digits)
        if isinstance(v, pd.Timestamp):
            return str(v.strftime("%Y-%m-%d"))
        return str(v) if v is not None else ""

    return str(
        df.to_html(
            index=False, formatters={c: fmt for c in df.columns}, escape=True, border=0, na_rep=""
        )
    )


def crossings_table(result: TrendFit, prob: float) -> pd.DataFrame:
    """The crossing table in words, one column per scenario for compute after the data
    (:data:`energytrend.forecast.trend.SCENARIOS`): the median crossing and its interval as
    calendar years ("already", "after 2040"), for calibrated energy (where the fit has MLPerf
    runs) and the peak-based lower bound."""
    energy = ["calibrated", "peak"] if has_calibration(result) else ["peak"]
    c = crossing_dates(result, prob=prob, scenarios=list(SCENARIOS), energy=energy)
    c["cell"] = [
        f"{m} ({i})" if m != i else m for m, i in zip(c["crossing"], c["interval"], strict=True)
    ]
    keys = ["domain", "group", "energy", "level", "joules", "origin"]
    wide = c.pivot_table(index=keys, columns="scenario", values="cell", aggfunc="first", sort=False)
    wide = wide.reset_index()
    return pd.DataFrame(
        {
            "line": wide["domain"] + "/" + wide["group"],
            "energy": wide["energy"].map(
                {"calibrated": "calibrated (MLPerf)", "peak": "peak-based (lower bound)"}
            ),
            "level": [
                f"{n} ({format_significant(j, 2)} J)"
                for n, j in zip(wide["level"], wide["joules"], strict=True)
            ],
            "from": [format_year(v) for v in wide["origin"]],
            **{
                f"{name}: median ({prob:.0%} interval)": wide[name]
                for name in SCENARIOS
                if name in wide
            },
        }
    )


def calibration_table(result: TrendFit, prob: float) -> pd.DataFrame:
    """The realisation factor (measured MLPerf energy over the peak-based estimate) and the
    measured speed-ups' realised share of the peak gain, as factors with intervals."""
    rows = []
    for var, what in (
        ("realisation", "measured / peak-based energy, MLPerf (x)"),
        ("speedup_fraction", "realised share of the peak speed-up over FP32, Table B.2"),
    ):
        if var not in result.idata["posterior"]:
            continue
        draws = result.draws(var)
        for label, d in (
            [
                (str(k), draws.sel(speedup_precision=k))
                for k in draws["speedup_precision"].to_numpy()
            ]
            if "speedup_precision" in draws.dims
            else [("", draws)]
        ):
            q = np.quantile(10 ** d.to_numpy(), [0.5, (1 - prob) / 2, (1 + prob) / 2])
            rows.append(
                {
                    "quantity": what + (f" [{label}]" if label else ""),
                    "median": format_significant(q[0], 2),
                    f"{prob:.0%} interval": f"{format_significant(q[1], 2)} to "
                    f"{format_significant(q[2], 2)}",
                }
            )
    return pd.DataFrame(rows)


def backtest_file(name: str = "backtest_coverage.csv") -> Path | None:
    """The shipped ``results/<name>`` (a backtest output), or None (an installed wheel)."""
    try:
        path = shipped_path("results") / name
    except FileNotFoundError:
        return None
    return path if path.exists() else None


def backtest_section() -> list[str]:
    """The shipped rolling-origin backtest (``results/backtest_coverage.csv``, made by
    ``energytrend backtest``): OLS, v1 and v2 side by side, and the targets; nothing when
    the results folder is not shipped (an installed wheel without it)."""
    path = backtest_file()
    if path is None:
        return []
    c = pd.read_csv(path)
    c = c[(c["bucket"] == "all") & c["coverage_90"].notna()]
    if "origin" in c:  # pooled over origins; the per-origin rows are in the file
        c = c[c["origin"].isna()]
    rows = []
    for (s, series), sub in c.groupby(["set", "series"], sort=True):
        row: dict[str, object] = {"set": s, "series": series, "later": int(sub["n_distinct"].max())}
        for model, head in (("ols", "OLS"), ("v1", "v1"), ("v2", "v2 (shipped)")):
            r = sub[sub["model"] == model]
            row[head] = (
                "-"
                if r.empty
                else f"{r['coverage_90'].iloc[0]:.2f} / {r['coverage_50'].iloc[0]:.2f} / "
                f"{r['crps'].iloc[0]:.3f}"
            )
        rows.append(row)
    points_path = backtest_file("backtest_points.csv")
    points = None if points_path is None else pd.read_csv(points_path)
    targets = readable_targets(check_targets(pd.read_csv(path), points=points), "no")
    return [
        "<h2>How did the forecasts do? Rolling-origin backtests</h2><p>Each model was fitted "
        "to the data before an origin (early set: 2014-2020, used to choose the model; late "
        "set: 2021 and 2023, confirmatory) and scored on every later point within 5 years, "
        "each distinct point counted once per set. Cells: share of later points inside the "
        "90% / 50% predictive bands / CRPS (log10, lower is better). Energy is scored only "
        "against MLPerf's measured energy.</p>",
        table_html(pd.DataFrame(rows)),
        "<p>The issue's targets for the shipped model (series with at least 10 later points). "
        "<i>Within error</i>: whether the ideal is within sampling error of the measurement (the "
        "90% interval of the coverage holds the nominal level; the 90% bootstrap interval of the "
        "paired CRPS difference against the OLS reaches below 0). A miss within error is not "
        "shown by so few points; one outside it is real.</p>",
        table_html(targets),
    ]


def retrospective_file_points() -> pd.DataFrame | None:
    path = backtest_file("backtest_points.csv")
    return None if path is None else retrospective_points(path)


def retrospective_section(result: TrendFit) -> list[str]:
    """Forecasts from the data before 2021 against what came after, from the shipped backtest
    points (no refit); nothing when the results folder is not shipped."""
    points = retrospective_file_points()
    if points is None or points.empty:
        return []
    cov = retrospective_coverage(points).set_index("series")
    parts = [
        "<h2>Looking back: the forecast from the data before 2021</h2><p>The shipped model "
        "was fitted to the models and chips released before 1 January 2021 only (the "
        "backtest's 2021 origin, <code>energytrend backtest</code>), and its predictive bands "
        "are set against everything released since. A well-calibrated forecast holds about "
        "90% of the later points inside its 90% band.</p>"
    ]
    if "cv/all" in cov.index and "cv" in result.domains:
        cv = cov.loc["cv/all"]
        later = points[points["series"] == "cv/all"]
        below = int((later["observed"] < later["lower_90"]).sum())
        above = int((later["observed"] > later["upper_90"]).sum())
        parts.append(
            figure_html(
                plot_retro_compute(result, points),
                "Read: how many later CV models (coloured) fall inside the blue band that was "
                f"forecast from the grey models before 2021. {cv['inside_90']:.0f} of "
                f"{cv['n']:.0f} "
                f"({cv['share_90']:.0%}) released {cv['first']:.0f}-{cv['last']:.0f} are inside; "
                f"of those outside, {below} lie below the band (models cheaper than forecast) "
                f"and {above} above it.",
            )
        )
    chips = [s for s in PRECISIONS if s in cov.index]
    if chips:
        parts.append(
            figure_html(
                plot_retro_efficiency(result, points),
                "Read: each later chip's bar is the 90% interval forecast for it from the "
                "chips before 2021 (grey); a blue dot is inside it, an orange one outside. "
                + "; ".join(
                    f"{PRECISIONS[c]}: {cov.loc[c, 'inside_90']:.0f} of {cov.loc[c, 'n']:.0f}"
                    for c in chips
                )
                + " inside. Hollow markers are desktop and workstation parts, whose intervals sit "
                "apart from the server parts' at the same date.",
            )
        )
    return parts


def data_summary(result: TrendFit) -> pd.DataFrame:
    m = result.models
    rows = []
    for (domain, group), sub in m.groupby(["domain", "group"], sort=False):
        rows.append(
            {
                "line": f"{domain}/{group}",
                "points": len(sub),
                "first": sub["release_date"].min(),
                "last": sub["release_date"].max(),
                "min GFLOPs": sub["gflops"].min(),
                "max GFLOPs": sub["gflops"].max(),
                "imputed": int(sub.get("source", pd.Series(dtype=str)).eq(IMPUTED_SOURCE).sum()),
            }
        )
    for domain, sub in result.gpus.groupby("domain", sort=False):
        rows.append(
            {
                "line": f"{domain}/hardware",
                "points": len(sub),
                "first": sub["launch_date"].min(),
                "last": sub["launch_date"].max(),
                "min GFLOPs": float("nan"),
                "max GFLOPs": float("nan"),
                "imputed": 0,
            }
        )
    return pd.DataFrame(rows)


#: What each dataset holds, in a sentence (:mod:`energytrend.data.datasets`).
DATA_DESCRIPTIONS = {
    "thesis": "models from the thesis's Tables A.3 (CV, ImageNet) and A.4 (NLP, GLUE); "
    "hardware from Tables B.1-B.3, exactly as printed.",
    "2025": "the thesis's tables extended with public data through 2025: ImageNet "
    "classifiers released after June 2021 (timm results, Apache-2.0); hardware efficiency "
    "per numeric precision from NVIDIA's accelerators of 2010-2025 (Epoch AI, CC BY 4.0); "
    "the thesis's measured speed-ups; MLPerf Inference power runs for the energy "
    "calibration (MLCommons, Apache-2.0); NLP per token: the thesis's Table A.4 divided by "
    "each model's input length, then the language models released after it (Epoch AI, "
    "CC BY 4.0), closed ones without a parameter count imputed from their training compute "
    "(the 'imputed' column). (With v1's "
    "efficiency model, the FP32 GPU series of Table B.1 extended with NVIDIA GPUs "
    "launched after April 2021.)",
}


def data_source(result: TrendFit) -> str:
    """The data of the fit in a sentence: the dataset, and which tables were the user's."""
    data = result.config.data
    own = json.loads(str(result.idata.attrs.get("own_tables", "[]")))
    text = DATA_DESCRIPTIONS.get(data, data)
    if not own:
        return text
    rest = f"the dataset's tables for the rest ({text})" if len(own) < 4 else "no shipped table"
    return f"the user's own tables {', '.join(own)}, and {rest}"
