"""Orchestration: validate, build, sample (or load from the cache), check, and wrap.

``energytrend.fit("cv")`` is the entry point. Results are cached in the user's cache folder
under a key made of the package version, the data, the specification and the sampler
settings, so a repeated call returns in well under a second instead of resampling.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.metadata
import importlib.util
import json
import sys
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import xarray as xr

from energytrend._version import __version__ as VERSION
from energytrend.data.datasets import DEFAULT_DATA, check_data
from energytrend.data.hardware import Selection
from energytrend.data.tables import TableSource
from energytrend.inference import diagnostics
from energytrend.inference.arviz_groups import with_arviz_groups
from energytrend.inference.engine import SamplerSettings, sample_nutpie, sample_pymc
from energytrend.inference.result import TrendFit
from energytrend.inference.store import (
    ResultFileError,
    cache_dir,
    dataset_to_frame,
    frame_to_dataset,
    json_attr,
    read_result,
    write_result,
)
from energytrend.model.arrays import POOLINGS, ModelData, Pooling
from energytrend.model.design import FitDomain, PreparedData, prepare
from energytrend.model.spec import Spec, diff_specs, digest, resolve_spec

Sampler = Literal["nutpie", "pymc"]
SAMPLERS: tuple[Sampler, ...] = ("nutpie", "pymc")

#: Seed used when none is given (the thesis's year).
DEFAULT_SEED = 2021

MODEL_COLUMNS = (
    "domain",
    "group",
    "line",
    "model",
    "label",
    "release_date",
    "year",
    "gflops",
    "compute",
    "input_tokens",
    "accuracy",
    "extra_data",
    "architecture",
    "frontier",
)
GPU_COLUMNS = (
    "domain",
    "gpu",
    "precision",
    "label",
    "adapted",
    "tflops",
    "watts",
    "launch_date",
    "type",
    "gflops_per_watt",
    "year",
)


@dataclass(frozen=True)
class FitConfig:
    """Everything that determines a fit besides the data: analysis choices, sampler settings
    and the resolved prior specification."""

    domain: FitDomain = "cv"
    data: str = DEFAULT_DATA
    rule: tuple[tuple[str, str], ...] = (("cv", "thesis"), ("nlp", "thesis"))
    per_token: bool = False
    selection: Selection = "thesis"
    pooling: Pooling = "partial"
    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    seed: int = DEFAULT_SEED
    sampler: Sampler = "nutpie"
    target_accept: float = 0.99
    spec: Spec = field(default_factory=resolve_spec, compare=False)

    @property
    def year_origin(self) -> float:
        """The decimal year that is time 0 of the model (``spec["time"]["year_origin"]``)."""
        return float(self.spec["time"]["year_origin"])

    def to_json(self) -> dict[str, Any]:
        """The configuration without the specification, as JSON-able data."""
        d = asdict(self)
        d.pop("spec")
        d["rule"] = [list(r) for r in self.rule]
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any], spec: Spec) -> FitConfig:
        d = dict(d)
        d["rule"] = tuple(tuple(r) for r in d["rule"])
        d.setdefault("data", "thesis")  # files written before datasets existed
        return cls(**d, spec=spec)


#: Libraries whose installed versions are part of every cache key: a cached fit made with
#: another version of any of them is never reused.
KEYED_LIBRARIES = ("pymc", "pytensor", "nutpie", "numba", "numpy", "arviz", "llvmlite")


def numeric_environment() -> dict[str, Any]:
    """What the compiled floating-point code depends on besides the model: the installed
    versions of :data:`KEYED_LIBRARIES`, energytrend's numeric flags, and the CPU that numba
    compiles for (``NUMBA_CPU_NAME`` when set, else the host's)."""
    import os

    import llvmlite.binding

    from energytrend.inference.engine import NUMERIC_FLAGS

    versions: dict[str, str | None] = {}
    for name in KEYED_LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    cpu = os.environ.get("NUMBA_CPU_NAME") or llvmlite.binding.get_host_cpu_name()
    return {"versions": versions, "flags": NUMERIC_FLAGS, "cpu": cpu}


@functools.cache
def code_version() -> str:
    """What else makes a cached fit stale: the model and sampling code, and
    :func:`numeric_environment` (library versions, numeric flags, CPU)."""
    from energytrend.inference import engine
    from energytrend.model import arrays, build, efficiency

    modules = (arrays, build, efficiency, engine)
    sources = [Path(m.__file__).read_text(encoding="utf-8") for m in modules if m.__file__]
    return digest(VERSION, numeric_environment(), sources)


def cache_key(arrays: ModelData, config: FitConfig) -> str:
    """The cache key of a fit: code, data, specification and settings."""
    return digest(code_version(), arrays.fingerprint(), config.spec, config.to_json())[:32]


def _rule_pairs(rule: str | Mapping[str, str], domain: str = "cv") -> tuple[tuple[str, str], ...]:
    """(domain, frontier rule) pairs of a fit: CV and NLP for those domains, as before the
    language models existed (so their cache keys are unchanged), or the ``llm`` rule."""
    keys = ("llm",) if domain == "llm" else ("cv", "nlp")
    if isinstance(rule, str):
        return tuple((k, rule) for k in keys)
    unknown = set(rule) - {"cv", "nlp", "llm"}
    if unknown:
        raise ValueError(f"rule keys must be 'cv', 'nlp' or 'llm', got {sorted(unknown)}")
    return tuple((k, rule.get(k, "thesis")) for k in keys)


def check_settings(
    draws: int, tune: int, chains: int, sampler: str, pooling: str, target_accept: float
) -> None:
    """Raise ``ValueError`` for a sampler setting :func:`fit` cannot use."""
    for name, value, least in (("draws", draws, 1), ("tune", tune, 0), ("chains", chains, 1)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < least:
            raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    if not 0.5 <= target_accept < 1:
        raise ValueError(f"target_accept must be in [0.5, 1), got {target_accept}")


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
        rule=_rule_pairs(rule, domain),
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
    return _wrap(_attach_data(tree, prepared), config)


def _attach_data(tree: xr.DataTree, prepared: PreparedData) -> xr.DataTree:
    models = prepared.models.reindex(columns=list(MODEL_COLUMNS))
    gpus = prepared.gpus.reindex(columns=list(GPU_COLUMNS))
    tree = tree.copy()
    tree["energytrend_data"] = xr.DataTree(
        children={
            "models": xr.DataTree(frame_to_dataset(models, "obs", list(prepared.arrays.obs))),
            "gpus": xr.DataTree(frame_to_dataset(gpus, "point", list(prepared.arrays.gpu))),
        }
    )
    tree.attrs["year_origin"] = prepared.arrays.year_origin
    # which tables were the user's own: load checks against the shipped data only when none
    tree.attrs["own_tables"] = json.dumps(list(prepared.own_tables))
    return tree


def _wrap(
    tree: xr.DataTree, config: FitConfig, diag: diagnostics.Diagnostics | None = None
) -> TrendFit:
    if diag is None:
        diag = diagnostics.check(tree)
    data = tree["energytrend_data"]
    result = TrendFit(
        idata=tree,
        config=config,
        models=dataset_to_frame(data["models"].to_dataset(), "obs"),
        gpus=dataset_to_frame(data["gpus"].to_dataset(), "point"),
        diagnostics=diag,
    )
    result = dataclasses.replace(result, idata=with_arviz_groups(tree, result))
    if not diag.passed:
        warnings.warn(
            f"fit of {config.domain!r} failed its diagnostics: "
            + "; ".join(diag.failures)
            + ". Increase tune/draws or target_accept, or revisit the priors.",
            diagnostics.DiagnosticsWarning,
            stacklevel=3,
        )
    return result


def arrays_from_tree(tree: xr.DataTree) -> ModelData:
    """Rebuild the model arrays from a result's constant data (for hashing on load)."""
    cd = tree["constant_data"].to_dataset()
    post = tree["posterior"].to_dataset()
    observed = tree["observed_data"].to_dataset()
    return ModelData(
        groups=tuple(str(g) for g in post["group"].values),
        group_series=cd["group_series"].to_numpy(),
        series=tuple(str(s) for s in post["series"].values),
        obs=tuple(str(o) for o in cd["obs"].values),
        obs_group=cd["obs_group"].to_numpy(),
        obs_t=cd["obs_t"].to_numpy(),
        obs_y=observed["log10_gflops"].to_numpy(),
        gpu=tuple(str(g) for g in cd["gpu"].values),
        gpu_series=cd["gpu_series"].to_numpy(),
        gpu_t=cd["gpu_t"].to_numpy(),
        gpu_y=observed["log10_gflops_per_watt"].to_numpy(),
        year_origin=float(tree.attrs["year_origin"]),
        **{name: cd[name].to_numpy() for name in ModelData.EXTRA if name in cd},
    )


def save_result(result: TrendFit, path: Path, key: str = "") -> Path:
    """Write ``result`` to ``path`` as netCDF with version, spec, config, seed and hashes."""
    arrays = arrays_from_tree(result.idata)
    spec = result.config.spec
    attrs = {
        "energytrend_version": VERSION,
        "spec": json.dumps(spec, sort_keys=True),
        "config": json.dumps(result.config.to_json(), sort_keys=True),
        "seed": result.config.seed,
        "data_hash": digest(arrays.fingerprint()),
        "spec_hash": digest(spec),
        "key": key or cache_key(arrays, result.config),
    }
    tree = result.idata.copy()
    tree[diagnostics.GROUP] = xr.DataTree(diagnostics.to_dataset(result.diagnostics))
    write_result(tree, Path(path), attrs)
    return Path(path)


TABLE_ARGUMENTS = ("cv_models", "nlp_models", "gpus", "throughput")


def load(
    path: str | Path,
    *,
    verify: bool = True,
    priors: Mapping[str, Any] | None = None,
    cv_models: TableSource | None = None,
    nlp_models: TableSource | None = None,
    gpus: TableSource | None = None,
    throughput: TableSource | None = None,
) -> TrendFit:
    """Load a result saved by :meth:`TrendFit.save`.

    A saved result carries the data it was fitted to, so ``load(path)`` alone works for any
    fit, of the shipped tables or of your own.

    The file's content hash is always re-checked: a file in which anything changed since it
    was written (the posterior included) is refused, naming what changed. With
    ``verify=True`` (default) the file is also compared with the data it should describe:

    * a fit of a named dataset (``data=``, see :func:`energytrend.data.datasets`) is compared
      with that dataset as shipped now;
    * a fit of your own tables is compared only with the tables you pass here (pass the
      same ones you passed to :func:`energytrend.fit`, as paths or DataFrames);

    and with the specification ``priors`` gives (default: the prior overrides the fit was
    made with, on today's ``models/priors.toml``). Any difference raises
    :class:`ResultFileError` saying what differs and what to pass.

    Raises:
        ResultFileError: naming ``path``: missing, unreadable, not a result, modified, or
            made from other data or another specification than expected.
    """
    path = Path(path)
    tree = read_result(path)
    spec = json_attr(tree, "spec")
    config = FitConfig.from_json(json_attr(tree, "config"), spec)
    arrays = arrays_from_tree(tree)
    if (
        digest(arrays.fingerprint()) != tree.attrs["data_hash"]
        or digest(spec) != tree.attrs["spec_hash"]
    ):
        raise ResultFileError(
            f"{path}: its data or specification no longer match the hashes "
            "stored with it; the file was modified or is corrupt",
            path,
        )
    own = tuple(json.loads(tree.attrs.get("own_tables", "[]")))
    given = {
        name: table
        for name, table in zip(
            TABLE_ARGUMENTS, (cv_models, nlp_models, gpus, throughput), strict=True
        )
        if table is not None
    }
    if verify:
        # without priors=, the file's own overrides on today's models/priors.toml: a fit with
        # custom priors loads on its own, and a changed default is still noticed
        overrides = priors if priors is not None else json.loads(tree.attrs.get("priors", "{}"))
        problems = [f"specification {d}" for d in diff_specs(spec, resolve_spec(overrides))]
        if not own or given:
            # a fit of a named dataset is compared with that dataset (any table passed
            # replaces the dataset's); a fit of your own tables only with the tables passed
            expected = prepare(
                config.domain,
                data=config.data,
                **given,
                rule=dict(config.rule),
                per_token=config.per_token,
                selection=config.selection,
                year_origin=float(tree.attrs["year_origin"]),
                spec=spec,
            )
            problems = _data_differences(arrays, expected.arrays) + problems
        if problems:
            raise ResultFileError(
                f"{path} was made from other data or another specification "
                "than expected:\n  "
                + "\n  ".join(problems[:20])
                + "\n"
                + _hint(own, given, config.data),
                path,
            )
    stored = tree.children.get(diagnostics.GROUP)
    if stored is not None:
        del tree[diagnostics.GROUP]
    # the cache (verify=False) trusts the diagnostics computed when it was written; a file
    # handed in by a user has them recomputed from its draws
    diag = None if verify or stored is None else diagnostics.from_dataset(stored.to_dataset())
    return _wrap(tree, config, diag)


def _hint(own: tuple[str, ...], given: Mapping[str, object], data: str) -> str:
    """What to pass to :func:`load` when the comparison found differences."""
    if own:
        tables = ", ".join(f"{t}=..." for t in own)
        return (
            f"The fit was made from your own {', '.join(own)}; to check it pass the same "
            f"tables ({tables}), or load it with verify=False (its content hash still protects "
            "it); pass priors=... if it was fitted with other priors."
        )
    if given:
        return (
            f"The fit was made from the shipped dataset {data!r}; load it without the tables "
            "you passed to compare with those, or with verify=False."
        )
    return (
        f"The fit was made from the shipped dataset {data!r} of another version of "
        "energytrend, or with other priors: pass priors=... as when fitting, or load it with "
        "verify=False to use it as it is."
    )


def _data_differences(saved: ModelData, expected: ModelData) -> list[str]:
    out = []
    for name, mine, theirs in (
        ("models", saved.obs, expected.obs),
        ("GPU points", saved.gpu, expected.gpu),
    ):
        only_saved = sorted(set(mine) - set(theirs))
        only_expected = sorted(set(theirs) - set(mine))
        if only_saved:
            out.append(f"{name} only in the file: {', '.join(only_saved[:5])}")
        if only_expected:
            out.append(f"{name} missing from the file: {', '.join(only_expected[:5])}")
    if not out:
        for name, point_labels, a, b in (
            ("log10 GFLOPs", saved.obs, saved.obs_y, expected.obs_y),
            ("dates", saved.obs, saved.obs_t, expected.obs_t),
            ("log10 GFLOPS/W", saved.gpu, saved.gpu_y, expected.gpu_y),
            ("GPU dates", saved.gpu, saved.gpu_t, expected.gpu_t),
        ):
            changed = [
                lab for lab, x, y in zip(point_labels, a, b, strict=True) if not np.isclose(x, y)
            ]
            if changed:
                out.append(f"{name} differ for {', '.join(changed[:5])}")
    return out
