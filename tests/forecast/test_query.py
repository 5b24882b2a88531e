"""The language-model domain and the energy of one query (issue: energy per query).

Per-token FLOPs of known models against hand computation, the query's energy arithmetic
against the posterior draws composed by hand, bad input with a clear one-line error, and the
real sampler on the shipped ``language_models`` table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import energytrend as et
from energytrend.cli import main
from energytrend.data import query_scenarios
from energytrend.data.datasets import load_data
from energytrend.data.llm import llm_excluded, llm_models_frame
from energytrend.data.llm_queries import DEFAULT_SCENARIO
from energytrend.forecast.query import query_crossing_curve, query_shape
from energytrend.forecast.trend import (
    compute_path,
    efficiency_at,
    forecast_origin,
    inference_series,
)


@pytest.fixture(scope="module")
def llm() -> et.TrendFit:
    result = et.fit("llm")
    assert result.passed, result.diagnostics.failures
    return result


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_data("language_models")


def _row(table: pd.DataFrame, model: str) -> pd.Series:
    return table.set_index("model").loc[model]


# --------------------------------------------------------------------- per-token FLOPs
def test_dense_model_flops_per_token_by_hand(table: pd.DataFrame) -> None:
    # GPT-3 175B: Epoch's 174.6 billion parameters, 96 layers of width 12,288; forward
    # FLOPs per token = 2 x 174.6e9 + 2 x 96 x 2,048 x 12,288 (Kaplan et al.'s attention term)
    row = _row(table, "GPT-3 175B (davinci)")
    hand = (2 * 174.6e9 + 2 * 96 * 2048 * 12288) / 1e9
    assert row["active_params_millions"] == row["params_millions"] == 174_600
    assert row["gflops_per_token"] == pytest.approx(hand, rel=1e-6)


def test_mixture_of_experts_counts_active_parameters(table: pd.DataFrame) -> None:
    # Mixtral 8x7B: 46.7 billion parameters, 12.9 billion active per token, 32 layers of
    # width 4,096; DeepSeek-V3: 671 billion, 37 billion active, 61 layers of width 7,168
    for model, active, layers, width in (
        ("Mixtral 8x7B", 12.9e9, 32, 4096),
        ("DeepSeek-V3", 37e9, 61, 7168),
    ):
        row = _row(table, model)
        hand = (2 * active + 2 * layers * 2048 * width) / 1e9
        assert row["gflops_per_token"] == pytest.approx(hand, rel=1e-6), model
        assert row["active_params_millions"] < row["params_millions"]
        total_based = 2 * row["params_millions"] / 1e3
        assert row["gflops_per_token"] < total_based / 3  # far from the total's count


def test_llm_frame_and_exclusions_partition_the_table(table: pd.DataFrame) -> None:
    fitted, left_out = llm_models_frame(table), llm_excluded(table)
    assert len(fitted) + len(left_out) == len(table)
    assert np.allclose(fitted["gflops"], fitted["gflops_per_token"])
    assert set(left_out["reason"]) >= {"no published parameter count"}
    # closed models without a published size are left out, and counted
    assert "GPT-4o" in set(left_out["model"]) or left_out["model"].str.startswith("GPT-4").any()
    assert fitted["frontier"].sum() >= 3


# --------------------------------------------------------------------- the arithmetic
def test_query_energy_is_the_draws_composed_by_hand(llm: et.TrendFit) -> None:
    """log10 J = log10(tokens) + compute - efficiency(era precision) + realisation, draw by
    draw, at a date inside the data (no extrapolation involved)."""
    year = 2024.0
    t = np.array([year - llm.idata.attrs["year_origin"]])
    per_token = (
        compute_path(llm, "llm/all", t)
        - efficiency_at(llm, inference_series(llm, "llm/all", t), t)
        + llm.draws("realisation").to_numpy()[:, None]
    )[:, 0]
    hand = (1000 + 500) * 10.0**per_token
    got = et.energy_per_query(llm, prompt_tokens=1000, output_tokens=500, year=year, group="all")
    lo, hi = 10.0 ** np.quantile(np.log10(hand), [0.05, 0.95])  # quantiles of log10 draws
    row = got.iloc[0]
    assert row["median_j"] == pytest.approx(10.0 ** np.median(np.log10(hand)), rel=1e-9)
    assert (row["lower_j"], row["upper_j"]) == pytest.approx((lo, hi), rel=1e-9)
    assert row["median_wh"] == pytest.approx(row["median_j"] / 3600.0)


def test_energy_is_linear_in_tokens_and_calibration_multiplies(llm: et.TrendFit) -> None:
    one = et.energy_per_query(llm, prompt_tokens=100, output_tokens=0, year=2025, group="frontier")
    ten = et.energy_per_query(
        llm, prompt_tokens=600, output_tokens=400, year=2025, group="frontier"
    )
    for col in ("median_j", "lower_j", "upper_j"):
        assert ten[col].iloc[0] == pytest.approx(10 * one[col].iloc[0], rel=1e-9)
    peak = et.energy_per_query(llm, prompt_tokens=100, output_tokens=0, year=2025, basis="peak")
    calibrated = et.energy_per_query(llm, prompt_tokens=100, output_tokens=0, year=2025)
    assert (calibrated["median_j"] > peak["median_j"]).all()  # measured above the bound


def test_issue_example_is_finite_in_joules_and_watt_hours(llm: et.TrendFit) -> None:
    out = et.energy_per_query(llm, prompt_tokens=1000, output_tokens=500, year=2025)
    assert list(out["group"]) == ["frontier", "all"]
    numbers = out[[f"{q}_{u}" for q in ("median", "lower", "upper") for u in ("j", "wh")]]
    assert np.isfinite(numbers.to_numpy()).all() and (numbers.to_numpy() > 0).all()
    assert (out["lower_j"] < out["median_j"]).all() and (out["median_j"] < out["upper_j"]).all()
    # the frontier model's query costs more than the typical model's
    assert out["median_j"].iloc[0] > out["median_j"].iloc[1]


def test_scenarios_default_and_named(llm: et.TrendFit) -> None:
    default = et.energy_per_query(llm, year=2025, group="all")
    assert default["scenario"].iloc[0] == DEFAULT_SCENARIO
    shapes = {s: query_shape(s) for s in query_scenarios()["scenario"]}
    assert set(shapes) == {"short_chat", "long_document", "reasoning"}
    assert shapes["reasoning"].output_tokens >= 1000  # "thousands of output tokens"
    over = query_shape("short_chat", output_tokens=7)
    assert (over.prompt_tokens, over.output_tokens) == (shapes["short_chat"].prompt_tokens, 7)


def test_query_crossings_never_precede_the_origin_and_curves_rise(llm: et.TrendFit) -> None:
    t0 = forecast_origin(llm, "llm")
    dates = et.query_crossing_dates(llm)
    assert set(dates["scenario"]) == {"short_chat", "long_document", "reasoning"}
    assert set(dates["group"]) == {"frontier", "all"} and dates["level"].nunique() == 2
    for col in ("median_year", "lower_year", "upper_year"):
        assert (dates[col].dropna() >= t0).all()
    probs = dates[["p_already", "p_by_horizon", "p_not_by_horizon"]]
    assert ((probs >= 0) & (probs <= 1)).all().all()
    assert np.allclose(dates["p_by_horizon"] + dates["p_not_by_horizon"], 1.0)
    curve = query_crossing_curve(llm)
    for _, c in curve.groupby(["scenario", "group", "level"]):
        assert (np.diff(c["p_crossed"].to_numpy()) >= 0).all()
        assert c["year"].min() == pytest.approx(t0)


# --------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompt_tokens": -5, "output_tokens": 10}, "prompt_tokens must be a whole number"),
        ({"prompt_tokens": 10, "output_tokens": 2.5}, "output_tokens must be a whole number"),
        ({"prompt_tokens": 0, "output_tokens": 0}, "at least one token"),
        ({"scenario": "novel"}, "unknown query scenario 'novel'; choose one of short_chat"),
        ({"year": 2010}, "before the language-model data"),
        ({"group": "median"}, "group must be 'frontier', 'all' or None"),
        ({"basis": "measured"}, "basis must be one of"),
    ],
)
def test_bad_input_is_one_clear_line(llm: et.TrendFit, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        et.energy_per_query(llm, **kwargs)
    assert "\n" not in str(err.value)


def test_a_fit_without_language_models_says_so() -> None:
    cv = et.fit("cv")
    with pytest.raises(ValueError, match=r"needs a fit of the language models: et.fit\('llm'\)"):
        et.energy_per_query(cv)
    with pytest.raises(ValueError, match="use data='2025'"):
        et.fit("llm", data="thesis")


def test_cli_query_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", "--prompt-tokens", "1000", "--output-tokens", "500", "--year", "2025"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1,000 prompt and 500 output tokens" in out
    assert " Wh" in out and ("kJ" in out or " J " in out)
    assert not any(c in out for c in ("e+0", "e-0"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--prompt-tokens", "-1", "--output-tokens", "3"], "prompt_tokens must be a whole"),
        (["--scenario", "novel"], "unknown query scenario 'novel'"),
        (["--year", "2001"], "before the language-model data"),
    ],
)
def test_cli_query_bad_input(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", *argv]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("energytrend: error: ") and message in err and "\n" not in err


def test_llm_fit_saves_and_loads(llm: et.TrendFit, tmp_path) -> None:
    path = llm.save(tmp_path / "llm.nc")
    back = et.load(path)
    assert back.config.domain == "llm" and back.passed
    a = et.energy_per_query(llm, prompt_tokens=10, output_tokens=20, year=2024)
    b = et.energy_per_query(back, prompt_tokens=10, output_tokens=20, year=2024)
    pd.testing.assert_frame_equal(a, b)


def test_edited_scenario_is_not_labelled_as_the_scenario() -> None:
    assert query_shape("reasoning", output_tokens=100).scenario == "reasoning, edited"
    assert query_shape("reasoning").scenario == "reasoning"
    assert query_shape(prompt_tokens=5, output_tokens=6).scenario == "custom"


def test_a_bad_language_models_table_names_row_and_column(tmp_path, table: pd.DataFrame) -> None:
    bad = table.copy()
    bad.loc[3, "gflops_per_token"] = -1.0
    path = tmp_path / "llms.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(et.DataValidationError) as e:
        et.fit("llm", tables={"language_models": path})
    assert (e.value.row, e.value.column) == (5, "gflops_per_token")  # header is line 1
    assert str(path) in str(e.value)
    assert not list(tmp_path.glob("*.nc"))  # nothing written
