"""The forecasting report: one self-contained HTML file with every figure embedded.

Every number in the report is read from the fit result passed in; nothing is typed by hand.
A fit that failed its diagnostics is marked at the top and its numbers are not shown.
"""

from __future__ import annotations

import html
import platform
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

from energytrend._version import __version__
from energytrend.forecast.forecasts import human_levels
from energytrend.inference.formatting import (
    contrast_text_table,
    growth_text_table,
    verdict_text_table,
)
from energytrend.inference.intervals import CI_PROB
from energytrend.inference.result import TrendFit
from energytrend.inference.store import atomic_path
from energytrend.report import plots
from energytrend.report.figures_forecast import plot_crossing_curve, plot_forecast
from energytrend.report.figures_realisation import plot_measured_vs_peak
from energytrend.report.figures_retro import (
    retrospective_coverage,
)
from energytrend.report.findings import key_findings
from energytrend.report.query_section import query_finding, query_section
from energytrend.report.sections import (
    backtest_section,
    calibration_table,
    crossings_table,
    data_source,
    data_summary,
    figure_html,
    retrospective_file_points,
    retrospective_section,
    table_html,
)

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


def _precision_steps(result: TrendFit) -> str:
    """The precision eras of the specification in words: "fp16 from 2017, int8 from 2022"."""
    eras = result.config.spec.get("precision", {}).get("eras", [])
    return ", ".join(f"{name.upper()} from {year:.0f}" for year, name in eras[1:])


#: The serving regime of the energy-per-forward-pass lines, said where they are shown.
ENERGY_REGIME = (
    "Regime: the peak-based energy is the chip running at its peak FLOPS at TDP, full "
    "utilisation (a lower bound no deployment reaches); the calibrated line is MLPerf Offline, "
    "a tuned server at its full batch (whole-server wall power)."
)
#: What the CV lines leave out: smaller batches (the serving model, docs/serving.md).
CV_BATCH_NOTE = (
    " An image served at batch 1 costs more per image than at full batch: each image then "
    "reads the model's weights on its own (energy per image by batch: docs/serving.md)."
)


def _measured_figure(result: TrendFit, llm: TrendFit | None) -> list[str]:
    """MLPerf's measured energy against the peak-based bound, where the fit has runs."""
    if result.config.data == "thesis" or result.parts.realisation is None:
        return []
    return [
        figure_html(
            plot_measured_vs_peak(result, llm=llm),
            "Read: each dot is one MLPerf Inference power run (closed division, Offline), its "
            "measured joules per sample against the peak-based estimate for the same model and "
            "hardware. Every run lies above the dashed diagonal, so peak-based energy is a "
            "lower bound; the coloured lines are the fitted realisation factors (90% bands) "
            "that the calibrated energy lines multiply by.",
        )
    ]


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
    return query_section(llm, prob=prob, figure=figure_html, table=table_html)


HOW_TO_READ = (
    '<div class="box"><strong>How to read this report.</strong> '
    "Every number is a posterior median with its credible interval, printed only to the digits "
    "its Monte Carlo error supports. <em>Bands</em>: the darker band holds 50% and the lighter "
    "90% of the posterior; a <em>predictive</em> band is where one new model (or chip) would "
    "fall, the band of a trend is where the typical value lies. <em>Frontier</em>: the "
    "upper quantile (<code>frontier_quantile</code>, 0.9 by default) of the compute of "
    "a year's new "
    "models, the most compute-hungry tenth; <em>all</em>: the typical (median) new model. "
    "{frontier} <em>Peak-based energy</em> divides a model's FLOPs by the "
    "peak FLOPS per watt of the hardware at the precision inference runs at: real deployments "
    "never run at peak rate and also power hosts and memory, so it is a lower bound. The "
    "<em>calibrated</em> line multiplies it by the factor that MLPerf's measured energy per "
    "sample sits above the peak-based estimate for the same model on the same hardware. "
    "Forecasts start at the last model's date: {extrapolation}</div>"
)


