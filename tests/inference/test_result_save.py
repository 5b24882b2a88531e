"""Saving a result: a wrong suffix or a missing folder is refused before anything is written
(issue 25, item 7), and the short repr says what the result holds (item 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

import energytrend as et

pytestmark = pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")


@pytest.fixture(scope="module")
def small() -> et.TrendFit:
    config = et.FitConfig(draws=100, tune=100, chains=2, seed=4, cache=False, progressbar=False)
    return et.fit("nlp", data="thesis", config=config)


def test_a_csv_name_is_refused(small: et.TrendFit, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"ending in \.nc, e\.g\. rates\.nc"):
        small.save(tmp_path / "rates.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused_not_created(small: et.TrendFit, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist; create it first"):
        small.save(tmp_path / "nofolder" / "x.nc")
    assert not (tmp_path / "nofolder").exists()


def test_repr_is_one_line_summary(small: et.TrendFit) -> None:
    text = repr(small)
    assert "\n" not in text and len(text) < 200
    assert text.startswith("TrendFit('nlp', data='thesis'")
    assert "2 chains x 100 draws" in text and "diagnostics" in text
