"""Per-precision efficiency series, Table B.2 realised fractions and inference-precision eras."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from energytrend.data.datasets import load_data
from energytrend.data.precision import (
    DEFAULT_PRECISION_ERAS,
    MLPERF_PRECISION_ERAS,
    PRECISIONS,
    InferencePrecision,
    precision_at,
    precision_eras_from_config,
    precision_series,
    speedup_data,
)
from energytrend.data.tables import decimal_year


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    return precision_series()


def _one(s: pd.DataFrame, hardware: str, precision: str) -> pd.Series:
    row = s[(s["hardware"] == hardware) & (s["precision"] == precision)]
    assert len(row) == 1, (hardware, precision)
    return row.iloc[0]


@pytest.mark.parametrize(
    ("hardware", "precision", "expected", "column"),
    [
        # accelerators.csv: tensor_fp16_bf16_tflops 125, tdp_watts 300 -> 125 * 1000 / 300
        ("NVIDIA Tesla V100 SXM2", "fp16", 125 * 1000 / 300, "tensor_fp16_bf16_tflops"),
        # fp32_tflops 15.67, tdp_watts 300
        ("NVIDIA Tesla V100 SXM2", "fp32", 15.67 * 1000 / 300, "fp32_tflops"),
        # T4: tensor column empty, fp16_tflops 65.13 = 8 x fp32 8.141 (a matrix rate), 70 W
        ("NVIDIA Tesla T4", "fp16", 65.13 * 1000 / 70, "fp16_tflops"),
        # H100 SXM5: int8_tops 1979 = fp8_tflops 1979, 700 W; INT8 wins the tie
        ("NVIDIA H100 SXM5 80GB", "int8", 1979 * 1000 / 700, "int8_tops"),
        # B300: int8_tops 157.5 (Blackwell Ultra's cut INT8) < fp8_tflops 4500, 1100 W
        ("NVIDIA B300 (Blackwell Ultra)", "int8", 4500 * 1000 / 1100, "fp8_tflops"),
    ],
)
def test_hand_checked_gflops_per_watt(
    series: pd.DataFrame, hardware: str, precision: str, expected: float, column: str
) -> None:
    row = _one(series, hardware, precision)
    assert row["gflops_per_watt"] == pytest.approx(expected, rel=1e-9)
    assert row["peak_column"] == column
    assert row["server"]


def test_thesis_series_hand_checked() -> None:
    s = precision_series("thesis")
    # gpus.csv: Tesla V100, FP16/FP32 Tensor, 125 TFLOPS, 300 W
    assert _one(s, "Tesla V100", "fp16")["gflops_per_watt"] == pytest.approx(125e3 / 300)
    # Tesla K20x, FP32, 3.94 TFLOPS, 235 W (the thesis prints 16.74; 16.77 is right)
    assert _one(s, "Tesla K20x", "fp32")["gflops_per_watt"] == pytest.approx(3940 / 235)
    # plain FP16 rows are left out, there are no INT8 rows, every row is NVIDIA
    assert set(s["peak_column"]) == {"FP32", "FP16/FP32 Tensor"}
    assert set(s["precision"]) == {"fp32", "fp16"}
    assert s.groupby("precision").size().to_dict() == {"fp32": 31, "fp16": 9}
    assert s["source"].eq("thesis_table_b1").all()


def test_columns_and_derived_values(series: pd.DataFrame) -> None:
    assert list(series.columns[:11]) == [
        "hardware", "manufacturer", "type", "server", "release_date", "year", "precision",
        "peak_tflops", "tdp_watts", "gflops_per_watt", "source",
    ]  # fmt: skip
    assert series["gflops_per_watt"].to_numpy() == pytest.approx(
        series["peak_tflops"].to_numpy() * 1000 / series["tdp_watts"].to_numpy()
    )
    assert np.array_equal(series["year"], decimal_year(series["release_date"]))
    assert series["server"].equals(series["type"] == "Server")
    assert not series.duplicated(["hardware", "precision"]).any()
    assert set(series["manufacturer"]) == {"NVIDIA"}
    assert series[["peak_tflops", "tdp_watts"]].notna().all().all()


@pytest.mark.parametrize(
    ("precision", "n_min", "first_before", "last_after"),
    [("fp32", 60, 2011.0, 2025.0), ("fp16", 20, 2018.0, 2025.0), ("int8", 20, 2017.0, 2025.0)],
)
def test_each_series_is_long_enough(
    series: pd.DataFrame, precision: str, n_min: int, first_before: float, last_after: float
) -> None:
    s = series[series["precision"] == precision]
    assert len(s) >= n_min
    assert s["year"].min() < first_before
    assert s["year"].max() > last_after
    assert s["server"].sum() >= 15


def test_rows_without_tdp_are_dropped_and_named(series: pd.DataFrame) -> None:
    assert series.attrs["dropped_no_tdp"] == ["NVIDIA L2 PCle", "NVIDIA RTX 6000 Ada Generation"]
    assert not series["hardware"].isin(series.attrs["dropped_no_tdp"]).any()


def test_flags_superchips_and_placeholders() -> None:
    kept = precision_series()
    assert {"NVIDIA H800 SXM5", "NVIDIA B200", "NVIDIA H100 PCIe"} <= set(kept["hardware"])
    strict = precision_series(exclude_flags=("suspicious_unverified",))
    assert "NVIDIA H800 SXM5" not in set(strict["hardware"])
    assert not kept["hardware"].str.contains("GH200|GB200|GB300").any()
    assert precision_series(superchips=True)["hardware"].str.contains("GB200").any()
    everyone = precision_series(vendors=None)
    assert "AMD Radeon Instinct MI300" not in set(everyone["hardware"])
    assert "AMD Instinct MI300X" in set(everyone["hardware"])
    assert set(precision_series(types=("Server",))["type"]) == {"Server"}


def test_speedup_rows_recomputed_by_hand() -> None:
    b = speedup_data("thesis")
    assert len(b) == 39 and set(b["domain"]) == {"cv", "nlp"}
    v100 = b[
        (b["model"] == "ResNet v1.5") & (b["framework"] == "PyTorch") & (b["family"] == "V100")
    ]
    row = v100.iloc[0]
    # inference_throughput.csv: V100 Mixed 3382 / V100 FP32 1261 images/s
    # gpus.csv: Tesla V100 tensor 125 / FP32 15.7 TFLOPS
    assert row["speedup"] == pytest.approx(3382 / 1261)
    assert row["peak_ratio"] == pytest.approx(125 / 15.7)
    assert row["log10_realised_fraction"] == pytest.approx(math.log10((3382 / 1261) / (125 / 15.7)))
    # A100 is measured against the V100's FP32: SSD v1.1 A100 Mixed 910.17 / V100 FP32 271.73,
    # against A100 tensor 312 / V100 FP32 15.7
    a100 = b[(b["model"] == "SSD v1.1") & (b["precision"] == "Mixed") & (b["family"] == "A100")]
    row = a100.iloc[0]
    assert row["reference"] == "V100 FP32"
    assert row["speedup"] == pytest.approx(910.17 / 271.73)
    assert row["peak_ratio"] == pytest.approx(312 / 15.7)
    # the thesis's Table B.1 has no TF32 peak
    assert b.loc[b["precision"] == "TF32", "peak_ratio"].isna().all()
    # every realised fraction is below the peak gain
    assert (b["log10_realised_fraction"].dropna() < 0).all()


def test_speedup_data_2025_peaks() -> None:
    b = speedup_data("2025")
    a100_tf32 = b[(b["family"] == "A100") & (b["precision"] == "TF32")]
    # accelerators.csv: A100 tf32 156, V100 SXM2 fp32 15.67
    assert a100_tf32["peak_ratio"].to_numpy() == pytest.approx(156 / 15.67)
    assert b["log10_realised_fraction"].notna().all()


def test_default_eras_are_the_first_server_dates_in_the_data() -> None:
    acc = load_data("accelerators", "2025")
    server = acc[(acc["manufacturer"] == "NVIDIA") & (acc["type"] == "Server")]
    first_fp16 = server.loc[server["tensor_fp16_bf16_tflops"].notna(), "release_date"].min()
    first_fp8 = server.loc[server["fp8_tflops"].notna(), "release_date"].min()
    assert str(first_fp16.date()) == "2017-06-21"  # Tesla V100 PCIe
    assert str(first_fp8.date()) == "2022-03-22"  # H100 SXM5
    starts = dict((p, y) for y, p in DEFAULT_PRECISION_ERAS.eras)
    for precision, date in (("fp16", first_fp16), ("int8", first_fp8)):
        exact = decimal_year(pd.Series([date]))[0]
        assert 0 <= exact - starts[precision] < 0.001
    assert MLPERF_PRECISION_ERAS.eras[2] == (2018.698, "int8")  # Tesla T4, 2018-09-13


def test_precision_at_edges() -> None:
    years = np.array([2005.0, 2010.0, 2017.4679, 2017.468, 2020.0, 2022.2189, 2022.219, 2040.0])
    got = precision_at(years)
    assert list(got) == ["fp32", "fp32", "fp32", "fp16", "fp16", "fp16", "int8", "int8"]
    assert list(precision_at([2019.0], MLPERF_PRECISION_ERAS)) == ["int8"]
    assert list(precision_at([2019.0], [(2010, "fp32")])) == ["fp32"]
    assert set(precision_at(np.linspace(2000, 2050, 101))) <= set(PRECISIONS)
    with pytest.raises(ValueError, match="finite"):
        precision_at([2020.0, float("nan")])


@pytest.mark.parametrize(
    ("eras", "message"),
    [
        ([(2010, "fp32"), (2018, "bf16")], "unknown precision 'bf16'"),
        ([(2018, "fp16"), (2010, "fp32")], "strictly increasing"),
        ([(2010, "fp32"), (2010, "fp16")], "strictly increasing"),
        ([], "non-empty"),
        ("fp32", "non-empty"),
        ([(2010, "fp32", "extra")], r"\[start_year, precision\]"),
        ([("2010", "fp32")], "finite number"),
        ([(True, "fp32")], "finite number"),
        ([(float("inf"), "fp32")], "finite number"),
    ],
)
def test_bad_mappings_are_clear_errors(eras: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        InferencePrecision(eras)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        precision_at([2020.0], eras)  # type: ignore[arg-type]


def test_eras_from_toml() -> None:
    doc = tomllib.loads('[precision]\neras = [[2010, "fp32"], [2017.468, "fp16"], [2023, "int8"]]')
    eras = precision_eras_from_config(doc)
    assert eras == precision_eras_from_config(doc["precision"])
    assert eras.eras == ((2010.0, "fp32"), (2017.468, "fp16"), (2023.0, "int8"))
    assert list(precision_at([2022.5], eras)) == ["fp16"]
    with pytest.raises(ValueError, match="exactly one key"):
        precision_eras_from_config({"eras": [[2010, "fp32"]], "era": []})
    with pytest.raises(ValueError, match="exactly one key"):
        precision_eras_from_config({})
    with pytest.raises(ValueError, match="unknown precision 'fp64'"):
        precision_eras_from_config({"eras": [[2010, "fp64"]]})
    with pytest.raises(AttributeError):
        eras.eras = ()  # type: ignore[misc]
