"""Simulation-based calibration, backtests and parallel sweeps."""

from __future__ import annotations

import json
import math
import operator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import REPO
from energytrend.inference import engine
from energytrend.model.design import before, prepare
from energytrend.studies.backtest import backtest
from energytrend.studies.backtest_scores import (
    add_weights,
    check_targets,
    coverage_table,
    crps_difference,
    energy_forecast,
)
from energytrend.studies.calibration import Calibration, simulate_calibration
from energytrend.studies.calibration_ecdf import band, ecdf_test
from energytrend.studies.sweep import run_tasks
from tolerance import mcse_tolerance


def _calibration(ranks: np.ndarray, covered_90: np.ndarray) -> Calibration:
    n = len(ranks)
    return Calibration(
        ranks=pd.DataFrame(
            {
                "sim": np.arange(n),
                "parameter": "theta",
                "true": 0.0,
                "rank": ranks,
                "posterior_mean": 0.0,
                "covered_50": covered_90 & (np.arange(n) % 2 == 0),
                "covered_90": covered_90,
                "divergences": 0,
                "max_rhat": 1.0,
                "min_ess": 500.0,
                "passed_gate": True,
            }
        ),
        domain="test",
        n_rank_draws=99,
        settings={},
    )


def test_ecdf_band_passes_uniform_ranks_at_the_nominal_rate_and_flags_biased_ones() -> None:
    rng = np.random.default_rng(1)
    n, n_values = 200, 100
    # uniform samples of the study's size leave the simultaneous 95% band ~5% of the time
    # (300 samples: binomial sd 1.3 points)
    outside = [not ecdf_test(rng.integers(0, n_values, n), n_values).inside for _ in range(300)]
    assert 0.015 <= np.mean(outside) <= 0.09, np.mean(outside)
    # an over-confident posterior piles the ranks at both ends (a U shape); a biased one
    # shifts them; an under-confident one bunches them in the middle
    u_shaped = np.where(rng.random(n) < 0.5, rng.integers(0, 15, n), rng.integers(85, 100, n))
    shifted = np.minimum(rng.integers(0, 100, n) + 15, 99)
    hump = rng.binomial(99, 0.5, n)
    for bad in (u_shaped, shifted, hump):
        t = ecdf_test(bad, n_values)
        assert not t.inside and t.p_value < 0.01
    b = band(n, n_values)
    assert (b.lower <= b.z * n).all() and (b.z * n <= b.upper).all()
    assert band(n, n_values) is b  # cached, deterministic
    covered = rng.random(n) < 0.9
    uniform = _calibration(rng.integers(0, 100, n), covered)
    assert bool(uniform.uniformity()["inside"].iloc[0])
    assert _calibration(u_shaped, covered).summary()["outside_band"].iloc[0] == 1
    assert uniform.coverage()["coverage_90"].iloc[0] == pytest.approx(covered.mean())
    with pytest.raises(ValueError, match="ranks must be"):
        ecdf_test(np.array([0, 100]), n_values)


def test_crossing_probabilities_are_judged_against_their_truths() -> None:
    rng = np.random.default_rng(3)
    p = rng.beta(0.5, 0.5, 400)
    name = "crosses_97J_by_2040[cv/all]"

    def frame(truth: np.ndarray) -> Calibration:
        c = _calibration(np.zeros(400, dtype=int), np.ones(400, dtype=bool))
        ranks = c.ranks.assign(parameter=name, true=truth.astype(float), posterior_mean=p)
        return Calibration(ranks=ranks, domain="test", n_rank_draws=99, settings={})

    calibrated = frame(rng.random(400) < p).crossing().iloc[0]
    assert abs(calibrated["z"]) < 3.5
    assert calibrated["mean_probability"] == pytest.approx(p.mean())
    overconfident = frame(rng.random(400) < 0.5 + 0.5 * (p - 0.5) * 0.3).crossing().iloc[0]
    assert abs(overconfident["brier"]) > abs(calibrated["brier"])
    too_high = frame(rng.random(400) < p * 0.6).crossing().iloc[0]
    assert too_high["z"] < -4
    rel = frame(rng.random(400) < p).reliability()
    assert rel["n"].sum() == 400 and rel["truth_rate"].between(0, 1).all()
    # indicators are not ranked: no uniformity or coverage rows
    assert frame(rng.random(400) < p).uniformity().empty


