"""A crossing in words says what its probability is of (issue 25, item 10): "not by 2040
(probability < 0.001)" read as if the probability were of *not* reaching the level."""

from __future__ import annotations

import pandas as pd

from energytrend.report.findings import crossing_phrase


def _row(crossing: str, p_by: float) -> pd.Series:
    return pd.Series(
        {"crossing": crossing, "interval": "2031 to after 2040", "origin": 2025.2,
         "p_by_horizon": p_by, "horizon": 2040.0}
    )  # fmt: skip


def test_not_by_the_horizon_names_the_probability_of_reaching_it() -> None:
    text = crossing_phrase(_row("not by 2040", 0.0), 4000)
    assert text == "not by 2040 (P(by 2040) < 0.001)"


def test_a_crossing_year_names_the_probability_of_reaching_it() -> None:
    text = crossing_phrase(_row("2033", 0.62), 4000)
    assert text.endswith("(2031 to after 2040; P(by 2040) = 0.62)")
