"""MkDocs hook: the docs pages' numbers, read from ``results/``, ``models/priors.toml`` and
``data/`` when the site is built.

A page writes a placeholder ``{{ kind arg ... }}``; :func:`render` replaces it with what the
files say. The kinds (see :data:`KINDS`):

* ``{{ table NAME }}``: a Markdown table (:data:`TABLES`), e.g. ``{{ table sbc }}``;
* ``{{ bt MODEL SET SERIES COLUMN [:FORMAT] }}``: one cell of ``results/backtest_coverage.csv``
  (bucket ``all``), e.g. ``{{ bt v2 early cv/all coverage_90 :.0% }}``; in a column name
  ``_`` may stand for a space (``cv/all_crps``);
* ``{{ sbc DOMAIN COLUMN [:FORMAT] }}``: one cell of ``results/sbc_summary.csv``, and
  ``{{ sbcset DOMAIN KEY }}`` one of the study's settings (the first line of
  ``results/sbc_DOMAIN.csv``);
* ``{{ ext ROW COLUMN [:FORMAT] }}``: one cell of ``results/extrapolation_choice.csv``; ROW is
  ``chosen``, or ``min``/``max`` (the extremes of COLUMN over the candidates);
* ``{{ sens DOMAIN GROUP [:FORMAT] }}``: the range (``a to b``) of the v2 energy slopes of
  ``results/sensitivity.csv`` over its prior variants;
* ``{{ prior PATH [DISTRIBUTION] }}``: an entry of ``models/priors.toml``, e.g.
  ``{{ prior extrapolation.damping Beta }}`` gives ``Beta(2, 3)``;
* ``{{ rows DATASET/TABLE }}`` and ``{{ dates DATASET/TABLE COLUMN }}``: the rows and the
  date range (``YYYY-MM to YYYY-MM``) of a shipped data file;
* ``{{ holdout count|since|before }}`` and ``{{ freeze date|hash }}``: the confirmatory
  scorings logged in ``results/holdout_log.csv`` and the freeze of ``results/freeze.json``.

A placeholder of an unknown kind, name or column, or a missing file, fails the build (strict
or not), so a page never shows a number that the files do not hold. The figures of
``results/`` are added to the site as they are (:func:`on_files`).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "results"

PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")
#: Column headings of the backtest tables, per model id.
MODELS = {"ols": "OLS", "random_walk": "random walk", "v1": "v1", "v2": "v2"}
#: The fair baselines v2 is compared with, and by which score (``backtest_differences.csv``).
BASELINES = {"ols": "OLS", "random_walk": "random walk", "top_decile": "top decile"}
#: Marks a cell of a row kept only as the thesis's reference (``role`` "reference").
REFERENCE = " (thesis reference)"


class PlaceholderError(Exception):
    """A placeholder the files cannot fill."""


# ----------------------------------------------------------------------------- reading
def _csv(name: str) -> pd.DataFrame:
    path = RESULTS / name
    if not path.exists():
        raise PlaceholderError(f"{path.relative_to(REPO)} does not exist: run the study first")
    return pd.read_csv(path, comment=None)


def md_table(df: pd.DataFrame | Mapping[str, Any]) -> str:
    """A frame, or its columns (heading -> values), as a Markdown table (values as they are,
    already formatted)."""
    df = pd.DataFrame(df)
    head = "| " + " | ".join(str(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def each(template: str, *columns: Iterable[Any]) -> list[str]:
    """``template`` (a :meth:`str.format` string) filled with each row of ``columns``, e.g.
    ``each("{:.2f} / {:.2f}", c["cv/all 90%"], c["cv/all 50%"])``."""
    return [template.format(*row) for row in zip(*columns, strict=True)]


def _code(names: pd.Series) -> pd.Series:
    """Names as code: ``short_chat`` in backticks."""
    return "`" + names + "`"


def _chip(df: pd.DataFrame) -> pd.Series:
    """The chip and precision of each row: ``NVIDIA H100 SXM5 80GB fp8``."""
    return df["hardware"] + " " + df["precision"]


def _model_chip(df: pd.DataFrame) -> pd.Series:
    return df["model"] + ", " + _chip(df)


def fmt(value: Any, spec: str | None = None) -> str:
    """``value`` formatted by ``spec`` (a format spec such as ``.3f``); without one, whole
    numbers with thousands separators and other numbers to three decimals."""
    if spec is not None:
        return format(value, spec)
    if isinstance(value, bool | str):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.3f}"


def coverage_rows() -> pd.DataFrame:
    """``results/backtest_coverage.csv``, bucket ``all``: one row per model, set and series."""
    c = _csv("backtest_coverage.csv")
    c = c[c["bucket"] == "all"]
    return c[c["origin"].isna()] if "origin" in c else c


def _interval(v: float, lo: float, hi: float) -> str:
    return f"{v:.2f} [{lo:.2f}, {hi:.2f}]"


#: A value and its 90% interval, e.g. ``0.93 (0.85 to 0.98)`` (:func:`each`).
SIG = "{:.2f} ({:.2f} to {:.2f})"
#: Cells of a pass/fail column and of a choice's ``chosen`` column.
YES_NO = {True: "yes", False: "no"}
CHOSEN = {True: "**yes**", False: ""}
#: The models of a serving table by their ``group``.
GROUPS = {"all": "typical", "frontier": "frontier"}


# ----------------------------------------------------------------------------- tables
def table_sbc() -> str:
    """Simulation-based calibration, one row per model (``results/sbc_summary.csv``)."""
    s = _csv("sbc_summary.csv")
    missing = pd.Series([float("nan")] * len(s))
    return md_table(
        {
            "model": s["domain"],
            "data": s["data"],
            "simulations": s["simulations"],
            "failed fits": s["failed_fits"],
            "ranked quantities": s["quantities"],
            "outside the 95% ECDF band (expected)": each(
                "{} ({:.1f})", s["outside_band"], s["expected_outside"]
            ),
            "which": s["outside_parameters"]
            .fillna("")
            .map(lambda v: ", ".join(v.split(";")) if v else "none"),
            "non-uniform (Bonferroni 5%)": s["non_uniform_bonferroni"],
            "90% coverage (range)": each(
                "{:.3f} ({:.2f}-{:.2f})",
                s["coverage_90"],
                s["min_coverage_90"],
                s["max_coverage_90"],
            ),
            "crossing 97 J by 2040: mean P vs truths (max abs z)": each(
                "{:.3f} vs {:.3f} ({:.1f})",
                s["crossing_mean_probability"],
                s["crossing_truth_rate"],
                s["crossing_max_abs_z"],
            ),
            "held-out points past the origin: 90% / 50% coverage": each(
                "{:.3f} / {:.3f}",
                s.get("heldout_coverage_90", missing),
                s.get("heldout_coverage_50", missing),
            ),
            "fits with divergences": s["sims_with_divergences"].map("{:.1%}".format),
            "fits with R-hat > 1.01": s["fits_rhat_over_1.01"].map("{:.1%}".format),
        }
    )


def _backtest_wide(cells: Callable[[pd.Series], list[str]], heads: list[str]) -> str:
    c = coverage_rows()
    c = c[c["coverage_90"].notna()]
    keys = sorted(dict.fromkeys(zip(c["set"], c["series"], strict=True)))
    idx = c.set_index(["model", "set", "series"])
    rows = []
    for s, series in keys:
        n = c[(c["set"] == s) & (c["series"] == series)]["n_distinct"].max()
        row: dict[str, object] = {"set": s, "series": series, "later points": int(n)}
        for model, name in MODELS.items():
            values = cells(idx.loc[(model, s, series)]) if (model, s, series) in idx.index else []
            ref = values and idx.loc[(model, s, series), "role"] == "reference"
            for head, value in zip(heads, values or ["-"] * len(heads), strict=True):
                row[f"{name} {head}"] = value + (REFERENCE if ref else "")
        rows.append(row)
    return md_table(pd.DataFrame(rows))


def table_backtest_coverage() -> str:
    """Coverage of the 50% and 90% bands [90% interval, resampling blocks], per model, set
    and series."""
    return _backtest_wide(
        lambda r: [
            _interval(r["coverage_50"], r["coverage_50_lower"], r["coverage_50_upper"]),
            _interval(r["coverage_90"], r["coverage_90_lower"], r["coverage_90_upper"]),
        ],
        ["50%", "90%"],
    )


def table_backtest_scores() -> str:
    """CRPS (log10, lower is better) and log score (higher is better) per model."""
    return _backtest_wide(
        lambda r: [f"{r['crps']:.3f}", f"{r['log_score']:.2f}"], ["CRPS", "log score"]
    )


def table_backtest_frontier() -> str:
    """The frontier lines' quantile check: v2's frontier quantile line and the top-decile
    line (the fair baseline), the share of later models above each and its pinball loss."""
    c = coverage_rows()
    q = c[c["share_above"].notna()]
    rows = []
    for (s, series), g in q.groupby(["set", "series"], sort=True):
        row: dict[str, object] = {"set": s, "series": series,
                                  "later models": int(g["n_distinct"].max())}  # fmt: skip
        for model, name in (("v2", "v2"), ("top_decile", "top decile")):
            r = g[g["model"] == model]
            row[f"{name} share above"] = (
                _interval(*r[["share_above", "share_above_lower", "share_above_upper"]].iloc[0])
                if len(r)
                else "-"
            )
            row[f"{name} pinball"] = f"{r['pinball'].iloc[0]:.3f}" if len(r) else "-"
        rows.append(row)
    return md_table(pd.DataFrame(rows))


def table_backtest_fits() -> str:
    """Per Bayesian model, its fits (domain and origin) and how many failed the gate."""
    p = _csv("backtest_points.csv")
    bayes = p[p["model"].isin(["v2", "v1"]) & p["passed"].notna()]
    domain = bayes["series"].str.split("/").str[0].where(bayes["kind"] == "compute", "cv")
    fits = bayes.assign(domain=domain).groupby(["model", "domain", "origin"])["passed"].all()
    rows = [
        {"model": m, "fits": len(ok), "failed the gate": int((~ok.astype(bool)).sum())}
        for m, ok in fits.groupby(level="model", sort=False)
    ]
    return md_table(pd.DataFrame(rows))


def table_backtest_chips() -> str:
    """NVIDIA chips launched 2022-2025: inside the 90% band of the 2021-origin forecast."""
    p = _csv("backtest_points.csv")
    p = p[
        (p["kind"] == "efficiency")
        & (p["origin"] == 2021.0)
        & p["label"].str.startswith("NVIDIA")
        & (p["year"] >= 2022.0)
        & (p["year"] < 2026.0)
    ]
    p = p.assign(below=(p["observed"] < p["lower_90"]).astype(int))
    out = p.groupby(["model", "series"], sort=False).agg(
        chips=("in_90", "size"), inside=("in_90", "sum"), below=("below", "sum")
    )
    out = out.reset_index().rename(
        columns={"inside": "inside the 90% band", "below": "below the band"}
    )
    out["inside the 90% band"] = out["inside the 90% band"].astype(int)
    return md_table(out)


def table_prior_checks() -> str:
    """The prior-predictive checks of physical plausibility (``results/prior_checks.csv``)."""
    from energytrend.studies.prior_checks import prior_check_table

    return prior_check_table(_csv("prior_checks.csv"))


def table_extrapolation() -> str:
    """The extrapolation candidates (``results/extrapolation_choice.csv``)."""
    c = _csv("extrapolation_choice.csv")
    return md_table(
        {
            "candidate": c["candidate"],
            "long-run slope": each("Normal({:g}, {:g})", c["mu"], c["sigma"]),
            "damping": each("Beta({:g}, {:g})", c["alpha"], c["beta"]),
            "new NLP model, 2040 (orders)": each(
                "{:.2f} ± {:.2f}", c["nlp_band"], c["nlp_band_mcse"]
            ),
            "fit passed": c["passed"].map(YES_NO),
            "CV CRPS early": c["cv/all crps"].map("{:.4f}".format),
            "CV log score early": c["cv/all log score"].map("{:.3f}".format),
            "CV 90% / 50% early": each("{:.2f} / {:.2f}", c["cv/all 90%"], c["cv/all 50%"]),
            "NLP CRPS early": c["nlp/all crps"].map("{:.4f}".format),
            "NLP log score early": c["nlp/all log score"].map("{:.3f}".format),
            "chosen": c["chosen"].map(CHOSEN),
        }
    )


def table_sensitivity() -> str:
    """Energy slopes (log10 per year, posterior medians) per prior variant and frontier rule."""
    s = _csv("sensitivity.csv")
    s = s[s["metric"] == "joules"]
    wide = s.pivot_table(
        index=["prior", "rule"], columns=["domain", "group"], values="median", sort=False
    )
    wide.columns = [f"energy {d} {g}" for d, g in wide.columns]
    passed = s.groupby(["prior", "rule"], sort=False)["passed"].all()
    table = wide.map("{:.3f}".format).assign(
        diagnostics=passed.map({True: "passed", False: "FAILED"})
    )
    return md_table(table.reset_index())


def table_benchmark() -> str:
    """``results/benchmark.md`` as it is (written by ``scripts/benchmark.py``)."""
    path = RESULTS / "benchmark.md"
    if not path.exists():
        raise PlaceholderError("results/benchmark.md does not exist: run scripts/benchmark.py")
    return path.read_text(encoding="utf-8").strip()


def table_peer_benchmark() -> str:
    """``results/peer_benchmark.md`` as it is (written by ``scripts/peer_benchmark.py``)."""
    path = RESULTS / "peer_benchmark.md"
    if not path.exists():
        raise PlaceholderError(
            "results/peer_benchmark.md does not exist: run scripts/peer_benchmark.py"
        )
    return path.read_text(encoding="utf-8").strip()


def table_query_scenarios() -> str:
    """The named query shapes (``data/curation/llm_query_scenarios.csv``)."""
    s = read_data("curation/llm_query_scenarios")
    return md_table(
        {
            "scenario": _code(s["scenario"]),
            "prompt tokens": s["prompt_tokens"].map("{:,}".format),
            "output tokens": s["output_tokens"].map("{:,}".format),
            "source": s["source"],
        }
    )


def table_published_query_energy() -> str:
    """The published per-query figures (``data/curation/llm_query_energy_published.csv``)."""
    p = read_data("curation/llm_query_energy_published")
    return md_table(
        {
            "figure": p["model_or_service"] + ": " + p["metric"],
            "source": p["source"],
            "Wh": p["wh_per_query"].map("{:g}".format),
            "boundary": p["boundary_class"],
            "verified": p["verified"],
        }
    )


def table_serving_mlperf() -> str:
    """The serving model's bands against the MLPerf LLM runs (``results/serving_mlperf.csv``)."""
    m = _csv("serving_mlperf.csv")
    return md_table(
        {
            "round": m["round"].map("{:.1f}".format),
            "benchmark": m["benchmark"],
            "scenario": m["scenario"],
            "chip": _chip(m),
            "batch x chips": m["batch"].astype(str) + " x " + m["accelerators"].astype(str),
            "measured J/sample": m["measured"],
            "median": m["median"],
            "90% band": m["band"],
            "inside": m["inside"].map({True: "yes", False: "**no**"}),
            "median, KV at full width": m["median_full_width_kv"],
        }
    )