def test_calibration_file_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    c = _calibration(rng.integers(0, 100, 50), rng.random(50) < 0.9)
    back = Calibration.load(c.save(tmp_path / "sbc.csv"))
    pd.testing.assert_frame_equal(back.ranks, c.ranks, check_dtype=False)
    assert back.domain == "test" and back.n_rank_draws == 99
    (tmp_path / "bad.csv").write_text("sim,rank\n1,2\n")
    with pytest.raises(ValueError, match="not an energytrend SBC file"):
        Calibration.load(tmp_path / "bad.csv")


def test_run_tasks_keeps_order_and_raises_worker_errors() -> None:
    assert run_tasks(operator.neg, [3, 1, 2], workers=2) == [-3, -1, -2]
    assert run_tasks(operator.neg, [3, 1], workers=1) == [-3, -1]
    with pytest.raises(ValueError, match="math domain error"):
        run_tasks(math.sqrt, [4.0, -1.0], workers=2)
    with pytest.raises(ValueError, match="workers must be >= 1"):
        run_tasks(operator.neg, [1], workers=0)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")  # small draws
def test_small_sbc_runs_on_a_local_dask_cluster() -> None:
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        c = simulate_calibration(
            "nlp", n_sims=4, draws=150, tune=300, n_rank_draws=99, client=client
        )
    r = c.ranks
    assert c.n_sims == 4
    assert set(r["parameter"]) >= {
        "slope[nlp/frontier]",
        "damping[nlp]",
        "energy_2030[nlp/all]",
        "crosses_97J_by_2040[nlp/all]",
    }
    assert r["rank"].between(0, 99).all()
    # the truths are the prior draws: each simulation has its own (but the 0/1 crossings)
    ranked = r[~r["parameter"].str.startswith("crosses_")]
    assert ranked.groupby("parameter")["true"].nunique().min() == 4
    assert c.summary()["simulations"].iloc[0] == 4


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")  # small draws
def test_backtest_scores_only_later_points() -> None:
    b = backtest(
        ("nlp",),
        models=("v2", "ols"),
        origins={"nlp": (2020.0,)},
        draws=200,
        tune=300,
        chains=2,
        workers=1,
    )
    p = b.points
    assert (p["year"] > 2020.0).all() and p["horizon"].between(0, 5, inclusive="right").all()
    assert set(p["model"]) == {"v2", "ols"} and set(p["set"]) == {"early"}
    assert set(p["series"]) == {"nlp/all", "nlp/frontier"}
    # v2's frontier is a quantile check, the OLS scores the flagged frontier models
    assert set(p.loc[p["model"] == "v2", "kind"]) == {"compute", "quantile_check"}
    scored = p[p["kind"] != "quantile_check"]
    assert (
        (scored["lower_90"] <= scored["median"]) & (scored["median"] <= scored["upper_90"])
    ).all()
    assert np.isfinite(scored["log_score"]).all() and (scored["crps"] >= 0).all()
    cov = b.coverage()
    assert set(cov["bucket"]) >= {"0-1", "all"}
    assert (
        cov.loc[cov["model"] == "v2", "default"].all()
        and not cov.loc[cov["model"] == "ols", "default"].any()
    )


def _rows(model: str, series: str, origin: float, ids: list[str]) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "model": model, "set": "late" if origin >= 2021 else "early", "origin": origin,
            "series": series, "kind": "compute", "point_id": ids, "label": ids,
            "year": origin + 0.5, "horizon": 0.5, "bucket": "0-1", "observed": 0.0,
            "pit": 0.5, "in_50": 1.0, "in_90": 1.0, "crps": 0.1, "log_score": -1.0,
            "median": 0.0, "lower_90": -1.0, "upper_90": 1.0, "width_90": 2.0,
            "above": np.nan, "passed": True,
        },
        index=range(n),
    )  # fmt: skip


