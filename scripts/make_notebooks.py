"""Write the notebooks in notebooks/ from the cell sources below (outputs stripped).

Run `python scripts/make_notebooks.py` after editing; the test suite executes every notebook,
so they cannot drift from the code.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parents[1] / "notebooks"

SETUP = """import matplotlib.pyplot as plt
import pandas as pd

import energytrend as et
from energytrend.report import plots

pd.set_option("display.width", 160)
result = et.fit("all")  # the default data, through 2025; served from the cache later
result.passed"""

#: Notebook 01 redraws the thesis's figures, so it fits the thesis's own data.
#: v1's model and the thesis's OLS lines are in energytrend.thesis.
SETUP_THESIS = SETUP.replace(
    "from energytrend.report import plots\n",
    "from energytrend import thesis\n"
    "from energytrend.report import plots\n"
    "from energytrend.report.figures_forecast import plot_efficiency\n",
).replace(
    'et.fit("all")  # the default data, through 2025; served from the cache later',
    'et.fit("all", data="thesis", priors=thesis.V1_PRIORS)  # the thesis\'s tables, v1\'s lines',
)

NOTEBOOKS = {
    "01_thesis_figures.ipynb": [
        (
            "md",
            "# The thesis's figures, OLS next to the Bayesian fit\n\n"
            "Each figure redraws one of the thesis's (Desislavov 2021) with its data, its "
            "ordinary-least-squares lines (dashed) and the posterior median with 50% and "
            "90% bands of the hierarchical model, fitted to the thesis's own data "
            '(`data="thesis"`).',
        ),
        ("code", SETUP_THESIS),
        ("md", "## Figure 4.3: GFLOPs per forward pass, CV (frontier = best accuracy per year)"),
        ("code", "plots.plot_trend(result, 'gflops', 'cv');"),
        ("md", "## Figure 4.8: GFLOPs per forward pass, NLP (frontier = compute record)"),
        ("code", "plots.plot_trend(result, 'gflops', 'nlp');"),
        ("md", "## Figure 5.2: hardware efficiency adapted for CNN and NLP models"),
        ("code", "plot_efficiency(result);"),
        ("md", "## Figures 5.3 and 5.4: Joules per forward pass"),
        (
            "code",
            "plots.plot_trend(result, 'joules', 'cv');\nplots.plot_trend(result, 'joules', 'nlp');",
        ),
        ("md", "## Figures 5.7 and 5.8: energy against human energy use in one second"),
        ("code", "plots.plot_energy_fan(result, 'cv');\nplots.plot_energy_fan(result, 'nlp');"),
        ("md", "## The thesis's OLS slopes against the posterior"),
        (
            "code",
            "ols = pd.concat([thesis.baseline_lines(d) for d in ('cv', 'nlp')])\n"
            "rates = result.growth_rates()\n"
            "post = rates[rates.quantity == 'slope_log10_per_year'][\n"
            "    ['metric', 'domain', 'group', 'median', 'lower', 'upper']]\n"
            "table = ols[['domain', 'metric', 'group', 'slope', 'slope_se']].merge(\n"
            "    post, on=['metric', 'domain', 'group'])\n"
            "assert len(table) == 10\n"
            "table.round(3)",
        ),
    ],
    "02_growth_rates_and_contrasts.ipynb": [
        (
            "md",
            "# Growth rates and contrasts\n\nPosterior growth per year, doubling times, "
            "the contrasts between groups and the thesis's question: does hardware "
            "progress cancel out the growth in FLOPs?",
        ),
        ("code", SETUP),
        (
            "code",
            "rates = result.growth_rates()\n"
            "rates.pivot_table(index=['metric', 'domain', 'group'], columns='quantity',\n"
            "                  values='median', sort=False).round(3)",
        ),
        ("code", "plots.plot_growth_forest(result);"),
        ("code", "result.contrasts().round(3)"),
        ("code", "result.energy_verdict()"),
        ("md", "## Pooling: hierarchical against separate lines (the thesis) and one line"),
        (
            "code",
            "from energytrend.studies.compare import compare_pooling, per_token_comparison\n"
            "comparison = compare_pooling('all')\n"
            "print(comparison.reading)\ncomparison.table.round(2)",
        ),
        ("md", "## NLP compute per forward pass or per input token (thesis Table A.4)"),
        ("code", "per_token_comparison().round(3)"),
        ("md", "## Diagnostics and posterior predictive checks"),
        ("code", "result.summary().round(3)"),
        ("code", "result.ppc().round(3)"),
    ],
    "03_crossing_dates.ipynb": [
        (
            "md",
            "# When does one inference cost a human's energy for one second?\n\n"
            "Crossing dates of the energy trends with the thesis's two levels, and how "
            "they move with the priors and the frontier definition.",
        ),
        ("code", SETUP),
        (
            "code",
            "from energytrend.forecast.forecasts import human_levels\n"
            "for level in human_levels():\n    print(level.name, '-', level.derivation)",
        ),
        (
            "code",
            "et.crossing_dates(result)[['domain', 'group', 'level', 'origin', 'crossing', "
            "'interval',\n    'p_already', 'p_by_horizon', 'p_not_by_horizon']].round(3)",
        ),
        (
            "code",
            "curve = et.crossing_curve(result, horizon=2040)  # from each domain's last model on\n"
            "fig, ax = plt.subplots()\n"
            "for (domain, group, level), sub in curve.groupby(['domain', 'group', "
            "'level']):\n"
            "    ax.step(sub.year, sub.p_crossed, where='post',\n"
            "            label=f'{domain} {group}: {level}')\n"
            "ax.set(xlabel='year', ylabel='P(crossed by year)')\n"
            "ax.legend(fontsize=6);",
        ),
        ("md", "## Sensitivity to the priors and to the frontier quantile"),
        (
            "code",
            "settings = {\n"
            "    'default': {},\n"
            "    # the wide prior needs a longer warm-up: with the default 1,000 tuning steps\n"
            "    # its fit had a divergent transition and failed the diagnostics gate\n"
            "    'wide slope prior': {'priors': {'compute': {'slope_mu': {'sigma': 1.0},\n"
            "                                                'slope_tau': {'sigma': 1.0}}},\n"
            "                         'config': et.FitConfig(tune=2000)},\n"
            "    'frontier quantile 0.95': {\n"
            "        'priors': {'structure': {'frontier_quantile': 0.95}}},\n"
            "}\n"
            "rows = []\n"
            "for name, kwargs in settings.items():\n"
            "    r = et.fit('cv', **kwargs)\n"
            "    assert r.passed, r.diagnostics.failures\n"
            "    c = et.crossing_dates(r)\n"
            "    rows.append(c[c.group == 'frontier'].assign(setting=name))\n"
            "sensitivity = pd.concat(rows)[['setting', 'level', 'crossing', 'interval', "
            "'p_by_horizon']]\n"
            "sensitivity.round(3)",
        ),
    ],
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(
            cells=[
                new_markdown_cell(src) if kind == "md" else new_code_cell(src)
                for kind, src in cells
            ]
        )
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, HERE / name)


if __name__ == "__main__":
    main()