def table_serving_calibration() -> str:
    """Held-out scores of the priors' and the calibrated bands
    (``results/serving_calibration_scores.csv``)."""
    c = _csv("serving_calibration_scores.csv")
    return md_table(
        {
            "band": c["band"],
            "score": c["metric"].map({"coverage": "coverage of the 90% band", "crps": "CRPS"}),
            "held-out value (90% block bootstrap)": each(SIG, c["value"], c["lower"], c["upper"]),
            "runs (blocks)": c["runs"].astype(str) + " (" + c["blocks"].astype(str) + ")",
        }
    )


def table_serving_calibration_parameters() -> str:
    """Prior ranges and calibrated posteriors (``results/serving_calibration_parameters.csv``)."""
    c = _csv("serving_calibration_parameters.csv")
    return md_table(
        {
            "quantity": _code(c["quantity"]),
            "prior (uniform)": each("{:.2f} to {:.2f}", c["prior_low"], c["prior_high"]),
            "posterior median (90%)": each(
                SIG, c["posterior_median"], c["posterior_lower"], c["posterior_upper"]
            ),
        }
    )


def table_serving_calibration_runs() -> str:
    """Held-out runs, priors' and calibrated bands (``results/serving_calibration_runs.csv``)."""
    c = _csv("serving_calibration_runs.csv")
    band = "{:.3g} to {:.3g}"
    return md_table(
        {
            "run": c["round"].map("{:.1f}".format) + " " + c["benchmark"] + " " + c["scenario"],
            "measured J": c["measured_j"].map("{:.3g}".format),
            "priors' band": each(band, c["prior_lower_j"], c["prior_upper_j"]),
            "calibrated band": each(band, c["calibrated_lower_j"], c["calibrated_upper_j"]),
            "CRPS prior / calibrated": each(
                "{:.2f} / {:.2f}", c["prior_crps"], c["calibrated_crps"]
            ),
        }
    )


