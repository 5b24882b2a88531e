"""Named datasets: what they hold, and that 'thesis' is the thesis's tables as shipped."""

from __future__ import annotations

import pandas as pd
import pytest

import energytrend as et
from conftest import REPO
from energytrend import thesis
from energytrend.cli import main
from energytrend.data.schema import TABLES


def test_datasets_table_lists_every_table_with_dates_source_and_licence() -> None:
    d = et.datasets()
    assert list(d.columns) == [
        "dataset",
        "table",
        "rows",
        "first_date",
        "last_date",
        "source",
        "licence",
    ]
    thesis = set(d.loc[d["dataset"] == "thesis", "table"])
    new = set(d.loc[d["dataset"] == "2025", "table"])
    assert thesis == {"cv_models", "nlp_models", "gpus", "inference_throughput"}
    assert new == thesis | {"accelerators", "vision_models", "language_models", "mlperf_power"}
    assert (d["rows"] > 0).all() and d["licence"].str.len().gt(0).all()
    d25 = d[d["dataset"] == "2025"].set_index("table")
    for table in ("accelerators", "vision_models", "language_models"):
        assert d25.loc[table, "last_date"].year == 2025
    assert d25.loc["accelerators", "first_date"].year == 2010


def test_thesis_dataset_is_the_shipped_thesis_tables() -> None:
    """'thesis' is the shipped files data/<table>.csv, each validated as a user's table."""
    for table, spec in TABLES.items():
        shipped = et.load_data(table, source=REPO / "data" / spec.filename)
        pd.testing.assert_frame_equal(et.load_data(table, data="thesis"), shipped)


def test_2025_extends_the_thesis_tables_without_repeating_a_model() -> None:
    thesis, ext = et.load_data("cv_models", "thesis"), et.load_data("cv_models", "2025")
    pd.testing.assert_frame_equal(ext.iloc[: len(thesis)], thesis)
    later = ext.iloc[len(thesis) :]
    assert (later["release_date"] > thesis["release_date"].max()).all()
    assert not ext.duplicated(["model", "extra_data"]).any()
    gpus, gthesis = et.load_data("gpus", "2025"), et.load_data("gpus", "thesis")
    new = gpus.iloc[len(gthesis) :]
    assert (new["precision"] == "FP32").all() and new["in_table_b3"].all()
    assert not new["gpu"].str.contains("GH200|GB200|GB300").any()
    assert {"H100 SXM5 80GB", "B200"} <= set(new["gpu"])


def test_frontier_rules_work_on_the_new_rows() -> None:
    cv = thesis.models_frame("cv", et.load_data("cv_models"), rule="thesis")
    years = cv.loc[cv["frontier"], "release_date"].dt.year
    assert {2022, 2023} <= set(years)
    rec = thesis.models_frame("cv", et.load_data("cv_models"), rule="accuracy_record")
    shipped = thesis.models_frame("cv", rule="accuracy_record")  # the thesis's table
    assert rec["frontier"].sum() > shipped["frontier"].sum()


def test_unknown_dataset_or_table_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'thesys'; choose one of thesis, 2025"):
        et.load_data("cv_models", data="thesys")
    with pytest.raises(ValueError, match="dataset 'thesis' has no table 'accelerators'"):
        et.load_data("accelerators", data="thesis")
    with pytest.raises(ValueError, match="unknown dataset"):
        et.fit("cv", data="2024")


def test_datasets_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "mlperf_power" in out and "CC BY 4.0" in out
    with pytest.raises(SystemExit) as e:  # argparse refuses it before anything is fitted
        main(["fit", "cv", "--data", "nope"])
    assert e.value.code == 2
