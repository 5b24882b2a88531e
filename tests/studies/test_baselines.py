"""The fair baselines (issue 22, item 4) on made-up data with a known truth, and the energy
origins of item 5 (built and planned here; their late scoring is the confirmatory path's)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from energytrend.studies import backtest as bt
from energytrend.studies.backtest_scores import (
    LATE_FROM,
    crps_difference,
    score_difference,
)
from energytrend.studies.baselines import (
    calibrated_energy,
    ols_predictive,
    pinball_loss,
    random_walk_predictive,
    realisation_predictive,
    top_decile_line,
    top_decile_mask,
)
from energytrend.studies.scoring import random_walk_drift_predictive
from tolerance import assert_within_mcse

REPS = 2000
SE_90 = math.sqrt(0.9 * 0.1 / REPS)


def _central(p_loc: float, p_scale: float, df: float, prob: float = 0.9) -> float:
    return float(stats.t.ppf((1 + prob) / 2, df) * p_scale)


# --- random walk with drift ------------------------------------------------------------


def _walk(rng: np.random.Generator, years: int, drift: float, sigma: float) -> np.ndarray:
    return np.cumsum(np.r_[0.0, drift + sigma * rng.standard_normal(years - 1)])


def test_random_walk_interval_covers_simulated_walks_at_its_level() -> None:
    """One median a year of a Gaussian walk with drift (6 years), a fresh point 1 to 5 years
    after the last: the 90% interval is exact, so it covers a Binomial(R, 0.9) count. The
    same walk with its parameters taken as known (the old construction) covers too few: the
    test can tell them apart."""
    rng = np.random.default_rng(22)
    hits, hits_known = 0, 0
    for _ in range(REPS):
        path = _walk(rng, 11, 0.3, 0.2)
        t = 2000.5 + np.arange(6)
        h = int(rng.integers(1, 6))
        tt, yy = np.array([t[-1] + h]), path[5 + h]
        p = random_walk_predictive(t, path[:6], tt, 1, rng)
        hits += int(abs(yy - p.loc[0]) <= _central(p.loc[0], p.scale[0], float(p.df[0])))
        k = random_walk_drift_predictive(t, path[:6], tt, 1, rng)
        hits_known += int(abs(yy - k.loc[0]) <= stats.norm.ppf(0.95) * k.scale[0])
    assert_within_mcse(hits / REPS, 0.9, SE_90, 0.0, what="random-walk coverage")
    assert hits_known / REPS < 0.9 - 5 * SE_90


def test_random_walk_scale_by_hand() -> None:
    """Medians 0, 1, 2.5, 3 at four mid-years: drift 1, s^2 = (0 + 0.25 + 0.25) / 2; two
    years after the last, scale^2 = s^2 (2 + 4 / 3), K - 1 = 2 degrees of freedom."""
    t = np.array([2000.5, 2001.5, 2002.5, 2003.5])
    p = random_walk_predictive(t, np.array([0.0, 1.0, 2.5, 3.0]), np.array([2005.5]), 10,
                               np.random.default_rng(0))  # fmt: skip
    assert p.loc[0] == pytest.approx(5.0)
    assert p.scale[0] ** 2 == pytest.approx(0.25 * (2 + 4 / 3))
    assert p.df[0] == pytest.approx(2.0)


# --- OLS realisation factor and calibrated energy --------------------------------------


def _energy_world(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """15 chips on a line (log10 GFLOPS/W), 8 earlier runs' realisation factors, one new run
    of 10^3 GFLOPs at a later date: its log10 joules = 3 - efficiency + realisation."""
    t = np.sort(rng.uniform(2012, 2022, 15))
    eff = 1.0 + 0.15 * (t - 2012) + rng.normal(0, 0.2, t.size)
    real = 0.4 + rng.normal(0, 0.15, 8)
    tt = rng.uniform(2022, 2027, 1)
    y = 3.0 - (1.0 + 0.15 * (tt - 2012) + rng.normal(0, 0.2)) + 0.4 + rng.normal(0, 0.15)
    return t, eff, real, tt, y


def test_calibrated_energy_covers_simulated_runs_at_its_level() -> None:
    """OLS efficiency line x OLS realisation factor, both from data made up with a known
    truth: the 90% band of the sum (from its draws) holds the fresh run about 90% of the
    time. The sum of two exact Student-t predictives is not exact itself, but close."""
    rng = np.random.default_rng(23)
    hits = 0
    for _ in range(REPS):
        t, eff, real, tt, y = _energy_world(rng)
        e = calibrated_energy(np.array([3.0]), ols_predictive(t, eff, tt, 1000, rng),
                              realisation_predictive(real, 1, 1000, rng))  # fmt: skip
        lo, hi = np.quantile(e.draws[:, 0], [0.05, 0.95])
        hits += int(lo <= y[0] <= hi)
    # the draws' quantiles have their own error: about 1 point in 1,000 draws near each edge
    assert_within_mcse(hits / REPS, 0.9, SE_90, 0.005, what="calibrated-energy coverage")


def test_calibrated_energy_density_is_the_convolution() -> None:
    """The mixture density over the efficiency draws equals the convolution of the two
    Student-t predictives, computed by quadrature, within its Monte Carlo error."""
    rng = np.random.default_rng(24)
    t, eff, real, tt, _ = _energy_world(rng)
    p_eff = ols_predictive(t, eff, tt, 40_000, rng)
    p_real = realisation_predictive(real, 1, 40_000, rng)
    e = calibrated_energy(np.array([3.0]), p_eff, p_real)
    for y in (1.0, 1.5, 2.5):

        def f(x: float, y: float = y) -> float:
            pe = stats.t.pdf(x, p_eff.df, p_eff.loc[0], p_eff.scale[0])
            pr = stats.t.pdf(y - 3.0 + x, p_real.df, p_real.loc[0], p_real.scale[0])
            return float(pe * pr)

        exact = integrate.quad(f, -np.inf, np.inf)[0]
        dens = stats.t.pdf(y - e.shift[:, 0], p_real.df, p_real.loc[0], p_real.scale[0])
        mcse = float(dens.std() / math.sqrt(dens.size))
        assert_within_mcse(float(np.exp(e.logpdf(np.array([y]))[0])), exact, mcse, 0.0)


def test_realisation_predictive_is_the_textbook_interval() -> None:
    r = np.array([0.2, 0.5, 0.3, 0.6])
    p = realisation_predictive(r, 3, 10, np.random.default_rng(0))
    np.testing.assert_allclose(p.loc, r.mean())
    np.testing.assert_allclose(p.scale, r.std(ddof=1) * math.sqrt(1 + 1 / 4))
    assert p.df == 3.0 and p.draws.shape == (10, 3)
    with pytest.raises(ValueError, match="at least 3"):
        realisation_predictive(r[:2], 1, 10, np.random.default_rng(0))


# --- the frontier's top-decile line and its pinball loss -------------------------------


def test_top_decile_line_recovers_a_planted_frontier_slope() -> None:
    """Each year 27 ordinary models (slope 0.2, scatter 0.3) and 3 frontier models well
    above them (slope 0.5): the top decile is the frontier, and the line through it finds
    the frontier's slope, not the ordinary models' (mean over replicates within its
    standard error)."""
    rng = np.random.default_rng(25)
    slopes = []
    for _ in range(200):
        years = np.repeat(np.arange(2010, 2020), 30) + rng.uniform(0, 1, 300)
        frontier = np.tile(np.r_[np.zeros(27, bool), np.ones(3, bool)], 10)
        x = years - 2010
        y = np.where(frontier, 3.0 + 0.5 * x, 0.2 * x) + rng.normal(0, 0.3, 300) * np.where(
            frontier, 0.1 / 0.3, 1.0
        )
        assert (top_decile_mask(years, y) == frontier).mean() > 0.99
        line = top_decile_line(years, y, np.array([2020.0, 2021.0]))
        slopes.append(line[1] - line[0])
    s = np.array(slopes)
    assert_within_mcse(float(s.mean()), 0.5, float(s.std(ddof=1) / math.sqrt(s.size)), 0.0)


def test_top_decile_needs_three_top_models_in_two_years() -> None:
    with pytest.raises(ValueError, match="at least 3 top models"):
        top_decile_line(np.array([2000.1, 2000.5, 2001.2]), np.arange(3.0), np.array([2002.0]))


def test_the_pinball_loss_is_smallest_at_the_true_quantile() -> None:
    """Normal scatter around 0: the mean pinball loss at 0.9 of the true 90% quantile beats
    lines 0.2 below and above it by more than their Monte Carlo error."""
    y = np.random.default_rng(26).standard_normal(100_000)
    q = stats.norm.ppf(0.9)
    at = pinball_loss(y, np.full(y.size, q), 0.9)
    for shift in (-0.2, 0.2):
        d = pinball_loss(y, np.full(y.size, q + shift), 0.9) - at
        assert d.mean() > 5 * d.std() / math.sqrt(d.size)


# --- the backtest rows of the baselines ------------------------------------------------


def _made_up_targets() -> bt.Targets:
    """int8 chips on a line from 2014; vision runs (seen by the model) in 2021-2023 and one
    LLM run (not seen) in 2024, each with a known realisation factor."""
    chips = pd.DataFrame(
        {
            "point_id": [f"c{i}" for i in range(10)], "label": "chip",
            "year": 2014.5 + np.arange(10.0), "y": 1.0 + 0.2 * np.arange(10.0)
            + np.tile([0.05, -0.05], 5), "series": "int8", "server": 1.0,
        }
    )  # fmt: skip
    years = [2021.3, 2021.3, 2021.7, 2021.7, 2022.3, 2023.3, 2024.7]
    runs = pd.DataFrame(
        {
            "point_id": [f"r{i}" for i in range(7)], "label": "run", "year": years,
            "y": [0.0, 0.1, -0.1, 0.05, 0.2, -0.2, 1.0], "gflops": 1.0, "series": "int8",
            "realisation": [0.3, 0.5, 0.4, 0.45, 0.35, 0.5, 2.0],
            "seen": [True] * 6 + [False],
        }
    )  # fmt: skip
    return bt.Targets(models=pd.DataFrame(), chips=chips, runs=runs)


def test_calibrated_baseline_uses_only_the_runs_the_model_saw_before_the_origin() -> None:
    """At 2021 no run was measured: the OLS gives its peak-based reference only. At 2022 the
    calibrated forecast is the OLS line plus the mean of the 4 runs of 2021 (the LLM run,
    which the model does not see, and later runs play no part)."""
    tg = _made_up_targets()
    rng = np.random.default_rng(0)
    rows = pd.concat(bt._energy_baseline_rows("ols", tg, 2021.0, 4000, rng))
    assert set(rows["series"]) == {"energy/peak"}
    rows = pd.concat(bt._energy_baseline_rows("ols", tg, 2022.0, 40_000, rng))
    cal = rows[rows["series"] == "energy/calibrated"]
    assert list(cal["point_id"]) == ["r4", "r5", "r6"]
    early = tg.chips[tg.chips["year"] < 2022.0]
    line = np.polyval(np.polyfit(early["year"], early["y"], 1), cal["year"])
    want = 1.0 - line + np.mean([0.3, 0.5, 0.4, 0.45])
    # the median of the draws: the sum of two symmetric Student-t's is symmetric about this
    np.testing.assert_allclose(cal["median"], want, atol=0.01)
    rw = pd.concat(bt._energy_baseline_rows("random_walk", tg, 2022.0, 4000, rng))
    assert set(rw["series"]) == {"energy/calibrated"} and (rw["model"] == "random_walk").all()


def test_calibrated_energy_is_never_compared_with_the_peak_based_reference() -> None:
    """v2's calibrated energy against the OLS: only the OLS's calibrated rows pair with it;
    with only the peak-based OLS present there is no difference to report."""
    base = {"set": "late", "origin": 2022.0, "kind": "energy", "point_id": ["a", "b"],
            "year": [2022.5, 2023.5], "observed": 0.0, "weight": 1.0}  # fmt: skip
    v2 = pd.DataFrame({**base, "model": "v2", "series": "energy/calibrated", "crps": 0.1})
    peak = pd.DataFrame({**base, "model": "ols", "series": "energy/peak", "crps": 0.5})
    assert crps_difference(pd.concat([v2, peak])).empty
    cal = peak.assign(series="energy/calibrated", crps=0.3)
    d = crps_difference(pd.concat([v2, peak, cal]))
    assert d.loc[d["origin"].isna(), "difference"].item() == pytest.approx(-0.2)


def test_the_pinball_difference_pairs_the_frontier_lines() -> None:
    """Two frontier lines checked on the same later models: the paired pinball difference is
    the mean of the per-model differences."""
    base = {"set": "early", "origin": 2019.0, "series": "cv/frontier", "kind": "quantile_check",
            "point_id": ["a", "b", "c"], "year": [2019.5, 2020.5, 2021.5],
            "observed": [1.0, 2.0, 3.0], "weight": 1.0, "crps": np.nan}  # fmt: skip
    v2 = pd.DataFrame({**base, "model": "v2", "median": [1.0, 2.0, 3.0]})
    top = pd.DataFrame({**base, "model": "top_decile", "median": [2.0, 2.0, 2.0]})
    d = score_difference(pd.concat([v2, top]), "v2", "top_decile", score="pinball")
    want = 0.0 - np.mean(pinball_loss(np.array([1.0, 2.0, 3.0]), np.full(3, 2.0), 0.9))
    assert d.loc[d["origin"].isna(), "difference"].item() == pytest.approx(want)


# --- energy origins (item 5) -----------------------------------------------------------


def test_the_energy_origins_2022_and_2024_are_confirmatory() -> None:
    """By the origins' rule (from 2021 on: late), 2022 and 2024 join the confirmatory set:
    the plain backtest refuses them, the confirmatory scorer gets them."""
    assert {2022.0, 2024.0} <= set(bt.DEFAULT_ORIGINS["energy"])
    assert all(o >= LATE_FROM for o in bt.DEFAULT_ORIGINS["energy"])
    assert "energy" not in bt.early_origins(None)
    assert bt.late_origins()["energy"] == (2021.0, 2022.0, 2023.0, 2024.0)
    with pytest.raises(ValueError, match="confirmatory"):
        bt.backtest(("cv",), origins={"energy": (2022.0,)})
    with pytest.raises(ValueError, match="confirmatory"):
        bt.baseline_backtest(("cv",), origins={"energy": (2024.0,)})


def test_energy_runs_include_the_llm_benchmarks_per_token() -> None:
    """The scored runs: the vision benchmarks (seen by the fits) and the LLM ones (GFLOPs per
    sample = tokens x GFLOPs per token; FP4 runs have no efficiency series)."""
    from energytrend.data.llm_realisation import llm_realisation_table

    runs = bt.energy_runs("2025")
    llm = runs[runs["point_id"].str.startswith("mlperf-llm#")]
    table = llm_realisation_table("2025")
    assert len(llm) == len(table) and not llm["seen"].any() and runs["seen"].any()
    tokens = table["input_tokens"] + table["output_tokens"]
    np.testing.assert_allclose(llm["gflops"], np.log10(tokens * table["gflops_per_token"]))
    fp4 = (table["precision"] == "FP4").to_numpy()
    assert llm["series"].isna().to_numpy().tolist() == fp4.tolist()
    assert {"resnet50", "ssd-resnet34"} <= {lab.split()[-1] for lab in runs["label"]}


def test_an_energy_only_origin_fits_v2_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """At an energy-only origin (2022, 2024) only v2 is fitted (v1 scores no energy), and the
    baselines are computed from the data; nothing is fitted or scored here (stubbed)."""
    seen: list[bt.BacktestTask] = []
    monkeypatch.setattr(bt, "run_tasks", lambda f, tasks, **kw: seen.extend(tasks) or [])
    monkeypatch.setattr(bt, "_baseline_rows", lambda *a, **kw: [])
    with pytest.raises(ValueError, match="nothing to score"):
        bt._backtest(("cv",), models=bt.MODELS, data="2025", origins={"energy": (2022.0, 2024.0)},
                     draws=10, tune=10, chains=1, seed=0, priors=None, client=None,
                     workers=1)  # fmt: skip
    assert {(t.model, t.origin, t.energy) for t in seen} == {
        ("v2", 2022.0, True),
        ("v2", 2024.0, True),
    }
