"""What defines a fit besides its data: :class:`FitConfig`, the sampler settings' checks,
and the cache key (code, numeric environment, data, specification and settings)."""

from __future__ import annotations

import functools
import importlib.metadata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from energytrend._version import __version__ as VERSION
from energytrend.data.datasets import DEFAULT_DATA
from energytrend.data.hardware import Selection
from energytrend.model.arrays import POOLINGS, ModelData, Pooling
from energytrend.model.design import FitDomain
from energytrend.model.spec import Spec, digest, resolve_spec

Sampler = Literal["nutpie", "pymc"]
SAMPLERS: tuple[Sampler, ...] = ("nutpie", "pymc")

#: Seed used when none is given (the thesis's year).
DEFAULT_SEED = 2021


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


def rule_pairs(rule: str | Mapping[str, str], domain: str = "cv") -> tuple[tuple[str, str], ...]:
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