def own_data_note(own: list[str], llm: TrendFit | None) -> str:
    """What a report of the user's own tables leaves out, and why."""
    left_out = [
        "the retrospective of published forecasts",
        "the backtests of the shipped model",
    ]
    if llm is None:
        left_out.append("the energy per LLM query (give your own language models for it)")
    return (
        '<p class="box"><strong>Your own data.</strong> This report describes the fit of your '
        f"own {html.escape(', '.join(own))} (the dataset's tables for the rest). Sections "
        "about the shipped data are left out: " + html.escape("; ".join(left_out)) + ".</p>"
    )


def frontier_words(spec: dict[str, Any]) -> str:
    """How the fit draws the frontier line, in a sentence, from its specification."""
    if spec["structure"]["kind"] == "two_lines":
        return (
            "The thesis's two lines: the frontier models (by the frontier rule) have a line of "
            "their own and also enter the line of all models."
        )
    if spec["structure"].get("frontier", "scatter") == "regression":
        return (
            "The typical line is fitted to every model once; the frontier is a quantile "
            "regression of the same models, a line of its own that can grow faster or slower."
        )
    return (
        "Every model is counted once; the frontier is the typical line plus a fixed multiple "
        "of the scatter, so it grows at the typical rate."
    )


def extrapolation_words(spec: dict[str, Any]) -> str:
    """What a forecast does after the data, in words, from the fit's specification."""
    ext = spec["extrapolation"]
    if ext["kind"] != "damped":
        return "after it, the fitted straight line continues."
    mu, sd = ext["longrun_slope"]["mu"], ext["longrun_slope"]["sigma"]
    centre = (
        "no growth (a damped trend: read the years after the data as a no-drift scenario)"
        if mu == 0
        else f"{10**mu:.2g}x per year"
    )
    return (
        f"after it, growth relaxes towards a long-run rate set by the priors, Normal({mu:g}, "
        f"{sd:g}) log10 per year, centred on {centre}; see docs/model.md and the prior "
        "checks."
    )