def test_each_distinct_point_weighs_one_per_set() -> None:
    """A point scored at three early origins weighs 1/3 at each; one scored once weighs 1;
    the late set and other models and series are counted apart."""
    points = pd.concat(
        [
            _rows("v2", "cv/all", 2018.0, ["a", "b"]),
            _rows("v2", "cv/all", 2019.0, ["a", "b", "c"]),
            _rows("v2", "cv/all", 2020.0, ["a"]),
            _rows("v2", "cv/all", 2021.0, ["a", "d"]),
            _rows("ols", "cv/all", 2020.0, ["a"]),
            _rows("v2", "fp32", 2019.0, ["a"]),
        ],
        ignore_index=True,
    )
    w = add_weights(points)
    per_point = w.groupby(["model", "set", "series", "point_id"])["weight"].sum()
    np.testing.assert_allclose(per_point.to_numpy(), 1.0)
    a_early = w[(w["model"] == "v2") & (w["series"] == "cv/all") & (w["point_id"] == "a")
                & (w["set"] == "early")]  # fmt: skip
    np.testing.assert_allclose(a_early["weight"], 1 / 3)
    cov = coverage_table(w)
    row = cov[(cov["model"] == "v2") & (cov["set"] == "early") & (cov["series"] == "cv/all")
              & (cov["bucket"] == "all")].iloc[0]  # fmt: skip
    assert row["n_points"] == 6 and row["n_distinct"] == 3
    assert row["effective_n"] == pytest.approx(3.0)


def test_crps_difference_is_paired_and_weighted() -> None:
    """v2 beats the OLS by 0.05 on every point it shares with it: the difference is -0.05
    with a degenerate interval; a row the OLS did not score is left out, and a point scored at
    two origins weighs half at each."""
    v2 = pd.concat([_rows("v2", "cv/all", 2018.0, ["a", "b"]), _rows("v2", "cv/all", 2019.0,
                    ["a", "c"])], ignore_index=True)  # fmt: skip
    ols = pd.concat([_rows("ols", "cv/all", 2018.0, ["a", "b"]),
                     _rows("ols", "cv/all", 2019.0, ["a"])], ignore_index=True)  # fmt: skip
    ols["crps"] = 0.15
    d = crps_difference(pd.concat([v2, ols], ignore_index=True)).iloc[0]
    assert d["n_distinct"] == 2 and d["set"] == "early" and d["series"] == "cv/all"
    assert d["difference"] == pytest.approx(-0.05)
    assert d["lower"] == pytest.approx(-0.05) and d["upper"] == pytest.approx(-0.05)
    # a mixed case: the bootstrap interval holds the weighted mean and reaches both sides
    v2.loc[v2["point_id"] == "b", "crps"] = 0.4
    d = crps_difference(pd.concat([v2, ols], ignore_index=True)).iloc[0]
    # a: -0.05 at two origins (weight 1/2 each), b: +0.25 (weight 1)
    assert d["difference"] == pytest.approx((-0.05 * 0.5 * 2 + 0.25) / 2)
    assert d["lower"] < 0 < d["upper"]


def test_targets_say_which_misses_are_within_sampling_error() -> None:
    """20 of 20 later points inside a 90% band fails the 80-97% range but is within error
    (0.9^20 = 0.12); 6 of 20 inside a 50% band is a miss outside it; a CRPS above the OLS's is
    within error when the paired interval reaches below 0. Each point is its own block (its
    own origin), so the points are independent evidence."""

    def one_per_origin(model: str) -> pd.DataFrame:
        return pd.concat(
            [_rows(model, "fp16", 2000.0 + i, [f"p{i}"]) for i in range(20)], ignore_index=True
        )

    pts = one_per_origin("v2")
    pts["in_50"] = (np.arange(20) < 6).astype(float)
    ols = one_per_origin("ols")
    ols["crps"] = np.where(np.arange(20) < 10, 0.05, 0.2)  # mean 0.125, v2's 0.1 is lower
    pts["crps"] = np.where(np.arange(20) < 10, 0.1, 0.16)  # mean 0.13: above the OLS
    both = add_weights(pd.concat([pts, ols], ignore_index=True))
    t = check_targets(coverage_table(both), points=both).set_index("target")
    assert not t.loc["90% band holds 80-97%", "pass"]
    assert t.loc["90% band holds 80-97%", "within_error"]
    assert not t.loc["50% band holds 35-70%", "pass"]
    assert not t.loc["50% band holds 35-70%", "within_error"]
    crps = t.loc["CRPS below OLS (fp16)"]
    assert not crps["pass"] and crps["within_error"]
    assert t.loc["50% band holds 35-70%", "value"].startswith("0.300 [")
    no_points = check_targets(coverage_table(both)).set_index("target")
    assert no_points.loc["CRPS below OLS (fp16)", "within_error"] is None


