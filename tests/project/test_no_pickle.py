"""Nothing in the package loads pickles (results are netCDF, tables CSV)."""

from __future__ import annotations

import re

from conftest import REPO

FORBIDDEN = re.compile(
    r"\bimport\s+(c?pickle|cloudpickle|dill|joblib)\b|\bfrom\s+(c?pickle|cloudpickle|dill|joblib)"
    r"\b|read_pickle|allow_pickle\s*=\s*True|\bpickle\.loads?\b"
)


def test_no_source_file_loads_pickles() -> None:
    sources = sorted((REPO / "src" / "energytrend").rglob("*.py"))
    assert len(sources) > 10
    offenders = [
        f"{p.name}:{i}"
        for p in sources
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert offenders == []


def test_the_pattern_catches_pickle_loading() -> None:
    for bad in (
        "import pickle",
        "from joblib import load",
        "pd.read_pickle(p)",
        "np.load(p, allow_pickle=True)",
        "pickle.loads(b)",
    ):
        assert FORBIDDEN.search(bad), bad
    assert not FORBIDDEN.search("tree.to_netcdf(path)")