def render_report(result: TrendFit, *, prob: float = CI_PROB, llm: TrendFit | None = None) -> str:
    """The report as an HTML string, with ``prob`` credible intervals; ``llm`` (a fit of
    the ``"llm"`` domain) adds the energy per LLM query."""
    queries = llm if llm is not None and llm.passed else None
    c = result.config
    n_draws = c.chains * c.draws
    parts = [f"<h1>energytrend forecasting report: {html.escape(c.domain.upper())}</h1>"]
    own = result.own_tables
    if result.passed:
        # the retrospective and the backtests are studies of the shipped data
        retro = None if own else retrospective_file_points()
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
    spec = result.config.spec
    parts.append(
        HOW_TO_READ.format(extrapolation=extrapolation_words(spec), frontier=frontier_words(spec))
    )
    if own:
        parts.append(own_data_note(own, llm))
    if result.passed:
        parts.append(
            '<p class="ok">The posterior passed its diagnostics (no divergences, '
            "R-hat &le; 1.01, bulk and tail ESS &ge; 400 for every sampled parameter and "
            "every quantity derived from them).</p>"
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
        + html.escape(data_source(result))
        + " Frontier rule: "
        + html.escape(", ".join(f"{d}: {r}" for d, r in c.rules))
        + ".</p>",
        table_html(data_summary(result)),
    ]
    if result.passed:
        levels = human_levels()
        parts += [
            f"<h2>Growth rates</h2><p>Posterior medians and {prob:.0%} credible intervals. "
            "Doubling time is 12&middot;log10(2)/slope; 'unbounded' when the interval of the "
            "slope includes zero.</p>",
            table_html(growth_text_table(result.growth_rates(prob))),
            figure_html(
                plots.plot_growth_forest(result, prob=prob),
                f"Read: each line's growth in orders of magnitude per year, median and {prob:.0%} "
                "interval; right of the vertical line it grows, left of it it falls. Energy's "
                "slope is compute's minus hardware efficiency's.",
            ),
            "<h2>Does hardware progress cancel the growth in FLOPs?</h2>",
            table_html(verdict_text_table(result.energy_verdict(), n_draws)),
            "<h3>Contrasts (difference of slopes, log10 per year)</h3>",
            table_html(contrast_text_table(result.contrasts(), n_draws)),
            "<h2>When does energy per forward pass reach human levels?</h2><p>"
            + "; ".join(
                html.escape(f"{lv.name}: {lv.derivation} = {lv.joules:,.0f} J") for lv in levels
            )
            + ". A crossing is the first date after the forecast origin (the last model, "
            "'from') at which the energy trend reaches the level: 'already' when it is above "
            "it at the origin, 'after 2040' when not by the horizon. What compute does after "
            "the data is an assumption, so each crossing is given under three scenarios: "
            "'fitted' (growth fades as the fitted damping says), 'straight' (the fitted line "
            "continues) and 'flat' (no growth after the data); efficiency keeps its fitted "
            "trend in all three. Calibrated energy (measured MLPerf runs over the peak-based "
            "estimate) is the headline; the peak-based trend is a lower bound. The curves "
            "below are the fitted scenario's peak-based ones.</p>",
            table_html(crossings_table(result, prob)),
            figure_html(
                plot_crossing_curve(result),
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
            table_html(calibration_table(result, prob)),
            *_measured_figure(result, queries),
            "<h2>Figures</h2>",
        ]
        steps = _precision_steps(result)
        for domain in result.domains:
            d = domain.upper()
            parts.append(
                figure_html(
                    plots.plot_trend(result, "gflops", domain),
                    f"{d}: compute per forward pass over the data. Read: the red band is the "
                    "frontier (the most compute-hungry tenth of a year's models), the blue "
                    "band the typical model, each with 50%/90% bands of the trend; the dashed "
                    "lines are the thesis's least-squares fits.",
                )
            )
            parts.append(
                figure_html(
                    plot_forecast(result, metric="gflops", domain=domain),
                    f"{d}: compute per forward pass to 2040. Read: the blue fan is where one "
                    "new typical model would fall (50% and 90%), the red band the frontier; "
                    "after the last model the growth relaxes towards the long-run rate of the "
                    "priors, so the fans widen.",
                )
            )
            parts.append(
                figure_html(
                    plot_forecast(result, metric="joules", domain=domain),
                    f"{d}: energy per forward pass to 2040. Read: where the fans meet the dashed "
                    "human levels. Bands are peak-based (a lower bound); the dotted lines are "
                    "calibrated to MLPerf's measured energy."
                    + f" {ENERGY_REGIME}"
                    + (CV_BATCH_NOTE if domain == "cv" else "")
                    + (
                        f" The steps are where inference moves to a new precision ({steps})."
                        if steps
                        else ""
                    ),
                )
            )
            parts.append(
                figure_html(
                    plots.plot_accuracy_energy(result, domain),
                    f"{d}: accuracy against energy per forward pass (posterior median "
                    "peak-based energy of each model). Read: further right costs more energy, "
                    "further up is more accurate; the colour is the release year.",
                )
            )
        parts.append(
            figure_html(
                plot_forecast(result, metric="gflops_per_watt", end=2030),
                "Hardware efficiency by numeric precision. Read: each colour is one precision; "
                "filled dots are server chips, hollow ones desktop and workstation parts; the "
                "line and band are the trend of a server part (90%), continued to 2030. The gap "
                "between the "
                "series is what a move to a lower precision gains.",
            )
        )
        parts += _llm_query_section(llm, prob)
        if not own:
            parts += retrospective_section(result)
            parts += backtest_section()
        parts += ["<h2>Posterior predictive checks</h2>", table_html(result.ppc())]
    parts += [
        "<h2>Diagnostics</h2>",
        table_html(result.diagnostics.table),
        "<h2>Reproducibility</h2>",
        table_html(
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
