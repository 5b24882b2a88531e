"""The model specification: priors and likelihood, read from ``models/priors.toml``.

The specification is plain data (nested dicts of numbers and strings). Users override any
entry; unknown keys are an error, so a typo never silently leaves a default in place.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from collections.abc import Mapping
from typing import Any

from energytrend.data.tables import shipped_path

Spec = dict[str, Any]

#: Likelihood families the models implement.
FAMILIES = ("normal", "student_t")
#: How the compute scatter may change with time (see ``models/priors.toml``).
SCATTERS = ("constant", "widening")
#: How models enter the compute likelihood (see ``models/priors.toml``).
STRUCTURES = ("quantile", "two_lines")
#: How a compute trend continues after the last data date.
EXTRAPOLATIONS = ("damped", "linear", "flat")
#: How hardware efficiency is modelled.
EFFICIENCIES = ("precision", "thesis")
#: How the size of the efficiency slope changes is set (see ``models/priors.toml``).
BEND_SCALES = ("fixed", "shared", "per_series")
#: How the quantile structure draws the frontier line: the typical model's quantile, or a
#: quantile regression of its own.
FRONTIERS = ("scatter", "regression")
#: How the compute lines' bend scale is set: the prior's ``scale``, or learned (one for all
#: domains, ``HalfNormal(scale)``).
COMPUTE_BEND_SCALES = ("fixed", "shared")


#: Overrides that give energytrend v1's model, which reproduces the thesis's two lines per
#: domain: ``fit("all", data="thesis", priors=V1_PRIORS)`` prints v1's numbers.
V1_PRIORS: dict[str, Any] = {
    "structure": {"kind": "two_lines"},
    "extrapolation": {"kind": "linear"},
    "likelihood": {"scatter": "widening"},
    "efficiency": {"kind": "thesis"},
}


def default_spec() -> Spec:
    """The shipped specification, ``models/priors.toml``, as a fresh nested dict."""
    with (shipped_path("models") / "priors.toml").open("rb") as f:
        return tomllib.load(f)


def merge_spec(base: Mapping[str, Any], overrides: Mapping[str, Any] | None) -> Spec:
    """``base`` with ``overrides`` merged in, recursively; neither argument is modified.

    Raises:
        ValueError: an override names a key that ``base`` does not have, or replaces a
            table by a number (or the reverse).
    """
    out: Spec = copy.deepcopy(dict(base))
    for key, value in (overrides or {}).items():
        if key not in out:
            raise ValueError(
                f"unknown prior specification key {key!r}; valid keys here are {sorted(out)}"
            )
        if isinstance(out[key], dict):
            if not isinstance(value, Mapping):
                raise ValueError(
                    f"prior specification entry {key!r} is a table "
                    f"({sorted(out[key])}); pass a dict, got {value!r}"
                )
            out[key] = merge_spec(out[key], value)
        else:
            if isinstance(value, Mapping):
                raise ValueError(f"prior specification entry {key!r} is a value, not a table")
            out[key] = value
    return out


def compute_changepoints(spec: Mapping[str, Any]) -> dict[str, Any]:
    """``[compute] changepoints`` of ``spec``, with its defaults (``scale`` 0: a straight
    line, as in specifications written before it existed)."""
    cp = {"spacing": 2.0, "scale": 0.0, "tau": "fixed"}
    return {**cp, **spec["compute"].get("changepoints", {})}


def check_spec(spec: Spec) -> Spec:
    """Validate a merged specification: positive scales and a known likelihood family."""
    family = spec["likelihood"]["family"]
    if family not in FAMILIES:
        raise ValueError(f"likelihood family must be one of {FAMILIES}, got {family!r}")
    scatter = spec["likelihood"].get("scatter", "constant")
    if scatter not in SCATTERS:
        raise ValueError(f"likelihood scatter must be one of {SCATTERS}, got {scatter!r}")
    structure = spec["structure"]["kind"]
    if structure not in STRUCTURES:
        raise ValueError(f"structure.kind must be one of {STRUCTURES}, got {structure!r}")
    if spec["structure"].get("frontier", "scatter") not in FRONTIERS:
        raise ValueError(
            f"structure.frontier must be one of {FRONTIERS}, got {spec['structure']['frontier']!r}"
        )
    q = spec["structure"]["frontier_quantile"]
    if not isinstance(q, int | float) or not 0.5 < q < 1:
        raise ValueError(f"structure.frontier_quantile must be in (0.5, 1), got {q!r}")
    extrapolation = spec["extrapolation"]["kind"]
    if extrapolation not in EXTRAPOLATIONS:
        raise ValueError(
            f"extrapolation.kind must be one of {EXTRAPOLATIONS}, got {extrapolation!r}"
        )
    if spec["extrapolation"]["longrun_slope"]["sigma"] <= 0:
        raise ValueError("extrapolation.longrun_slope.sigma must be > 0")
    if min(spec["extrapolation"]["damping"].values()) <= 0:
        raise ValueError("extrapolation.damping alpha and beta must be > 0")
    param = spec["compute"]["parameterization"]
    if param not in ("centred", "non_centred"):
        raise ValueError(
            f"compute.parameterization must be 'centred' or 'non_centred', got {param!r}"
        )
    kind = spec["efficiency"]["kind"]
    if kind not in EFFICIENCIES:
        raise ValueError(f"efficiency.kind must be one of {EFFICIENCIES}, got {kind!r}")
    if spec["efficiency"].get("pooling", "none") not in ("none", "partial"):
        raise ValueError(
            f"efficiency.pooling must be 'none' or 'partial', got {spec['efficiency']['pooling']!r}"
        )
    if not spec["efficiency"]["limit"]["flop_per_joule"] > 0:
        raise ValueError("efficiency.limit.flop_per_joule must be > 0 (inf: no ceiling)")
    cp = compute_changepoints(spec)
    if cp["tau"] not in COMPUTE_BEND_SCALES or not cp["scale"] >= 0 or not cp["spacing"] > 0:
        raise ValueError(
            f"compute.changepoints must have tau in {COMPUTE_BEND_SCALES}, scale >= 0 (0: a "
            f"straight line) and spacing > 0, got {cp!r}"
        )
    tau = spec["efficiency"]["changepoints"].get("tau", "fixed")
    if tau not in BEND_SCALES:
        raise ValueError(f"efficiency.changepoints.tau must be one of {BEND_SCALES}, got {tau!r}")
    from energytrend.data.precision import precision_eras_from_config

    precision_eras_from_config(spec["precision"])
    for part in ("compute", "efficiency", "realisation"):
        for name, params in spec[part].items():
            if not isinstance(params, dict):
                continue
            params = {k: v for k, v in params.items() if not isinstance(v, dict) and k != "tau"}
            for pname, v in params.items():
                if not isinstance(v, int | float) or isinstance(v, bool):
                    raise ValueError(f"{part}.{name}.{pname} must be a number, got {v!r}")
                if pname == "sigma" and v <= 0:
                    raise ValueError(f"{part}.{name}.sigma must be > 0, got {v}")
    for pname, v in spec["student_t"]["nu"].items():
        if v <= 0:
            raise ValueError(f"student_t.nu.{pname} must be > 0, got {v}")
    return spec


def resolve_spec(overrides: Mapping[str, Any] | None = None) -> Spec:
    """The default specification with ``overrides`` merged in and checked."""
    return check_spec(merge_spec(default_spec(), overrides))


def canonical_json(obj: Any) -> str:
    """Deterministic JSON (sorted keys, no whitespace) used for hashing and attributes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def digest(*parts: Any) -> str:
    """SHA-256 of the canonical JSON of ``parts``."""
    return hashlib.sha256(canonical_json(list(parts)).encode()).hexdigest()


def diff_specs(a: Mapping[str, Any], b: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Human-readable differences between two nested specifications."""
    out = []
    for key in sorted(set(a) | set(b)):
        where = f"{prefix}{key}"
        if key not in a or key not in b:
            out.append(f"{where}: only in {'the file' if key in a else 'the expected'}")
        elif isinstance(a[key], Mapping) and isinstance(b[key], Mapping):
            out.extend(diff_specs(a[key], b[key], where + "."))
        elif a[key] != b[key]:
            out.append(f"{where}: {a[key]!r} in the file, {b[key]!r} expected")
    return out
