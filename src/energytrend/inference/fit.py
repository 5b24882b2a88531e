"""Orchestration: validate, build, sample (or load from the cache), check, and wrap.

``energytrend.fit("cv")`` is the entry point. Results are cached in the user's cache folder
under a key made of the package version, the data, the specification and the sampler
settings, so a repeated call returns in well under a second instead of resampling.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import xarray as xr

from energytrend.data.datasets import DEFAULT_DATA, check_data
from energytrend.data.hardware import Selection
from energytrend.data.tables import TableSource
from energytrend.inference.config import (
    DEFAULT_SEED,
    SAMPLERS,
    FitConfig,
    Sampler,
    cache_key,
    check_settings,
    code_version,
    numeric_environment,
    rule_pairs,
)
from energytrend.inference.engine import SamplerSettings, sample_nutpie, sample_pymc
from energytrend.inference.loading import attach_data, load, wrap
from energytrend.inference.persist import arrays_from_tree, save_result
from energytrend.inference.result import TrendFit
from energytrend.inference.store import ResultFileError, cache_dir
from energytrend.model.arrays import ModelData, Pooling
from energytrend.model.design import FitDomain, PreparedData, prepare
from energytrend.model.spec import resolve_spec

#: Names that lived here before the configuration, saving and loading got modules of their
#: own (:mod:`~energytrend.inference.config`, :mod:`~energytrend.inference.persist`,
#: :mod:`~energytrend.inference.loading`); they still import from here.
__all__ = [
    "DEFAULT_SEED",
    "SAMPLERS",
    "FitConfig",
    "Sampler",
    "arrays_from_tree",
    "attach_data",
    "cache_key",
    "check_settings",
    "code_version",
    "fit",
    "fit_prepared",
    "load",
    "numeric_environment",
    "sample",
    "save_result",
    "settings_of",
    "wrap",
]


def fit(
    domain: FitDomain = "cv",
    *,
    data: str = DEFAULT_DATA,
    cv_models: TableSource | None = None,
    nlp_models: TableSource | None = None,
    gpus: TableSource | None = None,
    throughput: TableSource | None = None,
    language_models: TableSource | None = None,
    rule: str | Mapping[str, str] = "thesis",
    per_token: bool = False,
    selection: Selection = "thesis",
    priors: Mapping[str, Any] | None = None,
    pooling: Pooling | None = None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = DEFAULT_SEED,
    sampler: Sampler = "nutpie",
    target_accept: float = 0.99,
    cache: bool = True,
    cache_path: str | Path | None = None,
    progressbar: bool | None = None,
) -> TrendFit:
    """Fit the hierarchical trend model of compute, hardware efficiency and energy.

    Args:
        domain: ``"cv"``, ``"nlp"``, ``"all"`` (both domains in one hierarchy), or
            ``"llm"``: language models 2018-2025, forward GFLOPs per *token* of their active
            parameters (:mod:`energytrend.data.llm`), whose energy is calibrated to MLPerf's
            language-model benchmarks; see :meth:`TrendFit.energy_per_query`.
        data: the named dataset, ``"2025"`` (default: the thesis's tables extended with
            public data through 2025) or ``"thesis"`` (the thesis's tables exactly as
            printed); see :func:`energytrend.data.datasets`.
        cv_models, nlp_models, gpus, throughput, language_models: your own tables, each a
            CSV path or a DataFrame (however pandas parsed it; see
            :func:`energytrend.load_table`), validated first; the dataset's tables are
            used for any left as ``None``.
        rule: frontier rule name, or a dict ``{"cv": ..., "nlp": ..., "llm": ...}``
            (see :func:`energytrend.rules_table`).
        per_token: divide NLP GFLOPs by the input length before fitting.
        selection: GPU rows of the efficiency series, ``"thesis"`` or ``"all_fp32"``.
        priors: overrides of ``models/priors.toml``, e.g.
            ``{"compute": {"slope_mu": {"sigma": 1.0}}}``.
        pooling: default (``None``) ``"none"`` for model v2, whose lines are one per
            domain (partial pooling of two lines is prior-driven and made the sampler fail
            its gate), and ``"partial"`` for v1's four lines; or ``"partial"``, ``"none"``
            (separate lines, as the thesis) or
            ``"complete"`` (one shared line).
        draws, tune, chains, seed, target_accept: sampler settings.
        sampler: ``"nutpie"`` (default) or ``"pymc"``; falls back to PyMC's NUTS with a
            warning when nutpie is not installed.
        cache: reuse a cached identical fit; ``cache_path`` overrides the cache folder.
        progressbar: show sampling progress; default only when stderr is a terminal.

    Returns:
        An immutable :class:`TrendFit`. If the fit fails the diagnostics gate, a
        :class:`DiagnosticsWarning` gives the numbers and ``result.passed`` is ``False``.
    """
    spec = resolve_spec(priors)
    if pooling is None:
        pooling = "partial" if spec["structure"]["kind"] == "two_lines" else "none"
    check_settings(draws, tune, chains, sampler, pooling, target_accept)
    if sampler == "nutpie" and importlib.util.find_spec("nutpie") is None:
        warnings.warn(
            "nutpie is not installed; sampling with PyMC's NUTS instead",
            RuntimeWarning,
            stacklevel=2,
        )
        sampler = "pymc"
    spec = resolve_spec(priors)
    config = FitConfig(
        domain=domain,
        data=check_data(data),
        rule=rule_pairs(rule, domain),
        per_token=per_token,
        selection=selection,
        pooling=pooling,
        draws=int(draws),
        tune=int(tune),
        chains=int(chains),
        seed=int(seed),
        sampler=sampler,
        target_accept=float(target_accept),
        spec=spec,
    )
    prepared = prepare(
        domain,
        data=config.data,
        cv_models=cv_models,
        nlp_models=nlp_models,
        gpus=gpus,
        throughput=throughput,
        language_models=language_models,
        rule=dict(config.rule),
        per_token=per_token,
        selection=selection,
        year_origin=config.year_origin,
        spec=spec,
    )
    result = fit_prepared(
        prepared, config, cache=cache, cache_path=cache_path, progressbar=progressbar
    )
    # the prior overrides as given, so that load() can check a custom-prior fit on its own
    tree = result.idata.copy()
    tree.attrs["priors"] = json.dumps(dict(priors or {}), sort_keys=True)
    return dataclasses.replace(result, idata=tree)


def fit_prepared(
    prepared: PreparedData,
    config: FitConfig,
    *,
    cache: bool = True,
    cache_path: str | Path | None = None,
    progressbar: bool | None = None,
) -> TrendFit:
    """Fit already prepared data (see :func:`energytrend.model.design.prepare`) with ``config``,
    through the cache. :func:`fit` is this after validating and preparing the tables."""
    key = cache_key(prepared.arrays, config)
    path = cache_dir(cache_path) / f"fit-{key}.nc"
    if cache and path.exists():
        try:
            cached = load(path, verify=False)
            # the same numbers may have been cached from the shipped tables or from a copy of
            # them passed as the user's own: record where this call's tables came from
            tree = cached.idata.copy()
            tree.attrs["own_tables"] = json.dumps(list(prepared.own_tables))
            return dataclasses.replace(cached, idata=tree)
        except (ResultFileError, OSError, KeyError, ValueError) as e:
            warnings.warn(
                f"ignoring a corrupt cache entry {path} ({e}); refitting",
                RuntimeWarning,
                stacklevel=2,
            )
            with contextlib.suppress(OSError):
                path.unlink()
    result = _sample(prepared, config, progressbar)
    if cache:
        save_result(result, path, key=key)
    return result


def settings_of(config: FitConfig) -> SamplerSettings:
    """The sampler settings of a fit configuration."""
    return SamplerSettings(
        draws=config.draws,
        tune=config.tune,
        chains=config.chains,
        seed=config.seed,
        target_accept=config.target_accept,
    )


def sample(data: ModelData, config: FitConfig, progressbar: bool | None = None) -> xr.DataTree:
    """Sample the model of ``data`` as ``config`` says; returns the DataTree with the
    posterior, sampler statistics, the data and the per-model energies.

    With nutpie the compiled model is reused for every later fit of the same structure in
    this process (:mod:`energytrend.inference.engine`).
    """
    if progressbar is None:
        progressbar = sys.stderr.isatty()
    run = sample_nutpie if config.sampler == "nutpie" else sample_pymc
    return run(data, config.spec, config.pooling, settings_of(config), progressbar)


def _sample(prepared: PreparedData, config: FitConfig, progressbar: bool | None) -> TrendFit:
    tree = sample(prepared.arrays, config, progressbar)
    return wrap(attach_data(tree, prepared), config)
