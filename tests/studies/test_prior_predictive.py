"""Prior-predictive checks of physical plausibility (energytrend.studies.prior_checks).

They run on ``pm.sample_prior_predictive`` draws of the default model (the pure prior, no
data) and check what physics rules out, each criterion with its reason (the module doc):
efficiency beyond Landauer's limit, and beyond the estimated limit of CMOS logic. Band widths
are information only; no test here bounds a width, of the prior or of a posterior.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import energytrend as et
from energytrend.inference.diagnostics import DiagnosticsWarning
from energytrend.studies.prior_checks import (
    CMOS,
    CRITERIA,
    INFORMATION,
    LANDAUER,
    PRIOR_ONLY,
    prior_check_table,
    prior_predictive_checks,
    prior_result,
    statistic,
)

#: MCSEs between an estimate and its bound: the check's verdict holds for another seed.
Z = 3.5


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return prior_predictive_checks("all", data="2025", draws=4000, seed=2021)


@pytest.fixture(scope="module")
def no_ceiling() -> pd.DataFrame:
    priors = {"efficiency": {"limit": {"flop_per_joule": float("inf")}}}
    return prior_predictive_checks("all", data="2025", draws=4000, seed=2021, priors=priors)


def test_the_limits_are_the_cited_ones() -> None:
    """Landauer at 300 K: 1 / (k_B T ln 2) = 3.483e20 operations per joule; CMOS: 4.7e15
    FLOP/J (Ho, Erdil & Besiroglu 2023). In GFLOPS/W, 10^11.54 and 10^6.67."""
    assert abs(LANDAUER - np.log10(3.4831e11)) < 1e-4
    assert abs(CMOS - np.log10(4.7e6)) < 1e-12


def test_checks_cover_every_criterion_and_line(shipped: pd.DataFrame) -> None:
    assert list(shipped.columns[:6]) == [
        "criterion",
        "line",
        "value",
        "threshold",
        "passed",
        "mcse",
    ]
    lines = set(zip(shipped["criterion"], shipped["line"], strict=True))
    expected = {(c, s) for c in CRITERIA for s in ("fp32", "fp16", "int8")}
    expected |= {("fp32_efficiency", "fp32")}
    expected |= {("frontier_energy", f"{d}/frontier") for d in ("cv", "nlp")}
    expected |= {(c, f"{d}/all") for c in ("new_model_compute", "new_model_energy")
                 for d in ("cv", "nlp")}  # fmt: skip
    assert lines == expected
    assert set(shipped["criterion"]) == set(CRITERIA) | set(INFORMATION)
    assert (shipped["n_draws"] == 4000).all() and (shipped["year"] == 2040.0).all()
    assert np.isfinite(shipped["value"]).all() and (shipped["mcse"] >= 0).all()
    prob = shipped["criterion"].map(statistic) == "probability"
    p = shipped.loc[prob, "value"]
    assert p.between(0, 1).all()
    assert np.allclose(shipped.loc[prob, "mcse"], np.sqrt(p * (1 - p) / 4000))
    # information has no bound and no verdict
    info = shipped[shipped["criterion"].isin(list(INFORMATION))]
    assert info["threshold"].isna().all() and info["passed"].isna().all()


def test_the_shipped_prior_is_physically_plausible(shipped: pd.DataFrame) -> None:
    """Every physical criterion holds on the pure prior beyond Monte Carlo error (for a
    probability estimated as 0, the rule of three's 95% bound, 3/n)."""
    crit = shipped[shipped["criterion"].isin(list(CRITERIA))]
    upper = np.maximum(crit["value"] + Z * crit["mcse"], 3.0 / crit["n_draws"])
    assert (upper < crit["threshold"]).all(), crit
    assert crit["passed"].astype(bool).all()


def test_without_the_ceiling_the_prior_breaks_physics(no_ceiling: pd.DataFrame) -> None:
    """The criteria can fail: without the CMOS ceiling, the weakly informative efficiency
    priors extrapolated 22 years put far more than 5% above the CMOS limit, and more than 1%
    above Landauer's, on every precision."""
    crit = no_ceiling[no_ceiling["criterion"].isin(list(CRITERIA))]
    lower = crit["value"] - Z * crit["mcse"]
    assert (lower > crit["threshold"]).all(), crit
    assert not crit["passed"].astype(bool).any()


def test_prior_result_is_marked_as_prior_only() -> None:
    result = prior_result("cv", data="2025", draws=200, seed=1)
    assert not result.passed and result.diagnostics.failures == (PRIOR_ONLY,)
    assert result.idata["posterior"].sizes["chain"] == 1
    assert result.idata["posterior"].sizes["draw"] == 200
    assert result.groups == ["cv/frontier", "cv/all"]
    assert "log10_joules" in result.idata["posterior"]
    with pytest.warns(DiagnosticsWarning, match="prior draws"):
        result.growth_rates()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiagnosticsWarning)
        forecast = et.forecast(result, start=2030.0, end=2040.0, step=5.0)
    assert np.isfinite(forecast["median"]).all()


def test_markdown_table(shipped: pd.DataFrame) -> None:
    table = prior_check_table(shipped)
    rows = table.strip().splitlines()
    assert rows[0].startswith("| Check |") and len(rows) == 2 + len(shipped)
    assert "Landauer's limit" in table and "the CMOS limit" in table
    assert "| information |" in table
    assert "e-" not in table and "e+" not in table


def test_the_committed_table_is_what_the_code_computes(shipped: pd.DataFrame) -> None:
    """``results/prior_checks.csv`` (``scripts/prior_checks.py``, the docs' table) holds the
    same draws' checks."""
    from conftest import REPO

    stored = pd.read_csv(REPO / "results" / "prior_checks.csv")
    assert list(stored["criterion"]) == list(shipped["criterion"])
    assert list(stored["line"]) == list(shipped["line"])
    assert np.allclose(stored["value"], shipped["value"], rtol=0, atol=1e-12)
