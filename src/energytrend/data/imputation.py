"""Per-token compute of language models without a published active-parameter count, imputed
from their training compute (issue 23, item 4: closed models imputed, not dropped).

Training compute C ≈ 6 N D (N active parameters, D training tokens), so the tokens per
parameter are r = D / N = C / (6 N²) and, knowing C and r,

    log10 N = (log10 C - log10 6 - log10 r) / 2.

:func:`tokens_per_parameter` computes r for the models that have both an active-parameter
count (the one their ``gflops_per_token`` rests on) and an Epoch AI training-compute estimate;
:func:`tokens_per_parameter_fit` regresses log10 r on the release date with the standard
noninformative prior (flat on the coefficients, p(σ²) ∝ 1/σ²). Its posterior predictive of
log10 r at a new date is exactly Student-t with n - 2 degrees of freedom, location x'β̂ and
scale s·sqrt(1 + x'(X'X)⁻¹x): closed form, no sampling. :func:`imputed_models` turns that into
log10 GFLOPs per token = log10 N + log10 2 - 9 (location shifted, scale halved) for every model
with a training compute but no per-token compute. An imputed model's GFLOPs per token are
2 × N only: no attention term, which the table adds for models with a published architecture.
:func:`not_imputed` lists the models left out of the fit that stay out, with why.
:func:`imputation_check` scores the procedure by leave-one-out on the models with both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from energytrend.data.llm import llm_excluded
from energytrend.data.tables import decimal_year

#: log10 of the 6 in C ≈ 6 N D.
LOG10_6 = float(np.log10(6.0))
#: log10 GFLOPs per token minus log10 N: 2 N FLOPs a token, in GFLOPs.
LOG10_GFLOPS_PER_PARAM = float(np.log10(2.0) - 9.0)
#: The leave-one-out check's recent subset starts here (the models closed ones resemble).
RECENT_FROM = pd.Timestamp("2023-01-01")
#: Probability of the intervals this module reports unless told otherwise.
DEFAULT_PROB = 0.9

_FIT_COLUMNS = ("model", "release_date", "active_params_millions", "gflops_per_token")
_COMPUTE_COLUMN = "training_compute_flop"


def _require(table: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise ValueError(
            f"the language_models table has no column {names}; pass "
            'energytrend.load_data("language_models") or a table in its columns'
        )


def _flag(values: pd.Series) -> pd.Series:
    """A true/false column as booleans, whether parsed (bool) or read as text."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(bool)
    return values.astype(str).str.strip().str.lower().isin(["true", "1"])


def _has_compute(table: pd.DataFrame) -> pd.Series:
    """The rows with a per-token compute, as :mod:`energytrend.data.llm` counts them."""
    return table["gflops_per_token"].notna()


def _active_params(table: pd.DataFrame) -> pd.Series:
    """Active parameters (millions) that each row's ``gflops_per_token`` rests on.

    ``active_params_millions``; where it is missing, the total of a dense model
    (``is_moe`` not true), as ``scripts/build_data.py`` fills it. Raises ``ValueError`` when a
    row's ``gflops_per_token`` is not 2 × that count (plus its attention term, where the table
    says it is included): the count would then not be the one the per-token compute rests on.
    """
    active = table["active_params_millions"].astype(float)
    has = _has_compute(table)
    if "params_millions" in table.columns:
        moe = _flag(table["is_moe"]) if "is_moe" in table.columns else has & False
        dense = has & active.isna() & ~moe
        active = active.where(~dense, table["params_millions"].astype(float))
    bad = has & ~(active > 0)
    if bad.any():
        raise ValueError(
            "models with gflops_per_token but no positive active parameter count: "
            f"{', '.join(table.loc[bad, 'model'].astype(str))}"
        )
    expected = 2.0 * active / 1e3
    if {"attention_gflops_per_token", "gflops_includes_attention"} <= set(table.columns):
        with_attention = _flag(table["gflops_includes_attention"])
        attention = table["attention_gflops_per_token"].astype(float).fillna(0.0)
        expected = expected + attention.where(with_attention, 0.0)
    off = has & ~np.isclose(table["gflops_per_token"].astype(float), expected, rtol=1e-3, atol=0)
    if off.any():
        raise ValueError(
            "gflops_per_token is not 2 x active_params_millions / 1e3 (+ its attention term) "
            f"for: {', '.join(table.loc[off, 'model'].astype(str))}; the active count must be "
            "the one the per-token compute rests on"
        )
    return active


