"""Score a fitted result against data published after its data end: the test every frozen
forecast faces when new models, chips or MLPerf rounds appear.

A *holdout* table is a later table in a shipped schema (see ``docs/data.md``):

* ``cv_models``, ``nlp_models`` or ``language_models``: later models of a domain the fit has
  (language models belong to ``llm``, and to ``nlp`` where NLP is per token and joins them);
  each is scored against the predictive distribution of a new typical model at its date
  (the compute trend continued after the data, plus the fitted scatter), and against the
  frontier line (the share of later models above it; 1 - ``frontier_quantile`` expected);
* ``accelerators``: later chips, one point per numeric precision the fit models, scored
  against the efficiency trend of a chip of that precision and segment (server or not).

Every row must be dated after the fit saw its last point of that kind: a model after the
domain's last model, a chip after the last chip. Anything earlier is refused, naming the
rows, since it is not later data.

Per series the scores are those of the backtests (:mod:`energytrend.studies.scoring`):
coverage of the 50% and 90% predictive bands (with Wilson intervals), the mean PIT (0.5
when calibrated), the CRPS (lower is better) and log score (higher is better), all in
log10 units, and the median error (observed minus predicted median, log10).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from energytrend.data.datasets import load_data
from energytrend.data.precision import precision_series
from energytrend.data.tables import TableSource
from energytrend.forecast.trend import compute_mean, efficiency_at, forecast_origin
from energytrend.inference.result import TrendFit
from energytrend.model.design import model_frame
from energytrend.model.likelihood import is_student_t
from energytrend.studies.scoring import (
    log_score_normal_mixture,
    log_score_student_t,
    score_points,
    summarise,
)

#: The tables a holdout takes, and the domain each model table belongs to.
HOLDOUT_TABLES: dict[str, str | None] = {
    "cv_models": "cv",
    "nlp_models": "nlp",
    "language_models": "llm",
    "accelerators": None,
}

#: Columns of :func:`holdout`'s table.
COLUMNS = [
    "table", "series", "kind", "n_points", "first_date", "last_date",
    "coverage_50", "coverage_50_lower", "coverage_50_upper",
    "coverage_90", "coverage_90_lower", "coverage_90_upper",
    "mean_pit", "crps", "log_score", "median_error", "share_above_frontier",
]  # fmt: skip


def holdout(
    result: TrendFit, tables: Mapping[str, TableSource], *, seed: int | None = None
) -> pd.DataFrame:
    """Scores of ``result``'s forecasts on later ``tables`` (``{name: CSV path or
    DataFrame}``, names of :data:`HOLDOUT_TABLES`), one row per series.

    Columns :data:`COLUMNS`: the table and series (``cv/all``, ``fp32``, ...), the number of
    later points and their date range, the coverages with their 90% Wilson intervals, mean
    PIT, CRPS, log score, median error and, for models, the share above the frontier line.

    Raises:
        DataValidationError: a table breaks its schema (file, row, column and fix named).
        ValueError: an unknown table name, a domain the fit does not have, or rows dated on
            or before the fit's data end.

    Examples:
        >>> import energytrend as et
        >>> from energytrend.studies.holdout import holdout
        >>> later = et.load_data("cv_models").tail(3).assign(release_date="2026-03-01")
        >>> scores = holdout(et.fit("cv"), {"cv_models": later})
        >>> scores[["series", "n_points"]].values.tolist()
        [['cv/all', 3]]
    """
    result.warn_if_failed()
    points = holdout_points(result, tables, seed=seed)
    rows = []
    for (table, series, kind), g in points.groupby(["table", "series", "kind"], sort=False):
        s = summarise(g.assign(weight=1.0), [], cluster="point_id").iloc[0]
        rows.append(
            {
                "table": table,
                "series": series,
                "kind": kind,
                "n_points": int(s["n_points"]),
                "first_date": g["date"].min(),
                "last_date": g["date"].max(),
                **{c: float(s[c]) for c in COLUMNS[6:15]},
                "median_error": float(np.median(g["observed"] - g["median"])),
                "share_above_frontier": float(g["above"].mean()),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def holdout_points(
    result: TrendFit, tables: Mapping[str, TableSource], *, seed: int | None = None
) -> pd.DataFrame:
    """One scored row per later point (the points behind :func:`holdout`): ``table``,
    ``series``, ``kind``, ``point_id``, ``label``, ``date``, ``observed`` and the columns of
    :func:`energytrend.studies.scoring.score_points`, plus ``above`` (above the frontier
    line; NaN for chips)."""
    unknown = sorted(set(tables) - set(HOLDOUT_TABLES))
    if unknown:
        raise ValueError(f"holdout tables must be among {', '.join(HOLDOUT_TABLES)}; got {unknown}")
    rng = np.random.default_rng(result.config.seed + 5 if seed is None else seed)
    frames = []
    for name, source in tables.items():
        table = load_data(name, source=source)
        where = str(source) if isinstance(source, str | Path) else f"the {name} table"
        domain = HOLDOUT_TABLES[name]
        if domain == "llm" and "llm" not in result.domains and result.config.per_token:
            domain = "nlp"  # the 2025 dataset's NLP domain holds the language models
        if domain is None:
            frames += _chip_points(result, table, where, rng)
        else:
            frames.append(_model_points(result, name, domain, table, where, rng))
    if not frames:
        raise ValueError("no holdout points: give at least one later table")
    return pd.concat(frames, ignore_index=True)


def _not_later(labels: pd.Series, years: np.ndarray, end: float, where: str, what: str) -> None:
    early = years <= end
    if early.any():
        shown = ", ".join(labels[early].astype(str).head(5))
        raise ValueError(
            f"{where}: {int(early.sum())} row(s) dated on or before the fit's last {what} "
            f"({end:.2f}): {shown}. A holdout holds later data only; drop those rows."
        )


def _scored(
    result: TrendFit,
    meta: pd.DataFrame,
    mu: np.ndarray,
    sd: np.ndarray,
    noise: np.ndarray,
    nu_name: str,
) -> pd.DataFrame:
    y = meta["observed"].to_numpy(dtype=float)
    draws = mu + sd * noise
    if is_student_t(result.config.spec):
        nu = result.posterior_draws(nu_name)[:, None]
        logpdf = log_score_student_t(mu, sd, nu, y)
    else:
        logpdf = log_score_normal_mixture(mu, sd, y)
    scores = score_points(draws, y, logpdf=logpdf)
    return pd.concat([meta.reset_index(drop=True), scores], axis=1)


def _model_points(
    result: TrendFit,
    name: str,
    domain: str,
    table: pd.DataFrame,
    where: str,
    rng: np.random.Generator,
) -> pd.DataFrame:
    if domain not in result.domains:
        raise ValueError(
            f"{where}: a {name} table holds {domain} models, but the fit has "
            f"{', '.join(result.domains)}; fit {domain!r} to score it"
        )
    kind = "llm" if name == "language_models" else domain
    m = model_frame(kind, {kind: table}, "thesis", bool(result.config.per_token))
    years = m["year"].to_numpy(dtype=float)
    _not_later(m["label"], years, forecast_origin(result, domain), where, f"{domain} model")
    t = years - float(result.idata.attrs["year_origin"])
    draws, part = result.posterior_draws, result.parts.compute
    typical = np.full(t.shape, result.groups.index(f"{domain}/all"))
    mu = compute_mean(result, typical, t)
    sd = part.scale(draws, typical, t)
    frontier = np.full(t.shape, result.groups.index(f"{domain}/frontier"))
    line = np.median(compute_mean(result, frontier, t), axis=0)
    y = np.log10(m["compute"].to_numpy(dtype=float))
    meta = pd.DataFrame(
        {
            "table": name,
            "series": f"{domain}/all",
            "kind": "compute",
            "point_id": m["label"].to_numpy(),
            "label": m["label"].to_numpy(),
            "date": pd.to_datetime(m["release_date"]).to_numpy(),
            "observed": y,
            "above": (y > line).astype(float),
        }
    )
    return _scored(result, meta, mu, sd, part.noise(draws, mu.shape, rng), "nu")


def _chip_points(
    result: TrendFit, table: pd.DataFrame, where: str, rng: np.random.Generator
) -> list[pd.DataFrame]:
    if result.parts.efficiency.kind != "precision":
        raise ValueError(
            f"{where}: accelerators are scored against efficiency by numeric precision; "
            "this fit has v1's adapted series"
        )
    chips = precision_series("2025", accelerators=table)
    chips = chips[chips["precision"].isin(result.series)].reset_index(drop=True)
    years = chips["year"].to_numpy(dtype=float)
    last_chip = float(result.gpus["year"].max())
    _not_later(chips["hardware"], years, last_chip, where, "chip")
    out = []
    draws, part = result.posterior_draws, result.parts.efficiency
    for precision, c in chips.groupby("precision", sort=False):
        t = c["year"].to_numpy(dtype=float) - float(result.idata.attrs["year_origin"])
        index = np.full(t.shape, result.series.index(str(precision)))
        mu = efficiency_at(result, index, t, c["server"].to_numpy(dtype=float))
        sd = part.scale(draws, index, t)
        meta = pd.DataFrame(
            {
                "table": "accelerators",
                "series": str(precision),
                "kind": "efficiency",
                "point_id": (c["hardware"] + " " + c["precision"]).to_numpy(),
                "label": c["hardware"].to_numpy(),
                "date": c["release_date"].to_numpy(),
                "observed": np.log10(c["gflops_per_watt"].to_numpy(dtype=float)),
                "above": np.nan,
            }
        )
        out.append(_scored(result, meta, mu, sd, part.noise(draws, mu.shape, rng), "eff_nu"))
    return out