def table_serving_examples() -> str:
    """Per-query bands by batch (``results/serving_examples.csv``)."""
    e = _csv("serving_examples.csv")
    return md_table(
        {
            "model, chip": _model_chip(e),
            "batch": e["batch"].astype(str),
            "boundary": e["boundary"],
            "Wh per query": e["wh"],
            "90% band": e["band_wh"],
            "J per output token": e["per_output_token"],
            "decode memory-bound": e["memory_bound_share"].map("{:.0%}".format),
        }
    )


def table_serving_regimes() -> str:
    """Per-query energy by serving regime (``results/serving_regimes.csv``)."""
    r = _csv("serving_regimes.csv")
    return md_table(
        {
            "query": r["scenario"],
            "model": r["group"].map(GROUPS),
            "regime": _code(r["regime"]),
            "chip": _chip(r),
            "Wh per query": r["wh"],
            "90% band": r["band_wh"],
            "median / benchmark median": r["ratio_to_benchmark"].map("{:.2g}".format),
        }
    )


def table_serving_regime_definitions() -> str:
    """The regimes as data (``results/serving_regimes_definitions.csv``)."""
    d = _csv("serving_regimes_definitions.csv")
    batch = [
        "the MLPerf runs' own" if pd.isna(a) else (f"{a:.0f}" if a == b else f"{a:.0f} to {b:.0f}")
        for a, b in zip(d["batch_low"], d["batch_high"], strict=True)
    ]
    return md_table(
        {
            "regime": _code(d["regime"]),
            "batch": batch,
            "precision": d["precision"],
            "boundary": d["boundary"],
            "method": d["method"],
            "why": d["reason"],
        }
    )


