"""A year means one documented date (issue 25, item 8): ``year=2025`` is 1 January 2025 in
every table, and the report's query tables show the date each number stands for, so a query
modelled at a publication date is not read as the same query at the start of the year."""

from __future__ import annotations

import pandas as pd
import pytest

import energytrend as et
from energytrend.report.query_section import published_words, scenario_table

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llm() -> et.TrendFit:
    return et.fit("llm")


def test_a_whole_year_is_the_first_of_january(llm: et.TrendFit) -> None:
    t = et.energy_per_query(llm, scenario="short_chat", year=[2025, 2030.5])
    assert list(t["date"].drop_duplicates()) == [
        pd.Timestamp("2025-01-01"),
        pd.Timestamp("2030-07-02"),
    ]


def test_the_report_tables_show_their_dates(llm: et.TrendFit) -> None:
    scenarios = scenario_table(llm, year=2025.0, prob=0.9)
    assert "typical model, 2025-01-01" in scenarios.columns
    published = published_words(llm, prob=0.9)
    assert published["modelled at"].str.match(r"\d{4}-\d{2}-\d{2}$").all()
