"""The table of every reported parameter: quantiles, moments, their Monte Carlo standard
errors and the convergence diagnostics (the body of
:meth:`energytrend.inference.result.TrendFit.summary`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from energytrend.inference.diagnostics import Diagnostics, reported_vars
from energytrend.inference.intervals import bounds, interval_mcse
from energytrend.inference.mcse import mean_mcse, sd_mcse


def summary_table(idata: xr.DataTree, diagnostics: Diagnostics, prob: float) -> pd.DataFrame:
    """Every reported parameter of the posterior in ``idata``
    (:data:`energytrend.inference.diagnostics.REPORTED`: the lines, the efficiency series,
    the hierarchy's centres and spreads), with the ``diagnostics`` table merged in (see
    :meth:`energytrend.inference.result.TrendFit.summary`). The gate covers more: every
    internal variable too."""
    lo_q, hi_q = bounds(prob)
    chains = idata["posterior"].sizes["chain"]
    post = idata["posterior"]
    rows = []
    for var in reported_vars(idata):
        da = post[var].stack(sample=("chain", "draw")).transpose(..., "sample")
        flat = da.to_numpy().reshape(-1, da.sizes["sample"])
        labels = [var] if da.ndim == 1 else [f"{var}[{c}]" for c in da[da.dims[0]].to_numpy()]
        for label, d in zip(labels, flat, strict=True):
            q = np.quantile(d, [0.5, lo_q, hi_q])
            by_chain = d.reshape(chains, -1)
            e_med, e_lo, e_hi = interval_mcse(by_chain, prob)
            rows.append(
                {
                    "parameter": label,
                    "median": q[0],
                    "lower": q[1],
                    "upper": q[2],
                    "mean": d.mean(),
                    "sd": d.std(ddof=1),
                    "mcse_median": e_med,
                    "mcse_lower": e_lo,
                    "mcse_upper": e_hi,
                    "mcse_mean": mean_mcse(by_chain),
                    "mcse_sd": sd_mcse(by_chain),
                }
            )
    out = pd.DataFrame(rows).merge(diagnostics.table, on="parameter", how="left")
    out["prob"] = prob
    return out
