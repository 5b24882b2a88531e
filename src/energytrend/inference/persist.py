"""Writing a result to netCDF, and the model arrays read back from its constant data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import xarray as xr

from energytrend._version import __version__ as VERSION
from energytrend.inference import diagnostics
from energytrend.inference.config import FitConfig, cache_key
from energytrend.inference.store import write_result
from energytrend.model.arrays import ModelData
from energytrend.model.spec import digest


class _Saved(Protocol):
    """What :func:`save_result` reads of a result."""

    @property
    def idata(self) -> xr.DataTree: ...
    @property
    def config(self) -> FitConfig: ...
    @property
    def diagnostics(self) -> diagnostics.Diagnostics: ...


def arrays_from_tree(tree: xr.DataTree) -> ModelData:
    """Rebuild the model arrays from a result's constant data (for hashing on load)."""
    cd = tree["constant_data"].to_dataset()
    post = tree["posterior"].to_dataset()
    observed = tree["observed_data"].to_dataset()
    return ModelData(
        groups=tuple(str(g) for g in post["group"].values),
        group_series=cd["group_series"].to_numpy(),
        series=tuple(str(s) for s in post["series"].values),
        obs=tuple(str(o) for o in cd["obs"].values),
        obs_group=cd["obs_group"].to_numpy(),
        obs_t=cd["obs_t"].to_numpy(),
        obs_y=observed["log10_gflops"].to_numpy(),
        gpu=tuple(str(g) for g in cd["gpu"].values),
        gpu_series=cd["gpu_series"].to_numpy(),
        gpu_t=cd["gpu_t"].to_numpy(),
        gpu_y=observed["log10_gflops_per_watt"].to_numpy(),
        year_origin=float(tree.attrs["year_origin"]),
        **{name: cd[name].to_numpy() for name in ModelData.EXTRA if name in cd},
    )


def save_result(result: _Saved, path: Path, key: str = "") -> Path:
    """Write ``result`` (a :class:`~energytrend.inference.result.TrendFit`) to ``path`` as
    netCDF with version, spec, config, seed and hashes."""
    arrays = arrays_from_tree(result.idata)
    spec = result.config.spec
    attrs = {
        "energytrend_version": VERSION,
        "spec": json.dumps(spec, sort_keys=True),
        "config": json.dumps(result.config.to_json(), sort_keys=True),
        "seed": result.config.seed,
        "data_hash": digest(arrays.fingerprint()),
        "spec_hash": digest(spec),
        "key": key or cache_key(arrays, result.config),
    }
    tree = result.idata.copy()
    tree[diagnostics.GROUP] = xr.DataTree(diagnostics.to_dataset(result.diagnostics))
    write_result(tree, Path(path), attrs)
    return Path(path)
