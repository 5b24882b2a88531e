"""The published per-query LLM energy figures and the named query scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

import energytrend.data as etd
from energytrend.data.llm_queries import (
    BOUNDARY_CLASSES,
    DEFAULT_SCENARIO,
    PUBLISHED_QUERY_ENERGY,
    QUERY_SCENARIOS,
    VERIFIED,
)
from energytrend.data.tables import shipped_path
from energytrend.data.validation import DataValidationError

DATA = shipped_path("data")


def test_joules_are_watt_hours_times_3600() -> None:
    table = etd.published_query_energy()
    assert len(table) >= 4
    for _, row in table.iterrows():
        assert row["joules_per_query"] == pytest.approx(row["wh_per_query"] * 3600, rel=1e-12)


def test_published_rows_are_classified() -> None:
    table = etd.published_query_energy()
    assert set(table["verified"]) <= set(VERIFIED)
    assert set(table["boundary_class"]) <= set(BOUNDARY_CLASSES)
    assert (table["quote"].str.len() > 20).all()
    by_value = dict(zip(table["wh_per_query"], table["verified"], strict=True))
    assert by_value[0.24] == "primary"  # Google, arXiv:2508.15734 abstract
    assert by_value[0.3] == "primary"  # Epoch AI, epoch.ai


def test_scenarios_are_positive_integers_and_the_default_exists() -> None:
    table = etd.query_scenarios()
    assert {"short_chat", "long_document", "reasoning"} <= set(table["scenario"])
    assert DEFAULT_SCENARIO in set(table["scenario"])
    for column in ("prompt_tokens", "output_tokens"):
        assert table[column].dtype.kind == "i"
        assert (table[column] > 0).all()
    reasoning = table.set_index("scenario").loc["reasoning"]
    assert reasoning["output_tokens"] >= 1000


def _corrupt(tmp_path: Path, filename: str, old: str, new: str) -> Path:
    text = (DATA / filename).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / Path(filename).name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_corrupted_scenario_names_file_line_and_column(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, QUERY_SCENARIOS.filename, "reasoning,1024,8192", "reasoning,1024,8k")
    with pytest.raises(DataValidationError) as e:
        etd.query_scenarios(path)
    line = _line_of(path, "reasoning,1024,8k")
    assert e.value.row == line and e.value.column == "output_tokens"
    message = str(e.value)
    assert str(path) in message and f"line {line}" in message and "'output_tokens'" in message
    assert "'8k' is not a number" in message


def test_fractional_tokens_are_refused(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, QUERY_SCENARIOS.filename, "short_chat,70,", "short_chat,69.5,")
    with pytest.raises(DataValidationError, match="not a whole number") as e:
        etd.query_scenarios(path)
    assert e.value.column == "prompt_tokens"


def test_wrong_joules_names_file_line_and_column(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, PUBLISHED_QUERY_ENERGY.filename, ",0.34,1224,", ",0.34,1200,")
    with pytest.raises(DataValidationError) as e:
        etd.published_query_energy(path)
    line = _line_of(path, ",0.34,1200,")
    assert e.value.row == line and e.value.column == "joules_per_query"
    assert str(path) in str(e.value) and "Write 1224" in str(e.value)


def test_unknown_verified_value_is_refused(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, PUBLISHED_QUERY_ENERGY.filename, ",secondary-only,", ",unchecked,")
    with pytest.raises(DataValidationError, match="unknown verified 'unchecked'"):
        etd.published_query_energy(path)


def test_missing_file_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="does not exist"):
        etd.query_scenarios(tmp_path / "nope.csv")


def test_unparsable_publication_date_names_file_line_and_column(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, PUBLISHED_QUERY_ENERGY.filename, ",2025-06-10,", ",2025-06-31,")
    with pytest.raises(DataValidationError, match="is not a date") as e:
        etd.published_query_energy(path)
    assert e.value.row == _line_of(path, ",2025-06-31,") and e.value.column == "published"