def table_serving_regime_crossings() -> str:
    """Crossing dates per regime (``results/serving_regimes_crossings.csv``)."""
    c = _csv("serving_regimes_crossings.csv")
    return md_table(
        {
            "regime": _code(c["regime"]),
            "model": c["group"].map(GROUPS),
            "level": c["level"],
            "crossing (median)": c["crossing"],
            "90% interval": c["interval"],
            "P(already)": c["p_already"].map("{:.2f}".format),
        }
    )


def table_serving_vision() -> str:
    """Energy per image by batch (``results/serving_vision.csv``)."""
    v = _csv("serving_vision.csv")
    return md_table(
        {
            "model, chip": _model_chip(v),
            "batch": v["batch"].astype(str),
            "J per image": v["per_image"],
            "90% band": v["band"],
            "memory-bound draws": v["memory_bound_share"].map("{:.0%}".format),
            "/ batch 256": v["ratio_to_batch_256"].map("{:.2g}".format),
        }
    )


def _range(x: pd.Series) -> str:
    lo, hi = f"{x.min():.2g}", f"{x.max():.2g}"
    return lo if lo == hi else f"{lo} to {hi}"


def value_serving(what: str) -> str:
    """``inside``: 'k of n' MLPerf runs inside the band; ``ratio``: range of measured over
    median; ``ess``, ``train``: effective draws and runs of the calibration;
    ``interactive``, ``batch1``: range of the regime's median over the benchmark line's;
    ``vision``: range over the vision models of batch 1's energy per image over batch 256's."""
    if what in ("interactive", "batch1"):
        r = _csv("serving_regimes.csv")
        return _range(r.loc[r["regime"] == what, "ratio_to_benchmark"])
    if what == "vision":
        v = _csv("serving_vision.csv")
        return _range(v.loc[v["batch"] == 1, "ratio_to_batch_256"])
    if what in ("ess", "train"):
        c = _csv("serving_calibration_parameters.csv")
        col = "effective_draws" if what == "ess" else "train_runs"
        return f"{float(c[col].iloc[0]):,.0f}"
    m = _csv("serving_mlperf.csv")
    if what == "inside":
        return f"{int(m['inside'].sum())} of {len(m)}"
    if what == "ratio":
        r = m["ratio_measured_to_median"]
        return f"{r.min():.1f} to {r.max():.1f}"
    raise PlaceholderError(
        f"serving: unknown value {what!r}; use inside, ratio, ess, train, interactive, batch1 "
        "or vision"
    )


