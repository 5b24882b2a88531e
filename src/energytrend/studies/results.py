"""The validation studies behind the README's tables, written to a results folder.

* :func:`calibration_study`: simulation-based calibration of each domain's model;
* :func:`backtest_study`: out-of-sample coverage of the forecasts at past cut-offs;
* :func:`sensitivity_study`: growth rates under alternative priors x frontier rules.

``energytrend calibrate|backtest|sensitivity --out results`` run them; every file is written
atomically, and :func:`readme_tables` turns the files into the README's Markdown tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energytrend.data.datasets import DEFAULT_DATA
from energytrend.data.frontier import rules_table
from energytrend.inference.config import FitConfig
from energytrend.inference.fit import fit
from energytrend.inference.store import atomic_path
from energytrend.model.design import FitDomain
from energytrend.model.spec import V1_PRIORS
from energytrend.studies.backtest import Backtest, backtest
from energytrend.studies.backtest_scores import (
    check_targets,
    gpu_counts,
    readable_targets,
    wide_table,
)
from energytrend.studies.calibration import Calibration, simulate_calibration
from energytrend.studies.sweep import run_tasks

#: Prior variants of the sensitivity sweep (overrides of ``models/priors.toml``).
PRIOR_VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "slopes x2 wider": {"compute": {"slope_mu": {"sigma": 1.0}, "slope_tau": {"sigma": 1.0}}},
    "slopes x2 narrower": {"compute": {"slope_mu": {"sigma": 0.25}, "slope_tau": {"sigma": 0.25}}},
    "Student-t": {"likelihood": {"family": "student_t"}},
    "frontier quantile 0.95": {"structure": {"frontier_quantile": 0.95}},
    "v1 model": V1_PRIORS,
}
#: The variants whose growth rates depend on the frontier rule (v1's frontier line is fitted
#: to the rule's frontier models; v2's frontier is a quantile of all models).
RULE_DEPENDENT = ("v1 model",)


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)
    return path


def write_figure(fig: Figure, path: Path) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    return path


def calibration_study(
    out: str | Path,
    *,
    domains: Sequence[FitDomain] = ("cv", "nlp", "all"),
    data: str = DEFAULT_DATA,
    n_sims: int = 200,
    seed: int = 2021,
    client: Any | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """SBC of each domain's model: ``sbc_<domain>.csv`` (ranks), ``sbc_<domain>.png`` (ECDF
    differences with simultaneous bands), ``sbc_<domain>_parameters.csv`` (per-quantity ECDF
    verdict and coverage), ``sbc_<domain>_crossing.csv`` (the crossing indicators' mean
    probability against their truths' rate, overall and by probability bin) and
    ``sbc_summary.csv``. Returns the summary."""
    # every simulation first, then every file: a run that fails part-way leaves the previous
    # results as they were, not a mix of old and new
    runs = [
        simulate_calibration(d, data=data, n_sims=n_sims, seed=seed, client=client, workers=workers)
        for d in domains
    ]
    return write_calibration(runs, out)


def write_calibration(runs: Sequence[Calibration], out: str | Path) -> pd.DataFrame:
    """Write the files of :func:`calibration_study` for finished runs (e.g. loaded with
    :meth:`Calibration.load`); returns the summary."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for c in runs:
        c.save(out / f"sbc_{c.domain}.csv")
        write_figure(c.plot_ecdf(), out / f"sbc_{c.domain}.png")
        write_csv(c.uniformity().merge(c.coverage()), out / f"sbc_{c.domain}_parameters.csv")
        crossing = pd.concat([c.crossing().assign(bin="all"), c.reliability()], ignore_index=True)
        write_csv(crossing, out / f"sbc_{c.domain}_crossing.csv")
    summary = pd.concat([c.summary() for c in runs], ignore_index=True)
    write_csv(summary, out / "sbc_summary.csv")
    return summary


def backtest_study(
    out: str | Path,
    *,
    data: str = DEFAULT_DATA,
    seed: int = 2021,
    client: Any | None = None,
    workers: int | None = None,
) -> Backtest:
    """The rolling-origin backtest of v2, v1 and the baselines
    (:func:`energytrend.backtest.backtest`): ``backtest_points.csv`` (every scored row),
    ``backtest_coverage.csv`` (per model, set, series and horizon bucket) and
    ``backtest.png``."""
    b = backtest(data=data, seed=seed, client=client, workers=workers)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(b.points, out / "backtest_points.csv")
    write_csv(b.coverage(), out / "backtest_coverage.csv")
    write_figure(b.plot(), out / "backtest.png")
    stale = out / "backtest_overall.csv"  # written by the v1 backtest, no longer produced
    stale.unlink(missing_ok=True)
    return b


@dataclass(frozen=True)
class SensitivityTask:
    prior: str
    rule: dict[str, str]
    domain: FitDomain
    seed: int
    data: str = DEFAULT_DATA


def _sensitivity_fit(task: SensitivityTask) -> pd.DataFrame:
    r = fit(
        task.domain,
        data=task.data,
        priors=PRIOR_VARIANTS[task.prior],
        config=FitConfig(rule=task.rule, seed=task.seed, progressbar=False),
    )
    rates = r.growth_rates()
    rates = rates[rates["quantity"] == "slope_log10_per_year"]
    return rates[["metric", "domain", "group", "median", "lower", "upper"]].assign(
        prior=task.prior,
        rule=f"cv:{task.rule['cv']} nlp:{task.rule['nlp']}",
        passed=r.passed,
    )


def sensitivity_study(
    out: str | Path | None = None,
    *,
    domain: FitDomain = "all",
    data: str = DEFAULT_DATA,
    seed: int = 2021,
    client: Any | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Growth rates (log10 per year, median and 90% interval) of every line under each prior
    variant of :data:`PRIOR_VARIANTS`, and for v1's model under each frontier rule set (the
    i-th rule of each domain together; v2's frontier does not use the rules). Written to
    ``sensitivity.csv`` when ``out`` is given."""
    rules = rules_table()
    per_domain = {d: list(rules.loc[rules["domain"] == d, "rule"]) for d in ("cv", "nlp")}
    rule_sets = [
        {"cv": cv, "nlp": nlp} for cv, nlp in zip(per_domain["cv"], per_domain["nlp"], strict=True)
    ]
    tasks = [
        SensitivityTask(prior, rule, domain, seed, data)
        for prior in PRIOR_VARIANTS
        for rule in (rule_sets if prior in RULE_DEPENDENT else rule_sets[:1])
    ]
    table = pd.concat(run_tasks(_sensitivity_fit, tasks, client=client, workers=workers))
    table = table.reset_index(drop=True)
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
        write_csv(table, Path(out) / "sensitivity.csv")
    return table


def _md(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def backtest_block(results: str | Path) -> str:
    """The README's backtest block: OLS, v1 and v2 (shipped) side by side per set and
    series, the issue's targets on v2's rows, and the 2021-origin GPU counts."""
    results = Path(results)
    c = pd.read_csv(results / "backtest_coverage.csv")
    wide = wide_table(c, {"ols": "OLS", "v1": "v1", "v2": "v2"})
    parts = [
        "Coverage of the 50% and 90% predictive bands [90% Wilson interval], CRPS (log10, "
        "lower is better) and log score (higher is better); each distinct later point "
        "counted once per set:",
        _md(wide),
    ]
    q = c[(c["bucket"] == "all") & c["share_above"].notna()] if "share_above" in c else c[:0]
    if len(q):
        parts += [
            "v2 frontier quantile check (share of later models above the frontier line; "
            "1 - frontier_quantile = 0.10 expected):",
            _md(pd.DataFrame({
                "set": q["set"], "series": q["series"], "later models": q["n_distinct"],
                "share above": [f"{v:.2f} [{lo:.2f}, {hi:.2f}]" for v, lo, hi in zip(
                    q["share_above"], q["share_above_lower"], q["share_above_upper"],
                    strict=True)],
            })),
        ]  # fmt: skip
    points_file = results / "backtest_points.csv"
    points = pd.read_csv(points_file) if points_file.exists() else None
    parts += [
        "Targets (v2, series with at least 10 later points; value [90% interval]). *Within "
        "error*: the ideal is within sampling error of the measurement (the coverage's "
        "Wilson interval holds the nominal level; the 90% bootstrap interval of the paired "
        "CRPS difference against the OLS reaches below 0):",
        _md(readable_targets(check_targets(c, points=points), "**no**")),
    ]
    if points is not None:
        parts.append(_failed_fits(points))
        counts = gpu_counts(points)
        if len(counts):
            parts += [
                "NVIDIA chips of 2022-2025 inside the 90% band of the 2021-origin forecast:",
                _md(counts.rename(columns={"chips": "chips", "inside_90": "inside 90%",
                                           "below_90": "below the band"})),
            ]  # fmt: skip
    return "\n\n".join(parts)


def _failed_fits(points: pd.DataFrame) -> str:
    """A sentence: per Bayesian model, how many of its fits (domain and origin) failed the
    diagnostics gate."""
    bayes = points[points["model"].isin(["v2", "v1"]) & points["passed"].notna()]
    domain = np.where(bayes["kind"] == "compute", bayes["series"].str.split("/").str[0], "cv")
    fits = bayes.assign(domain=domain).groupby(["model", "domain", "origin"])["passed"].all()
    words = [
        f"{model} {int((~ok).sum())} of {len(ok)}"
        for model, ok in fits.groupby(level="model", sort=False)
    ]
    return (
        "Fits that failed the diagnostics gate (no divergences, R-hat ≤ 1.01, ESS ≥ 400; a "
        "failed fit is still scored, and flagged in `results/backtest_points.csv`): "
        + "; ".join(words)
        + "."
    )


def extrapolation_block(results: str | Path) -> str:
    """The README's table of the extrapolation candidates
    (:mod:`energytrend.studies.extrapolation_choice`)."""
    c = pd.read_csv(Path(results) / "extrapolation_choice.csv")
    yes = {True: "yes", False: "no"}
    table = pd.DataFrame(
        {
            "candidate": c["candidate"],
            "long-run slope": [
                f"N({m:g}, {s:g})" for m, s in zip(c["mu"], c["sigma"], strict=True)
            ],
            "damping": [f"Beta({a:g}, {b:g})" for a, b in zip(c["alpha"], c["beta"], strict=True)],
            "new NLP model, 2040 (orders)": [
                f"{v:.2f} ± {e:.2f}" for v, e in zip(c["nlp_band"], c["nlp_band_mcse"], strict=True)
            ],
            "meets the 2040 criteria": c["admissible"].map(yes),
            "CV CRPS early": c["cv/all crps"].map("{:.4f}".format),
            "CV log score early": c["cv/all log score"].map("{:.3f}".format),
            "CV 90% / 50% early": [
                f"{a:.2f} / {b:.2f}" for a, b in zip(c["cv/all 90%"], c["cv/all 50%"], strict=True)
            ],
            "NLP CRPS early": c["nlp/all crps"].map("{:.4f}".format),
            "NLP log score early": c["nlp/all log score"].map("{:.3f}".format),
            "chosen": c["chosen"].map({True: "**yes**", False: ""}),
        }
    )
    return _md(table)


def readme_tables(results: str | Path) -> dict[str, str]:
    """The README's Markdown tables, from the files of a results folder (those present)."""
    results = Path(results)
    out = {}
    if (results / "sbc_summary.csv").exists():
        s = pd.read_csv(results / "sbc_summary.csv")
        out["sbc"] = _md(
            pd.DataFrame(
                {
                    "model": s["domain"],
                    "data": s["data"],
                    "simulations": s["simulations"],
                    "failed fits": s["failed_fits"],
                    "ranked quantities": s["quantities"],
                    "outside 95% ECDF band (expected)": [
                        f"{k} ({e:.1f})"
                        for k, e in zip(s["outside_band"], s["expected_outside"], strict=True)
                    ],
                    "outside": s["outside_parameters"]
                    .fillna("")
                    .map(lambda v: ", ".join(v.split(";")) if v else "none"),
                    "non-uniform (Bonferroni 5%)": s["non_uniform_bonferroni"],
                    "90% coverage (range)": [
                        f"{m:.3f} ({a:.2f}-{b:.2f})"
                        for m, a, b in zip(
                            s["coverage_90"],
                            s["min_coverage_90"],
                            s["max_coverage_90"],
                            strict=True,
                        )
                    ],
                    "crossing 97 J by 2040: mean P vs truths (max abs z)": [
                        f"{p:.3f} vs {r:.3f} ({z:.1f})"
                        for p, r, z in zip(
                            s["crossing_mean_probability"],
                            s["crossing_truth_rate"],
                            s["crossing_max_abs_z"],
                            strict=True,
                        )
                    ],
                    "fits with divergences": s["sims_with_divergences"].map("{:.1%}".format),
                    "fits with R-hat > 1.01": s["fits_rhat_over_1.01"].map("{:.1%}".format),
                }
            )
        )
    if (results / "backtest_coverage.csv").exists():
        out["backtest"] = backtest_block(results)
    if (results / "extrapolation_choice.csv").exists():
        out["extrapolation"] = extrapolation_block(results)
    if (results / "sensitivity.csv").exists():
        s = pd.read_csv(results / "sensitivity.csv")
        s = s[s["metric"] == "joules"]
        wide = s.pivot_table(
            index=["prior", "rule"], columns=["domain", "group"], values="median", sort=False
        )
        wide.columns = [f"energy {d} {g}" for d, g in wide.columns]
        passed = s.groupby(["prior", "rule"], sort=False)["passed"].all()
        table = wide.map("{:.3f}".format).assign(
            diagnostics=passed.map({True: "passed", False: "FAILED"})
        )
        out["sensitivity"] = _md(table.reset_index())
    return out
