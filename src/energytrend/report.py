"""The forecasting report: one self-contained HTML file with every figure embedded.

Every number in the report is read from the fit result passed in; nothing is typed by hand.
A fit that failed its diagnostics is marked at the top and its numbers are not shown.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import platform
from importlib.metadata import version
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from energytrend import plots
from energytrend._version import __version__
from energytrend.forecast import human_levels
from energytrend.formatting import (
    contrast_text_table,
    format_number,
    format_significant,
    format_year,
    growth_text_table,
    verdict_text_table,
)
from energytrend.result import CI_PROB, TrendFit
from energytrend.store import atomic_path

CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #ddd;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#555}img{max-width:100%}
.fail{background:#fdecea;border:1px solid #e74c3c;padding:.8rem}
.ok{background:#eafaf1;border:1px solid #27ae60;padding:.8rem}
"""


def _figure(fig: Figure, caption: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return (
        f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _table(df: pd.DataFrame, digits: int = 3) -> str:
    """An HTML table; floats to ``digits`` significant digits in plain notation (sampled
    estimates arrive already formatted to their MCSE by :mod:`energytrend.formatting`)."""

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


def _crossings(result: TrendFit, prob: float) -> pd.DataFrame:
    """The crossing table with calendar years ("not by 2100" beyond the horizon, where the
    numeric columns hold NaN) next to its answer in words."""
    c = result.crossing_dates(prob=prob).drop(columns=["median_date", "prob"])
    horizon = float(c["horizon"].iloc[0]) if len(c) else None
    for col in ("median_year", "lower_year", "upper_year"):
        c[col] = [format_year(v if v == v else math.inf, horizon) for v in c[col]]
    c["joules"] = [format_significant(v, 3) for v in c["joules"]]
    for col in ("p_by_horizon", "p_never"):
        c[col] = [format_number(v, 2) for v in c[col]]
    c["horizon"] = [format_year(v) for v in c["horizon"]]
    return c


def _data_summary(result: TrendFit) -> pd.DataFrame:
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
            }
        )
    return pd.DataFrame(rows)


#: What each dataset holds, in a sentence (:mod:`energytrend.datasets`).
DATA_DESCRIPTIONS = {
    "thesis": "models from the thesis's Tables A.3 (CV, ImageNet) and A.4 (NLP, GLUE); "
    "hardware from Tables B.1-B.3, exactly as printed.",
    "2025": "the thesis's tables extended with public data through 2025: ImageNet "
    "classifiers released after June 2021 (timm results, Apache-2.0) and NVIDIA GPUs "
    "launched after April 2021 (Epoch AI, CC BY 4.0) in the FP32 efficiency series; NLP "
    "models as in the thesis.",
}


def _data_source(result: TrendFit) -> str:
    """The data of the fit in a sentence: the dataset, and which tables were the user's."""
    data = result.config.data
    own = json.loads(str(result.idata.attrs.get("own_tables", "[]")))
    text = DATA_DESCRIPTIONS.get(data, data)
    if not own:
        return text
    rest = f"the dataset's tables for the rest ({text})" if len(own) < 4 else "no shipped table"
    return f"the user's own tables {', '.join(own)}, and {rest}"


