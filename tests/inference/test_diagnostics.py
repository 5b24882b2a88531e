"""The diagnostics gate covers every posterior variable, internal ones included."""

from __future__ import annotations

import numpy as np
import xarray as xr

from energytrend.inference import diagnostics


def _tree(shift: float) -> xr.DataTree:
    """Four chains of a reported slope that mix well and an internal variable whose chains
    sit ``shift`` apart."""
    rng = np.random.default_rng(0)
    chain_offset = shift * np.arange(4)[:, None]
    posterior = xr.Dataset(
        {
            "slope": (("chain", "draw"), rng.normal(size=(4, 1000))),
            "eff_delta_z": (("chain", "draw"), rng.normal(size=(4, 1000)) + chain_offset),
        }
    )
    stats = xr.Dataset({"diverging": (("chain", "draw"), np.zeros((4, 1000), dtype=bool))})
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": stats})


def test_an_internal_variable_that_did_not_mix_fails_the_gate() -> None:
    assert diagnostics.check(_tree(0.0)).passed
    failed = diagnostics.check(_tree(1.0))
    assert not failed.passed
    assert any("eff_delta_z" in f for f in failed.failures)


def test_an_undefined_diagnostic_fails_the_gate() -> None:
    table = diagnostics.check(_tree(0.0)).table.copy()
    table.loc[0, "r_hat"] = np.nan
    out = diagnostics.gate(table, 0)
    assert not out.passed and "undefined" in out.failures[0]