TABLES: dict[str, Callable[[], str]] = {
    "serving_mlperf": table_serving_mlperf,
    "serving_examples": table_serving_examples,
    "serving_regimes": table_serving_regimes,
    "serving_regime_definitions": table_serving_regime_definitions,
    "serving_regime_crossings": table_serving_regime_crossings,
    "serving_vision": table_serving_vision,
    "serving_calibration": table_serving_calibration,
    "serving_calibration_parameters": table_serving_calibration_parameters,
    "serving_calibration_runs": table_serving_calibration_runs,
    "sbc": table_sbc,
    "backtest_coverage": table_backtest_coverage,
    "backtest_scores": table_backtest_scores,
    "backtest_frontier": table_backtest_frontier,
    "backtest_fits": table_backtest_fits,
    "backtest_chips": table_backtest_chips,
    "extrapolation": table_extrapolation,
    "sensitivity": table_sensitivity,
    "benchmark": table_benchmark,
    "peer_benchmark": table_peer_benchmark,
    "query_scenarios": table_query_scenarios,
    "published_query_energy": table_published_query_energy,
}


# ----------------------------------------------------------------------------- values
def _column(df: pd.DataFrame, column: str, where: str) -> str:
    """The column ``column`` names; ``_`` stands for a space (``cv/all_crps``)."""
    for name in (column, column.replace("_", " ")):
        if name in df.columns:
            return name
    raise PlaceholderError(f"{where} has no column {column!r}")


def _one(df: pd.DataFrame, what: str) -> pd.Series:
    if len(df) != 1:
        raise PlaceholderError(f"{what}: {len(df)} rows match, not one")
    return df.iloc[0]


def value_bt(model: str, set_: str, series: str, column: str, spec: str | None = None) -> str:
    c = coverage_rows()
    column = _column(c, column, "results/backtest_coverage.csv")
    match = c[(c["model"] == model) & (c["set"] == set_) & (c["series"] == series)]
    return fmt(_one(match, f"backtest {model} {set_} {series}")[column], spec)


def value_sbc(domain: str, column: str, spec: str | None = None) -> str:
    s = _csv("sbc_summary.csv")
    column = _column(s, column, "results/sbc_summary.csv")
    return fmt(_one(s[s["domain"] == domain], f"sbc {domain}")[column], spec)


def sbc_settings(domain: str) -> dict[str, Any]:
    """The settings line (``# {json}``) at the top of ``results/sbc_DOMAIN.csv``."""
    path = RESULTS / f"sbc_{domain}.csv"
    if not path.exists():
        raise PlaceholderError(f"results/sbc_{domain}.csv does not exist")
    with path.open(encoding="utf-8") as f:
        first = f.readline()
    if not first.startswith("# "):
        raise PlaceholderError(f"results/sbc_{domain}.csv has no settings line")
    settings: dict[str, Any] = json.loads(first[2:])
    return settings


