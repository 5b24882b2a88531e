"""Posterior predictive checks of a fit, per line: interval coverage and predictive p-values,
read from the stored ``posterior_predictive`` group (the body of
:meth:`energytrend.inference.result.TrendFit.ppc`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr


def _stacked(tree: xr.DataTree, group: str, name: str) -> np.ndarray:
    da = tree[group][name]
    return np.asarray(da.stack(sample=("chain", "draw")).transpose("sample", ...).to_numpy())


def ppc_table(tree: xr.DataTree, groups: list[str], series: list[str]) -> pd.DataFrame:
    """See :meth:`energytrend.inference.result.TrendFit.ppc`."""
    cd = tree["constant_data"]
    rows = []
    for name, idx_name, labels, kind in (
        ("log10_gflops", "obs_group", groups, "compute"),
        ("log10_gflops_per_watt", "gpu_series", series, "efficiency"),
    ):
        idx = cd[idx_name].to_numpy()
        y = tree["observed_data"][name].to_numpy()
        rep = _stacked(tree, "posterior_predictive", name)
        for k, label in enumerate(labels):
            sel = idx == k
            if not sel.any():  # a frontier quantile line has no observations of its own
                continue
            yk, rk = y[sel], rep[:, sel]
            q = np.quantile(rk, [0.05, 0.25, 0.75, 0.95], axis=0)
            rows.append(
                {
                    "line": label,
                    "kind": kind,
                    "n": int(sel.sum()),
                    "coverage_50": float(np.mean((yk >= q[1]) & (yk <= q[2]))),
                    "coverage_90": float(np.mean((yk >= q[0]) & (yk <= q[3]))),
                    "ppp_sd": float(np.mean(rk.std(axis=1, ddof=1) >= yk.std(ddof=1))),
                    "ppp_max": float(np.mean(rk.max(axis=1) >= yk.max())),
                }
            )
    return pd.DataFrame(rows)
