"""The backtest's summary tables are rebuilt from its scored points by a script, and their
intervals resample blocks (origin x release year), not single points (issue 22, item 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REPO, load_script
from energytrend.studies.backtest_scores import (
    blocks,
    crps_difference,
    differences,
)
from energytrend.studies.scoring import summarise

RESULTS = REPO / "results"


def test_the_shipped_tables_are_a_rebuild_of_the_points(tmp_path: Path) -> None:
    """scripts/backtest_tables.py, run on the shipped points, writes the shipped tables."""
    shutil.copy(RESULTS / "backtest_points.csv", tmp_path / "backtest_points.csv")
    load_script("backtest_tables").main(tmp_path)
    for name in ("backtest_coverage.csv", "backtest_differences.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(RESULTS / name), pd.read_csv(tmp_path / name), obj=name
        )
    points = pd.read_csv(RESULTS / "backtest_points.csv")
    pd.testing.assert_frame_equal(
        pd.read_csv(RESULTS / "backtest_differences.csv"),
        differences(points).pipe(
            lambda c: pd.read_csv(pd.io.common.StringIO(c.to_csv(index=False)))
        ),
    )


def test_per_origin_rows_sit_beside_the_pooled_ones() -> None:
    c = pd.read_csv(RESULTS / "backtest_coverage.csv")
    late = c[(c["model"] == "v2") & (c["set"] == "late") & (c["series"] == "cv/all")]
    late = late[late["bucket"] == "all"]
    assert late["origin"].isna().sum() == 1 and set(late["origin"].dropna()) == {2021.0, 2023.0}
    d = crps_difference(pd.read_csv(RESULTS / "backtest_points.csv"))
    cv = d[(d["set"] == "late") & (d["series"] == "cv/all")]
    assert len(cv) == 3 and (cv["n_blocks"] >= 2).all()


def _points(hits: list[list[int]]) -> pd.DataFrame:
    """One origin per block, every point of a block a hit (1) or a miss (0)."""
    rows = [
        {"origin": 2000.0 + k, "year": 2001.5 + k, "point_id": f"{k}-{i}", "in_50": h,
         "in_90": h, "pit": 0.5, "crps": 0.1, "log_score": -1.0, "width_90": 1.0, "weight": 1.0}
        for k, block in enumerate(hits)
        for i, h in enumerate(block)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_correlated_points_get_a_wide_interval() -> None:
    """Ten blocks of 30 points that each hit or miss together: as much evidence as ten points,
    not three hundred. The block interval is as wide as ten points' would be; the Wilson
    interval, which counts three hundred, is far narrower."""
    pts = _points([[1] * 30] * 7 + [[0] * 30] * 3)
    pts = pts.assign(block=blocks(pts))
    by_block = summarise(pts, [], block="block").iloc[0]
    by_point = summarise(pts, []).iloc[0]
    assert by_block["n_blocks"] == 10
    width_block = by_block["coverage_90_upper"] - by_block["coverage_90_lower"]
    width_point = by_point["coverage_90_upper"] - by_point["coverage_90_lower"]
    assert by_block["coverage_90"] == by_point["coverage_90"] == 0.7
    assert width_block > 2.5 * width_point
    assert np.isclose(width_block, 0.5, atol=0.15)  # ~ the 90% range of a mean of 10 hits


def test_the_early_baseline_rows_are_what_the_code_computes() -> None:
    """The fair baselines' early rows of the shipped points are a recomputation from the data
    alone (``scripts/backtest_tables.py --baselines``): same rows, same numbers."""
    from energytrend.studies.backtest import BASELINE_MODELS, baseline_backtest

    saved = pd.read_csv(RESULTS / "backtest_points.csv")
    saved = saved[saved["model"].isin(BASELINE_MODELS) & (saved["set"] == "early")]
    fresh = baseline_backtest().points
    fresh = pd.read_csv(pd.io.common.StringIO(fresh[saved.columns].to_csv(index=False)))
    keys = ["model", "origin", "series", "point_id"]
    pd.testing.assert_frame_equal(
        saved.sort_values(keys).reset_index(drop=True),
        fresh.sort_values(keys).reset_index(drop=True),
    )


def test_the_model_is_compared_with_every_fair_baseline() -> None:
    """The differences hold v2 against the OLS and the random walk (CRPS) and against the
    top-decile frontier line (pinball loss); the peak-based OLS is labelled a reference."""
    d = pd.read_csv(RESULTS / "backtest_differences.csv")
    v2 = d[d["model"] == "v2"]
    assert set(zip(v2["baseline"], v2["score"], strict=True)) == {
        ("ols", "crps"), ("random_walk", "crps"), ("top_decile", "pinball"),
    }  # fmt: skip
    c = pd.read_csv(RESULTS / "backtest_coverage.csv")
    roles = c.groupby(["model", "series"])["role"].first()
    assert roles[("ols", "energy/peak")] == "reference"
    assert roles[("ols", "cv/all")] == roles[("top_decile", "cv/frontier")] == "baseline"
    assert roles[("v2", "energy/calibrated")] == "model"
    top = c[(c["model"] == "top_decile") & (c["bucket"] == "all") & c["origin"].isna()]
    assert top["share_above"].notna().all() and top["pinball"].notna().all()


def test_a_confirmatory_scoring_replaces_the_late_rows_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one confirmatory scoring is the one shown: its rows replace the file's late rows,
    the early ones stay, and the tables are rebuilt (the scoring itself is stubbed here)."""
    from energytrend.studies import results as res
    from energytrend.studies.backtest import Backtest

    points = pd.read_csv(RESULTS / "backtest_points.csv")
    points.to_csv(tmp_path / "backtest_points.csv", index=False)
    late = points[(points["set"] == "late") & (points["model"] == "ols")]
    monkeypatch.setattr(res, "confirmatory_backtest", lambda out, **kw: Backtest(late))
    res.confirmatory_study(tmp_path)
    after = pd.read_csv(tmp_path / "backtest_points.csv")
    assert len(after) == (points["set"] == "early").sum() + len(late)
    assert set(after.loc[after["set"] == "late", "model"]) == {"ols"}
    c = pd.read_csv(tmp_path / "backtest_coverage.csv")
    assert set(c.loc[c["set"] == "late", "model"]) == {"ols"}