def test_energy_forecast_arithmetic_on_a_hand_case() -> None:
    """1000 GFLOPs per sample (3 in log10) on a chip of 100 GFLOPS/W (2, scatter 0.1):
    peak-based 10 J (1 in log10, sd 0.1); times a realisation factor of 10^0.5 with scatter
    0.2: 10^1.5 J, sd sqrt(0.1^2 + 0.2^2)."""
    g = np.array([3.0, 2.0])
    eff_mu = np.array([[2.0, 1.0], [2.2, 1.0]])  # two posterior draws, two runs
    eff_sd = np.full((2, 2), 0.1)
    mu, sd = energy_forecast(g, eff_mu, eff_sd)
    np.testing.assert_allclose(mu, [[1.0, 1.0], [0.8, 1.0]])
    np.testing.assert_allclose(sd, 0.1)
    mu, sd = energy_forecast(g, eff_mu, eff_sd, np.array([0.5, 0.3]), np.array([0.2, 0.0]))
    np.testing.assert_allclose(mu, [[1.5, 1.5], [1.1, 1.3]])
    np.testing.assert_allclose(sd, [[np.sqrt(0.05)] * 2, [0.1, 0.1]])
    with pytest.raises(ValueError, match="realisation_sigma"):
        energy_forecast(g, eff_mu, eff_sd, np.array([0.5, 0.3]))


def test_before_keeps_arrays_and_tables_in_step() -> None:
    full = prepare("all")
    cut = before(full, 2019.0)
    a = cut.arrays
    assert len(a.obs) == len(a.obs_y) == len(a.obs_t) == len(cut.models) < len(full.models)
    assert len(a.gpu) == len(a.gpu_y) == len(cut.gpus) < len(full.gpus)
    assert (a.obs_t + a.year_origin < 2019.0).all()
    assert list(cut.models["line"] + "/" + cut.models["label"]) == list(a.obs)


def test_before_leaves_out_precisions_with_too_few_chips() -> None:
    """Before 2019 the data hold 38 FP32 chips, 5 FP16 tensor and 2 INT8: INT8 is left out
    (its line would be a funnel for the sampler), with its chips and knots; the full data keep
    all three precisions, and each group's era falls back to a kept precision."""
    full = prepare("cv")
    assert full.arrays.series == ("fp32", "fp16", "int8")
    cut = before(full, 2019.0)
    a = cut.arrays
    assert a.series == ("fp32", "fp16")
    assert np.bincount(a.gpu_series).tolist() == [38, 5]
    assert set(cut.gpus["domain"]) == {"fp32", "fp16"} and len(cut.gpus) == len(a.gpu) == 43
    assert (
        set(a.eff_knot_series) == {0, 1}
        and a.eff_knot_t.size == np.isin(full.arrays.eff_knot_series, [0, 1]).sum()
    )
    assert (a.group_series < len(a.series)).all()
    # before 2018 only FP32 has 3 chips: the CV era's FP16 falls back to FP32
    early = before(full, 2018.0).arrays
    assert early.series == ("fp32",) and (early.group_series == 0).all()
    assert early.sp_series.size == 0 and early.eff_knot_series.max() == 0


