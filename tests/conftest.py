"""Shared fixtures: everything renders with Agg and nothing touches the user's folders."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
THESIS = REPO.parent / "shared" / "seeds" / "thesis-inference-compute-energy-trends.txt"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ENERGYTREND_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write text to a CSV file in a temporary folder and return its path."""

    def _write(text: str, name: str = "table.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
