"""A report of the user's own tables describes that fit only (issue 25, item 1): no key
finding, section or figure about the shipped data's backtests, retrospective or language
models, and a note that says what was left out and why."""

from __future__ import annotations

import pytest

import energytrend as et
from energytrend.report.html import render_report

pytestmark = pytest.mark.slow

#: Headings of the sections that study the shipped data.
SHIPPED_ONLY = (
    "Rolling-origin backtests",
    "Looking back: the forecast from the data before 2021",
)


@pytest.fixture(scope="module")
def reports() -> dict[str, str]:
    mine = et.load_data("cv_models")  # a user's table (the shipped one: the cache serves it)
    own = et.fit("cv", tables={"cv_models": mine})
    shipped = et.fit("cv")
    assert own.passed and shipped.passed  # else neither report has the sections
    return {"own": render_report(own), "shipped": render_report(shipped)}


def test_own_data_report_leaves_out_the_shipped_studies(reports: dict[str, str]) -> None:
    own, shipped = reports["own"], reports["shipped"]
    for heading in SHIPPED_ONLY:
        assert heading in shipped and heading not in own, heading
    assert "Your own data." in own and "cv_models" in own
    assert "the backtests of the shipped model" in own
    assert "Your own data." not in shipped