def _log10_compute(table: pd.DataFrame, rows: pd.Series) -> np.ndarray:
    c = table.loc[rows, _COMPUTE_COLUMN].astype(float).to_numpy()
    if np.any(c <= 0):
        names = table.loc[rows, "model"].astype(str).to_numpy()[c <= 0]
        raise ValueError(f"training_compute_flop must be > 0, got <= 0 for: {', '.join(names)}")
    return np.asarray(np.log10(c), dtype=float)


def tokens_per_parameter(table: pd.DataFrame) -> pd.DataFrame:
    """Training tokens per active parameter, r = C / (6 N²), of the models with both.

    One row per model with a per-token compute (``gflops_per_token``), a training-compute
    estimate and a release date. N is the active-parameter count ``gflops_per_token`` rests on
    (``active_params_millions``; a dense model's total where that is missing).

    Columns: ``model``, ``release_date``, ``year`` (decimal), ``log10_active_params``,
    ``log10_training_flop``, ``log10_tokens_per_param``.

    Raises:
        ValueError: a column is missing (named), or a model's ``gflops_per_token`` is not
            2 × its active count.

    Examples:
        >>> from energytrend import load_data
        >>> tp = tokens_per_parameter(load_data("language_models"))
        >>> row = tp.set_index("model").loc["Chinchilla"]
        >>> round(10 ** row["log10_tokens_per_param"])  # 1.4 T tokens over 70 B parameters
        20
    """
    _require(table, (*_FIT_COLUMNS, _COMPUTE_COLUMN))
    active = _active_params(table)
    rows = _has_compute(table) & table[_COMPUTE_COLUMN].notna() & table["release_date"].notna()
    log10_n = np.log10(active[rows].to_numpy(dtype=float) * 1e6)
    log10_c = _log10_compute(table, rows)
    return pd.DataFrame(
        {
            "model": table.loc[rows, "model"].to_numpy(),
            "release_date": pd.to_datetime(table.loc[rows, "release_date"]).to_numpy(),
            "year": decimal_year(table.loc[rows, "release_date"]),
            "log10_active_params": log10_n,
            "log10_training_flop": log10_c,
            "log10_tokens_per_param": log10_c - LOG10_6 - 2.0 * log10_n,
        }
    )


def _t_sd(scale: npt.ArrayLike, df: float) -> np.ndarray:
    """Standard deviation of a Student-t with this scale and df (infinite for df <= 2)."""
    factor = np.sqrt(df / (df - 2.0)) if df > 2 else np.inf
    return np.asarray(np.asarray(scale, dtype=float) * factor, dtype=float)


