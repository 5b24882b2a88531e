"""The shipped tables hold every row of the thesis's tables, with the thesis's values."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import THESIS
from energytrend import load_data
from energytrend.data import decimal_year, from_decimal_year
from energytrend.data.schema import TABLES

#: Rows of the thesis's Tables A.3, A.4, B.1 and B.2.
ROWS = {"cv_models": 94, "nlp_models": 19, "gpus": 48, "inference_throughput": 58}


def _thesis(table: str) -> pd.DataFrame:
    return load_data(table, "thesis")


@pytest.mark.parametrize("name", ROWS)
def test_row_counts_and_types(name: str) -> None:
    df = _thesis(name)
    assert len(df) == ROWS[name]
    spec = TABLES[name]
    assert list(df.columns) == list(spec.column_names)
    for col in spec.columns:
        if col.kind == "float":
            assert df[col.name].dtype == np.float64, col.name
        elif col.kind == "date":
            assert pd.api.types.is_datetime64_any_dtype(df[col.name]), col.name
        elif col.kind == "bool":
            assert df[col.name].dtype == bool, col.name


def test_loaders_return_copies() -> None:
    for data in ("thesis", "2025"):
        a = load_data("cv_models", data)
        a.loc[0, "gflops"] = -1.0
        assert load_data("cv_models", data).loc[0, "gflops"] == pytest.approx(1.42)


@pytest.mark.parametrize(
    ("model", "extra", "column", "value"),
    [
        ("AlexNet", "No", "gflops", 1.42),
        ("AlexNet", "No", "gflops_mark", "tool"),
        ("ViT-G/14", "JFT 3B", "gflops", 5270.0),
        ("ViT-G/14", "JFT 3B", "gflops_mark", "estimated"),
        ("ViT-L/16", "JFT 300M", "top1_accuracy", 87.12),
        ("ViT-L/16", "Imagenet 21k", "top1_accuracy", 85.30),
        ("ResNeXt-101 32x16d", "Custom 940M", "paper_ref", "69;70"),
        ("NFNet-F6+SAM", "No", "gflops", 754.56),
        ("Meta Pseudo Labels L2", "JFT 300M", "release_date", pd.Timestamp("2020-03-23")),
        ("EfficientNetV2-L", "Imagenet 21k", "architecture", "CNN"),
    ],
)
def test_cv_spot_values(model: str, extra: str, column: str, value: object) -> None:
    df = _thesis("cv_models").set_index(["model", "extra_data"])
    assert df.loc[(model, extra), column] == value


def test_nlp_spot_values() -> None:
    df = _thesis("nlp_models").set_index("model")
    assert df.loc["GPT-3", "gflops"] == 740000.0
    assert df.loc["GPT-3", "input_tokens"] == 2048
    assert np.isnan(df.loc["GPT-3", "glue_score"])
    assert df.loc["ELMo", "glue_dev_set"] and not df.loc["ELMo", "glue_without_wnli"]
    assert df.loc["BERT Large", "params_mark"] == "estimated"
    assert df.loc["SqueezeBERT", "glue_score"] == 78.1


def test_gpu_and_throughput_spot_values() -> None:
    g = _thesis("gpus").set_index(["gpu", "precision"])
    assert g.loc[("T4", "FP16/FP32 Tensor"), "tflops"] == 65.0
    assert g.loc[("A30", "FP32"), "tdp_watts"] == 165.0
    assert g["in_table_b3"].sum() == 28
    tp = _thesis("inference_throughput")
    assert (tp["task"] == "CV").sum() == 36 and (tp["task"] == "NLP").sum() == 22
    row = tp[(tp["model"] == "Transformer") & (tp["gpu"] == "A100 40GB")].iloc[-1]
    assert row["precision"] == "Mixed"
    assert (row["batch_size"], row["throughput"]) == (10240, 9653.0)


def _thesis_rows(header: str, caption: str) -> list[list[str]]:
    lines = THESIS.read_text(encoding="utf-8").splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith(caption):
            break
        if line.strip():
            rows.append([c.strip() for c in line.split("\t") if c.strip()])
    return rows


def _number(cell: str) -> float:
    return float(re.match(r"[\d.]+", cell).group())  # type: ignore[union-attr]


@pytest.mark.skipif(not THESIS.exists(), reason="the thesis text (../shared/seeds) is absent")
def test_every_table_value_matches_the_thesis_text() -> None:
    """Independent of the transcription: compare each numeric cell with the thesis text."""
    cv = _thesis("cv_models")
    rows = _thesis_rows(
        "Model\tTop-1 Acc.\tParams (M)\tGFLOPs\tExtra Data\tDate\tArchitecture", "Table A.3"
    )
    assert len(rows) == len(cv)
    for (_, r), t in zip(cv.iterrows(), rows, strict=True):
        assert t[0].startswith(r["model"])
        assert [_number(t[1]), _number(t[2]), _number(t[3])] == [
            r["top1_accuracy"],
            r["params_millions"],
            r["gflops"],
        ]
        assert t[4] == r["extra_data"]
        assert pd.Timestamp(pd.to_datetime(t[5], format="%d/%m/%Y")) == r["release_date"]
    nlp = _thesis("nlp_models")
    rows = _thesis_rows("Model\tInput Tokens\tGFLOPs\tParams (M)\tDate\tGLUE test set", "Table A.4")
    for (_, r), t in zip(nlp.iterrows(), rows, strict=True):
        assert [_number(t[1]), _number(t[2]), _number(t[3])] == [
            r["input_tokens"],
            r["gflops"],
            r["params_millions"],
        ]
        glue = np.nan if t[5] == "-" else _number(t[5])
        assert glue == r["glue_score"] or (np.isnan(glue) and np.isnan(r["glue_score"]))
    gpus = _thesis("gpus")
    rows = _thesis_rows(
        "GPU\tPrecision\tTFLOPS\tWatts\tLaunch date\tType\tGFLOPS/Watt", "Table B.1"
    )
    for (_, r), t in zip(gpus.iterrows(), rows, strict=True):
        assert (t[0], t[1], float(t[2]), float(t[3])) == (
            r["gpu"],
            r["precision"],
            r["tflops"],
            r["tdp_watts"],
        )
    tp = _thesis("inference_throughput")
    rows = _thesis_rows(
        "Task\tModel\tFramework\tBatch size\tGPU\tPrecision\tThroughput\tSpeed-up", "Table B.2"
    )
    for (_, r), t in zip(tp.iterrows(), rows, strict=True):
        assert (float(t[-2]), float(t[-1]), t[-3]) == (
            r["throughput"],
            r["speedup"],
            r["precision"],
        )


def test_decimal_year_round_trip() -> None:
    dates = pd.Series(pd.to_datetime(["2000-01-01", "2012-06-01", "2021-06-08", "2010-01-01"]))
    years = decimal_year(dates)
    assert years[0] == 2000.0
    assert years[3] == 2010.0
    assert list(from_decimal_year(years)) == list(dates)
    assert from_decimal_year(2010.0)[0] == pd.Timestamp("2010-01-01")
    assert from_decimal_year(2020 + 365 / 366)[0] == pd.Timestamp("2020-12-31")


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_decimal_year_is_exact_both_ways(day: dt.date) -> None:
    """Every calendar date survives date -> decimal year -> date, the year's integer part is
    the calendar year, and 1 January is a whole number."""
    ts = pd.Timestamp(day)
    year = float(decimal_year(pd.Series([ts]))[0])
    assert int(np.floor(year)) == day.year
    assert (year == day.year) == (day.month == 1 and day.day == 1)
    assert from_decimal_year(year)[0] == ts


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=1900.0, max_value=2200.0, allow_nan=False))
def test_decimal_year_to_date_is_the_nearest_day(year: float) -> None:
    """Any decimal year maps to the date whose decimal year is nearest (within half a day)."""
    date = from_decimal_year(year)[0]
    back = float(decimal_year(pd.Series([date]))[0])
    days = 366 if date.is_leap_year else 365
    assert abs(back - year) <= 0.5 / min(days, 365) + 1e-9


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=1900.0, max_value=2200.0, allow_nan=False))
def test_crossing_years_are_the_calendar_years_of_their_dates(year: float) -> None:
    from energytrend.forecast.forecasts import _calendar_year

    assert _calendar_year(year) == from_decimal_year(year)[0].year