def test_a_candidate_specification_reaches_the_backtest_fit() -> None:
    from energytrend.studies.backtest import BacktestTask, task_spec
    from energytrend.studies.extrapolation_choice import candidate_priors, extrapolation_choice

    priors = json.dumps(candidate_priors(0.0, 0.04, 2.0, 3.0))
    task = BacktestTask("v2", "cv", 2019.0, "2025", True, False, False, 10, 10, 1, 1, priors)
    ext = task_spec(task)["extrapolation"]
    assert ext["longrun_slope"] == {"mu": 0.0, "sigma": 0.04}
    assert ext["damping"] == {"alpha": 2.0, "beta": 3.0}
    # v1 keeps its own specification whatever the candidate
    v1 = task_spec(BacktestTask("v1", "cv", 2019.0, "2025", True, False, False, 10, 10, 1, 1,
                                priors))  # fmt: skip
    assert v1["extrapolation"]["kind"] == "linear"
    with pytest.raises(ValueError, match="early origins only"):
        extrapolation_choice(origins={"cv": (2021.0,)})


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")  # small draws
def test_refit_of_the_same_structure_does_not_recompile() -> None:
    import energytrend as et

    config = et.FitConfig(draws=200, tune=300, chains=2, cache=False)
    full = et.fit("nlp", config=config)
    n = engine.n_compiled()
    # other data, the same model structure (the first rows: the language models that join
    # NLP start after the table's last model, which stays)
    fewer = et.load_data("nlp_models").iloc[3:]
    r = et.fit("nlp", tables={"nlp_models": fewer}, config=config)
    assert engine.n_compiled() == n
    assert len(r.models) == len(full.models) - 3


def test_the_shipped_extrapolation_is_the_chosen_candidate() -> None:
    """``models/priors.toml`` holds the candidate that ``results/extrapolation_choice.csv``
    chose by proper scores alone: the lowest early CV CRPS among the fits that passed their
    diagnostics, whatever its 2040 band (information, never a filter)."""
    from energytrend.model.spec import default_spec
    from energytrend.studies.extrapolation_choice import CANDIDATES, choose

    c = pd.read_csv(REPO / "results" / "extrapolation_choice.csv")
    assert list(c["candidate"]) == list(CANDIDATES)
    assert "admissible" not in c
    ok = c[c["passed"]]
    chosen = c[c["chosen"]]
    assert len(chosen) == 1 and chosen.index[0] == ok["cv/all crps"].idxmin()
    assert choose(c)["chosen"].tolist() == c["chosen"].tolist()
    ext = default_spec()["extrapolation"]
    row = chosen.iloc[0]
    assert ext["kind"] == "damped"
    assert (ext["longrun_slope"]["mu"], ext["longrun_slope"]["sigma"]) == (row["mu"], row["sigma"])
    assert (ext["damping"]["alpha"], ext["damping"]["beta"]) == (row["alpha"], row["beta"])