@dataclass(frozen=True, eq=False)
class TokensPerParameterFit:
    """Posterior of log10 r = β₀ + β₁ (year - centre) + ε, ε ~ Normal(0, σ²), under the flat
    prior on β and p(σ²) ∝ 1/σ².

    ``coef`` is β̂ = (intercept at ``centre``, slope in log10 per year), ``cov_unscaled`` is
    (X'X)⁻¹, ``s`` the residual standard deviation sqrt(RSS / df), ``df`` = n - 2. The
    coefficients' posterior is bivariate t with ``df`` degrees of freedom, location β̂ and scale
    matrix s² (X'X)⁻¹; σ² | data is s² df / χ²_df.
    """

    coef: np.ndarray
    cov_unscaled: np.ndarray
    s: float
    df: int
    n: int
    centre: float

    def __post_init__(self) -> None:
        self.coef.setflags(write=False)
        self.cov_unscaled.setflags(write=False)

    @property
    def slope(self) -> float:
        """Posterior mean of the slope of log10 r, per year."""
        return float(self.coef[1])

    def coefficients(self, prob: float = DEFAULT_PROB) -> pd.DataFrame:
        """The coefficients' marginal posteriors (Student-t, ``df``): one row per ``term``
        (``intercept`` at ``centre``, ``slope`` per year), with ``estimate``, ``scale``
        (the t's), ``sd``, and the central ``prob`` interval's ``lower`` and ``upper``."""
        if not 0 < prob < 1:
            raise ValueError(f"prob must be between 0 and 1 (e.g. 0.9), got {prob}")
        scale = self.s * np.sqrt(np.diag(self.cov_unscaled))
        q = float(stats.t.ppf((1 + prob) / 2, self.df))
        return pd.DataFrame(
            {
                "term": ["intercept", "slope"],
                "estimate": self.coef,
                "scale": scale,
                "sd": _t_sd(scale, self.df),
                "lower": self.coef - q * scale,
                "upper": self.coef + q * scale,
            }
        )

    def predictive(self, years: npt.ArrayLike) -> pd.DataFrame:
        """Posterior predictive of log10 tokens per parameter of a new model at each decimal
        year: Student-t with ``df``, location ``loc`` = x'β̂ and ``scale`` =
        s·sqrt(1 + x'(X'X)⁻¹x), x = (1, year - centre). Columns ``year``, ``loc``, ``scale``,
        ``df``.

        Examples:
            >>> from energytrend import load_data
            >>> fit = tokens_per_parameter_fit(load_data("language_models"))
            >>> p = fit.predictive([fit.centre])
            >>> bool(p["scale"].iloc[0] > fit.s)  # the new model's own scatter and more
            True
        """
        y = np.atleast_1d(np.asarray(years, dtype=float))
        x = np.column_stack([np.ones_like(y), y - self.centre])
        leverage = np.einsum("ij,jk,ik->i", x, self.cov_unscaled, x)
        return pd.DataFrame(
            {
                "year": y,
                "loc": x @ self.coef,
                "scale": self.s * np.sqrt(1.0 + leverage),
                "df": float(self.df),
            }
        )

    def log10_active_params(
        self, log10_training_flop: npt.ArrayLike, years: npt.ArrayLike
    ) -> pd.DataFrame:
        """Posterior predictive of log10 active parameters of a model trained with 10 **
        ``log10_training_flop`` FLOP, released at ``years``: (log10 C - log10 6 - log10 r) / 2,
        a Student-t whose scale is half the predictive's. Columns ``year``,
        ``log10_training_flop``, ``loc``, ``scale`` (the t's), ``df``."""
        c = np.atleast_1d(np.asarray(log10_training_flop, dtype=float))
        r = self.predictive(years)
        if len(r) != len(c):
            raise ValueError(f"got {len(c)} training computes but {len(r)} years")
        return pd.DataFrame(
            {
                "year": r["year"],
                "log10_training_flop": c,
                "loc": (c - LOG10_6 - r["loc"].to_numpy()) / 2.0,
                "scale": r["scale"] / 2.0,
                "df": r["df"],
            }
        )

    def log10_gflops_per_token(
        self, log10_training_flop: npt.ArrayLike, years: npt.ArrayLike
    ) -> pd.DataFrame:
        """Posterior predictive of log10 GFLOPs per token = log10 (2 N / 1e9) of a model trained
        with 10 ** ``log10_training_flop`` FLOP, released at ``years`` (2 N only, no attention
        term). Student-t: the location of :meth:`log10_active_params` shifted by log10 2 - 9,
        the same scale. Columns ``year``, ``log10_training_flop``, ``loc``, ``scale``, ``df``.

        Examples:
            >>> from energytrend import load_data
            >>> fit = tokens_per_parameter_fit(load_data("language_models"))
            >>> g = fit.log10_gflops_per_token([25.0], [2024.0])
            >>> bool(g["scale"].iloc[0] == fit.predictive([2024.0])["scale"].iloc[0] / 2)
            True
        """
        out = self.log10_active_params(log10_training_flop, years)
        out["loc"] = out["loc"] + LOG10_GFLOPS_PER_PARAM
        return out


