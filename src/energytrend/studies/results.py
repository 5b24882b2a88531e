"""The validation studies behind the docs' validation page, written to a results folder.

* :func:`calibration_study`: simulation-based calibration of each domain's model;
* :func:`backtest_study`: out-of-sample coverage of the forecasts at past cut-offs;
* :func:`confirmatory_study`: the same at the late origins, once per freeze, logged;
* :func:`sensitivity_study`: growth rates under alternative priors x frontier rules.

``energytrend calibrate|backtest|sensitivity --out results`` run them; every file is written
atomically; the docs build (``docs/hooks.py``) reads the files into the validation page. The
study scripts (``scripts/scale_choice.py`` and the like) share :func:`study_parser` and
:func:`write_tables`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from energytrend.data.datasets import DEFAULT_DATA
from energytrend.data.frontier import rules_table
from energytrend.inference.config import FitConfig
from energytrend.inference.fit import fit
from energytrend.inference.store import atomic_path
from energytrend.model.design import FitDomain
from energytrend.model.spec import V1_PRIORS
from energytrend.studies.backtest import Backtest, backtest, confirmatory_backtest
from energytrend.studies.backtest_scores import coverage_table, differences, plot_coverage
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


def study_parser(script: str, doc: str | None, *, workers: bool = True) -> argparse.ArgumentParser:
    """The command line of a study script at path ``script``, described by the first line of
    its ``doc``: ``--out``, the results folder (default ``results/`` of the repository whose
    ``scripts/`` holds the script), and with ``workers`` ``--workers``, the backtest's local
    worker processes (default :func:`energytrend.studies.sweep.default_workers`). A script adds
    its own options to it."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--out", type=Path, default=Path(script).resolve().parents[1] / "results")
    if workers:
        parser.add_argument("--workers", type=int, default=None)
    return parser


def write_tables(
    out: Path,
    tables: Mapping[str, pd.DataFrame],
    show: Callable[[pd.DataFrame], str] = lambda t: t.to_string(index=False),
) -> None:
    """Write each table to ``out/<name>`` (atomically, :func:`write_csv`), then print each
    (as ``show`` renders it) and where they were written."""
    paths = [write_csv(table, out / name) for name, table in tables.items()]
    for table in tables.values():
        print(show(table))
    print("wrote " + " and ".join([str(paths[0]), *list(tables)[1:]]))


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
    """The rolling-origin backtest of v2, v1 and the baselines at the early origins
    (:func:`energytrend.studies.backtest.backtest`): its rows replace the early rows of
    ``backtest_points.csv`` (the late ones kept), and the tables of
    :func:`write_backtest_tables` are rebuilt. The late origins are scored by
    :func:`confirmatory_study` only."""
    b = backtest(data=data, seed=seed, client=client, workers=workers)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    points = _replace_set(out / "backtest_points.csv", b.points, "early")
    write_backtest_tables(points, out)
    stale = out / "backtest_overall.csv"  # written by the v1 backtest, no longer produced
    stale.unlink(missing_ok=True)
    return b


def write_backtest_tables(points: pd.DataFrame, out: str | Path) -> None:
    """The tables of a backtest's scored points: ``backtest_coverage.csv``,
    ``backtest_differences.csv`` (every model against every fair baseline) and
    ``backtest.png``, pure functions of ``points`` (``scripts/backtest_tables.py`` rebuilds
    them)."""
    out = Path(out)
    coverage = coverage_table(points)
    write_csv(coverage, out / "backtest_coverage.csv")
    write_csv(differences(points), out / "backtest_differences.csv")
    write_figure(plot_coverage(coverage), out / "backtest.png")


def confirmatory_study(
    out: str | Path,
    *,
    data: str = DEFAULT_DATA,
    seed: int = 2021,
    client: Any | None = None,
    workers: int | None = None,
) -> Backtest:
    """The confirmatory backtest (:func:`energytrend.studies.backtest.confirmatory_backtest`:
    refused unless the specification is frozen, logged in ``holdout_log.csv``), with its
    points put in place of the late rows of ``backtest_points.csv`` (the early rows kept) and
    the tables rebuilt, so the one scoring is the one shown."""
    out = Path(out)
    b = confirmatory_backtest(out, data=data, seed=seed, client=client, workers=workers)
    write_backtest_tables(_replace_set(out / "backtest_points.csv", b.points, "late"), out)
    return b


def _replace_set(path: Path, points: pd.DataFrame, set_name: str) -> pd.DataFrame:
    """Write ``points`` (of one set) in place of that set's rows of the points file at
    ``path`` (the other set's rows kept) and return the whole."""
    if path.is_file():
        old = pd.read_csv(path)
        points = pd.concat([old[old["set"] != set_name], points[old.columns]], ignore_index=True)
    write_csv(points, path)
    return points


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