def value_sbcset(domain: str, key: str, spec: str | None = None) -> str:
    settings = sbc_settings(domain)
    if key not in settings:
        raise PlaceholderError(f"results/sbc_{domain}.csv settings have no {key!r}")
    return fmt(settings[key], spec)


def value_ext(row: str, column: str, spec: str | None = None) -> str:
    c = _csv("extrapolation_choice.csv")
    column = _column(c, column, "results/extrapolation_choice.csv")
    if row == "chosen":
        return fmt(_one(c[c["chosen"]], "the chosen candidate")[column], spec)
    if row in ("min", "max"):
        values = c[column]
        return fmt(values.min() if row == "min" else values.max(), spec)
    raise PlaceholderError(f"ext: row {row!r} is not chosen, min or max")


def value_sens(domain: str, group: str, spec: str | None = None) -> str:
    s = _csv("sensitivity.csv")
    v = s[
        (s["metric"] == "joules")
        & (s["domain"] == domain)
        & (s["group"] == group)
        & ~s["prior"].str.startswith("v1")
    ]["median"]
    if v.empty:
        raise PlaceholderError(f"sens: no v2 energy slopes of {domain} {group}")
    return f"{fmt(v.min(), spec)} to {fmt(v.max(), spec)}"


def priors() -> dict[str, Any]:
    with (REPO / "models" / "priors.toml").open("rb") as f:
        return tomllib.load(f)


def value_prior(path: str, distribution: str | None = None) -> str:
    node: Any = priors()
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            raise PlaceholderError(f"models/priors.toml has no entry {path!r}")
        node = node[key]
    if distribution is None:
        if isinstance(node, dict | list):
            raise PlaceholderError(f"prior {path}: a table; name its distribution")
        return fmt(node, "g") if isinstance(node, float) else str(node)
    if not isinstance(node, dict):
        raise PlaceholderError(f"prior {path}: {node!r} is not a distribution")
    args = ", ".join(format(v, "g") for k, v in node.items() if k != "lower")
    text = f"{distribution}({args})"
    return f"{text} truncated below at {node['lower']:g}" if "lower" in node else text


def _data_file(table: str) -> Path:
    path = REPO / "data" / f"{table}.csv"
    if not path.exists():
        raise PlaceholderError(f"data/{table}.csv does not exist")
    return path


def read_data(table: str) -> pd.DataFrame:
    """A shipped data file; leading ``#`` provenance lines are skipped (never ``comment=``:
    URLs in the data contain ``#``)."""
    path = _data_file(table)
    with path.open(encoding="utf-8") as f:
        skip = 0
        for line in f:
            if not line.startswith("#"):
                break
            skip += 1
    return pd.read_csv(path, skiprows=skip)


def value_rows(table: str) -> str:
    return fmt(len(read_data(table)))


def value_dates(table: str, column: str) -> str:
    d = read_data(table)
    column = _column(d, column, f"data/{table}.csv")
    dates = pd.to_datetime(d[column])
    return f"{dates.min():%Y-%m} to {dates.max():%Y-%m}"


def _log() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "holdout_log.csv", dtype=str, keep_default_na=False)


def _freeze() -> dict[str, Any]:
    path = RESULTS / "freeze.json"
    if not path.exists():
        raise PlaceholderError("results/freeze.json does not exist: run 'energytrend freeze'")
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record


def value_holdout(what: str) -> str:
    """``count``: confirmatory scorings logged; ``refrozen``: re-freezes logged; ``since``:
    scorings with the current freeze's hash; ``before``: those made before freezing
    existed."""
    log = _log()
    scored = log[log["scores"].astype(str) != "{}"]  # a re-freeze's row has no scores
    if what == "count":
        return str(len(scored))
    if what == "refrozen":
        return str(len(log) - len(scored))
    if what == "since":
        return str(int((scored["freeze_hash"] == _freeze()["freeze_hash"]).sum()))
    if what == "before":
        return str(int(log["freeze_hash"].str.startswith("none").sum()))
    raise PlaceholderError(f"holdout takes count, refrozen, since or before, not {what!r}")


def value_freeze(what: str) -> str:
    """``date`` of the freeze, or its ``hash`` (first 12 hex digits)."""
    record = _freeze()
    if what == "date":
        return str(record["date"])
    if what == "hash":
        return str(record["freeze_hash"])[:12]
    raise PlaceholderError(f"freeze takes date or hash, not {what!r}")


def table_holdout_log() -> str:
    log = _log()
    return md_table(
        {
            "date": log["date"],
            "freeze": [h[:12] if not h.startswith("none") else "none" for h in log["freeze_hash"]],
            "origins": log["origins"],
            "note": log["note"],
        }
    )