def render_report(result: TrendFit, *, prob: float = CI_PROB) -> str:
    """The report as an HTML string, with ``prob`` credible intervals."""
    c = result.config
    n_draws = c.chains * c.draws
    parts = [f"<h1>energytrend forecasting report: {html.escape(c.domain.upper())}</h1>"]
    if result.passed:
        parts.append(
            '<p class="ok">The posterior passed its diagnostics (no divergences, '
            "R-hat &le; 1.01, bulk and tail ESS &ge; 400 for every reported "
            "quantity).</p>"
        )
    else:
        parts.append(
            '<p class="fail"><strong>This fit FAILED its diagnostics</strong>: '
            + html.escape("; ".join(result.diagnostics.failures))
            + ". Its numbers are not reported.</p>"
        )
    parts += [
        "<h2>Data</h2>",
        f"<p>Dataset <strong>{html.escape(c.data)}</strong>: "
        + html.escape(_data_source(result))
        + " Frontier rule: "
        + html.escape(", ".join(f"{d}: {r}" for d, r in c.rule))
        + ".</p>",
        _table(_data_summary(result)),
    ]
    if result.passed:
        levels = human_levels()
        parts += [
            f"<h2>Growth rates</h2><p>Posterior medians and {prob:.0%} credible intervals. "
            "Doubling time is 12&middot;log10(2)/slope; 'unbounded' when the interval of the "
            "slope includes zero.</p>",
            _table(growth_text_table(result.growth_rates(prob))),
            "<h2>Does hardware progress cancel the growth in FLOPs?</h2>",
            _table(verdict_text_table(result.energy_verdict(), n_draws)),
            "<h3>Contrasts (difference of slopes, log10 per year)</h3>",
            _table(contrast_text_table(result.contrasts(), n_draws)),
            "<h2>When does energy per forward pass reach human levels?</h2><p>"
            + "; ".join(
                html.escape(f"{lv.name}: {lv.derivation} = {lv.joules:,.0f} J") for lv in levels
            )
            + ". 'crossing' is the calendar year of the posterior median crossing of the trend "
            "(or 'already crossed', or 'not by' the horizon); the years are calendar years "
            f"of the posterior median and {prob:.0%} interval.</p>",
            _table(_crossings(result, prob)),
            "<h2>Figures</h2>",
        ]
        for domain in result.domains:
            parts.append(
                _figure(
                    plots.plot_trend(result, "gflops", domain),
                    f"{domain.upper()}: compute per forward pass, posterior "
                    "trends with 50%/90% bands, thesis OLS dashed",
                )
            )
            parts.append(
                _figure(
                    plots.plot_trend(result, "joules", domain),
                    f"{domain.upper()}: energy per forward pass",
                )
            )
            parts.append(
                _figure(
                    plots.plot_energy_fan(result, domain),
                    f"{domain.upper()}: energy forecast with human levels and "
                    "crossing-date distributions",
                )
            )
            parts.append(
                _figure(
                    plots.plot_accuracy_energy(result, domain),
                    f"{domain.upper()}: accuracy against energy per forward pass",
                )
            )
        parts.append(
            _figure(
                plots.plot_efficiency(result),
                "Hardware efficiency (GFLOPS/W) with the domain-adapted series",
            )
        )
        parts.append(
            _figure(plots.plot_growth_forest(result, prob=prob), "Growth rates of every line")
        )
        parts += ["<h2>Posterior predictive checks</h2>", _table(result.ppc())]
    parts += [
        "<h2>Diagnostics</h2>",
        _table(result.diagnostics.table),
        "<h2>Reproducibility</h2>",
        _table(
            pd.DataFrame(
                [
                    {"item": "energytrend", "value": __version__},
                    {"item": "pymc", "value": version("pymc")},
                    {"item": "arviz", "value": version("arviz")},
                    {"item": "python", "value": platform.python_version()},
                    {"item": "sampler", "value": c.sampler},
                    {"item": "seed", "value": str(c.seed)},
                    {"item": "dataset", "value": c.data},
                    {
                        "item": "chains x draws (tune)",
                        "value": f"{c.chains} x {c.draws} ({c.tune})",
                    },
                    {"item": "target_accept", "value": str(c.target_accept)},
                    {"item": "pooling", "value": c.pooling},
                    {"item": "per-token NLP", "value": str(c.per_token)},
                ]
            )
        ),
    ]
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>energytrend report</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


def write_report(result: TrendFit, path: str | Path, *, prob: float = CI_PROB) -> Path:
    """Write the report to ``path`` atomically (never a half-written file), with ``prob``
    credible intervals."""
    path = Path(path)
    text = render_report(result, prob=prob)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