@pytest.mark.slow
def test_committed_sbc_ranks_are_what_the_code_computes() -> None:
    """The README's SBC table comes from results/sbc_cv.csv (model v2, the data and sampler
    settings in its header). Rerun four of its simulations (same prior draws and seeds): the
    true values, the forecast quantities' included, are the same draws (to floating-point
    rounding), and the ranks come from the same distribution as the committed ones. Single
    ranks are not compared: a rank is one posterior draw count, and another floating-point
    order (another machine) moves it by several places while leaving its distribution
    unchanged (tests/tolerance.py)."""
    saved = Calibration.load(REPO / "results" / "sbc_cv.csv")
    st = saved.settings
    assert st["structure"] == "quantile" and st["efficiency"] == "precision"  # model v2
    rerun = simulate_calibration(
        "cv",
        priors={"structure": {"frontier": st.get("frontier", "scatter")}},
        data=st["data"],
        n_sims=st["n_sims"],
        pooling=st["pooling"],
        draws=st["draws"],
        tune=st["tune"],
        chains=st["chains"],
        target_accept=st["target_accept"],
        seed=st["seed"],
        n_rank_draws=saved.n_rank_draws,
        only=list(range(4)),
        workers=1,
    )
    mine = rerun.ranks.set_index(["sim", "parameter"])
    theirs = saved.ranks.set_index(["sim", "parameter"]).loc[mine.index]
    np.testing.assert_array_max_ulp(mine["true"].to_numpy(), theirs["true"].to_numpy(), 64)
    ranked = ~mine.index.get_level_values("parameter").str.startswith("crosses_")
    a, b = mine.loc[ranked, "rank"].to_numpy(), theirs.loc[ranked, "rank"].to_numpy()
    assert len(a) >= 90
    # same distribution: a two-sample KS test, and the paired ranks (same truth, same data)
    # agree far better than independent ones would (rank correlation near 0)
    assert stats.ks_2samp(a, b).pvalue > 0.001, (a, b)
    assert stats.spearmanr(a, b).statistic > 0.6


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")  # small draws
def test_sbc_forecast_quantities_are_the_trend_functions() -> None:
    """The SBC's forecast quantities, computed from draws by the model parts, are what
    :mod:`energytrend.forecast.trend` and :mod:`energytrend.forecast.forecasts` compute from a
    fit."""
    import energytrend as et
    from energytrend.forecast.forecasts import human_levels, passage_times
    from energytrend.forecast.trend import energy_path
    from energytrend.model.draws import Draws
    from energytrend.studies.calibration_forecast import forecast_quantities, indicator_name

    r = et.fit(
        "nlp", config=et.FitConfig(draws=100, tune=200, chains=2, cache=False, progressbar=False)
    )
    data = prepare("nlp", spec=r.config.spec).arrays
    q = forecast_quantities(Draws(r.idata["posterior"].to_dataset()), data, r.config.spec)
    for g in data.groups:
        e = energy_path(r, g, np.array([2030.0 - data.year_origin]))[:, 0]
        np.testing.assert_allclose(q[f"energy_2030[{g}]"], e, rtol=0, atol=1e-12)
        _, passage = passage_times(r, g, human_levels()[0].joules, 2040.0)
        np.testing.assert_array_equal(q[indicator_name(g)], np.isfinite(passage))


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")
def test_committed_backtest_is_what_the_code_computes() -> None:
    """Rerun one slice of the committed backtest (NLP compute: v2 and the OLS at both NLP
    origins; each set's weights only involve that set's origins, so the slice's rows are the
    full study's) and find the committed coverage.

    A point's inclusion in a band is a Monte Carlo decision: it can flip with another
    floating-point order when its PIT lies within the Monte Carlo error of a band edge. The
    PIT of a point is a share of predictive draws, with MCSE sqrt(p(1-p)/ESS), ESS >= 400
    by the diagnostics gate; so each weighted coverage may move by the weight of the points
    whose PIT is within tolerance.mcse_tolerance of its band's edges, and by no more."""
    saved = pd.read_csv(REPO / "results" / "backtest_coverage.csv")
    keys = ["model", "set", "series", "bucket"]
    bt = backtest(("nlp",), models=("v2", "ols"))
    rerun = bt.coverage()
    # the rows pooled over origins (the per-origin rows weigh points otherwise)
    rerun = rerun[rerun["coverage_50"].notna() & rerun["origin"].isna()].set_index(keys)
    saved = saved[saved["origin"].isna()]
    saved = saved.set_index(keys).loc[rerun.index]
    assert list(rerun["n_points"]) == list(saved["n_points"])
    np.testing.assert_allclose(rerun["effective_n"], saved["effective_n"])
    pts = bt.points[bt.points["kind"] != "quantile_check"]
    mcse_pit = np.sqrt(pts["pit"] * (1 - pts["pit"]) / 400)
    tol = mcse_tolerance(float(mcse_pit.max()))
    for col, edges in (("coverage_50", (0.25, 0.75)), ("coverage_90", (0.05, 0.95))):
        near = np.zeros(len(pts), dtype=bool)
        for edge in edges:
            near |= (pts["pit"] - edge).abs() <= tol
        moved = pts.assign(w=pts["weight"] * near)
        by_bucket = moved.groupby(keys)["w"].sum()
        overall = moved.groupby(keys[:3])["w"].sum()
        overall.index = pd.MultiIndex.from_tuples([(*k, "all") for k in overall.index], names=keys)
        allowed = pd.concat([by_bucket, overall])
        allowed = allowed.reindex(rerun.index).to_numpy() / rerun["effective_n"].to_numpy()
        diff = (rerun[col] - saved[col]).abs().to_numpy()
        assert (diff <= allowed + 1e-12).all(), (col, diff, allowed)


