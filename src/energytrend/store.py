"""Saving, loading and caching fit results as netCDF (never pickle).

A saved result is the posterior ``DataTree`` plus a group ``energytrend_data`` holding the
tidy model and GPU tables it was fitted to. Root attributes record the package version, the
model specification, the fit configuration, the seed and a SHA-256 hash of data plus
specification, which :func:`load` re-checks.

Writes go to a temporary file in the destination folder and are moved into place with
``os.replace``, so a crash never leaves a half-written file under the final name.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

#: Attribute names written on the root of a saved result.
ATTRS = ("energytrend_version", "spec", "config", "seed", "data_hash", "spec_hash", "key")


class ResultFileError(ValueError):
    """A saved result is corrupt, or was made from other data or another specification."""


def cache_dir(override: str | Path | None = None) -> Path:
    """Folder of the fit cache: ``override``, else ``$ENERGYTREND_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/energytrend`` (default ``~/.cache/energytrend``)."""
    if override is not None:
        return Path(override)
    env = os.environ.get("ENERGYTREND_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "energytrend"


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it onto ``path`` only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        tmp_path.chmod(0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        tmp_path.replace(path)
    finally:
        tmp_path.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def frame_to_dataset(df: pd.DataFrame, dim: str, labels: list[str]) -> xr.Dataset:
    """A tidy table as an xarray Dataset along ``dim`` (text columns as strings)."""
    data = {}
    for col in df.columns:
        values = df[col]
        if pd.api.types.is_bool_dtype(values):
            data[col] = (dim, values.to_numpy(dtype=bool))
        elif pd.api.types.is_datetime64_any_dtype(values):
            data[col] = (dim, values.to_numpy(dtype="datetime64[ns]"))
        elif pd.api.types.is_numeric_dtype(values):
            data[col] = (dim, values.to_numpy(dtype=float))
        else:
            data[col] = (dim, values.fillna("").astype(str).to_numpy(dtype=str))
    return xr.Dataset(data, coords={dim: labels})


def dataset_to_frame(ds: xr.Dataset, dim: str) -> pd.DataFrame:
    """Inverse of :func:`frame_to_dataset`."""
    df = pd.DataFrame({name: ds[name].to_numpy() for name in ds.data_vars})
    for col in df.columns:
        if df[col].dtype.kind == "U":
            df[col] = df[col].astype(object)
    return df


def write_result(tree: xr.DataTree, path: Path, attrs: dict[str, Any]) -> None:
    """Write ``tree`` with root ``attrs`` to ``path`` atomically."""
    tree = tree.copy()
    tree.attrs = {**tree.attrs, **{k: _attr(v) for k, v in attrs.items()}}
    with atomic_path(Path(path)) as tmp:
        tree.to_netcdf(tmp, engine="h5netcdf")


def _attr(value: Any) -> str | int | float:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def read_result(path: Path) -> xr.DataTree:
    """Read a saved result fully into memory, or raise :class:`ResultFileError`."""
    try:
        with xr.open_datatree(path, engine="h5netcdf") as tree:
            loaded = tree.load()
    except FileNotFoundError:
        raise
    except Exception as e:  # h5py/netCDF raise many types for truncated or foreign files
        raise ResultFileError(f"{path} is not a readable energytrend result ({e})") from e
    missing = [a for a in ATTRS if a not in loaded.attrs]
    if missing or "energytrend_data" not in loaded.children:
        raise ResultFileError(f"{path} is not an energytrend result (missing {missing or 'data'})")
    return loaded


def json_attr(tree: xr.DataTree, name: str) -> Any:
    """A JSON-encoded root attribute, decoded."""
    return json.loads(tree.attrs[name])


def round_floats(values: np.ndarray, digits: int = 10) -> list[float]:
    return [float(v) for v in np.round(np.asarray(values, dtype=float), digits)]
