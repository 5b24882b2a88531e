"""Digest of the main job's numbers: the posterior draws of the shipped fits and the tables
the report is made from, one SHA-256 per variable and per table column.

Usage: python scripts/digest.py OUT.json

The restructure of issue 21 promised to change no result; ``tests/test_digest.py`` compares a
fresh run with the digest stored in ``tests/digests/``. Columns are hashed one by one (their
exact bytes, in row order), so a table that gains a column still matches on the others.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import energytrend as et
from energytrend.thesis import V1_PRIORS

#: The fits of the main job and the report, by name: (domain, fit keyword arguments).
FITS: dict[str, tuple[str, dict[str, Any]]] = {
    "cv": ("cv", {}),
    "nlp": ("nlp", {}),
    "all": ("all", {}),
    "llm": ("llm", {}),
    "thesis_v1_all": ("all", {"data": "thesis", "priors": V1_PRIORS}),
}


def _sha(values: np.ndarray) -> str:
    arr = np.ascontiguousarray(values)
    if arr.dtype.kind in "OUS":
        return hashlib.sha256("\x1f".join(map(str, arr.ravel())).encode()).hexdigest()
    return hashlib.sha256(arr.tobytes()).hexdigest()


def table_digest(table: pd.DataFrame) -> dict[str, Any]:
    """One hash per column, and the row count."""
    return {
        "rows": len(table),
        "columns": {str(c): _sha(table[c].to_numpy()) for c in table.columns},
    }


def tables_of(name: str, result: Any) -> dict[str, pd.DataFrame]:
    """The tables the main job shows of one fit."""

    out = {
        "growth_rates": result.growth_rates(),
        "energy_verdict": result.energy_verdict(),
        "contrasts": result.contrasts(),
        "summary": result.summary(),
    }
    if name == "llm":
        out["energy_per_query"] = et.energy_per_query(
            result, scenario="short_chat", year=[2025, 2030]
        )
        out["query_crossing_dates"] = et.query_crossing_dates(result)
    else:
        out["forecast"] = et.forecast(result, end=2040)
        out["crossing_dates"] = et.crossing_dates(result)
        out["crossing_curve"] = et.crossing_curve(result)
    return out


def digest() -> dict[str, Any]:
    out: dict[str, Any] = {"energytrend_version": et.__version__, "fits": {}}
    for name, (domain, kwargs) in FITS.items():
        result = et.fit(domain, **kwargs)
        post = result.idata["posterior"].to_dataset()
        out["fits"][name] = {
            "posterior": {v: _sha(post[v].to_numpy()) for v in sorted(post.data_vars)},
            "tables": {k: table_digest(t) for k, t in tables_of(name, result).items()},
        }
    return out


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(json.dumps(digest(), indent=1, sort_keys=True) + "\n")
