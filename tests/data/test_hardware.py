"""Tables 5.1 and B.3 are derived from Tables B.1 and B.2 and agree with the printed ones."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import REPO
from energytrend import load_data, thesis

#: Thesis Table 5.1 as printed: (family, precision, domain) -> speed-up.
TABLE_5_1 = {
    ("V100", "Mixed", "cv"): 2.27,
    ("V100", "Mixed", "nlp"): 2.64,
    ("A100", "TF32", "cv"): 1.75,
    ("A100", "TF32", "nlp"): 3.56,
    ("A100", "Mixed", "cv"): 3.33,
    ("A100", "Mixed", "nlp"): 4.67,
    ("T4", "Mixed", "cv"): 2.7,
    ("T4", "Mixed", "nlp"): 3.16,
}


def test_table_5_1_within_one_percent() -> None:
    table = thesis.speedup_table().set_index(["family", "precision", "domain"])["speedup"]
    assert len(table) == len(TABLE_5_1)
    for key, printed in TABLE_5_1.items():
        assert table[key] == pytest.approx(printed, rel=0.01), key


def test_recomputed_speedups_match_printed_column() -> None:
    from energytrend.data.hardware import benchmark_speedups

    b = benchmark_speedups()
    n_fp32 = (load_data("inference_throughput", "thesis")["precision"] == "FP32").sum()
    assert n_fp32 == 19
    assert len(b) == 58 - n_fp32  # every non-FP32 row has its FP32 reference
    # printed speed-ups are rounded to 2 decimals
    assert (b["speedup"] - b["speedup_printed"]).abs().max() < 0.006


def test_a100_is_relative_to_v100() -> None:
    from energytrend.data.hardware import benchmark_speedups

    b = benchmark_speedups()
    assert set(b.loc[b["family"] == "A100", "reference_family"]) == {"V100"}


def test_missing_fp32_reference_is_an_error() -> None:
    tp = load_data("inference_throughput", "thesis")
    tp = tp[~((tp["model"] == "SSD v1.1") & (tp["precision"] == "FP32"))]
    with pytest.raises(ValueError, match=r"no FP32 measurement on V100 for SSD v1\.1"):
        thesis.speedup_table(tp)


def _printed_b3() -> pd.DataFrame:
    return pd.read_csv(REPO / "tests" / "table_b3.csv", parse_dates=["launch_date"])


@pytest.mark.parametrize("domain", ["cv", "nlp"])
def test_table_b3_within_one_percent(domain: str) -> None:
    printed = _printed_b3()
    printed = printed[printed["series"].isin(["No", "CNN" if domain == "cv" else "NLP"])]
    derived = thesis.efficiency_series(domain)
    assert len(derived) == len(printed) == 32
    keyed = derived.assign(gpu=derived["gpu"].replace({"T4": "Tesla T4"}))
    merged = printed.merge(
        keyed,
        on=["gpu", "precision", "launch_date"],
        validate="one_to_one",
        suffixes=("_printed", ""),
    )
    assert len(merged) == 32
    assert ((merged["tflops"] / merged["tflops_printed"] - 1).abs() < 0.01).all()
    rel = merged["gflops_per_watt"] / merged["gflops_per_watt_printed"] - 1
    assert (rel.abs() < 0.01).all(), merged.loc[rel.abs() >= 0.01, "gpu"].tolist()


def test_b1_gflops_per_watt_within_one_percent() -> None:
    # Table B.1's printed GFLOPS/W for a few rows, including the K20x typo (16.74 vs 16.77).
    printed = {
        ("Tesla K20x", "FP32"): 16.74,
        ("A30", "FP16/FP32 Tensor"): 1000.0,
        ("T4", "FP32"): 115.71,
        ("GeForce GTX 580", "FP32"): 6.48,
    }
    g = load_data("gpus", "thesis").set_index(["gpu", "precision"])
    for key, value in printed.items():
        assert g.loc[key, "tflops"] * 1000 / g.loc[key, "tdp_watts"] == pytest.approx(
            value, rel=0.01
        )


def test_all_fp32_selection_adds_the_rows_the_thesis_left_out() -> None:
    chosen = thesis.efficiency_series("cv")
    every = thesis.efficiency_series("cv", selection="all_fp32")
    extra = set(every["gpu"]) - set(chosen["gpu"])
    assert extra == {"Tesla P100", "A30"}
    assert len(every) == len(chosen) + 3  # P100, A100 and A30 FP32 rows


def test_bad_domain_and_selection() -> None:
    with pytest.raises(ValueError, match="domain must be one of"):
        thesis.efficiency_series("speech")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="selection must be"):
        thesis.efficiency_series("cv", selection="some")  # type: ignore[arg-type]
