"""Posterior predictive checks of a fit, per line: interval coverage and predictive p-values
(the body of :meth:`energytrend.inference.result.TrendFit.ppc`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from energytrend.inference.result import TrendFit


def posterior_predictive(result: TrendFit, n_draws: int | None) -> dict[str, np.ndarray]:
    """See :meth:`energytrend.inference.result.TrendFit.posterior_predictive`."""
    rng = np.random.default_rng(result.config.seed + 1)
    cd = result.idata["constant_data"]
    server = cd["gpu_server"].to_numpy() if "gpu_server" in cd else 1.0
    return {
        name: result.predictive_draws(
            kind, cd[idx].to_numpy(), cd[t].to_numpy(), rng, n_draws=n_draws, server=srv
        )
        for name, kind, idx, t, srv in (
            ("log10_gflops", "compute", "obs_group", "obs_t", 1.0),
            ("log10_gflops_per_watt", "efficiency", "gpu_series", "gpu_t", server),
        )
    }


def ppc_table(result: TrendFit) -> pd.DataFrame:
    """See :meth:`energytrend.inference.result.TrendFit.ppc`."""
    rep = result.posterior_predictive()
    cd = result.idata["constant_data"]
    rows = []
    for name, idx_name, labels, kind in (
        ("log10_gflops", "obs_group", result.groups, "compute"),
        ("log10_gflops_per_watt", "gpu_series", result.series, "efficiency"),
    ):
        idx = cd[idx_name].to_numpy()
        y = result.idata["observed_data"][name].to_numpy()
        for k, label in enumerate(labels):
            sel = idx == k
            if not sel.any():  # a frontier quantile line has no observations of its own
                continue
            yk, rk = y[sel], rep[name][:, sel]
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
