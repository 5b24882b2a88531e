"""Bad input of every class gives one error type naming file, row and column, with a fix."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import REPO
from energytrend import DataValidationError, load_data
from energytrend.data.schema import CV_MODELS, TABLES

HEADER = "model,top1_accuracy,gflops,release_date,extra_data\n"
GOOD = HEADER + "A,70.1,1.5,2019-01-01,No\nB,75.0,3.0,2020-06-01,No\n"


def _error(write_csv, text: str, table: str = "cv_models") -> DataValidationError:
    path = write_csv(text)
    with pytest.raises(DataValidationError) as info:
        load_data(table, source=path)
    message = str(info.value)
    assert str(path) in message
    return info.value


def test_good_minimal_table_is_typed(write_csv) -> None:
    df = load_data("cv_models", source=write_csv(GOOD))
    assert df["gflops"].dtype == float
    assert pd.api.types.is_datetime64_any_dtype(df["release_date"])
    assert list(df.columns) == list(CV_MODELS.column_names)  # optional columns added


def test_missing_column(write_csv) -> None:
    err = _error(write_csv, "model,top1_accuracy,release_date\nA,70,2019-01-01\n")
    assert err.column == "gflops"
    assert "required column is missing" in str(err) and "Add a 'gflops' column" in str(err)


def test_unknown_column(write_csv) -> None:
    err = _error(write_csv, GOOD.replace("extra_data", "extra_dta"))
    assert err.column == "extra_dta"
    assert "unknown column" in str(err) and "extra_data" in str(err)


def test_non_numeric_gflops(write_csv) -> None:
    err = _error(write_csv, HEADER + "A,70.1,1.5 G,2019-01-01,No\n")
    assert (err.row, err.column) == (2, "gflops")
    assert "line 2, column 'gflops'" in str(err) and "not a number" in str(err)


@pytest.mark.parametrize("value", ["0", "-3.2", "inf"])
def test_non_positive_gflops(write_csv, value: str) -> None:
    err = _error(write_csv, GOOD + f"C,71,{value},2019-01-01,No\n")
    assert (err.row, err.column) == (4, "gflops")
    assert "must be > 0" in str(err)


@pytest.mark.parametrize("column", ["tflops", "tdp_watts"])
def test_non_positive_tflops_and_watts(write_csv, column: str) -> None:
    values = {"tflops": "8.1", "tdp_watts": "70"}
    values[column] = "-1"
    text = (
        "gpu,precision,tflops,tdp_watts,launch_date\n"
        f"T4,FP32,{values['tflops']},{values['tdp_watts']},2018-09-13\n"
    )
    err = _error(write_csv, text, "gpus")
    assert (err.row, err.column) == (2, column)


def test_unparsable_date(write_csv) -> None:
    err = _error(write_csv, HEADER + "A,70.1,1.5,13/05/2019,No\n")
    assert (err.row, err.column) == (2, "release_date")
    assert "YYYY-MM-DD" in str(err)


def test_date_in_the_future(write_csv) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    err = _error(write_csv, HEADER + f"A,70.1,1.5,{tomorrow:%Y-%m-%d},No\n")
    assert (err.row, err.column) == (2, "release_date")
    assert "in the future" in str(err)


def test_duplicate_models(write_csv) -> None:
    err = _error(write_csv, GOOD + "A,71.0,2.0,2019-02-01,No\n")
    assert (err.row, err.column) == (4, "model")
    assert "duplicate of line 2" in str(err)


def test_same_name_with_other_extra_data_is_not_a_duplicate(write_csv) -> None:
    df = load_data("cv_models", source=write_csv(GOOD + "A,72.0,1.5,2019-01-01,JFT 300M\n"))
    assert len(df) == 3


def test_missing_required_value(write_csv) -> None:
    err = _error(write_csv, HEADER + "A,,1.5,2019-01-01,No\n")
    assert (err.row, err.column) == (2, "top1_accuracy")
    assert "required value is missing" in str(err)


def test_every_problem_is_listed(write_csv) -> None:
    err = _error(write_csv, HEADER + "A,x,0,2019-13-01,No\n")
    assert {p.column for p in err.problems} == {"top1_accuracy", "gflops", "release_date"}


def test_dataframe_input_cites_index_and_is_not_mutated() -> None:
    df = pd.DataFrame(
        {
            "model": ["A", "B"],
            "top1_accuracy": [70.0, 71.0],
            "gflops": [1.0, -2.0],
            "release_date": ["2019-01-01", "2019-02-01"],
        },
        index=[10, 11],
    )
    before = df.copy()
    with pytest.raises(DataValidationError, match=r"<DataFrame>, row 11, column 'gflops'"):
        load_data("cv_models", source=df)
    pd.testing.assert_frame_equal(df, before)


def test_missing_file_and_garbage_file(tmp_path, write_csv) -> None:
    with pytest.raises(DataValidationError, match="does not exist"):
        load_data("cv_models", source=tmp_path / "nope.csv")
    path = write_csv("")
    with pytest.raises(DataValidationError, match="not a readable CSV"):
        load_data("cv_models", source=path)


def test_bad_flag_mark_and_refs(write_csv) -> None:
    text = "model,input_tokens,gflops,release_date,glue_dev_set\nX,128,3.0,2020-01-01,maybe\n"
    err = _error(write_csv, text, "nlp_models")
    assert err.column == "glue_dev_set"
    err = _error(write_csv, HEADER.strip() + ",gflops_mark\nA,70,1.5,2019-01-01,No,guess\n")
    assert err.column == "gflops_mark"


def test_input_tokens_must_be_whole(write_csv) -> None:
    text = "model,input_tokens,gflops,release_date\nX,128.5,3.0,2020-01-01\n"
    err = _error(write_csv, text, "nlp_models")
    assert err.column == "input_tokens" and "whole number" in str(err)


def test_validation_error_is_a_value_error() -> None:
    assert issubclass(DataValidationError, ValueError)


def test_typed_dataframe_round_trips() -> None:
    """A table already loaded and typed (datetimes, floats, bools) validates unchanged."""
    for table in ("cv_models", "gpus"):
        for data in ("thesis", "2025"):
            df = load_data(table, data)
            pd.testing.assert_frame_equal(load_data(table, source=df), df)


# ----------------------------------------------------------------- tables from anywhere
@pytest.mark.parametrize("name", sorted(TABLES))
def test_a_frame_read_with_plain_pandas_validates_as_its_file(name: str) -> None:
    """``pd.read_csv`` guesses types (reference numbers become floats, empty cells NaN,
    dates text); the result is the same typed table as loading the file itself."""
    path = REPO / "data" / TABLES[name].filename
    raw = pd.read_csv(path)
    before = raw.copy()
    pd.testing.assert_frame_equal(load_data(name, source=raw), load_data(name, source=path))
    pd.testing.assert_frame_equal(raw, before)  # the caller's frame is untouched


def test_a_table_is_named_by_its_name_and_read_from_a_path_or_text(write_csv) -> None:
    path = write_csv(GOOD)
    pd.testing.assert_frame_equal(
        load_data("cv_models", source=str(path)), load_data("cv_models", source=path)
    )
    with pytest.raises(ValueError, match=r"unknown table 'cv'.*cv_models, nlp_models"):
        load_data("cv", source=path)
    with pytest.raises(TypeError, match="CSV path or a pandas DataFrame"):
        load_data("cv_models", source=42)  # type: ignore[arg-type]


def test_a_real_problem_comes_first_and_alone_in_a_pandas_frame() -> None:
    """One negative GFLOPs value in the shipped table, read with plain pandas, is the one
    problem reported: the coerced reference columns add no noise."""
    raw = pd.read_csv(REPO / "data" / "cv_models.csv")
    raw.loc[5, "gflops"] = -1.0
    with pytest.raises(DataValidationError) as info:
        load_data("cv_models", source=raw)
    assert len(info.value.problems) == 1
    assert str(info.value).count("\n") == 0
    assert info.value.row == 5 and info.value.column == "gflops"
    assert "not a positive finite number" in str(info.value)


def test_analysed_values_are_listed_before_cosmetic_ones(write_csv) -> None:
    text = (
        "model,top1_accuracy,gflops,release_date,gflops_ref\n"
        "A,70,1.5,2019-01-01,x\nB,71,-3,2020-01-01,\n"
    )
    err = _error(write_csv, text)
    assert err.column == "gflops" and err.row == 3
    assert [p.column for p in err.problems] == ["gflops", "gflops_ref"]


def test_implausible_gflops_are_refused_naming_the_row(write_csv) -> None:
    err = _error(write_csv, GOOD + "C,80.0,1e40,2021-01-01,No\n")
    assert (err.row, err.column) == (4, "gflops")
    assert "implausible" in str(err) and "divide it by 1e9" in str(err)
    load_data("cv_models", source=write_csv(GOOD + "C,80.0,9e8,2021-01-01,No\n"))  # just below


def test_gpus_above_the_landauer_limit_are_refused(write_csv) -> None:
    from energytrend.data.validation import MAX_GFLOPS_PER_WATT

    assert 3e11 < MAX_GFLOPS_PER_WATT < 4e11  # 1 / (k * 300 K * ln 2) FLOPs per joule
    header = "gpu,precision,tflops,tdp_watts,launch_date\n"
    ok = header + "G1,FP32,19.5,400,2020-05-14\n"
    load_data("gpus", source=write_csv(ok))
    err = _error(write_csv, ok + "G2,FP32,19.5e12,400,2021-05-14\n", "gpus")
    assert (err.row, err.column) == (3, "tflops")
    assert "Landauer" in str(err) and "GFLOPS/W" in str(err)
