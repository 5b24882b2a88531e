"""Issue 25, item 9: percentages out of range or written as fractions, files with another
separator than the comma, and a result file with a corrupted header are each refused with one
clean message naming the file, the line and column where there is one, and the fix."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import energytrend as et
from energytrend import DataValidationError
from energytrend.data.schema import DATASET_TABLES, TABLES, TableSpec
from energytrend.data.tables import shipped_path
from energytrend.data.validation import validate_table
from energytrend.inference.store import read_result, write_result

#: The ``write_csv`` fixture of conftest: text (and a file name) in, path out.
type WriteCsv = Callable[..., Path]

SPECS: list[TableSpec] = [*TABLES.values(), *DATASET_TABLES.values()]

#: Every column of a percentage (or of a score on a 0-100 scale) in the schemas.
PERCENT_COLUMNS = [
    ("cv_models", "top1_accuracy"),
    ("nlp_models", "glue_score"),
    ("vision_models", "top1_accuracy"),
    ("vision_models", "top5_accuracy"),
]


def _spec(name: str) -> TableSpec:
    return {s.name: s for s in SPECS}[name]


def _shipped(spec: TableSpec) -> pd.DataFrame:
    """The shipped file of ``spec`` as text, exactly as the reader sees it."""
    path = shipped_path("data") / spec.filename
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _refused(df: pd.DataFrame, spec: TableSpec) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        validate_table(df, spec, line_numbers=True)
    return info.value


def test_the_percentage_columns_are_all_listed_here() -> None:
    found = {
        (s.name, c.name)
        for s in SPECS
        for c in s.columns
        if c.kind in ("float", "int")
        and (c.unit == "%" or any(w in c.name for w in ("accuracy", "score", "percent")))
    }
    assert found == set(PERCENT_COLUMNS)


@pytest.mark.parametrize(("table", "column"), PERCENT_COLUMNS)
def test_every_percentage_column_declares_0_to_100_with_a_reason(table: str, column: str) -> None:
    col = _spec(table).column(column)
    assert col.bounds is not None
    assert (col.bounds.low, col.bounds.high) == (0.0, 100.0)
    assert col.bounds.percent
    assert len(col.bounds.reason) > 20


@pytest.mark.parametrize(("table", "column"), PERCENT_COLUMNS)
def test_a_percentage_above_100_is_refused(table: str, column: str) -> None:
    spec = _spec(table)
    df = _shipped(spec)
    pos = int(np.flatnonzero(df[column] != "")[1])
    df.loc[pos, column] = "178"
    err = _refused(df, spec)
    assert (err.row, err.column) == (pos + 2, column)
    assert len(err.problems) == 1
    assert "178" in str(err) and "100" in str(err)


@pytest.mark.parametrize(("table", "column"), PERCENT_COLUMNS)
def test_a_column_of_fractions_is_refused_once_with_the_fix(table: str, column: str) -> None:
    spec = _spec(table)
    df = _shipped(spec)
    filled = df[column] != ""
    df.loc[filled, column] = [f"{float(v) / 100:.6g}" for v in df.loc[filled, column]]
    err = _refused(df, spec)
    assert len(err.problems) == 1
    assert err.column == column
    assert err.row == int(np.flatnonzero(filled)[0]) + 2
    assert "looks like a fraction" in str(err) and "multiply" in str(err).lower()
    assert "by 100" in str(err)


def test_one_fraction_among_percentages_is_refused(write_csv: WriteCsv) -> None:
    text = (
        "model,top1_accuracy,gflops,release_date\n"
        "A,70.1,1.5,2019-01-01\nB,0.78,3.0,2020-06-01\nC,81.5,4.0,2021-06-01\n"
    )
    path = write_csv(text)
    with pytest.raises(DataValidationError) as info:
        et.load_data("cv_models", source=path)
    err = info.value
    assert (err.row, err.column) == (3, "top1_accuracy")
    assert len(err.problems) == 1
    assert str(path) in str(err) and "looks like a fraction" in str(err) and "78" in str(err)


def test_a_one_row_table_with_a_fraction_is_refused(write_csv: WriteCsv) -> None:
    path = write_csv("model,top1_accuracy,gflops,release_date\nA,0.78,1.5,2019-01-01\n")
    with pytest.raises(DataValidationError, match=r"line 2, column 'top1_accuracy'.*fraction"):
        et.load_data("cv_models", source=path)


def test_percentages_from_a_dataframe_are_checked_too() -> None:
    df = pd.DataFrame(
        {
            "model": ["A", "B"],
            "top1_accuracy": [70.0, 178.0],
            "gflops": [1.0, 2.0],
            "release_date": ["2019-01-01", "2019-02-01"],
        },
        index=[10, 11],
    )
    with pytest.raises(DataValidationError, match=r"row 11, column 'top1_accuracy': 178"):
        et.load_data("cv_models", source=df)


def test_the_shipped_tables_still_validate() -> None:
    tables = et.datasets()
    for dataset, table in zip(tables["dataset"], tables["table"], strict=True):
        assert len(et.load_data(table, dataset)) > 0


@pytest.mark.parametrize(("sep", "word"), [(";", "semicolon"), ("\t", "tab")])
def test_a_file_with_another_separator_gets_one_plain_error(
    write_csv: WriteCsv, sep: str, word: str
) -> None:
    rows = [
        ["model", "top1_accuracy", "gflops", "release_date", "extra_data"],
        ["A", "70,1", "1,5", "2019-01-01", "No"],
        ["B", "75,0", "3,0", "2020-06-01", "No"],
    ]
    path = write_csv("".join(sep.join(r) + "\n" for r in rows))
    with pytest.raises(DataValidationError) as info:
        et.load_data("cv_models", source=path)
    err = info.value
    assert len(err.problems) == 1
    assert err.row == 1 and err.column is None
    message = str(err)
    assert str(path) in message
    assert f"looks {word}-separated" in message
    assert "comma" in message and "decimal" in message
    assert "missing" not in message


def test_semicolons_inside_cells_of_a_comma_file_are_fine(write_csv: WriteCsv) -> None:
    text = "model,top1_accuracy,gflops,release_date,gflops_ref\nA,70.1,1.5,2019-01-01,69;70\n"
    df = et.load_data("cv_models", source=write_csv(text))
    assert df["gflops_ref"].tolist() == ["69;70"]


def test_a_folder_is_refused_cleanly(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="is a folder"):
        et.load_data("cv_models", source=tmp_path)


def _corrupted_result(path: Path) -> None:
    """A small result file whose root group's object header is overwritten: the HDF5
    signature and superblock still read, so h5netcdf fails half-way through opening it."""
    tree = xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset({"a": ("draw", np.arange(3.0))}),
            "energytrend_data": xr.Dataset({"x": ("row", [1.0])}),
        }
    )
    write_result(tree, path, {"energytrend_version": et.__version__})
    data = bytearray(path.read_bytes())
    at = data.index(b"OHDR")  # the root group's object header comes first
    data[at : at + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))


def test_a_corrupted_header_gives_only_the_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "fit.nc"
    _corrupted_result(path)
    code = (
        "import sys\n"
        "import energytrend as et\n"
        "try:\n"
        "    et.load(sys.argv[1])\n"
        "except et.ResultFileError as e:\n"
        "    print(e)\n"
        "    raise SystemExit(3)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 3, run.stderr
    assert str(path) in run.stdout and "not a readable energytrend result" in run.stdout
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr, run.stderr


def test_the_half_open_file_is_freed_quietly_and_the_hook_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []

    def record(unraisable: object) -> None:
        seen.append(unraisable)

    monkeypatch.setattr(sys, "unraisablehook", record)
    path = tmp_path / "fit.nc"
    _corrupted_result(path)
    try:
        read_result(path)
    except et.ResultFileError as e:
        assert str(path) in str(e)
    else:
        pytest.fail("a corrupted file was read")
    gc.collect()  # whatever the read left behind is gone now
    assert seen == []
    assert sys.unraisablehook is record


@pytest.mark.parametrize("value", ["inf", "-inf"])
def test_an_infinite_count_is_refused_cleanly(write_csv: WriteCsv, value: str) -> None:
    path = write_csv(f"model,input_tokens,gflops,release_date\nX,{value},3.0,2020-01-01\n")
    with pytest.raises(DataValidationError) as info:
        et.load_data("nlp_models", source=path)
    assert (info.value.row, info.value.column) == (2, "input_tokens")
    assert len(info.value.problems) == 1