def table_backtest_differences() -> str:
    """v2's paired score difference against every fair baseline (CRPS; the frontier lines by
    the pinball loss) per set and series, pooled and per origin, with the 90% block-bootstrap
    interval (``results/backtest_differences.csv``)."""
    d = _csv("backtest_differences.csv")
    d = d[d["model"] == "v2"].assign(origin_key=lambda x: x["origin"].fillna(-1.0))
    keys = ["set", "series", "origin_key"]
    rows = []
    for (s, series, o), g in d.groupby(keys, sort=True):
        row: dict[str, object] = {"set": s, "series": series,
                                  "origin": "pooled" if o < 0 else f"{o:g}",
                                  "later points": int(g["n_distinct"].max())}  # fmt: skip
        for base, name in BASELINES.items():
            r = g[g["baseline"] == base]
            score = "pinball" if base == "top_decile" else "CRPS"
            row[f"v2 - {name} {score}"] = (
                f"{r['difference'].iloc[0]:+.3f} "
                f"[{r['lower'].iloc[0]:+.3f}, {r['upper'].iloc[0]:+.3f}]"
                if len(r)
                else "-"
            )
        rows.append(row)
    return md_table(pd.DataFrame(rows))


def table_scale_choice() -> str:
    """The scale candidates' early scores (``results/scale_choice.csv``)."""
    c = _csv("scale_choice.csv")
    return md_table(
        {
            "scale": c["candidate"],
            "CV frontier pinball": c["cv/frontier pinball"].map("{:.4f}".format),
            "CV share above the frontier": c["cv/frontier share above"].map("{:.3f}".format),
            "CV CRPS": c["cv/all crps"].map("{:.4f}".format),
            "CV log score": c["cv/all log score"].map("{:.3f}".format),
            "CV 90% / 50%": each("{:.2f} / {:.2f}", c["cv/all 90%"], c["cv/all 50%"]),
            "NLP CRPS": c["nlp/all crps"].map("{:.3f}".format),
            "NLP frontier pinball": c["nlp/frontier pinball"].map("{:.3f}".format),
            "CV frontier - typical slope": c["cv frontier - all"].map("{:+.3f}".format),
            "P(CV frontier faster)": c["P(cv frontier faster)"].map("{:.2f}".format),
            "fits passed": c["passed"].map(YES_NO),
            "chosen": c["chosen"].map(CHOSEN),
        }
    )


def table_changepoint_choice() -> str:
    """The compute changepoint candidates' early scores (``results/changepoint_choice.csv``)."""
    c = _csv("changepoint_choice.csv")
    return md_table(
        {
            "compute lines": c["candidate"],
            "CRPS (CV and NLP)": c["compute crps"].map("{:.4f}".format),
            "frontier pinball (CV and NLP)": c["frontier pinball"].map("{:.4f}".format),
            "CV CRPS": c["cv/all crps"].map("{:.4f}".format),
            "CV 90% / 50%": each("{:.2f} / {:.2f}", c["cv/all 90%"], c["cv/all 50%"]),
            "CV share above the frontier": c["cv/frontier share above"].map("{:.3f}".format),
            "NLP CRPS": c["nlp/all crps"].map("{:.3f}".format),
            "NLP share above the frontier": c["nlp/frontier share above"].map("{:.3f}".format),
            "fits passed": c["passed"].map(YES_NO),
            "chosen": c["chosen"].map(CHOSEN),
        }
    )


def table_frontier_choice() -> str:
    """The frontier candidates' early scores (``results/frontier_choice.csv``)."""
    c = _csv("frontier_choice.csv")
    return md_table(
        {
            "frontier": c["candidate"],
            "pinball (CV and NLP)": c["frontier pinball"].map("{:.4f}".format),
            "CV pinball": c["cv/frontier pinball"].map("{:.4f}".format),
            "NLP pinball": c["nlp/frontier pinball"].map("{:.4f}".format),
            "CV share above": c["cv/frontier share above"].map("{:.3f}".format),
            "NLP share above": c["nlp/frontier share above"].map("{:.3f}".format),
            "CV frontier - typical slope": c["cv frontier - all"].map("{:+.3f}".format),
            "P(CV frontier faster)": c["P(cv frontier faster)"].map("{:.2f}".format),
            "NLP frontier - typical slope": c["nlp frontier - all"].map("{:+.3f}".format),
            "P(NLP frontier faster)": c["P(nlp frontier faster)"].map("{:.2f}".format),
            "fits passed": c["passed"].map(YES_NO),
            "chosen": c["chosen"].map(CHOSEN),
        }
    )


def table_efficiency_pooling() -> str:
    """The efficiency poolings' early scores (``results/efficiency_pooling.csv``)."""
    c = _csv("efficiency_pooling.csv")
    series = [k[: -len(" crps")] for k in c if k.endswith(" crps") and "/" not in k]
    series = [s for s in series if s != "efficiency"]
    out = pd.DataFrame({"pooling": c["candidate"]})
    for s in series:
        out[f"{s} CRPS (n)"] = [
            f"{v:.4f} ({int(n)})" for v, n in zip(c[f"{s} crps"], c[f"{s} n"], strict=True)
        ]
        out[f"{s} 90%"] = c[f"{s} 90%"].map("{:.2f}".format)
    out["all points CRPS"] = c["efficiency crps"].map("{:.4f}".format)
    out["fits passed"] = c["passed"].map(YES_NO)
    out["chosen"] = c["chosen"].map(CHOSEN)
    return md_table(out)


