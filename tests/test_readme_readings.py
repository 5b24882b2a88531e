"""The numbers in the README's prose readings of the studies are the results files' numbers.

Each claim of the README is restated here with the value it prints and checked against
``results/``; rerunning a study with other numbers fails this test until the prose is updated.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from scipy import stats

from conftest import REPO

RESULTS = REPO / "results"
README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(start: str, end: str) -> str:
    return README.split(start, 1)[1].split(end, 1)[0]


def _pct(x: float) -> int:
    return round(100 * x)


def _check(claims: dict[str, bool], text: str, source: str = "results/") -> None:
    """Every claim is in ``text`` (the README section) and holds."""
    for claim, holds in claims.items():
        assert claim in text, f"the README no longer says {claim!r}: update this test"
        assert holds, f"README claim {claim!r} does not match {source}"


@pytest.fixture(scope="module")
def coverage() -> pd.DataFrame:
    c = pd.read_csv(RESULTS / "backtest_coverage.csv")
    return c[c["bucket"] == "all"].set_index(["model", "set", "series"])


CHIPS = "11 of 17 FP32 chips in its 90% band (v1: 8; OLS: 6), 14 of 16 FP16 tensor and 16 of 17"


def test_backtest_reading(coverage: pd.DataFrame) -> None:
    from energytrend.studies.backtest_scores import crps_difference, gpu_counts

    text = _section("How to read it, honestly:", "**Sensitivity**")
    c = coverage
    v2e, v2l = c.loc[("v2", "early", "cv/all")], c.loc[("v2", "late", "cv/all")]
    llm = c.loc[("v2", "late", "llm/all")]
    nlp_dates = pd.to_datetime(pd.read_csv(REPO / "data" / "nlp_models.csv")["release_date"])
    points = pd.read_csv(RESULTS / "backtest_points.csv")
    counts = gpu_counts(points).set_index(["model", "series"])
    diff = crps_difference(points).set_index(["set", "series"]).round(3)
    a800 = points[(points["model"] == "v2") & (points["origin"] == 2021.0)
                  & (points["label"] == "NVIDIA A800 PCIe 80 GB fp32")].iloc[0]  # fmt: skip
    passed = points[points["model"] == "v2"].groupby(["series", "origin"])["passed"].all()
    choice = pd.read_csv(RESULTS / "extrapolation_choice.csv").set_index("candidate")
    ols = {s: c.loc[("ols", s, "cv/all"), "crps"] for s in ("early", "late")}

    def interval(s: str) -> list[float]:
        return diff.loc[(s, "cv/all"), ["difference", "lower", "upper"]].tolist()

    claims = {
        "(394 early, 348 late later models)": v2e["n_distinct"] == 394 and v2l["n_distinct"] == 348,
        "held 82% early and 85% late": _pct(v2e["coverage_90"]) == 82
        and _pct(v2l["coverage_90"]) == 85,
        "its 50% band 42% and 46%": _pct(v2e["coverage_50"]) == 42
        and _pct(v2l["coverage_50"]) == 46,
        "the Wilson intervals of the 90% bands stop short\n  of 0.90": v2e["coverage_90_upper"]
        < 0.9
        and v2l["coverage_90_upper"] < 0.9,
        "held 93-95%": _pct(c.loc[("v1", "early", "cv/all"), "coverage_90"]) == 93
        and _pct(c.loc[("v1", "late", "cv/all"), "coverage_90"]) == 95,
        "(0.615 early against\n  v2's 0.506)": round(c.loc[("v1", "early", "cv/all"), "crps"], 3)
        == 0.615
        and round(v2e["crps"], 3) == 0.506,
        "(0.506 against 0.531 early, 0.550\n  against 0.585 late": round(ols["early"], 3) == 0.531
        and round(v2l["crps"], 3) == 0.550
        and round(ols["late"], 3) == 0.585,
        "-0.025 [-0.035, -0.015] and -0.036 [-0.041,\n  -0.031]": interval("early")
        == [-0.025, -0.035, -0.015]
        and interval("late") == [-0.036, -0.041, -0.031],
        "v2\n  lost to the OLS early (0.546)": round(choice.loc["v2.0", "cv/all crps"], 3) == 0.546,
        CHIPS: tuple(counts.loc[("v2", "fp32"), ["inside_90", "chips"]]) == (11, 17)
        and counts.loc[("v1", "fp32"), "inside_90"] == 8
        and counts.loc[("ols", "fp32"), "inside_90"] == 6
        and tuple(counts.loc[("v2", "fp16"), ["inside_90", "chips"]]) == (14, 16)
        and tuple(counts.loc[("v2", "int8"), ["inside_90", "chips"]]) == (16, 17),
        "lies 0.004 log10 below the band's\n  lower edge": round(
            a800["lower_90"] - a800["observed"], 3
        )
        == 0.004,
        "(late 90% band 62%)": _pct(c.loc[("v2", "late", "fp32"), "coverage_90"]) == 62,
        "(34 runs)": c.loc[("v2", "late", "energy/peak"), "n_distinct"] == 34,
        "none of the measured runs falls in its 50% band": c.loc[
            ("v2", "late", "energy/peak"), "coverage_50"
        ]
        == 0,
        "holds 99% in its 90% band and 93% in its 50% band": _pct(
            c.loc[("v2", "late", "energy/calibrated"), "coverage_90"]
        )
        == 99
        and _pct(c.loc[("v2", "late", "energy/calibrated"), "coverage_50"]) == 93,
        "Every v2 fit of the backtest passes the diagnostics gate.": bool(passed.all()),
        "(15% of the later models above the frontier line early,\n    5% late": _pct(
            c.loc[("v2", "early", "cv/frontier"), "share_above"]
        )
        == 15
        and _pct(c.loc[("v2", "late", "cv/frontier"), "share_above"]) == 5,
        "NLP (13 later models": c.loc[("v2", "early", "nlp/all"), "n_distinct"] == 13,
        "from fits to 6 and 10 models of 2017-2019": [
            int((nlp_dates < f"{y}-01-01").sum()) for y in (2019, 2020)
        ]
        == [6, 10]
        and nlp_dates.min().year == 2017,
        "(0.35 by its 56 chips, just under the target:\n    mean PIT 0.29": round(
            c.loc[("v2", "early", "fp32"), "coverage_50"], 2
        )
        == 0.35
        and c.loc[("v2", "early", "fp32"), "coverage_50"] < 0.35
        and c.loc[("v2", "early", "fp32"), "n_distinct"] == 56
        and round(c.loc[("v2", "early", "fp32"), "mean_pit"], 2) == 0.29,
        "(208 later models from the late origins 2021 and 2023": llm["n_distinct"] == 208
        and set(points.loc[points["series"] == "llm/all", "origin"]) == {2021.0, 2023.0},
        "Its 90% band held 76% and its 50% band 39%": _pct(llm["coverage_90"]) == 76
        and _pct(llm["coverage_50"]) == 39,
        "(mean PIT 0.67, 37% above the frontier line": round(llm["mean_pit"], 2) == 0.67
        and _pct(c.loc[("v2", "late", "llm/frontier"), "share_above"]) == 37,
        "(0.758 against 0.658)": round(llm["crps"], 3) == 0.758
        and round(c.loc[("ols", "late", "llm/all"), "crps"], 3) == 0.658,
        "FP16 early (19 chips, all in the 90% band": c.loc[("v2", "early", "fp16"), "n_distinct"]
        == 19
        and c.loc[("v2", "early", "fp16"), "coverage_90"] == 1.0,
    }
    for series in ("fp32", "fp16", "int8"):
        for s in ("early", "late"):
            if ("v2", s, series) in c.index:
                rivals = c.xs((s, series), level=("set", "series"))["crps"]
                beaten = rivals.drop(["v2", "random_walk"], errors="ignore")
                claims[f"beats OLS and v1 {s} {series}"] = bool((rivals["v2"] < beaten).all())
    rw = {k: c.loc[("random_walk", *k)] for k in (("early", "fp16"), ("late", "fp32"))}
    claims["(better on the early FP16 CRPS and the late\n  FP32 log score)"] = (
        rw[("early", "fp16")]["crps"] < c.loc[("v2", "early", "fp16"), "crps"]
        and rw[("late", "fp32")]["log_score"] > c.loc[("v2", "late", "fp32"), "log_score"]
    )
    for claim, holds in claims.items():
        if not claim.startswith("beats OLS"):
            assert claim in text, f"the README no longer says {claim!r}: update this test"
        assert holds, f"README claim {claim!r} does not match results/"


def test_sbc_reading() -> None:
    text = _section("<!-- sbc:end -->", "![SBC ECDF differences")
    s = pd.read_csv(RESULTS / "sbc_summary.csv").set_index("domain")
    params = pd.concat(
        [pd.read_csv(RESULTS / f"sbc_{d}_parameters.csv") for d in s.index], ignore_index=True
    )
    outside = params[~params["inside"]]
    crossing = pd.concat(
        [pd.read_csv(RESULTS / f"sbc_{d}_crossing.csv").assign(domain=d) for d in s.index],
        ignore_index=True,
    )
    crossing = crossing[crossing["bin"] == "all"]
    worst = crossing.loc[crossing["z"].abs().idxmax()]
    p_one = 2 * stats.norm.sf(abs(worst["z"]))
    claims = {
        "Of the 86 ranked quantities, 2 leave their 95% band": s["quantities"].sum() == 86
        and s["outside_band"].sum() == 2,
        "one in the `cv` model and one in the `all` model": s.loc["cv", "outside_band"] == 1
        and s.loc["all", "outside_band"] == 1,
        "(both `eff_intercept[fp32]`, simultaneous p\n0.033-0.038)": set(outside["parameter"])
        == {"eff_intercept[fp32]"}
        and round(outside["p_value"].min(), 3) == 0.033
        and round(outside["p_value"].max(), 3) == 0.038,
        "about 4.3 expected": round(s["expected_outside"].sum(), 1) == 4.3,
        "none after the Bonferroni correction": (s["non_uniform_bonferroni"] == 0).all(),
        "cover the truth in 91% of simulations": (s["coverage_90"].round(2) == 0.91).all(),
        "within 0.86-0.94": round(params["coverage_90"].min(), 2) == 0.86
        and round(params["coverage_90"].max(), 2) == 0.94,
        "within 1.2 standard errors of the share of truths that cross for 7 of the 8\ngroups": (
            (crossing["z"].abs() <= 1.2).sum() == 7 and len(crossing) == 8
        ),
        "2.4 below it for the typical CV model of the `all` model": round(worst["z"], 1) == 2.4
        and worst["parameter"] == "crosses_97J_by_2040[cv/all]"
        and worst["mean_probability"] < worst["truth_rate"]
        and worst["domain"] == "all",
        "probability 0.018 for one group, 0.14 for the largest of 8": round(p_one, 3) == 0.018
        and round(1 - (1 - p_one) ** 8, 2) == 0.14,
        "No simulated\nfit diverged and none failed": (s["sims_with_divergences"] == 0).all()
        and (s["failed_fits"] == 0).all(),
        "28-38% of the fits": _pct(s["fits_rhat_over_1.01"].min()) == 28
        and _pct(s["fits_rhat_over_1.01"].max()) == 38,
    }
    _check(claims, text)


def test_sensitivity_reading() -> None:
    text = _section("<!-- sensitivity:end -->", "In Python:")
    s = pd.read_csv(RESULTS / "sensitivity.csv")
    s = s[s["metric"] == "joules"].set_index(["prior", "rule", "domain", "group"])["median"]
    thesis = "cv:thesis nlp:thesis"
    v2 = s.drop(index="v1 model", level="prior")
    v1 = s.loc["v1 model"]
    cv2 = v2.xs("cv", level="domain")
    nlp2 = v2.xs("nlp", level="domain")
    claims = {
        "CV stays\nat -0.16": bool(((cv2 + 0.16).abs() < 0.006).all()),
        "NLP between 0.13 (Student-t) and 0.18": round(nlp2.min(), 2) == 0.13
        and round(nlp2.max(), 2) == 0.18
        and round(s.loc[("Student-t", thesis, "nlp", "all")], 2) == 0.13,
        "is 1.07 under the thesis's rule": round(v1.loc[(thesis, "nlp", "frontier")], 2) == 1.07,
        "0.61 with the\nthree most compute-hungry": round(
            v1.loc[("cv:accuracy_record nlp:top3_compute_per_year", "nlp", "frontier")], 2
        )
        == 0.61,
        "0.08 with GLUE records": round(
            v1.loc[("cv:top3_accuracy_per_year nlp:glue_record", "nlp", "frontier")], 2
        )
        == 0.08,
        "is 0.19 under the thesis's rule": round(v1.loc[(thesis, "cv", "frontier")], 2) == 0.19,
    }
    _check(claims, text)


def _bench_value(table: str, label: str, column: int = 1) -> float:
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0].startswith(label):
            return float(re.sub(r"[^0-9.]", "", cells[column]))
    raise AssertionError(f"no row {label!r} in results/benchmark.md")


def test_benchmark_reading() -> None:
    text = _section("Reading it, and the targets", "## Data")
    b = (RESULTS / "benchmark.md").read_text(encoding="utf-8")
    scaling = {
        (int(c[0].replace(",", "")), int(c[1])): [float(x) for x in c[2:5]]
        for c in (
            [x.strip() for x in line.strip().strip("|").split("|")]
            for line in b.splitlines()
            if re.match(r"\|\s*[\d,]+\s*\|\s*\d+\s*\|", line)
        )
    }

    def about(value: float, claimed: float) -> bool:
        return abs(value - claimed) <= max(0.15 * claimed, 0.6)

    later_ratio = _bench_value(b, "**ratio later fresh process / floor**")
    first_ratio = _bench_value(b, "ratio first process / floor")
    claims = {
        "(1.40x the floor, against a target of\n  2x)": later_ratio == 1.40 and later_ratio <= 2,
        "(4.49x the floor here": first_ratio == 4.49,
        "takes about 2 s": about(
            _bench_value(b, "&nbsp;&nbsp; compile (PyTensor graph; numba wrappers"), 2
        ),
        "(0.71 s for a later call": _bench_value(b, 'cached `fit("cv")`, a later call') == 0.71,
        "takes about 1.3 s (missed)": about(_bench_value(b, 'cached `fit("cv")`, first call'), 1.3)
        and _bench_value(b, 'cached `fit("cv")`, first call') > 0.5,
        "(about 32 s from an empty cache": about(_bench_value(b, "whole report (`"), 32),
        "about 16 s with the fits cached": about(_bench_value(b, "whole report, fits cached"), 16),
        "4.4 times the effective samples": _bench_value(b, "**ratio nutpie", 3) == 4.4,
        "(77 at 100 models, 285 at\n  10,000)": scaling[(100, 4)][2] == 77
        and scaling[(10000, 4)][2] == 285,
        "in about 1.7 minutes": about(scaling[(10000, 4)][1] / 60, 1.7),
        "takes 337 steps per draw": scaling[(1000, 2)][2] == 337,
        "More groups are cheaper per draw": scaling[(1000, 8)][2] < scaling[(1000, 4)][2]
        and scaling[(1000, 16)][2] < scaling[(1000, 4)][2],
    }
    _check(claims, text, "results/benchmark.md")


def test_results_reading() -> None:
    """The reading of the results block: v1's frontier lines grow on the same data (their
    90% interval excludes zero, so P(growing) > 0.95), v2's CV lines fall."""
    text = _section("How to read it:\n", "## The model")
    s = pd.read_csv(RESULTS / "sensitivity.csv")
    s = s[(s["metric"] == "joules") & (s["rule"] == "cv:thesis nlp:thesis")]
    s = s.set_index(["prior", "domain", "group"])
    claim = "v1's frontier line on the same data reads *growing* for both frontiers"
    assert claim in text
    assert (s.loc[("v1 model", slice(None), "frontier"), "lower"] > 0).all()
    assert (s.loc[("default", "cv", slice(None)), "upper"] < 0).all()


