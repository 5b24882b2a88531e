"""From validated tables to the arrays of :class:`~energytrend.model.build.ModelData`.

This is where the analysis choices that are not priors live: which domains, which frontier
rule, which GPU selection, and whether NLP compute is normalised per input token.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from energytrend.data.baseline import models_frame
from energytrend.data.datasets import DEFAULT_DATA, check_data, load_data, tables_of
from energytrend.data.hardware import Domain, Selection, efficiency_series
from energytrend.data.imputation import imputed_models, tokens_per_parameter_fit
from energytrend.data.llm import LLM_TABLE, llm_models_frame
from energytrend.data.nlp_language import IMPUTED_SOURCE, nlp_language_frame
from energytrend.data.precision import PRECISIONS, precision_at, precision_eras_from_config
from energytrend.data.schema import (
    CV_MODELS,
    GPUS,
    INFERENCE_THROUGHPUT,
    LANGUAGE_MODELS,
    NLP_MODELS,
)
from energytrend.data.tables import TableSource, decimal_year, load_table
from energytrend.model.arrays import ModelData
from energytrend.model.design_efficiency import efficiency_extras, precision_points
from energytrend.model.spec import resolve_spec

FitDomain = Literal["cv", "nlp", "all", "llm"]
FIT_DOMAINS: tuple[FitDomain, ...] = ("cv", "nlp", "all", "llm")
GROUPS = ("frontier", "all")
#: Key of the language-models table that joins the NLP domain of the ``"2025"`` dataset.
LANGUAGE = "language_models"


@dataclass(frozen=True, eq=False)
class PreparedData:
    """The model arrays plus the tidy tables they came from (one row per ``obs`` / ``gpu``)."""

    arrays: ModelData
    models: pd.DataFrame
    gpus: pd.DataFrame
    domains: tuple[str, ...]
    #: The tables the user supplied (``"cv_models"``, ...); empty when all are shipped.
    own_tables: tuple[str, ...] = ()
    #: The language models joined to NLP, whose closed models are imputed (the imputation is
    #: refitted on what was known before a backtest's cut-off: :func:`before`); else None.
    language: pd.DataFrame | None = None


def domains_of(domain: FitDomain) -> tuple[str, ...]:
    """The model domains a fit domain holds: ``"all"`` is CV and NLP in one hierarchy; the
    language models per token (``"llm"``) are fitted on their own."""
    if domain not in FIT_DOMAINS:
        raise ValueError(f"domain must be one of {FIT_DOMAINS}, got {domain!r}")
    return ("cv", "nlp") if domain == "all" else (domain,)


def _llm_table(data: str, own: TableSource | None) -> pd.DataFrame:
    if own is not None:
        return load_table(own, LANGUAGE_MODELS)
    if LLM_TABLE not in tables_of(data):
        raise ValueError(
            f"the llm domain fits the {LLM_TABLE!r} table, which the {data!r} dataset does not "
            "have; use data='2025' or pass language_models="
        )
    return load_data(LLM_TABLE, data)


def model_frame(
    d: str, tables: Mapping[str, pd.DataFrame], rule: str, per_token: bool
) -> pd.DataFrame:
    """One domain's models (from ``tables[d]``) with ``label``, ``accuracy`` and the fitted
    ``compute`` (GFLOPs per forward pass, or per token for ``llm`` and per-token NLP).

    With the language models in ``tables`` (key ``"language_models"``), NLP is the joined
    NLP/language domain per token (:func:`~energytrend.data.nlp_language.nlp_language_frame`)."""
    if d == "nlp" and LANGUAGE in tables:
        m = nlp_language_frame(tables[d], tables[LANGUAGE], rule=rule)
        m["label"] = _labels(m)
        m["accuracy"] = m["glue_score"]
        m["compute"] = m["gflops"]
        return m
    if d == "llm":
        m = llm_models_frame(tables[d], rule=rule)
        m["label"] = _labels(m)
        m["accuracy"] = np.nan
        m["compute"] = m["gflops"]
        return m
    m = models_frame(cast(Domain, d), tables[d], rule=rule)
    m["label"] = _labels(m)
    m["accuracy"] = m["top1_accuracy"] if d == "cv" else m["glue_score"]
    m["compute"] = m["gflops"] / m["input_tokens"] if d == "nlp" and per_token else m["gflops"]
    return m


def _rule_for(rule: str | Mapping[str, str], domain: str) -> str:
    return rule if isinstance(rule, str) else rule.get(domain, "thesis")


def _labels(df: pd.DataFrame) -> pd.Series:
    label = df["model"].astype(str)
    dup = label.duplicated(keep=False)
    if "extra_data" in df and dup.any():
        label = label.where(~dup, label + " [" + df["extra_data"].astype(str) + "]")
    return label


def joins_language(data: str) -> bool:
    """Whether NLP is the joined NLP/language domain per token: in the ``"2025"`` dataset,
    with its language models (or a user's ``language_models`` table in their place); not in
    the thesis's tables."""
    return LLM_TABLE in tables_of(data)


def resolve_per_token(per_token: bool | None, data: str, domain: FitDomain) -> bool:
    """NLP's unit: per token (``True``) or per forward pass. ``None`` chooses per token where
    NLP joins the language models (the ``"2025"`` dataset) and per forward pass on the thesis's
    tables; per forward pass cannot be asked of the joined domain, whose language models have
    no input length.

    Examples:
        >>> resolve_per_token(None, "2025", "all"), resolve_per_token(None, "thesis", "all")
        (True, False)
    """
    joined = "nlp" in domains_of(domain) and joins_language(data)
    if per_token is None:
        return joined
    if not per_token and joined:
        raise ValueError(
            f"per_token=False: the {data!r} dataset's NLP domain holds the language models, "
            "whose compute is per token; use data='thesis' for the thesis's NLP per forward pass"
        )
    return bool(per_token)


def tables_used(
    domain: FitDomain, spec: Mapping[str, Any], data: str = DEFAULT_DATA
) -> tuple[str, ...]:
    """The tables a fit of ``domain`` under ``spec`` on dataset ``data`` reads (names as in
    :func:`energytrend.datasets`): the domain's models (NLP joins the language models in the
    ``"2025"`` dataset), the GPUs, and the measured speed-ups of thesis Table B.2 for v1's
    adapted efficiency series.

    Examples:
        >>> tables_used("llm", resolve_spec())
        ('language_models', 'gpus')
        >>> tables_used("nlp", resolve_spec())
        ('nlp_models', 'language_models', 'gpus')
    """
    domains = domains_of(domain)
    out = [f"{d}_models" for d in domains if d in ("cv", "nlp")]
    joined = "nlp" in domains and joins_language(data)
    out += ["language_models"] if "llm" in domains or joined else []
    out.append("gpus")
    if spec["efficiency"]["kind"] == "thesis":
        out.append("inference_throughput")
    return tuple(out)


def prepare(
    domain: FitDomain,
    *,
    data: str = DEFAULT_DATA,
    cv_models: TableSource | None = None,
    nlp_models: TableSource | None = None,
    gpus: TableSource | None = None,
    throughput: TableSource | None = None,
    rule: str | Mapping[str, str] = "thesis",
    per_token: bool | None = None,
    selection: Selection = "thesis",
    year_origin: float = 2018.0,
    spec: Mapping[str, Any] | None = None,
    language_models: TableSource | None = None,
) -> PreparedData:
    """Validate the tables (users' own, or those of the named dataset ``data``, see
    :mod:`energytrend.data.datasets`) and build the model arrays.

    NLP's unit is :func:`resolve_per_token`'s: ``per_token=True`` divides NLP GFLOPs by
    ``input_tokens`` (the thesis counts each NLP model at its own input length, 128 to 2,048
    tokens); the default is per token with the ``"2025"`` dataset, whose NLP domain joins the
    language models (:func:`~energytrend.data.nlp_language.nlp_language_frame`), and per
    forward pass with the thesis's tables.

    ``spec`` (default: the shipped specification) chooses the layout. Structure
    ``"quantile"`` lists every model once, on its domain's ``all`` line (the frontier is a
    quantile of that line's distribution); ``"two_lines"`` lists frontier models a second time
    on the ``frontier`` line, as the thesis fits them. Efficiency ``"precision"`` gives one GPU
    series per numeric precision (:func:`energytrend.data.precision.precision_series`), plus the
    measured speed-ups and MLPerf energy; ``"thesis"`` each domain's adapted series.
    """
    spec = resolve_spec() if spec is None else spec
    structure = spec["structure"]["kind"]
    domains = domains_of(domain)
    check_data(data)
    if "llm" in domains and spec["efficiency"]["kind"] != "precision":
        raise ValueError(
            "the llm domain needs the precision efficiency model (priors efficiency.kind = "
            "'precision'); v1's adapted GPU series belong to the thesis's CV and NLP models"
        )
    tables: dict[str, pd.DataFrame] = {}
    if "cv" in domains:
        tables["cv"] = (
            load_data("cv_models", data) if cv_models is None else load_table(cv_models, CV_MODELS)
        )
    if "nlp" in domains:
        tables["nlp"] = (
            load_data("nlp_models", data)
            if nlp_models is None
            else load_table(nlp_models, NLP_MODELS)
        )
    if "llm" in domains:
        tables["llm"] = _llm_table(data, language_models)
    per_token = resolve_per_token(per_token, data, domain)
    if "nlp" in domains and joins_language(data):
        tables[LANGUAGE] = _llm_table(data, language_models)
    gpu_table = load_data("gpus", data) if gpus is None else load_table(gpus, GPUS)
    tp_table = (
        load_data("inference_throughput", data)
        if throughput is None
        else load_table(throughput, INFERENCE_THROUGHPUT)
    )

    model_rows = []
    gpu_rows = []
    for d in domains:
        m = model_frame(d, tables, _rule_for(rule, d), per_token)
        for group in GROUPS:
            sub = m[m["frontier"]] if group == "frontier" else m
            if structure == "quantile" and group == "frontier":
                continue
            if len(sub) < 3:
                raise ValueError(
                    f"the {d} {group} group has {len(sub)} models; a trend needs "
                    "at least 3 (choose another frontier rule or add data)"
                )
            model_rows.append(sub.assign(domain=d, group=group))
        if spec["efficiency"]["kind"] == "thesis":
            s = efficiency_series(
                cast(Domain, d), gpus=gpu_table, throughput=tp_table, selection=selection
            )
            s["label"] = s["gpu"] + " " + s["precision"]
            gpu_rows.append(s.assign(domain=d, server=s["type"] == "Server"))
    models = pd.concat(model_rows, ignore_index=True)
    models["line"] = models["domain"] + "/" + models["group"]
    groups = tuple(f"{d}/{g}" for d in domains for g in GROUPS)
    if spec["efficiency"]["kind"] == "thesis":
        gpu_df = pd.concat(gpu_rows, ignore_index=True)
        series: tuple[str, ...] = tuple(domains)
        group_series = np.array([series.index(g.split("/")[0]) for g in groups])
        extra: dict[str, np.ndarray] = {}
    else:
        gpu_df = precision_points(data, None if gpus is None else gpu_table)
        series = tuple(p for p in PRECISIONS if p in set(gpu_df["domain"]))
        eras = precision_eras_from_config(spec["precision"])
        last = {str(d): float(models.loc[models["domain"] == d, "year"].max()) for d in domains}
        era = {d: str(precision_at([t], eras)[0]) for d, t in last.items()}
        group_series = np.array([series.index(era[g.split("/")[0]]) for g in groups])
        extra = efficiency_extras(data, gpu_df, series, spec, year_origin, domains)
    arrays = ModelData(
        groups=groups,
        group_series=group_series,
        series=series,
        obs=tuple(models["line"] + "/" + models["label"]),
        obs_group=np.array([groups.index(g) for g in models["line"]]),
        obs_t=decimal_year(models["release_date"]) - year_origin,
        obs_y=np.log10(models["compute"].to_numpy(dtype=float)),
        gpu=tuple(gpu_df["domain"] + "/" + gpu_df["label"]),
        gpu_series=np.array([series.index(d) for d in gpu_df["domain"]]),
        gpu_t=gpu_df["year"].to_numpy(dtype=float) - year_origin,
        gpu_y=np.log10(gpu_df["gflops_per_watt"].to_numpy(dtype=float)),
        year_origin=float(year_origin),
        obs_sd=_imputation_sd(models),
        **extra,
    )
    own = tuple(
        name
        for name, table in (
            ("cv_models", cv_models),
            ("nlp_models", nlp_models),
            ("gpus", gpus),
            ("inference_throughput", throughput),
            ("language_models", language_models),
        )
        if table is not None
    )
    prepared = PreparedData(
        arrays=arrays,
        models=models,
        gpus=gpu_df,
        domains=domains,
        own_tables=own,
        language=tables.get(LANGUAGE),
    )
    return without_sparse_series(prepared, warn=True)


def _imputation_sd(models: pd.DataFrame) -> np.ndarray:
    """``obs_sd`` of the models: the imputation's sd of each imputed model, 0 for measured
    ones; empty when no model is imputed."""
    if "log10_gflops_sd" not in models:
        return np.zeros(0)
    out: np.ndarray = models["log10_gflops_sd"].fillna(0.0).to_numpy(dtype=float)
    return out


def _reimputed(prepared: PreparedData, cutoff: float) -> PreparedData:
    """``prepared`` with its imputed models' compute re-imputed from the models with both
    counts released before ``cutoff``: a forecaster then did not know the later ones."""
    imputed = prepared.models.get("source", pd.Series(dtype=str)).eq(IMPUTED_SOURCE)
    if prepared.language is None or not imputed.any():
        return prepared
    fit = tokens_per_parameter_fit(prepared.language, known_before=cutoff)
    names = prepared.models.loc[imputed, "model"]
    rows = prepared.language[prepared.language["model"].isin(names)]
    new = imputed_models(rows, fit=fit).set_index("model").loc[names]
    models = prepared.models.copy()
    models.loc[imputed, "compute"] = new["gflops_per_token_median"].to_numpy()
    models.loc[imputed, "log10_gflops_sd"] = new["log10_gflops_scale"].to_numpy()
    arrays = replace(
        prepared.arrays,
        obs_y=np.log10(models["compute"].to_numpy(dtype=float)),
        obs_sd=_imputation_sd(models),
    )
    return replace(prepared, arrays=arrays, models=models)


def before(prepared: PreparedData, cutoff: float) -> PreparedData:
    """Only the models released, the GPU points launched and the speed-ups and MLPerf runs
    measured before ``cutoff`` (a decimal year): the data a forecaster had at that date.
    Frontier flags, the v1 efficiency adaptation and the changepoint knots are those of the
    full data (knots after the cut-off carry no data: they are the forecast's future bends)."""
    prepared = _reimputed(prepared, cutoff)
    a = prepared.arrays
    keep_obs = a.obs_t + a.year_origin < cutoff
    keep_gpu = a.gpu_t + a.year_origin < cutoff
    arrays = replace(
        a,
        obs=tuple(np.asarray(a.obs, dtype=object)[keep_obs]),
        obs_group=a.obs_group[keep_obs],
        obs_t=a.obs_t[keep_obs],
        obs_y=a.obs_y[keep_obs],
        obs_sd=a.obs_sd[keep_obs] if a.obs_sd.size else a.obs_sd,
        gpu=tuple(np.asarray(a.gpu, dtype=object)[keep_gpu]),
        gpu_series=a.gpu_series[keep_gpu],
        gpu_t=a.gpu_t[keep_gpu],
        gpu_y=a.gpu_y[keep_gpu],
        gpu_server=a.gpu_server[keep_gpu] if a.gpu_server.size else a.gpu_server,
        sp_series=a.sp_series[a.sp_t + a.year_origin < cutoff],
        sp_t=a.sp_t[a.sp_t + a.year_origin < cutoff],
        sp_y=a.sp_y[a.sp_t + a.year_origin < cutoff],
        real_t=a.real_t[a.real_t + a.year_origin < cutoff],
        real_y=a.real_y[a.real_t + a.year_origin < cutoff],
    )
    cut = replace(
        prepared,
        arrays=arrays,
        models=prepared.models[keep_obs].reset_index(drop=True),
        gpus=prepared.gpus[keep_gpu].reset_index(drop=True),
    )
    return without_sparse_series(cut)


#: Fewest chips a precision series needs to be fitted: with one or two, its line, scatter and
#: bends are not identified, and the posterior has a funnel that the sampler cannot cross
#: (divergent transitions at the backtest origins 2017-2020, when INT8 had 1-2 chips).
MIN_CHIPS = 3


def without_sparse_series(
    prepared: PreparedData, min_chips: int = MIN_CHIPS, *, warn: bool = False
) -> PreparedData:
    """``prepared`` without the precision series that have fewer than ``min_chips`` chips
    (their chips, knots and speed-ups are dropped too). A group whose era's precision is
    dropped uses the nearest earlier precision that is kept, as a forecast does for an era
    without data (:func:`energytrend.forecast.trend.era_series`). The thesis's adapted series
    (v1) are left as they are. ``warn``: say which series were left out (a user's table)."""
    a = prepared.arrays
    if not set(a.series) <= set(PRECISIONS):
        return prepared
    counts = np.bincount(a.gpu_series, minlength=len(a.series))
    keep = [k for k in range(len(a.series)) if counts[k] >= min_chips]
    if len(keep) == len(a.series) or not keep:
        return prepared
    new = {old: i for i, old in enumerate(keep)}
    series = tuple(a.series[k] for k in keep)
    if warn:
        dropped = ", ".join(
            f"{a.series[k]} ({counts[k]} chips)" for k in range(len(a.series)) if k not in new
        )
        warnings.warn(
            f"efficiency series left out of the fit, a trend needs {min_chips} chips: {dropped}; "
            "add chips of that precision to the gpus table to fit it",
            UserWarning,
            stacklevel=3,
        )

    def remap(index: np.ndarray) -> np.ndarray:
        return np.array([new[int(k)] for k in index], dtype=int)

    def fallback(k: int) -> int:
        earlier = [
            j for j in keep if PRECISIONS.index(a.series[j]) <= PRECISIONS.index(a.series[k])
        ]
        return new[earlier[-1] if earlier else keep[0]]

    on_gpu = np.isin(a.gpu_series, keep)
    on_knot = np.isin(a.eff_knot_series, keep)
    on_sp = np.isin(a.sp_series, keep)
    arrays = replace(
        a,
        series=series,
        group_series=np.array([fallback(int(k)) for k in a.group_series], dtype=int),
        gpu=tuple(np.asarray(a.gpu, dtype=object)[on_gpu]),
        gpu_series=remap(a.gpu_series[on_gpu]),
        gpu_t=a.gpu_t[on_gpu],
        gpu_y=a.gpu_y[on_gpu],
        gpu_server=a.gpu_server[on_gpu] if a.gpu_server.size else a.gpu_server,
        eff_knot_series=remap(a.eff_knot_series[on_knot]),
        eff_knot_t=a.eff_knot_t[on_knot],
        sp_series=remap(a.sp_series[on_sp]),
        sp_t=a.sp_t[on_sp],
        sp_y=a.sp_y[on_sp],
    )
    return replace(prepared, arrays=arrays, gpus=prepared.gpus[on_gpu].reset_index(drop=True))
