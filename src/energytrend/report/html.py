"""The forecasting report: one self-contained HTML file with every figure embedded.

Every number in the report is read from the fit result passed in; nothing is typed by hand.
A fit that failed its diagnostics is marked at the top and its numbers are not shown.
"""

from __future__ import annotations

import base64
import html
import io
import json
import platform
from importlib.metadata import version
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energytrend._version import __version__
from energytrend.data.tables import shipped_path
from energytrend.forecast.forecasts import human_levels
from energytrend.inference.result import CI_PROB, TrendFit
from energytrend.inference.store import atomic_path
from energytrend.report import plots
from energytrend.report.figures_retro import (
    PRECISIONS,
    plot_retro_compute,
    plot_retro_efficiency,
    retrospective_coverage,
    retrospective_points,
)
from energytrend.report.findings import key_findings
from energytrend.report.formatting import (
    contrast_text_table,
    format_number,
    format_significant,
    format_year,
    growth_text_table,
    verdict_text_table,
)
from energytrend.report.query_section import query_finding, query_section
from energytrend.studies.backtest_scores import check_targets

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
.findings{background:#f4f8fd;border:1px solid #2c7fb8;padding:0 .9rem .4rem}
.findings h2{border:0;margin-top:.6rem}.findings li{margin:.25rem 0}
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
    estimates arrive already formatted to their MCSE by :mod:`energytrend.report.formatting`)."""

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
    """The crossing table in words: the median and interval as calendar years ("already",
    "after 2040"), and the probabilities of having crossed already and by the horizon."""
    c = result.crossing_dates(prob=prob)
    horizon = format_year(float(c["horizon"].iloc[0])) if len(c) else ""
    return pd.DataFrame(
        {
            "line": c["domain"] + "/" + c["group"],
            "level": [
                f"{n} ({format_significant(j, 2)} J)"
                for n, j in zip(c["level"], c["joules"], strict=True)
            ],
            "from": [format_year(v) for v in c["origin"]],
            "crossing (median)": c["crossing"],
            f"{prob:.0%} interval": c["interval"],
            "P(already)": [format_number(v, 2) for v in c["p_already"]],
            f"P(by {horizon})": [format_number(v, 2) for v in c["p_by_horizon"]],
        }
    )


def _calibration(result: TrendFit, prob: float) -> pd.DataFrame:
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


def _backtest_file(name: str = "backtest_coverage.csv") -> Path | None:
    """The shipped ``results/<name>`` (a backtest output), or None (an installed wheel)."""
    try:
        path = shipped_path("results") / name
    except FileNotFoundError:
        return None
    return path if path.exists() else None


def _backtest_section() -> list[str]:
    """The shipped rolling-origin backtest (``results/backtest_coverage.csv``, made by
    ``energytrend backtest``): OLS, v1 and v2 side by side, and the targets; nothing when
    the results folder is not shipped (an installed wheel without it)."""
    path = _backtest_file()
    if path is None:
        return []
    c = pd.read_csv(path)
    c = c[(c["bucket"] == "all") & c["coverage_90"].notna()]
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
    targets = check_targets(pd.read_csv(path))
    targets = targets.assign(**{"pass": targets["pass"].map({True: "yes", False: "no"})})
    return [
        "<h2>How did the forecasts do? Rolling-origin backtests</h2><p>Each model was fitted "
        "to the data before an origin (early set: 2014-2020, used to choose the model; late "
        "set: 2021 and 2023, confirmatory) and scored on every later point within 5 years, "
        "each distinct point counted once per set. Cells: share of later points inside the "
        "90% / 50% predictive bands / CRPS (log10, lower is better). Energy is scored only "
        "against MLPerf's measured energy.</p>",
        _table(pd.DataFrame(rows)),
        "<p>The issue's targets for the shipped model (series with at least 10 later points):</p>",
        _table(targets),
    ]


def _retrospective_points() -> pd.DataFrame | None:
    path = _backtest_file("backtest_points.csv")
    return None if path is None else retrospective_points(path)


def _retrospective_section(result: TrendFit) -> list[str]:
    """Forecasts from the data before 2021 against what came after, from the shipped backtest
    points (no refit); nothing when the results folder is not shipped."""
    points = _retrospective_points()
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
            _figure(
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
            _figure(
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


def _precision_steps(result: TrendFit) -> str:
    """The precision eras of the specification in words: "fp16 from 2017, int8 from 2022"."""
    eras = result.config.spec.get("precision", {}).get("eras", [])
    return ", ".join(f"{name.upper()} from {year:.0f}" for year, name in eras[1:])


def _llm_query_section(llm: TrendFit | None, prob: float) -> list[str]:
    """The per-LLM-query section (:mod:`energytrend.report.query_section`) when a fit of the
    language models is given; a failure notice when that fit failed its diagnostics."""
    if llm is None:
        return []
    if not llm.passed:
        return [
            '<p class="fail">The language-model fit FAILED its diagnostics ('
            + html.escape("; ".join(llm.diagnostics.failures))
            + "); the energy per query is not reported.</p>"
        ]
    return query_section(llm, prob=prob, figure=_figure, table=_table)


HOW_TO_READ = (
    '<div class="box"><strong>How to read this report.</strong> '
    "Every number is a posterior median with its credible interval, printed only to the digits "
    "its Monte Carlo error supports. <em>Bands</em>: the darker band holds 50% and the lighter "
    "90% of the posterior; a <em>predictive</em> band is where one new model (or chip) would "
    "fall, the band of a trend is where the typical value lies. <em>Frontier</em>: the "
    "upper quantile (<code>frontier_quantile</code>, 0.9 by default) of the compute of "
    "a year's new "
    "models, the most compute-hungry tenth; <em>all</em>: the typical (median) new model. "
    "Every model is counted once. <em>Peak-based energy</em> divides a model's FLOPs by the "
    "peak FLOPS per watt of the hardware at the precision inference runs at: real deployments "
    "never run at peak rate and also power hosts and memory, so it is a lower bound. The "
    "<em>calibrated</em> line multiplies it by the factor that MLPerf's measured energy per "
    "sample sits above the peak-based estimate for the same model on the same hardware. "
    "Forecasts start at the last model's date: after it, growth relaxes towards a long-run "
    "rate set by the priors (see the prior checks in the README).</div>"
)


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


#: What each dataset holds, in a sentence (:mod:`energytrend.data.datasets`).
DATA_DESCRIPTIONS = {
    "thesis": "models from the thesis's Tables A.3 (CV, ImageNet) and A.4 (NLP, GLUE); "
    "hardware from Tables B.1-B.3, exactly as printed.",
    "2025": "the thesis's tables extended with public data through 2025: ImageNet "
    "classifiers released after June 2021 (timm results, Apache-2.0); hardware efficiency "
    "per numeric precision from NVIDIA's accelerators of 2010-2025 (Epoch AI, CC BY 4.0); "
    "the thesis's measured speed-ups; MLPerf Inference power runs for the energy "
    "calibration (MLCommons, Apache-2.0); NLP models as in the thesis. (With v1's "
    "efficiency model, the FP32 GPU series of Table B.1 extended with NVIDIA GPUs "
    "launched after April 2021.)",
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


def render_report(result: TrendFit, *, prob: float = CI_PROB, llm: TrendFit | None = None) -> str:
    """The report as an HTML string, with ``prob`` credible intervals; ``llm`` (a fit of
    the ``"llm"`` domain) adds the energy per LLM query."""
    queries = llm if llm is not None and llm.passed else None
    c = result.config
    n_draws = c.chains * c.draws
    parts = [f"<h1>energytrend forecasting report: {html.escape(c.domain.upper())}</h1>"]
    if result.passed:
        retro = _retrospective_points()
        findings = key_findings(
            result,
            prob=prob,
            retrospective=None if retro is None else retrospective_coverage(retro),
        )
        if queries is not None:
            findings.append(query_finding(queries, prob=prob))
        parts.append(
            '<div class="findings"><h2>Key findings</h2><ul>'
            + "".join(f"<li>{html.escape(f)}</li>" for f in findings)
            + "</ul></div>"
        )
    parts.append(HOW_TO_READ)
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
            _figure(
                plots.plot_growth_forest(result, prob=prob),
                f"Read: each line's growth in orders of magnitude per year, median and {prob:.0%} "
                "interval; right of the vertical line it grows, left of it it falls. Energy's "
                "slope is compute's minus hardware efficiency's.",
            ),
            "<h2>Does hardware progress cancel the growth in FLOPs?</h2>",
            _table(verdict_text_table(result.energy_verdict(), n_draws)),
            "<h3>Contrasts (difference of slopes, log10 per year)</h3>",
            _table(contrast_text_table(result.contrasts(), n_draws)),
            "<h2>When does energy per forward pass reach human levels?</h2><p>"
            + "; ".join(
                html.escape(f"{lv.name}: {lv.derivation} = {lv.joules:,.0f} J") for lv in levels
            )
            + ". A crossing is the first date after the forecast origin (the last model, "
            "'from') at which the peak-based energy trend reaches the level: 'already' when it "
            "is above it at the origin, 'after 2040' when not by the horizon.</p>",
            _table(_crossings(result, prob)),
            _figure(
                result.plot_crossing_curve(),
                "Read: the height of a curve in a year is the probability that the trend has "
                "reached that level by then (solid: frontier; dashed: typical new model), from "
                "the last model on; where a curve passes 0.5 is the median crossing date of "
                "the table above. A flat curve at zero: not reached by 2040.",
            ),
            "<h2>Measured against peak-based energy</h2><p>Peak-based energy is a lower "
            "bound. The realisation factor below is estimated from MLPerf Inference power "
            "runs (whole-system wall power, closed division) against the peak-based estimate "
            "for the same model and hardware; the calibrated energy lines in the forecast "
            "figures multiply by it draw by draw.</p>",
            _table(_calibration(result, prob)),
            "<h2>Figures</h2>",
        ]
        steps = _precision_steps(result)
        for domain in result.domains:
            d = domain.upper()
            parts.append(
                _figure(
                    plots.plot_trend(result, "gflops", domain),
                    f"{d}: compute per forward pass over the data. Read: the red band is the "
                    "frontier (the most compute-hungry tenth of a year's models), the blue "
                    "band the typical model, each with 50%/90% bands of the trend; the dashed "
                    "lines are the thesis's least-squares fits.",
                )
            )
            parts.append(
                _figure(
                    result.plot_forecast(metric="gflops", domain=domain),
                    f"{d}: compute per forward pass to 2040. Read: the blue fan is where one "
                    "new typical model would fall (50% and 90%), the red band the frontier; "
                    "after the last model the growth relaxes towards the long-run rate of the "
                    "priors, so the fans widen.",
                )
            )
            parts.append(
                _figure(
                    result.plot_forecast(metric="joules", domain=domain),
                    f"{d}: energy per forward pass to 2040. Read: where the fans meet the dashed "
                    "human levels. Bands are peak-based (a lower bound); the dotted lines are "
                    "calibrated to MLPerf's measured energy."
                    + (
                        f" The steps are where inference moves to a new precision ({steps})."
                        if steps
                        else ""
                    ),
                )
            )
            parts.append(
                _figure(
                    plots.plot_accuracy_energy(result, domain),
                    f"{d}: accuracy against energy per forward pass (posterior median "
                    "peak-based energy of each model). Read: further right costs more energy, "
                    "further up is more accurate; the colour is the release year.",
                )
            )
        parts.append(
            _figure(
                result.plot_forecast(metric="gflops_per_watt", end=2030),
                "Hardware efficiency by numeric precision. Read: each colour is one precision; "
                "filled dots are server chips, hollow ones desktop and workstation parts; the "
                "line and band are the trend of a server part (90%), continued to 2030. The gap "
                "between the "
                "series is what a move to a lower precision gains.",
            )
        )
        parts += _llm_query_section(llm, prob)
        parts += _retrospective_section(result)
        parts += _backtest_section()
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


def write_report(
    result: TrendFit,
    path: str | Path,
    *,
    prob: float = CI_PROB,
    llm: TrendFit | None = None,
) -> Path:
    """Write the report to ``path`` atomically (never a half-written file), with ``prob``
    credible intervals; ``llm`` (a fit of ``"llm"``) adds the energy per LLM query."""
    path = Path(path)
    text = render_report(result, prob=prob, llm=llm)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