def test_efficiency_reading() -> None:
    """ "FP32 efficiency has stopped growing ... while FP16 and 8-bit efficiency grow", read
    from the results block (itself checked against the fit in tests/test_readme.py)."""
    text = _section("How to read it:\n", "## The model")
    assert "FP32 efficiency has stopped growing" in text
    block = _section("<!-- results:start -->", "<!-- results:end -->")
    bounds = {}
    for line in block.splitlines():
        parts = line.split()
        if parts[:1] == ["gflops_per_watt"]:
            low, high = re.findall(r"\[(-?[\d.]+), (-?[\d.]+)\]", line)[0]
            bounds[parts[1]] = (float(low), float(high))
    assert bounds["fp32"][0] < 0 < bounds["fp32"][1]
    assert bounds["fp16"][0] > 0 and bounds["int8"][0] > 0


def test_extrapolation_choice_reading() -> None:
    text = _section("<!-- extrapolation:end -->", "**Sensitivity**")
    c = pd.read_csv(RESULTS / "extrapolation_choice.csv").set_index("candidate")
    ok = c[c["admissible"]]
    others = ok[~ok["chosen"]]
    chosen = ok[ok["chosen"]].iloc[0]
    claims = {
        "(8.02 ± 0.14 orders)": f"{c.loc['v2.0', 'nlp_band']:.2f} ± "
        f"{c.loc['v2.0', 'nlp_band_mcse']:.2f}"
        == "8.02 ± 0.14"
        and not c.loc["v2.0", "admissible"],
        "the centre 0": chosen["mu"] == 0.0,
        "(0.506,\nagainst 0.521-0.549 for the others)": round(chosen["cv/all crps"], 3) == 0.506
        and round(others["cv/all crps"].min(), 3) == 0.521
        and round(others["cv/all crps"].max(), 3) == 0.549,
        "the best CV log score": chosen["cv/all log score"] == ok["cv/all log score"].max(),
        "(1.276-1.280)": round(ok["nlp/all crps"].min(), 3) == 1.276
        and round(ok["nlp/all crps"].max(), 3) == 1.280,
    }
    _check(claims, text)


