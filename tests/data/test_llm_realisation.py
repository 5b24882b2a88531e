"""LLM realisation factor: MLPerf LLM energy per sample over the token-based peak bound."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from energytrend.data.llm_realisation import (
    OUTPUT_COLUMNS,
    llm_realisation_table,
    read_mlperf_llm_benchmarks,
)
from energytrend.data.tables import shipped_path
from energytrend.data.validation import DataValidationError

CURATION = shipped_path("data") / "curation" / "mlperf_llm_benchmarks.csv"
BOTH = ("Offline", "Server")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return llm_realisation_table(scenarios=BOTH)


def test_one_run_by_hand(table: pd.DataFrame) -> None:
    # data/2025/mlperf_power.csv, round 4.1, NVIDIA H200-SXM-141GBx8_TRT_MaxQ, llama2-70b
    # Offline: 6152.98 W, 86.7369 samples/s, 25262.1 tokens/s.
    # accelerators.csv 'NVIDIA H200 SXM': 1979 FP8 TFLOPS, 700 W.
    # mlperf_llm_benchmarks.csv: 70e9 active parameters, 222.33 input tokens, FP8.
    measured = 6152.98 / 86.7369
    output_tokens = 25262.1 / 86.7369  # 291.25
    peak = (222.33 + output_tokens) * (2 * 70) / (1979 * 1000 / 700)
    row = table[
        (table["round"] == "4.1")
        & (table["benchmark"] == "llama2-70b")
        & (table["scenario"] == "Offline")
    ]
    assert len(row) == 1
    r = row.iloc[0]
    assert r["hardware_name"] == "NVIDIA H200 SXM" and r["precision"] == "FP8"
    assert r["accelerator_count"] == 8 and r["gflops_per_token"] == 140
    assert r["peak_gflops_per_watt"] == pytest.approx(1979e3 / 700)
    assert r["output_tokens"] == pytest.approx(output_tokens, rel=1e-9)
    assert r["prefill_share"] == pytest.approx(222.33 / (222.33 + output_tokens))
    assert r["measured_j_per_sample"] == pytest.approx(measured, rel=1e-6)
    assert r["peak_j_per_sample"] == pytest.approx(peak, rel=1e-9)
    assert r["realisation"] == pytest.approx(measured / peak, rel=1e-6)
    assert r["realisation"] == pytest.approx(2.789, abs=1e-3)
    assert r["log10_realisation"] == pytest.approx(np.log10(measured / peak), rel=1e-6)
    assert r["measured_j_per_token"] == pytest.approx(6152.98 / 25262.1, rel=1e-9)


def test_columns_scenarios_and_plausibility(table: pd.DataFrame) -> None:
    assert list(table.columns) == OUTPUT_COLUMNS
    assert set(table["scenario"]) == set(BOTH)
    offline = llm_realisation_table()
    assert set(offline["scenario"]) == {"Offline"}
    assert len(offline) == 5
    # whole-system wall power against the accelerators' peak: at least 1, and not absurd
    assert (table["realisation"] > 1).all() and (table["realisation"] < 10).all()
    assert ((table["prefill_share"] > 0) & (table["prefill_share"] < 1)).all()
    assert (table["peak_utilisation"] < 1).all()


def test_every_row_traces_to_the_curation_file(table: pd.DataFrame) -> None:
    cur = read_mlperf_llm_benchmarks().set_index(["round", "system", "benchmark"])
    for _, r in table.iterrows():
        c = cur.loc[(r["round"], r["system"], r["benchmark"])]
        assert r["precision"] == c["precision"]
        assert r["input_tokens"] == c["input_tokens"]
        assert r["active_parameters_b"] == c["active_parameters_b"]
        assert r["gflops_per_token"] == 2 * c["active_parameters_b"]
        for col in ("parameters_source", "input_tokens_source", "precision_evidence"):
            assert len(c[col]) > 40, (r["benchmark"], col)
        ref = c["reference_output_tokens"]
        if not pd.isna(ref):
            assert abs(r["output_tokens"] / ref - 1) <= 0.10


def test_gptj_is_dropped_with_its_reason() -> None:
    _, dropped = llm_realisation_table(scenarios=BOTH, with_dropped=True)
    gptj = dropped[dropped["benchmark"] == "gptj"]
    assert len(gptj) == 2
    assert set(gptj["drop_reason"]) == {"benchmark not in mlperf_llm_benchmarks.csv"}
    assert "gptj" not in set(read_mlperf_llm_benchmarks()["benchmark"])


def _broken(tmp_path: Path, edit: dict[str, object], line: int = 3) -> Path:
    cur = pd.read_csv(CURATION, dtype=str, keep_default_na=False)
    for col, value in edit.items():
        cur.loc[line - 2, col] = value
    path = tmp_path / "mlperf_llm_benchmarks.csv"
    cur.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("edit", "column", "words"),
    [
        ({"input_tokens": "many"}, "input_tokens", "number"),
        ({"active_parameters_b": "-1"}, "active_parameters_b", ""),
        ({"precision": "FP6"}, "precision", "FP6"),
        ({"active_parameters_b": "80"}, "active_parameters_b", "80"),
        ({"input_tokens": "300"}, "input_tokens", "differs"),
    ],
)
def test_bad_curation_row_names_file_line_and_column(
    tmp_path: Path, edit: dict[str, object], column: str, words: str
) -> None:
    path = _broken(tmp_path, edit)
    with pytest.raises(DataValidationError) as info:
        llm_realisation_table(benchmarks_path=path)
    err = info.value
    assert err.source == str(path) and err.row == 3 and err.column == column
    message = str(err)
    assert str(path) in message and "3" in message and column in message
    assert words in message


def test_bad_scenario() -> None:
    with pytest.raises(ValueError, match="SingleStream"):
        llm_realisation_table(scenarios=("SingleStream",))
