"""The numbers in the README's prose readings of the studies are the results files' numbers.

Each claim of the README is restated here with the value it prints and checked against
``results/``; rerunning a study with other numbers fails this test until the prose is updated.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import REPO

RESULTS = REPO / "results"
README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(start: str, end: str) -> str:
    return README.split(start, 1)[1].split(end, 1)[0]


def _pct(x: float) -> int:
    return round(100 * x)


@pytest.fixture(scope="module")
def coverage() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "backtest_coverage.csv").set_index(
        ["variant", "metric", "domain", "group"]
    )


def test_backtest_reading(coverage: pd.DataFrame) -> None:
    text = _section("How to read it, honestly:", "**Sensitivity**")
    cv_all = {
        v: coverage.loc[(v, "gflops", "cv", "all")] for v in ("normal", "student_t", "widening")
    }
    claims = {
        "held\n  75% of later models, a 50% band 40%": (
            _pct(cv_all["normal"]["coverage_90"]) == 75
            and _pct(cv_all["normal"]["coverage_50"]) == 40
        ),
        "Student-t: 75% too": _pct(cv_all["student_t"]["coverage_90"]) == 75,
        "coverage to 84% and 49%": (
            _pct(cv_all["widening"]["coverage_90"]) == 84
            and _pct(cv_all["widening"]["coverage_50"]) == 49
        ),
    }
    points = pd.read_csv(RESULTS / "backtest_points.csv")
    w = points[
        (points["variant"] == "widening")
        & (points["domain"] == "cv")
        & (points["group"] == "all")
        & (points["metric"] == "gflops")
    ]
    claims["13% of later models fall below it (efficient models), 3% above"] = (
        _pct((w["observed"] < w["lower_90"]).mean()) == 13
        and _pct((w["observed"] > w["upper_90"]).mean()) == 3
    )
    frontier = coverage.xs(("cv", "frontier"), level=("domain", "group"))
    frontier = frontier[frontier.index.get_level_values("metric") != "gflops_per_watt"]
    claims["held 95-100% of the later frontier models"] = (
        _pct(frontier["coverage_90"].min()) == 95 and frontier["coverage_90"].max() == 1.0
    )
    claims["only 20-35%"] = (
        _pct(frontier["coverage_50"].min()) == 20 and _pct(frontier["coverage_50"].max()) == 35
    )
    claims["mean PIT of about 0.8"] = frontier["mean_pit"].between(0.75, 0.85).all()
    claims["CV frontier (20 pairs)"] = (frontier["n"] == 20).all()
    gpu = coverage.xs(("gflops_per_watt", "cv", "hardware"), level=("metric", "domain", "group"))
    claims["(77% in the 90% band)"] = (gpu["coverage_90"].map(_pct) == 77).all()
    claims["GPU efficiency (47 pairs)"] = (gpu["n"] == 47).all()
    nlp = points[
        (points["variant"] == "widening")
        & (points["domain"] == "nlp")
        & (points["metric"] == "gflops")
    ]
    later = nlp[nlp["group"] == "all"]
    claims["9 later models and 2 later frontier models"] = (
        len(later) == 9 and (nlp["group"] == "frontier").sum() == 2
    )
    claims["7 of the 9 later models were smaller than the median forecast"] = (
        int((later["observed"] < later["median"]).sum()) == 7
    )
    claims["2 larger (T-NLG, GPT-3)"] = set(
        later.loc[later["observed"] > later["median"], "label"]
    ) == {"Microsoft T-NLG", "GPT-3"}
    for claim, holds in claims.items():
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
        [pd.read_csv(RESULTS / f"sbc_{d}_crossing.csv") for d in s.index], ignore_index=True
    )
    crossing = crossing[crossing["bin"] == "all"]
    claims = {
        "Of the 86 ranked quantities, 2 leave their 95% band": s["quantities"].sum() == 86
        and s["outside_band"].sum() == 2,
        "both in the `all` model": s.loc["all", "outside_band"] == 2,
        "(`energy_intercept[nlp/frontier]` and `damping[cv]`": set(outside["parameter"])
        == {"energy_intercept[nlp/frontier]", "damping[cv]"},
        "0.034-0.035": round(outside["p_value"].min(), 3) == 0.034
        and round(outside["p_value"].max(), 3) == 0.035,
        "about 4.3 expected": round(s["expected_outside"].sum(), 1) == 4.3,
        "none after the Bonferroni correction": (s["non_uniform_bonferroni"] == 0).all(),
        "cover the truth in 91% of simulations": (s["coverage_90"].round(2) == 0.91).all(),
        "within 0.865-0.94": round(params["coverage_90"].min(), 3) == 0.865
        and round(params["coverage_90"].max(), 3) == 0.94,
        "within 1.6 standard errors": crossing["z"].abs().max() <= 1.6,
        "No simulated\nfit diverged and none failed": (s["sims_with_divergences"] == 0).all()
        and (s["failed_fits"] == 0).all(),
        "28-44% of the fits": _pct(s["fits_rhat_over_1.01"].min()) == 28
        and _pct(s["fits_rhat_over_1.01"].max()) == 44,
    }
    for claim, holds in claims.items():
        assert claim in text, f"the README no longer says {claim!r}: update this test"
        assert holds, f"README claim {claim!r} does not match results/"


def test_sensitivity_reading() -> None:
    text = _section("<!-- sensitivity:end -->", "In Python:")
    s = pd.read_csv(RESULTS / "sensitivity.csv")
    s = s[(s["metric"] == "joules") & (s["domain"] == "nlp") & (s["group"] == "frontier")]
    s = s.set_index(["prior", "rule"])["median"]
    default = s.loc["default"]
    thesis = "cv:thesis nlp:thesis"
    claims = {
        "energy slope is 0.87 under\nthe thesis's rule": round(default[thesis], 2) == 0.87,
        "0.48 with the three most compute-hungry": round(
            default["cv:accuracy_record nlp:top3_compute_per_year"], 2
        )
        == 0.48,
        "0.10 with\nGLUE records": abs(default["cv:top3_accuracy_per_year nlp:glue_record"] - 0.10)
        < 0.006,
        "(0.50 to 1.0)": round(s.loc[("slopes x2 narrower", thesis)], 2) == 0.50
        and round(s.loc[("slopes x2 wider", thesis)], 1) == 1.0,
    }
    for claim, holds in claims.items():
        assert claim in text, f"the README no longer says {claim!r}: update this test"
        assert holds, f"README claim {claim!r} does not match results/"


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
        "(1.19x the floor, against a target of\n  2x)": later_ratio == 1.19 and later_ratio <= 2,
        "(2.14x the floor here)": first_ratio == 2.14,
        "takes about 1 s": about(
            _bench_value(b, "&nbsp;&nbsp; compile (PyTensor graph; numba wrappers"), 1
        ),
        "(0.50 s": _bench_value(b, 'cached `fit("cv")`, a later call') == 0.50,
        "takes about 0.8 s (missed)": about(_bench_value(b, 'cached `fit("cv")`, first call'), 0.8)
        and _bench_value(b, 'cached `fit("cv")`, first call') > 0.5,
        "(about 19 s from an empty cache": about(_bench_value(b, "whole report (`"), 19),
        "about 9 s with the fit cached": about(_bench_value(b, "whole report, fits cached"), 9),
        "7.3 times the effective samples": _bench_value(b, "**ratio nutpie", 3) == 7.3,
        "(78 at 100 models, 279 at 10,000)": scaling[(100, 4)][2] == 78
        and scaling[(10000, 4)][2] == 279,
        "in\n  about 2.5 minutes": about(scaling[(10000, 4)][1] / 60, 2.5),
        "takes 302 steps per draw": scaling[(1000, 2)][2] == 302,
        "More groups are cheaper per draw": scaling[(1000, 8)][2] < scaling[(1000, 4)][2]
        and scaling[(1000, 16)][2] < scaling[(1000, 4)][2],
    }
    for claim, holds in claims.items():
        assert claim in text, f"the README no longer says {claim!r}: update this test"
        assert holds, f"README claim {claim!r} does not match results/benchmark.md"