def _fit_arrays(years: npt.ArrayLike, log10_r: npt.ArrayLike) -> TokensPerParameterFit:
    t = np.asarray(years, dtype=float)
    y = np.asarray(log10_r, dtype=float)
    if t.shape != y.shape or t.ndim != 1 or t.size < 3:
        raise ValueError(f"need at least 3 models with both counts for the fit, got {t.size}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y))):
        raise ValueError("years and log10 tokens per parameter must be finite")
    centre = float(t.mean())
    x = np.column_stack([np.ones_like(t), t - centre])
    cov_unscaled = np.linalg.inv(x.T @ x)
    coef = cov_unscaled @ x.T @ y
    df = t.size - 2
    resid = y - x @ coef
    return TokensPerParameterFit(
        coef=np.asarray(coef, dtype=float),
        cov_unscaled=np.asarray(cov_unscaled, dtype=float),
        s=float(np.sqrt(resid @ resid / df)),
        df=int(df),
        n=int(t.size),
        centre=centre,
    )


def tokens_per_parameter_fit(
    table: pd.DataFrame, known_before: float | None = None
) -> TokensPerParameterFit:
    """Bayesian linear regression of log10 tokens per parameter on the release date, over the
    models of :func:`tokens_per_parameter` (flat prior on the coefficients, p(σ²) ∝ 1/σ²;
    years centred on their mean); ``known_before`` (a decimal year): only the models released
    before it, what a forecaster then knew.

    Raises:
        ValueError: a column is missing (named), or fewer than 3 models have both counts.

    Examples:
        >>> from energytrend import load_data
        >>> fit = tokens_per_parameter_fit(load_data("language_models"))
        >>> fit.n, fit.df
        (211, 209)
    """
    tp = tokens_per_parameter(table)
    if known_before is not None:
        tp = tp[tp["year"] < known_before]
    return _fit_arrays(tp["year"], tp["log10_tokens_per_param"])


def _imputable(table: pd.DataFrame) -> pd.Series:
    _require(table, (*_FIT_COLUMNS, _COMPUTE_COLUMN))
    return ~_has_compute(table) & table[_COMPUTE_COLUMN].notna() & table["release_date"].notna()


def imputed_models(table: pd.DataFrame, fit: TokensPerParameterFit | None = None) -> pd.DataFrame:
    """GFLOPs per token imputed from training compute, for the models without a per-token
    compute that have a training-compute estimate and a release date.

    ``fit`` defaults to :func:`tokens_per_parameter_fit` of ``table``. Columns: ``model``,
    ``organization`` and ``accessibility`` (where the table has them), ``release_date``,
    ``year``, ``log10_training_flop``, ``gflops_per_token_median`` (10 ** loc),
    ``log10_gflops_loc`` and ``log10_gflops_scale`` (the predictive's standard deviation in
    log10 units, scale·sqrt(df / (df - 2)) of the Student-t), ``df``, ``basis``. The imputed
    GFLOPs are 2 × N only, without the attention term some measured rows carry.

    Examples:
        >>> from energytrend import load_data
        >>> imp = imputed_models(load_data("language_models"))
        >>> "GPT-4" in set(imp["model"]), "Claude" in set(imp["model"])  # Claude: no C
        (True, False)
    """
    rows = _imputable(table)
    fit = tokens_per_parameter_fit(table) if fit is None else fit
    sub = table[rows]
    years = decimal_year(sub["release_date"])
    log10_c = _log10_compute(table, rows)
    g = fit.log10_gflops_per_token(log10_c, years)
    out = pd.DataFrame({"model": sub["model"].to_numpy()})
    for col in ("organization", "accessibility"):
        if col in sub.columns:
            out[col] = sub[col].to_numpy()
    out["release_date"] = pd.to_datetime(sub["release_date"]).to_numpy()
    out["year"] = years
    out["log10_training_flop"] = log10_c
    out["gflops_per_token_median"] = 10.0 ** g["loc"].to_numpy()
    out["log10_gflops_loc"] = g["loc"].to_numpy()
    out["log10_gflops_scale"] = _t_sd(g["scale"].to_numpy(), fit.df)
    out["df"] = float(fit.df)
    out["basis"] = (
        f"imputed from training compute: tokens per parameter fitted on {fit.n} models; "
        "GFLOPs per token = 2 x active parameters, no attention term"
    )
    return out


def not_imputed(table: pd.DataFrame) -> pd.DataFrame:
    """The models left out of the ``llm`` fit (:func:`energytrend.data.llm.llm_excluded`) that
    are not imputed either, with why: ``llm_excluded``'s columns, its ``reason`` extended by
    what the imputation lacks (a training-compute estimate or a release date).

    Examples:
        >>> from energytrend import load_data
        >>> out = not_imputed(load_data("language_models"))
        >>> out.set_index("model").loc["GPT-4o", "reason"]
        'no published parameter count; no training-compute estimate to impute from'
    """
    rows = _imputable(table)
    excluded = llm_excluded(table)
    left = table.loc[~_has_compute(table) & ~rows, ["model", _COMPUTE_COLUMN]]
    lacks = np.where(
        left[_COMPUTE_COLUMN].isna(),
        "no training-compute estimate to impute from",
        "no release date to impute at",
    )
    why = dict(zip(left["model"], lacks, strict=True))
    out = excluded[excluded["model"].isin(why.keys())].copy()
    out["reason"] = out["reason"] + "; " + out["model"].map(why)
    return out.reset_index(drop=True)


def imputation_loo(table: pd.DataFrame) -> pd.DataFrame:
    """Leave-one-out over the models of :func:`tokens_per_parameter`: refit without the model,
    predict its log10 active parameters (equivalently its log10 GFLOPs per token from 2 N) from
    its training compute and date, and score the truth.

    Columns: ``model``, ``release_date``, ``year``, ``log10_active_params`` (the truth),
    ``loc``, ``scale`` (the Student-t's) and ``df`` of the prediction, ``error`` (truth - loc),
    ``pit`` (the predictive CDF at the truth), ``in_50`` and ``in_90`` (the central 50% and
    90% predictive intervals contain the truth).
    """
    tp = tokens_per_parameter(table)
    years = tp["year"].to_numpy()
    log10_r = tp["log10_tokens_per_param"].to_numpy()
    rows = []
    for i in range(len(tp)):
        keep = np.arange(len(tp)) != i
        fit = _fit_arrays(years[keep], log10_r[keep])
        p = fit.log10_active_params(tp["log10_training_flop"].iloc[i], years[i]).iloc[0]
        rows.append((p["loc"], p["scale"], p["df"]))
    loc, scale, df = (np.array(v, dtype=float) for v in zip(*rows, strict=True))
    truth = tp["log10_active_params"].to_numpy()
    out = tp[["model", "release_date", "year", "log10_active_params"]].copy()
    out["loc"], out["scale"], out["df"] = loc, scale, df
    out["error"] = truth - loc
    out["pit"] = stats.t.cdf((truth - loc) / scale, df)
    for level in (0.5, 0.9):
        half = stats.t.ppf((1 + level) / 2, df) * scale
        out[f"in_{round(level * 100)}"] = (loc - half <= truth) & (truth <= loc + half)
    return out


def wilson(successes: float, n: float, prob: float = DEFAULT_PROB) -> tuple[float, float]:
    """Wilson score interval for a proportion at confidence ``prob``; (0, 1) when n == 0.

    (A copy of :func:`energytrend.studies.scoring.wilson_interval`, which the data stage may
    not import.)

    Examples:
        >>> [round(b, 3) for b in wilson(45, 50, 0.9)]
        [0.808, 0.95]
    """
    if not 0 < prob < 1:
        raise ValueError(f"prob must be between 0 and 1 (e.g. 0.9), got {prob}")
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    z = float(stats.norm.ppf((1 + prob) / 2))
    p = successes / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def _summary(subset: str, loo: pd.DataFrame, prob: float) -> dict[str, object]:
    n = len(loo)
    row: dict[str, object] = {
        "subset": subset,
        "n": n,
        "first_release": loo["release_date"].min(),
    }
    for level in (50, 90):
        k = int(loo[f"in_{level}"].sum())
        lo, hi = wilson(k, n, prob)
        row[f"coverage_{level}"] = k / n if n else np.nan
        row[f"coverage_{level}_lower"] = lo
        row[f"coverage_{level}_upper"] = hi
    row["mean_pit"] = float(loo["pit"].mean()) if n else np.nan
    row["median_abs_error_log10"] = float(loo["error"].abs().median()) if n else np.nan
    return row


def imputation_check(table: pd.DataFrame, prob: float = DEFAULT_PROB) -> pd.DataFrame:
    """Calibration of the imputation by leave-one-out (:func:`imputation_loo`): one row for all
    models with both counts (``subset`` ``"all"``) and one for those released from
    ``RECENT_FROM`` on (``"2023+"``; each still predicted from a fit to all the others).

    Columns: ``subset``, ``n``, ``first_release``, ``coverage_50`` and ``coverage_90`` (share
    of truths inside the central 50% and 90% predictive intervals) each with ``_lower`` and
    ``_upper`` Wilson bounds at ``prob``, ``mean_pit`` (0.5 when calibrated; above: the truths
    tend to be larger than predicted) and ``median_abs_error_log10`` (of log10 active
    parameters, equally of log10 GFLOPs per token).

    Examples:
        >>> from energytrend import load_data
        >>> check = imputation_check(load_data("language_models"))
        >>> check["subset"].tolist()
        ['all', '2023+']
    """
    loo = imputation_loo(table)
    recent = loo[loo["release_date"] >= RECENT_FROM]
    return pd.DataFrame([_summary("all", loo, prob), _summary("2023+", recent, prob)])
