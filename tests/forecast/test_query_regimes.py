"""Named serving regimes of the trend's per-query energy (issue 24, point 5)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import energytrend as et
from energytrend.cli import main
from energytrend.data.serving_inputs import chip, model_shape
from energytrend.forecast.query_regimes import (
    REGIMES,
    candidate_chips,
    chip_at,
    joules_per_parameter,
    regime_path,
    regimes_table,
)
from energytrend.forecast.serving import BOUNDARIES, Serving, query_energy_draws
from energytrend.forecast.trend import compute_path

H100 = "NVIDIA H100 SXM5 80GB"


@pytest.fixture(scope="module")
def llm() -> et.TrendFit:
    return et.fit("llm")


def test_regimes_are_data_with_reasons() -> None:
    table = regimes_table()
    assert list(table["regime"]) == ["benchmark", "interactive", "batch1"]
    assert (table["reason"].str.len() > 40).all()
    assert set(table["boundary"]) <= set(BOUNDARIES)
    assert not REGIMES["benchmark"].physical and REGIMES["batch1"].batch == (1, 1)
    lo, hi = REGIMES["interactive"].batch or (0, 0)
    assert 1 < lo < hi


@pytest.mark.parametrize("batch", [1, 16])
def test_per_parameter_energy_is_the_serving_model_of_a_dense_model(batch: int) -> None:
    """The shortcut the regimes rest on: without KV cache and attention, the serving model is
    linear in the parameters and does not depend on the accelerators per replica."""
    hw = chip(H100, "FP8")
    regime = dataclasses.replace(REGIMES["interactive"], batch=(batch, batch))
    per_param = joules_per_parameter(hw, regime, 70, 215, 500, 11)
    dense = model_shape({"params_millions": 70_000, "active_params_millions": 70_000})
    direct = query_energy_draws(dense, hw, Serving(batch, 4, 70, 215), draws=500, seed=11)
    assert per_param * 70e9 == pytest.approx(direct["query"], rel=1e-9)


def test_the_chip_of_a_date_is_the_best_released_by_then() -> None:
    best = candidate_chips("int8")
    assert best["flops_per_watt"].is_monotonic_decreasing
    first = best.iloc[0]
    after, before = chip_at(first["year"] + 0.01, "int8"), chip_at(first["year"] - 0.01, "int8")
    assert after.name == first["hardware_name"] and before.name != first["hardware_name"]
    with pytest.raises(ValueError, match="no server accelerator with a int8 peak"):
        chip_at(2000.0, "int8")


def test_regime_path_is_active_parameters_times_the_chips_energy(llm: et.TrendFit) -> None:
    years = np.array([2024.0, 2025.5])
    reg = REGIMES["batch1"]
    path = regime_path(llm, "all", years, 70, 215, reg, seed=3)
    t = years - float(llm.idata.attrs["year_origin"])
    params = 10.0 ** compute_path(llm, "llm/all", t) * 1e9 / 2.0
    for k, y in enumerate(years):
        hw = chip_at(float(y), "int8")
        assert path.hardware[k] == hw.name
        e = joules_per_parameter(hw, reg, 70, 215, params.shape[0], 3)
        assert np.allclose(10.0 ** path.log10_joules[:, k], params[:, k] * e, rtol=1e-9)


def test_regimes_order_and_columns(llm: et.TrendFit) -> None:
    out = {
        r: et.energy_per_query(llm, scenario="short_chat", year=2025, group="all", regime=r)
        for r in REGIMES
    }
    med = {r: float(t["median_j"].iloc[0]) for r, t in out.items()}
    # one sequence at a time reads all weights per token: far above the other regimes
    assert med["batch1"] > 5 * med["interactive"] and med["batch1"] > 5 * med["benchmark"]
    assert out["batch1"]["regime"].iloc[0] == "batch1"
    assert out["batch1"]["basis"].iloc[0] == "serving model"
    assert out["benchmark"]["hardware"].iloc[0] == "efficiency trend"
    named = et.energy_per_query(
        llm, year=[2024, 2025], group="all", regime="interactive", hardware=H100
    )
    assert set(named["hardware"]) == {H100}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"regime": "chat"}, "regime must be one of benchmark, interactive, batch1"),
        ({"hardware": H100}, "needs a serving-model regime"),
        ({"regime": "batch1", "basis": "peak"}, "applies to the 'benchmark' regime only"),
        ({"regime": "batch1", "hardware": "H100 SXM"}, "did you mean"),
    ],
)
def test_bad_regime_input_is_one_clear_line(llm: et.TrendFit, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        et.energy_per_query(llm, year=2025, **kwargs)
    assert "\n" not in str(err.value)


def test_crossing_dates_per_regime(llm: et.TrendFit) -> None:
    dates = et.query_crossing_dates(llm, scenarios=["short_chat"], regime="batch1")
    assert set(dates["regime"]) == {"batch1"}
    bench = et.query_crossing_dates(llm, scenarios=["short_chat"])
    assert "regime" not in bench.columns  # the default table is unchanged
    assert len(dates) == len(bench)


def test_cli_query_regime(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["query", "--regime", "batch1", "--year", "2025", "--scenario", "short_chat"])
    out = capsys.readouterr().out
    assert rc == 0 and "batch1 regime" in out and "FP8" in out
