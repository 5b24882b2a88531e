"""Realisation factor: MLPerf measured energy per sample over the peak-based lower bound."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from energytrend.data.datasets import load_data
from energytrend.data.realisation import (
    PRECISION_COLUMNS,
    dropped_counts,
    read_mlperf_accelerators,
    read_mlperf_benchmarks,
    realisation_table,
)
from energytrend.data.tables import shipped_path
from energytrend.data.validation import DataValidationError

CURATION = shipped_path("data") / "curation"
BOTH = ("Offline", "Server")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return realisation_table(scenarios=BOTH)


def test_one_run_by_hand(table: pd.DataFrame) -> None:
    # data/2025/mlperf_power.csv, round 1.0, NVIDIA DGX-A100_A100-SXM-80GBx8_TRT_MaxQ,
    # resnet50 Offline: 3458.69 W at 270706 samples/s -> 0.01277655 J per sample.
    # accelerators.csv 'NVIDIA A100': 624 INT8 TOPS dense, 400 W -> 1560 GOPS/W.
    # mlperf_benchmarks.csv resnet50: 7.6 GFLOPs -> 7.6 / 1560 = 0.004871795 J per sample.
    measured = 3458.69 / 270706
    peak = 7.6 / (624 * 1000 / 400)
    row = table[
        (table["round"] == "1.0")
        & (table["system"] == "DGX-A100_A100-SXM-80GBx8_TRT_MaxQ")
        & (table["benchmark"] == "resnet50")
        & (table["scenario"] == "Offline")
    ]
    assert len(row) == 1
    r = row.iloc[0]
    assert r["hardware_name"] == "NVIDIA A100" and r["precision"] == "INT8"
    assert r["peak_tops"] == 624 and r["tdp_watts"] == 400 and r["accelerator_count"] == 8
    assert r["measured_j_per_sample"] == pytest.approx(measured, rel=1e-6)
    assert r["peak_j_per_sample"] == pytest.approx(peak, rel=1e-12)
    assert r["realisation"] == pytest.approx(measured / peak, rel=1e-6)
    assert r["realisation"] == pytest.approx(2.6226, abs=1e-4)
    assert r["log10_realisation"] == pytest.approx(np.log10(measured / peak), rel=1e-6)
    assert r["year"] == pytest.approx(2021 + 110 / 365)  # 21 April 2021 is day 111


def test_columns_types_and_scenarios(table: pd.DataFrame) -> None:
    for col in (
        "round",
        "round_date",
        "year",
        "submitter",
        "system",
        "accelerator",
        "hardware_name",
        "accelerator_count",
        "benchmark",
        "scenario",
        "precision",
        "peak_tops",
        "tdp_watts",
        "gflops_per_sample",
        "measured_j_per_sample",
        "peak_j_per_sample",
        "realisation",
        "log10_realisation",
    ):
        assert col in table.columns
        assert table[col].notna().all(), col
    assert pd.api.types.is_datetime64_any_dtype(table["round_date"])
    assert set(table["scenario"]) == set(BOTH)
    assert table["division"].str.contains("closed").all()
    offline = realisation_table()
    assert set(offline["scenario"]) == {"Offline"}
    assert len(offline) == (table["scenario"] == "Offline").sum()
    with pytest.raises(ValueError, match="SingleStream"):
        realisation_table(scenarios=("SingleStream",))


def test_no_run_beats_its_peak(table: pd.DataFrame) -> None:
    # wall power includes the host and the accelerators cannot exceed their peak rate at TDP
    # by much, so every factor must exceed 1 (a value below it meant a wrong match, a
    # sparse peak, or per-sample FLOPs the submission does not do: BERT without padding)
    assert (table["realisation"] > 1.0).all(), table.nsmallest(3, "realisation")
    assert (table["realisation"] < 100.0).all()


def test_dropped_runs_are_accounted_for() -> None:
    kept, dropped = realisation_table(with_dropped=True)
    n = len(load_data("mlperf_power"))
    assert len(kept) + len(dropped) == n
    counts = dropped_counts()
    assert counts.sum() == n and counts["kept"] == len(kept)
    assert dropped["drop_reason"].str.len().gt(0).all()
    assert set(dropped["drop_reason"]) <= set(counts.index)
    # the 40 GB A100 PCIe card has its own TDP: it must not borrow the 300 W (80 GB) row
    pcie = kept.loc[kept["hardware_name"] == "NVIDIA A100 PCIe", "accelerator"]
    assert set(pcie) == {"NVIDIA A100-PCIe-80GB"}
    assert "NVIDIA A100-PCIe-40GB" in set(dropped["accelerator"])


def test_curation_files_name_only_existing_things() -> None:
    amap = read_mlperf_accelerators()
    bench = read_mlperf_benchmarks()
    acc = load_data("accelerators")
    runs = load_data("mlperf_power")
    assert set(amap["hardware_name"]) <= set(acc["hardware_name"])
    assert set(amap["mlperf_accelerator"]) <= set(runs["accelerator"])
    pairs = set(zip(runs["benchmark"], runs["accuracy_targets"], strict=True))
    assert set(zip(bench["benchmark"], bench["accuracy_targets"], strict=True)) <= pairs
    assert set(bench["precision"]) <= set(PRECISION_COLUMNS)
    assert (bench["gflops_source"].str.len() > 20).all()
    assert (bench["precision_evidence"].str.len() > 20).all()
    # ResNet-50's GFLOPs are the thesis's Table A.3 value
    cv = pd.read_csv(shipped_path("data") / "cv_models.csv")
    rn50 = cv.loc[cv["model"] == "ResNet-50", "gflops"].item()
    assert bench.loc[bench["benchmark"] == "resnet50", "gflops_per_sample"].item() == rn50


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_malformed_curation_files_name_file_row_and_column(tmp_path: Path) -> None:
    good = (CURATION / "mlperf_accelerators.csv").read_text()
    bad_name = good + "NVIDIA A2,NVIDIA A2 PCIe,not in accelerators.csv\n"
    path = _write(tmp_path, "acc.csv", bad_name)
    with pytest.raises(DataValidationError) as e:
        realisation_table(accelerators_path=path)
    line = len(good.splitlines()) + 1
    assert e.value.source == path and e.value.row == line
    assert e.value.column == "hardware_name" and "NVIDIA A2 PCIe" in str(e.value)
    # the same MLPerf string twice is a duplicate key
    dup = _write(tmp_path, "dup.csv", good + "NVIDIA T4,NVIDIA Tesla T4,again\n")
    with pytest.raises(DataValidationError, match=r"dup\.csv"):
        read_mlperf_accelerators(dup)

    header = (
        "benchmark,accuracy_targets,gflops_per_sample,precision,gflops_source,precision_evidence\n"
    )
    text = header + "resnet50,,seven,INT8,somewhere,something\n"
    path = _write(tmp_path, "bench.csv", text)
    with pytest.raises(DataValidationError) as e:
        realisation_table(benchmarks_path=path)
    assert (
        e.value.row == 2 and e.value.column == "gflops_per_sample" and "bench.csv" in str(e.value)
    )
    path = _write(tmp_path, "prec.csv", header + "resnet50,,7.6,INT4,somewhere,something\n")
    with pytest.raises(DataValidationError) as e:
        read_mlperf_benchmarks(path)
    assert e.value.row == 2 and e.value.column == "precision" and "INT8" in str(e.value)
    path = _write(tmp_path, "nocol.csv", "benchmark,gflops_per_sample\nresnet50,7.6\n")
    with pytest.raises(DataValidationError, match="precision"):
        read_mlperf_benchmarks(path)


def test_realisation_factors_into_host_power_and_utilisation(table: pd.DataFrame) -> None:
    product = table["system_power_over_tdp"] / table["peak_utilisation"]
    np.testing.assert_allclose(product, table["realisation"], rtol=1e-5)
    # no run can exceed its accelerators' summed peak rate
    assert (table["peak_utilisation"] < 1.0).all()


def test_realisation_prior_respects_the_physical_bound() -> None:
    """Measured whole-system energy is never below the peak-based estimate (every MLPerf
    ratio is > 1 above), so the realisation prior is truncated at log10(1) = 0: its prior
    draws, in the model and in the backtest's no-data origin, are all >= 0, with the median
    of Normal(0.5, 0.5) truncated at 0 (0.60)."""
    from scipy import stats

    from energytrend.studies.prior_checks import prior_result

    prior = prior_result("cv", data="2025", draws=2000, seed=3)
    draws = prior.idata["posterior"]["realisation"].to_numpy().ravel()
    assert draws.min() >= 0.0
    spec = prior.config.spec["realisation"]["mu"]
    assert spec["lower"] == 0.0
    a = (spec["lower"] - spec["mu"]) / spec["sigma"]
    expected = stats.truncnorm.median(a, np.inf, loc=spec["mu"], scale=spec["sigma"])
    assert np.median(draws) == pytest.approx(expected, abs=4 * 1.25 * spec["sigma"] / 2000**0.5)


def test_bend_scale_options() -> None:
    """The efficiency bends' scale is fixed by default; "shared" and "per_series" learn it
    (a HalfNormal with the scale as its sd)."""
    from energytrend.model.spec import resolve_spec

    assert resolve_spec()["efficiency"]["changepoints"]["tau"] == "fixed"
    for tau in ("shared", "per_series"):
        assert resolve_spec({"efficiency": {"changepoints": {"tau": tau}}})
    with pytest.raises(ValueError, match=r"changepoints\.tau"):
        resolve_spec({"efficiency": {"changepoints": {"tau": "learned"}}})