def test_horizon_checks_reading() -> None:
    text = _section("**Checks at the horizon.**", "**Diagnostics gate.**")
    c = pd.read_csv(RESULTS / "extrapolation_choice.csv")
    chosen = c[c["chosen"]].iloc[0]
    claim = "7.46 ± 0.11 orders"
    assert claim in text
    assert f"{chosen['nlp_band']:.2f} ± {chosen['nlp_band_mcse']:.2f} orders" == claim


def test_model_section_reading() -> None:
    """The extrapolation and sparse-series numbers of the model and backtest sections are the
    shipped specification's and data's."""
    import math

    import energytrend as et
    from energytrend.model.design import MIN_CHIPS, prepare
    from energytrend.model.spec import default_spec
    from energytrend.studies.extrapolation_choice import Z

    ext = default_spec()["extrapolation"]
    a, b = ext["damping"]["alpha"], ext["damping"]["beta"]
    half_life_months = 12 * math.log(0.5) / math.log(a / (a + b))
    counts = prepare("cv").arrays
    nlp = et.load_data("nlp_models")
    orders = math.log10(nlp["gflops"].max() / nlp["gflops"].min())
    claims = {
        "long-run slope Normal(0, 0.04) log10/yr": (
            ext["longrun_slope"]["mu"],
            ext["longrun_slope"]["sigma"],
        )
        == (0, 0.04),
        "Beta(2, 3), a half-life of 9 months on average": (a, b) == (2, 3)
        and round(half_life_months) == 9,
        "beyond 3.5 Monte Carlo standard errors": Z == 3.5,
        "A precision series now needs 3 chips": MIN_CHIPS == 3,
        "the shipped data have 24 or more of each": min(
            sum(1 for k in counts.gpu_series if k == i) for i in range(len(counts.series))
        )
        == 24,
        "19 NLP models of 2017-2020 scatter\nover 5 orders": len(nlp) == 19 and 5 < orders < 6,
        "and 20 years of extrapolation": round(
            2040 - nlp["release_date"].max().year - nlp["release_date"].max().dayofyear / 365.25
        )
        == 20,
    }
    _check(claims, README, "the specification or the data")
