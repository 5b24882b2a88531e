"""What defines a fit besides its data: :class:`FitConfig`, the sampler settings' checks,
and the cache key (code, numeric environment, data, specification and settings)."""

from __future__ import annotations

import functools
import importlib.metadata
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import llvmlite.binding
import numpy as np

from energytrend._version import __version__ as VERSION
from energytrend.data.datasets import DEFAULT_DATA
from energytrend.data.hardware import Selection
from energytrend.inference import engine
from energytrend.model.arrays import POOLINGS, ModelData, Pooling
from energytrend.model.design import FitDomain
from energytrend.model.spec import Spec, digest, resolve_spec

Sampler = Literal["nutpie", "pymc"]
SAMPLERS: tuple[Sampler, ...] = ("nutpie", "pymc")

#: Seed used when none is given (the thesis's year).
DEFAULT_SEED = 2021


#: A frontier rule as :class:`FitConfig` takes it: one name for every domain, a mapping
#: ``{"cv": ..., "nlp": ..., "llm": ...}``, or the (domain, rule) pairs a fit records.
RuleChoice = str | Mapping[str, str] | tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FitConfig:
    """How to fit: analysis choices and sampler settings.

    Pass one to :func:`energytrend.fit`; the fit fills in ``domain``, ``data`` and ``spec``
    from its own arguments (leave them), resolves ``rule`` to (domain, rule) pairs and
    ``pooling`` to the structure's default, and records the result as ``result.config``.

    Attributes:
        rule: frontier rule (see ``energytrend rules``) of the thesis's two-lines
            structure, one name or ``{"cv": ..., "nlp": ..., "llm": ...}``.
        per_token: NLP compute per token (GFLOPs over the input length) or per forward
            pass; default ``None``: per token in the ``"2025"`` dataset, whose NLP domain
            joins the language models, and per forward pass in the thesis's tables.
        selection: GPU rows of v1's efficiency series, ``"thesis"`` or ``"all_fp32"``.
        pooling: ``"partial"``, ``"none"`` or ``"complete"``; default ``None``: ``"none"``
            for the default model (one line per domain) and ``"partial"`` for v1's lines.
        draws, tune, chains, seed, target_accept: NUTS settings.
        sampler: ``"nutpie"`` (default) or ``"pymc"``.
        cache: reuse a cached identical fit (and cache a new one); ``cache_path`` overrides
            the cache folder. Neither changes the fit.
        progressbar: show sampling progress; default only when stderr is a terminal.

    Examples:
        >>> FitConfig(draws=500, chains=2).draws
        500
    """

    domain: FitDomain = "cv"
    data: str = DEFAULT_DATA
    rule: RuleChoice = "thesis"
    per_token: bool | None = None
    selection: Selection = "thesis"
    pooling: Pooling | None = None
    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    seed: int = DEFAULT_SEED
    sampler: Sampler = "nutpie"
    target_accept: float = 0.99
    spec: Spec = field(default_factory=resolve_spec, compare=False, repr=False)
    cache: bool = field(default=True, compare=False)
    cache_path: str | Path | None = field(default=None, compare=False)
    progressbar: bool | None = field(default=None, compare=False)

    #: Fields that change how a fit is run, never what it is (left out of :meth:`to_json`).
    RUN_ONLY: ClassVar[tuple[str, ...]] = ("cache", "cache_path", "progressbar")

    @property
    def resolved_pooling(self) -> Pooling:
        """:attr:`pooling`, or its default for the specification's structure when ``None``:
        ``"partial"`` for v1's two lines, ``"none"`` for the default model."""
        if self.pooling is not None:
            return self.pooling
        return "partial" if self.spec["structure"]["kind"] == "two_lines" else "none"

    @property
    def rules(self) -> tuple[tuple[str, str], ...]:
        """The (domain, frontier rule) pairs of :attr:`rule`."""
        return rule_pairs(self.rule, self.domain)

    @property
    def year_origin(self) -> float:
        """The decimal year that is time 0 of the model (``spec["time"]["year_origin"]``)."""
        return float(self.spec["time"]["year_origin"])

    def to_json(self) -> dict[str, Any]:
        """The configuration of a fit (its rule pairs resolved) without the specification
        and the run-only fields, as JSON-able data."""
        d = {k: v for k, v in asdict(self).items() if k not in ("spec", *self.RUN_ONLY)}
        d["rule"] = [list(r) for r in self.rules]
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any], spec: Spec) -> FitConfig:
        """The configuration :meth:`to_json` wrote."""
        d = dict(d)
        d["rule"] = tuple(tuple(r) for r in d["rule"])
        return cls(**d, spec=spec)


#: Libraries whose installed versions are part of every cache key: a cached fit made with
#: another version of any of them is never reused.
KEYED_LIBRARIES = ("pymc", "pytensor", "nutpie", "numba", "numpy", "arviz", "llvmlite")


def numeric_environment() -> dict[str, Any]:
    """What the compiled floating-point code depends on besides the model: the installed
    versions of :data:`KEYED_LIBRARIES`, energytrend's numeric flags, and the CPU that numba
    compiles for (``NUMBA_CPU_NAME`` when set, else the host's)."""
    versions: dict[str, str | None] = {}
    for name in KEYED_LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    cpu = os.environ.get("NUMBA_CPU_NAME") or llvmlite.binding.get_host_cpu_name()
    return {"versions": versions, "flags": engine.NUMERIC_FLAGS, "cpu": cpu}


@functools.cache
def code_version() -> str:
    """What else makes a cached fit stale: the model and sampling code, and
    :func:`numeric_environment` (library versions, numeric flags, CPU)."""
    # the whole model package (its parts, builder and design), the sampler, and the groups a
    # fit stores besides its draws (pymc_groups imports this module, so it is read as a file)
    here = Path(__file__).resolve().parent
    files = [*sorted((here.parent / "model").glob("*.py")), here / "engine.py"]
    files.append(here / "pymc_groups.py")
    sources = [f.read_text(encoding="utf-8") for f in files]
    return digest(VERSION, numeric_environment(), sources)


def cache_key(arrays: ModelData, config: FitConfig) -> str:
    """The cache key of a fit: code, data, specification and settings."""
    return digest(code_version(), arrays.fingerprint(), config.spec, config.to_json())[:32]


def rule_pairs(rule: RuleChoice, domain: str = "cv") -> tuple[tuple[str, str], ...]:
    """(domain, frontier rule) pairs of a fit: CV and NLP for those domains, or the ``llm``
    rule."""
    keys = ("llm",) if domain == "llm" else ("cv", "nlp")
    if isinstance(rule, str):
        return tuple((k, rule) for k in keys)
    if isinstance(rule, tuple):
        return tuple((str(k), str(v)) for k, v in rule)
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