@pytest.mark.slow
def test_calibrate_command_on_a_dask_scheduler(tmp_path: Path) -> None:
    """``energytrend calibrate --dask ADDRESS`` runs on that cluster and writes the files."""
    distributed = pytest.importorskip("dask.distributed")
    from energytrend.cli import main

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        code = main(
            [
                "calibrate",
                "nlp",
                "--sims",
                "2",
                "--out",
                str(tmp_path),
                "--dask",
                cluster.scheduler_address,
            ]
        )
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "sbc_nlp.csv",
        "sbc_nlp.png",
        "sbc_nlp_crossing.csv",
        "sbc_nlp_parameters.csv",
        "sbc_summary.csv",
    ]
    assert Calibration.load(tmp_path / "sbc_nlp.csv").n_sims == 2


def test_own_gpus_with_two_tensor_chips_warn_and_fit_fp32_only() -> None:
    """A user's GPU table (thesis dataset) with only two tensor FP16 chips: that series is left
    out of the fit with a warning that says why and what to do; nothing else changes."""
    import energytrend as et

    gpus = et.load_data("gpus")
    tensor = gpus.index[gpus["precision"] == "FP16/FP32 Tensor"]
    own = gpus.drop(index=tensor[2:]).reset_index(drop=True)
    with pytest.warns(UserWarning, match=r"fp16 \(2 chips\).*add chips of that precision"):
        prepared = prepare("cv", data="thesis", gpus=own)
    assert prepared.arrays.series == ("fp32",)
    assert (prepared.arrays.group_series == 0).all()


def test_the_thesis_dataset_backtest_leaves_language_models_out_with_a_note() -> None:
    """``backtest`` scores ``llm`` by default; the thesis's tables have no language models, so
    it is left out with a note instead of failing."""
    b = backtest(("nlp", "llm"), models=("ols",), data="thesis", origins={"nlp": (2020.0,)})
    assert set(b.points["series"]) <= {"nlp/all", "nlp/frontier"} and len(b.points)
    assert any("llm left out" in n and "language_models" in n for n in b.notes)


def test_the_shipped_scale_and_pooling_are_the_chosen_candidates() -> None:
    """``models/priors.toml`` holds what ``results/scale_choice.csv`` and
    ``results/efficiency_pooling.csv`` chose by the early origins' proper scores, and the
    choice rules give the committed choices."""
    from energytrend.model.spec import compute_changepoints, default_spec
    from energytrend.studies.choice import (
        BENDS,
        EFFICIENCY_POOLINGS,
        FRONTIER_LINES,
        SCALES,
        choose_bends,
        choose_frontier,
        choose_pooling,
        choose_scale,
    )

    spec = default_spec()
    scale = pd.read_csv(REPO / "results" / "scale_choice.csv")
    assert list(scale["candidate"]) == list(SCALES)
    assert choose_scale(scale)["chosen"].tolist() == scale["chosen"].tolist()
    chosen = SCALES[scale.loc[scale["chosen"], "candidate"].iloc[0]]
    assert spec["likelihood"]["scatter"] == chosen["likelihood"]["scatter"]
    pooling = pd.read_csv(REPO / "results" / "efficiency_pooling.csv")
    assert list(pooling["candidate"]) == list(EFFICIENCY_POOLINGS)
    assert choose_pooling(pooling)["chosen"].tolist() == pooling["chosen"].tolist()
    chosen = EFFICIENCY_POOLINGS[pooling.loc[pooling["chosen"], "candidate"].iloc[0]]
    assert spec["efficiency"]["pooling"] == chosen["efficiency"]["pooling"]
    bends = pd.read_csv(REPO / "results" / "changepoint_choice.csv")
    assert list(bends["candidate"]) == list(BENDS)
    assert choose_bends(bends)["chosen"].tolist() == bends["chosen"].tolist()
    chosen = BENDS[bends.loc[bends["chosen"], "candidate"].iloc[0]]
    assert compute_changepoints(spec)["scale"] == chosen["compute"]["changepoints"]["scale"]
    front = pd.read_csv(REPO / "results" / "frontier_choice.csv")
    assert list(front["candidate"]) == list(FRONTIER_LINES)
    assert choose_frontier(front)["chosen"].tolist() == front["chosen"].tolist()
    chosen = FRONTIER_LINES[front.loc[front["chosen"], "candidate"].iloc[0]]
    assert spec["structure"]["frontier"] == chosen["structure"]["frontier"]
