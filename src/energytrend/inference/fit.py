"""Orchestration: validate, build, sample (or load from the cache), check, and assemble.

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
from typing import Any

import xarray as xr

from energytrend.data.datasets import DEFAULT_DATA, check_data
from energytrend.data.frontier import get_rule
from energytrend.data.tables import TableSource
from energytrend.inference import cache
from energytrend.inference.config import (
    FitConfig,
    cache_key,
    check_settings,
    rule_pairs,
)
from energytrend.inference.engine import SamplerSettings, sample_nutpie, sample_pymc
from energytrend.inference.loading import (
    attach_data,
    fit_tables,
    load,
    make_result,
    read_fit,
    table_arguments,
)
from energytrend.inference.persist import save_result
from energytrend.inference.pymc_groups import with_pymc_groups
from energytrend.inference.result import TrendFit
from energytrend.inference.store import ResultFileError, cache_dir
from energytrend.model.arrays import ModelData
from energytrend.model.design import (
    FitDomain,
    PreparedData,
    domains_of,
    prepare,
    resolve_per_token,
    tables_used,
)
from energytrend.model.parts import model_parts
from energytrend.model.spec import resolve_spec


def fit(
    domain: FitDomain = "cv",
    *,
    data: str = DEFAULT_DATA,
    tables: Mapping[str, TableSource] | None = None,
    priors: Mapping[str, Any] | None = None,
    config: FitConfig | None = None,
) -> TrendFit:
    """Fit the trend model of compute, hardware efficiency and energy.

    Args:
        domain: ``"cv"``, ``"nlp"``, ``"all"`` (both domains in one model), or ``"llm"``:
            language models 2018-2025, forward GFLOPs per *token* of their active
            parameters, whose energy is calibrated to MLPerf's language-model benchmarks.
        data: the named dataset, ``"2025"`` (default: the thesis's tables extended with
            public data through 2025) or ``"thesis"`` (the thesis's tables exactly as
            printed); see :func:`energytrend.datasets`.
        tables: your own tables, ``{name: CSV path or DataFrame}`` with names
            ``cv_models``, ``nlp_models``, ``gpus``, ``inference_throughput`` or
            ``language_models``, validated first (see :func:`energytrend.load_data`); the
            dataset's table is used for any not given. A table the domain does not use is
            refused.
        priors: overrides of ``models/priors.toml``, e.g.
            ``{"compute": {"slope_mu": {"sigma": 1.0}}}``
            (``energytrend.thesis.V1_PRIORS`` gives v1's model).
        config: analysis and sampler settings, a :class:`FitConfig`.

    Returns:
        An immutable :class:`TrendFit`. If the fit fails the diagnostics gate, a
        :class:`DiagnosticsWarning` gives the numbers and ``result.passed`` is ``False``.

    Examples:
        >>> import energytrend as et
        >>> result = et.fit("nlp", config=et.FitConfig(draws=500, chains=2))
        >>> result.config.draws, result.domains
        (500, ['nlp'])
    """
    spec = resolve_spec(priors)
    config = _resolved(config or FitConfig(), domain, data, spec)
    given = table_arguments(tables)
    used = tables_used(domain, spec, config.data)
    unused = sorted(set(tables or {}) - set(used))
    if unused:
        raise ValueError(
            f"tables: a fit of {domain!r} does not use {', '.join(unused)}; it uses "
            f"{', '.join(used)}. Leave the others out."
        )
    prepared = prepare(
        domain,
        data=config.data,
        **given,
        rule=dict(config.rules),
        per_token=config.per_token,
        selection=config.selection,
        year_origin=config.year_origin,
        spec=spec,
    )
    return fit_prepared(prepared, config, priors=priors)


def _resolved(config: FitConfig, domain: FitDomain, data: str, spec: dict[str, Any]) -> FitConfig:
    """``config`` for this fit: its domain, dataset and specification, the rule pairs, the
    structure's default pooling, and a sampler that is installed."""
    pooling = dataclasses.replace(config, spec=spec).resolved_pooling
    rule = rule_pairs(config.rule, domain)
    for d, r in rule:
        if d in domains_of(domain):
            get_rule(d, r)  # an unknown rule is named first
    if spec["structure"]["kind"] == "quantile" and any(r != "thesis" for _, r in rule):
        raise ValueError(
            f"rule={config.rule!r} has no effect here: the default model's frontier is the "
            f"{spec['structure']['frontier_quantile']:g} quantile of each year's new models, "
            "not a set of frontier models. A frontier rule applies to the thesis's two lines "
            "(priors=energytrend.thesis.V1_PRIORS)."
        )
    check_settings(
        config.draws, config.tune, config.chains, config.sampler, pooling, config.target_accept
    )
    sampler = config.sampler
    if sampler == "nutpie" and importlib.util.find_spec("nutpie") is None:
        warnings.warn(
            "nutpie is not installed; sampling with PyMC's NUTS instead",
            RuntimeWarning,
            stacklevel=3,
        )
        sampler = "pymc"
    return dataclasses.replace(
        config,
        domain=domain,
        data=check_data(data),
        rule=rule,
        per_token=resolve_per_token(config.per_token, data, domain),
        pooling=pooling,
        sampler=sampler,
        draws=int(config.draws),
        tune=int(config.tune),
        chains=int(config.chains),
        seed=int(config.seed),
        target_accept=float(config.target_accept),
        spec=spec,
    )


def fit_prepared(
    prepared: PreparedData, config: FitConfig, *, priors: Mapping[str, Any] | None = None
) -> TrendFit:
    """Fit already prepared data (see :func:`energytrend.model.design.prepare`) with a
    resolved ``config``, through the cache. :func:`fit` is this after validating and
    preparing the tables; ``priors`` (the overrides as given) are recorded with the fit."""
    key = cache_key(prepared.arrays, config)
    path = cache_dir(config.cache_path) / f"fit-{key}.nc"
    tree: xr.DataTree | None = None
    diag = None
    if config.cache and path.exists():
        try:
            tree, _, diag = read_fit(path)
            cache.used(path)
        except (ResultFileError, OSError, KeyError, ValueError) as e:
            warnings.warn(
                f"ignoring a corrupt cache entry {path} ({e}); refitting",
                RuntimeWarning,
                stacklevel=2,
            )
            with contextlib.suppress(OSError):
                path.unlink()
    fresh = tree is None
    if tree is None:
        tree = sample(prepared.arrays, config)
        tree = with_pymc_groups(attach_data(tree, prepared), prepared.arrays, config)
    tree = tree.copy()
    # the same numbers may have been cached from the shipped tables or from a copy of them
    # passed as the user's own: record where this call's tables came from, and the overrides
    tree.attrs["own_tables"] = json.dumps(list(prepared.own_tables))
    tree.attrs["priors"] = json.dumps(dict(priors or {}), sort_keys=True)
    tree.attrs["parts"] = json.dumps(model_parts(config.spec, prepared.arrays).names())
    result = make_result(tree, config, diag, fit_tables(prepared))
    if config.cache and fresh:
        save_result(result, path, key=key)
        cache.kept(path)
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


def sample(data: ModelData, config: FitConfig) -> xr.DataTree:
    """Sample the model of ``data`` as ``config`` says; returns the DataTree with the
    posterior, sampler statistics, the data and the per-model energies.

    With nutpie the compiled model is reused for every later fit of the same structure in
    this process (:mod:`energytrend.inference.engine`).
    """
    progressbar = sys.stderr.isatty() if config.progressbar is None else config.progressbar
    run = sample_nutpie if config.sampler == "nutpie" else sample_pymc
    return run(data, config.spec, config.resolved_pooling, settings_of(config), progressbar)


__all__ = ["fit", "fit_prepared", "load", "sample", "settings_of"]