def table_efficiency_shrinkage() -> str:
    """Each precision's slope at the centre of its data, unpooled and partially pooled
    (``results/efficiency_shrinkage.csv``)."""
    c = _csv("efficiency_shrinkage.csv")
    c["estimate"] = each("{:.3f} [{:.3f}, {:.3f}]", c["median"], c["lower"], c["upper"])
    # one estimate per cell: nothing to aggregate, so pivot rather than pivot_table
    wide = c.pivot(index="precision", columns="candidate", values="estimate")  # noqa: PD010
    wide = wide.fillna("–")
    order = [p for p in c["precision"].unique()]
    wide = wide.reindex(order).reset_index()
    return md_table(wide)


def table_imputation_check() -> str:
    """Leave-one-out check of the closed models' imputation (``results/imputation_check.csv``):
    coverage of the 50% and 90% intervals of the open models' held-out compute."""
    c = _csv("imputation_check.csv")
    return md_table(
        {
            "models": each("{} ({})", c["subset"], c["n"]),
            "50% interval holds": each(
                "{:.2f} [{:.2f}, {:.2f}]",
                c["coverage_50"], c["coverage_50_lower"], c["coverage_50_upper"],
            ),
            "90% interval holds": each(
                "{:.2f} [{:.2f}, {:.2f}]",
                c["coverage_90"], c["coverage_90_lower"], c["coverage_90_upper"],
            ),
            "mean PIT": each("{:.2f}", c["mean_pit"]),
            "median error (log10)": each("{:.2f}", c["median_abs_error_log10"]),
        }
    )  # fmt: skip


TABLES["imputation_check"] = table_imputation_check
TABLES["holdout_log"] = table_holdout_log
TABLES["scale_choice"] = table_scale_choice
TABLES["changepoint_choice"] = table_changepoint_choice
TABLES["frontier_choice"] = table_frontier_choice
TABLES["efficiency_pooling"] = table_efficiency_pooling
TABLES["efficiency_shrinkage"] = table_efficiency_shrinkage
TABLES["prior_checks"] = table_prior_checks
TABLES["backtest_differences"] = table_backtest_differences

KINDS: dict[str, Callable[..., str]] = {
    "table": lambda name: TABLES[name]() if name in TABLES else _unknown_table(name),
    "serving": value_serving,
    "holdout": value_holdout,
    "freeze": value_freeze,
    "bt": value_bt,
    "sbc": value_sbc,
    "sbcset": value_sbcset,
    "ext": value_ext,
    "sens": value_sens,
    "prior": value_prior,
    "rows": value_rows,
    "dates": value_dates,
}


def _unknown_table(name: str) -> str:
    raise PlaceholderError(f"no table {name!r}; the tables are {', '.join(TABLES)}")


# ----------------------------------------------------------------------------- rendering
def fill(placeholder: str) -> str:
    """The text of one placeholder's inside (``"table sbc"``)."""
    kind, *args = placeholder.split()
    if kind not in KINDS:
        raise PlaceholderError(f"unknown placeholder kind {kind!r} in {{{{ {placeholder} }}}}")
    spec = args.pop()[1:] if args and args[-1].startswith(":") else None
    try:
        return KINDS[kind](*args, spec) if spec is not None else KINDS[kind](*args)
    except TypeError as e:
        raise PlaceholderError(f"{{{{ {placeholder} }}}}: wrong arguments ({e})") from e


def render(markdown: str, where: str = "page") -> str:
    """``markdown`` with every placeholder filled; :class:`PlaceholderError` names the page."""

    def one(m: re.Match[str]) -> str:
        try:
            return fill(m.group(1))
        except PlaceholderError as e:
            raise PlaceholderError(f"{where}: {e}") from e

    return PLACEHOLDER.sub(one, markdown)


# ----------------------------------------------------------------------------- MkDocs events
def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    from mkdocs.exceptions import PluginError

    if not page.file.src_uri.endswith(".md"):
        return markdown
    try:
        return render(markdown, page.file.src_uri)
    except PlaceholderError as e:
        raise PluginError(str(e)) from e


def on_files(files: Any, config: Any) -> Any:
    """The figures of ``results/`` join the site as ``results/NAME.png``, read when the site
    is built (no copy under ``docs/`` to go stale)."""
    from mkdocs.structure.files import File

    for path in sorted(RESULTS.glob("*.png")):
        files.append(File.generated(config, f"results/{path.name}", abs_src_path=str(path)))
    return files
