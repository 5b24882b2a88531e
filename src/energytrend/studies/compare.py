"""Model checks that need more than one fit: pooling comparison by LOO, the prior predictive
check of growth rates, and the effect of normalising NLP compute per token."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm

from energytrend.data.datasets import DEFAULT_DATA
from energytrend.inference.config import FitConfig
from energytrend.inference.engine import numerics
from energytrend.inference.fit import fit
from energytrend.inference.result import TrendFit
from energytrend.model.arrays import POOLINGS
from energytrend.model.build import build_model
from energytrend.model.design import FitDomain, prepare
from energytrend.model.spec import merge_spec, resolve_spec

#: Growth-rate bands of the prior check, in log10 per year.
PLAUSIBLE = (-1.0, 2.0)  # from a 10x fall to a 100x rise per year
ABSURD = (-2.0, 3.0)  # beyond a 100x fall or a 1000x rise per year

LIKELIHOOD_NAMES = {
    "normal": "normal, constant scatter",
    "student_t": "Student-t, constant scatter",
}
POOLING_NAMES = {
    "partial": "hierarchical (partial pooling)",
    "none": "no pooling (separate lines, as the thesis)",
    "complete": "complete pooling (one line)",
}


@dataclass(frozen=True, eq=False)
class Comparison:
    """A LOO comparison table and its one-line reading."""

    table: pd.DataFrame
    reading: str


def compare_fits(
    fits: Mapping[str, TrendFit], names: Mapping[str, str] | None = None
) -> Comparison:
    """Compare fits of the same compute data by PSIS-LOO of ``log10_gflops``.

    The table has one row per fit (column ``model``, best first): ``elpd`` (higher is
    better), its ``se``, ``elpd_diff`` and ``dse`` against the best (ArviZ 1.x sign:
    negative = worse than the best), the stacking ``weight``, ``p`` (effective parameters)
    and ``n_high_k``, the number of observations whose Pareto k exceeds 0.7 (their LOO
    estimate is unreliable). ``names`` gives readable names for the reading.
    """
    trees, high_k = {}, {}
    for name, result in fits.items():
        tree = result.idata  # its log_likelihood group is PyMC's (see inference.pymc_groups)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # counted in n_high_k instead
            loo = az.loo(tree, var_name="log10_gflops", pointwise=True)
        high_k[name] = int(np.sum(np.asarray(loo.pareto_k) > 0.7))
        trees[name] = tree
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        table = pd.DataFrame(az.compare(trees, var_name="log10_gflops", round_to="none"))
    table = table[["rank", "elpd", "se", "elpd_diff", "dse", "weight", "p"]].astype(float)
    table.index.name = "model"
    table = table.reset_index()
    table["n_high_k"] = table["model"].map(high_k)
    table["rank"] = table["rank"].astype(int)
    return Comparison(table=table, reading=_reading(table, dict(names or {})))


def compare_pooling(
    domain: FitDomain = "all", *, config: FitConfig | None = None, **fit_kwargs: Any
) -> Comparison:
    """Compare partial, no and complete pooling of the compute lines by PSIS-LOO
    (:func:`compare_fits`; the ``model`` column names the pooling).

    Fits the three variants with the same data and settings (``config`` and ``fit_kwargs``,
    e.g. ``data=`` or ``priors=``, go to :func:`energytrend.fit`; cached fits are reused).
    """
    base = config or FitConfig()
    fits: dict[str, TrendFit] = {
        p: fit(domain, config=dataclasses.replace(base, pooling=p), **fit_kwargs) for p in POOLINGS
    }
    return compare_fits(fits, POOLING_NAMES)


#: Likelihoods compared by :func:`compare_likelihoods`. (A widening scatter is v1's
#: two-line model only: with the frontier as a quantile it would make the frontier a curve.)
LIKELIHOOD_VARIANTS: dict[str, dict[str, Any]] = {
    "normal": {"likelihood": {"family": "normal", "scatter": "constant"}},
    "student_t": {"likelihood": {"family": "student_t", "scatter": "constant"}},
}


def compare_likelihoods(domain: FitDomain = "all", **fit_kwargs: Any) -> Comparison:
    """Compare the likelihoods (constant normal scatter, Student-t) by PSIS-LOO
    (:func:`compare_fits`); every model is one observation in both, so the scores compare."""
    priors = fit_kwargs.pop("priors", None)
    fits = {
        name: fit(domain, priors=merge_spec(resolve_spec(priors), overrides), **fit_kwargs)
        for name, overrides in LIKELIHOOD_VARIANTS.items()
    }
    return compare_fits(fits, LIKELIHOOD_NAMES)


def _reading(table: pd.DataFrame, names: Mapping[str, str]) -> str:
    def name(key: object) -> str:
        return names.get(str(key), str(key))

    best = table.iloc[0]
    parts = []
    for row in table.iloc[1:].itertuples():
        gap = abs(float(row.elpd_diff))  # ArviZ 1.x reports worse models with negative diffs
        clear = gap > 2 * row.dse
        parts.append(
            f"{name(row.model)} is "
            + (
                f"worse by {gap:.1f} ± {row.dse:.1f}"
                if clear
                else f"indistinguishable (worse by {gap:.1f} ± {row.dse:.1f})"
            )
        )
    note = ""
    if table["n_high_k"].sum():
        note = f" ({int(table['n_high_k'].sum())} Pareto k > 0.7: treat with care)"
    return (
        f"{name(best['model'])} predicts held-out models best; "
        + "; ".join(parts)
        + " in ELPD"
        + note
        + "."
    )


def prior_growth_check(
    domain: FitDomain = "all",
    *,
    data: str = DEFAULT_DATA,
    draws: int = 4000,
    seed: int = 2021,
    priors: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Prior predictive check of the growth rates the priors allow.

    Draws slopes (compute, efficiency and energy, in log10 per year) from the prior of the
    model for ``domain`` and reports, for each, the prior probability of a plausible rate
    (between a 10x fall and a 100x rise per year), of absurd rates (beyond a 100x fall or a
    1000x rise per year), and the 5%, 50% and 95% prior quantiles.
    """
    spec = resolve_spec(priors)
    arrays = prepare(
        domain,
        data=data,
        year_origin=float(spec["time"]["year_origin"]),
        spec=spec,
    ).arrays
    model = build_model(arrays, spec)
    with numerics():
        prior = pm.sample_prior_predictive(
            draws=draws,
            model=model,
            random_seed=seed,
            var_names=["slope", "eff_slope", "energy_slope"],
        )
    rows = []
    for var, label in (
        ("slope", "compute"),
        ("eff_slope", "efficiency"),
        ("energy_slope", "energy"),
    ):
        values = np.asarray(prior["prior"][var]).ravel()
        rows.append(
            {
                "slope": label,
                "p_plausible": float(np.mean((values >= PLAUSIBLE[0]) & (values <= PLAUSIBLE[1]))),
                "p_below_10x_fall": float(np.mean(values < PLAUSIBLE[0])),
                "p_above_100x_rise": float(np.mean(values > PLAUSIBLE[1])),
                "p_absurd": float(np.mean((values < ABSURD[0]) | (values > ABSURD[1]))),
                "q05": float(np.quantile(values, 0.05)),
                "median": float(np.median(values)),
                "q95": float(np.quantile(values, 0.95)),
            }
        )
    return pd.DataFrame(rows)


def per_token_comparison(*, config: FitConfig | None = None, **fit_kwargs: Any) -> pd.DataFrame:
    """NLP growth rates of thesis Table A.4 with compute per forward pass (each model at its
    own input length) and per input token, side by side (``config`` and ``fit_kwargs`` go to
    :func:`energytrend.fit`; the dataset is the thesis's unless ``data`` says otherwise: the
    ``"2025"`` NLP domain is per token only)."""
    base = config or FitConfig()
    fit_kwargs = {"data": "thesis", **fit_kwargs}
    frames = []
    for per_token in (False, True):
        one = dataclasses.replace(base, per_token=per_token)
        rates = fit("nlp", config=one, **fit_kwargs).growth_rates()
        rates = rates[
            rates["quantity"].isin(["slope_log10_per_year", "factor_per_year"])
            & (rates["metric"] != "gflops_per_watt")
        ]
        frames.append(rates.assign(normalisation="per token" if per_token else "per forward pass"))
    return pd.concat(frames, ignore_index=True)[
        ["normalisation", "metric", "group", "quantity", "median", "lower", "upper"]
    ]
