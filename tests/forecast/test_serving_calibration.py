"""The architecture and serving curation files, the MLPerf runs they describe, and the
calibration on an earlier round checked on a later one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from energytrend.data.serving_inputs import (
    llm_architecture,
    mlperf_serving_runs,
    model_shape,
)
from energytrend.data.validation import DataValidationError
from energytrend.forecast.serving_calibration import calibrate, crps_log

CURATION = REPO / "data" / "curation"


def test_every_architecture_row_cites_its_source() -> None:
    a = llm_architecture()
    for col in ("repository", "path", "commit", "licence", "read"):
        assert (a[col].str.len() > 0).all(), col
    assert a["commit"].str.match(r"^[0-9a-f]{40}").all()


def test_gqa_width_reaches_the_model_shape() -> None:
    m = model_shape("Llama 3.1-405B")
    assert (m.kv_dim, m.d_model) == (1024.0, 16384.0)
    k2 = model_shape("Kimi K2")
    assert (k2.n_experts, k2.experts_per_token, k2.kv_dim) == (384.0, 8.0, None)


def test_duplicate_architecture_row_is_named(tmp_path: Path) -> None:
    lines = (CURATION / "llm_architecture.csv").read_text().splitlines()
    bad = tmp_path / "arch.csv"
    bad.write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(DataValidationError, match="line 12, column 'model': duplicate of line 2"):
        llm_architecture(bad)


def test_every_run_has_its_serving_configuration() -> None:
    runs = mlperf_serving_runs()
    assert runs[["batch", "accelerators", "kv_dim", "n_layers"]].notna().all().all()
    r405 = runs[runs["benchmark"] == "llama3.1-405b"].set_index("scenario")
    assert r405.loc["Offline", "accelerators"] == 4 and r405.loc["Offline", "batch"] == 128


def test_a_run_without_configuration_is_refused(tmp_path: Path) -> None:
    lines = (CURATION / "mlperf_llm_serving.csv").read_text().splitlines()
    short = tmp_path / "serving.csv"
    short.write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(ValueError, match=r"has no row in curation/mlperf_llm_serving\.csv"):
        mlperf_serving_runs(serving=short)


def test_crps_of_a_spread_forecast() -> None:
    rng = np.random.default_rng(0)
    x = np.exp(rng.standard_normal(20_000))
    # CRPS of N(0, 1) at 0 is (sqrt(2) - 1) / sqrt(pi)
    assert crps_log(x, 1.0) == pytest.approx((np.sqrt(2) - 1) / np.sqrt(np.pi), abs=0.01)


@pytest.fixture(scope="module")
def calibrated() -> dict[str, pd.DataFrame]:
    return calibrate(mlperf_serving_runs(), ("4.1",), draws=2000, seed=1, bootstrap=200)


def test_calibration_holds_the_later_round_out(calibrated: dict[str, pd.DataFrame]) -> None:
    held, par = calibrated["runs"], calibrated["parameters"]
    assert set(held["round"]) == {"5.1"}
    assert (par["train_runs"] == 4).all()
    assert 1 <= par["effective_draws"].iloc[0] <= 2000
    s = calibrated["scores"].set_index(["band", "metric"])
    for band in ("prior", "calibrated"):
        assert 0 <= s.loc[(band, "coverage"), "value"] <= 1
        assert s.loc[(band, "crps"), "lower"] <= s.loc[(band, "crps"), "upper"]


def test_posterior_stays_inside_the_prior(calibrated: dict[str, pd.DataFrame]) -> None:
    p = calibrated["parameters"]
    assert (p["posterior_lower"] >= p["prior_low"]).all()
    assert (p["posterior_upper"] <= p["prior_high"]).all()


def test_calibration_needs_runs_on_both_sides() -> None:
    with pytest.raises(ValueError, match="must leave runs on both sides"):
        calibrate(mlperf_serving_runs(), ("4.1", "5.1"), draws=200)
