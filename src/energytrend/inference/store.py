"""Saving, loading and caching fit results as netCDF (never pickle).

A saved result is the posterior ``DataTree`` plus a group ``energytrend_data`` holding the
tidy model and GPU tables it was fitted to. Root attributes record the package version, the
model specification, the fit configuration, the seed, a SHA-256 hash of data plus
specification, and a content hash of everything in the file: every variable of every group
(the posterior, sample statistics, data, diagnostics, log-likelihood and posterior
predictive) and the root attributes. :func:`read_result` recomputes the content hash and
refuses a file in which anything changed, naming what.

Writes go to a temporary file in the destination folder and are moved into place with
``os.replace``, so a crash never leaves a half-written file under the final name.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5netcdf
import numpy as np
import pandas as pd
import xarray as xr

#: Attribute names written on the root of a saved result.
ATTRS = (
    "energytrend_version",
    "spec",
    "config",
    "seed",
    "data_hash",
    "spec_hash",
    "key",
    "content_hash",
    "content_hashes",
)

#: Root attributes that hold the content hash itself (not covered by it).
HASH_ATTRS = ("content_hash", "content_hashes")


class ResultFileError(ValueError):
    """A result file is missing, unreadable, not an energytrend result, modified since it was
    written, or made from other data or another specification. The message names the path.
    ``path`` is the file."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else Path(path)


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


def stored_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A tidy table with the column types a saved result keeps: booleans, dates
    (``datetime64[ns]``), numbers as floats, and everything else as text ("" for missing).
    A fresh fit and a loaded one hold the same frames."""
    out = {}
    for col in df.columns:
        values = df[col]
        if pd.api.types.is_bool_dtype(values):
            out[col] = values.to_numpy(dtype=bool)
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[col] = values.to_numpy(dtype="datetime64[ns]")
        elif pd.api.types.is_numeric_dtype(values):
            out[col] = values.to_numpy(dtype=float)
        else:
            out[col] = values.fillna("").astype(str).to_numpy(dtype=object)
    return pd.DataFrame(out)


def frame_to_dataset(df: pd.DataFrame, dim: str, labels: list[str]) -> xr.Dataset:
    """A table of :func:`stored_frame`'s types as an xarray Dataset along ``dim``."""
    data = {
        col: (dim, df[col].to_numpy(dtype=str) if df[col].dtype == object else df[col].to_numpy())
        for col in df.columns
    }
    return xr.Dataset(data, coords={dim: labels})


def dataset_to_frame(ds: xr.Dataset) -> pd.DataFrame:
    """Inverse of :func:`frame_to_dataset`."""
    df = pd.DataFrame({name: ds[name].to_numpy() for name in ds.data_vars})
    for col in df.columns:
        if df[col].dtype.kind == "U":
            df[col] = df[col].astype(object)
    return df


def write_result(tree: xr.DataTree, path: Path, attrs: dict[str, Any]) -> None:
    """Write ``tree`` with root ``attrs`` and its content hash to ``path`` atomically."""
    tree = tree.copy()
    tree.attrs = {**tree.attrs, **{k: _attr(v) for k, v in attrs.items()}}
    for name in HASH_ATTRS:
        tree.attrs.pop(name, None)
    with atomic_path(Path(path)) as tmp:
        tree.to_netcdf(tmp, engine="h5netcdf")
        # hash what a reader gets back (netCDF turns e.g. None into NaN), then add the hash
        with xr.open_datatree(tmp, engine="h5netcdf") as written:
            hashes = content_hashes(written.load())
        text = json.dumps(hashes, sort_keys=True)
        with h5netcdf.File(tmp, "a") as f:
            f.attrs["content_hashes"] = text
            f.attrs["content_hash"] = _sha256(text.encode())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(value: Any) -> Any:
    """An attribute value as plain JSON-able Python (netCDF returns numpy types)."""
    if isinstance(value, np.ndarray):
        return [_canonical(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, np.generic):
        return _canonical(value.item())
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _array_bytes(values: np.ndarray) -> bytes:
    """The values of an array as bytes that survive a netCDF round trip unchanged."""
    arr = np.asarray(values)
    shape = repr(arr.shape).encode()
    if arr.dtype.kind in "OUS":
        text = "\x1f".join(_canonical(v) if isinstance(v, bytes) else str(v) for v in arr.ravel())
        return b"text" + shape + text.encode("utf-8")
    if arr.dtype.kind in "Mm":
        arr = arr.astype("datetime64[ns]" if arr.dtype.kind == "M" else "timedelta64[ns]")
        return b"time" + shape + np.ascontiguousarray(arr.view("int64")).tobytes()
    if arr.dtype.kind == "b":
        return b"bool" + shape + np.ascontiguousarray(arr.astype("uint8")).tobytes()
    return arr.dtype.str.encode() + shape + np.ascontiguousarray(arr).tobytes()


def content_hashes(tree: xr.DataTree) -> dict[str, str]:
    """SHA-256 of every variable (values, dimensions and attributes) of every group, keyed
    ``group/variable``, plus ``attrs`` for the root attributes other than the hash itself."""
    out: dict[str, str] = {}
    root = {k: _canonical(v) for k, v in tree.attrs.items() if k not in HASH_ATTRS}
    out["attrs"] = _sha256(json.dumps(root, sort_keys=True, default=str).encode())
    for node in tree.subtree:
        group = node.path.strip("/")
        if not group:
            continue
        ds = node.to_dataset(inherit=False)
        for name, var in ds.variables.items():
            meta = json.dumps(
                [list(var.dims), {k: _canonical(v) for k, v in var.attrs.items()}],
                sort_keys=True,
                default=str,
            ).encode()
            out[f"{group}/{name}"] = _sha256(meta + _array_bytes(var.to_numpy()))
        if ds.attrs:
            attrs = {k: _canonical(v) for k, v in ds.attrs.items()}
            out[f"{group}/(attributes)"] = _sha256(
                json.dumps(attrs, sort_keys=True, default=str).encode()
            )
    return out


def check_content(tree: xr.DataTree, path: Path) -> None:
    """Recompute the content hash of a read result; raise :class:`ResultFileError` naming
    the groups and variables that changed since it was written."""
    try:
        stored = json.loads(tree.attrs["content_hashes"])
    except (KeyError, TypeError, ValueError):
        raise ResultFileError(
            f"{path}: its content hash is missing or unreadable; the file was modified, "
            "or written by an energytrend older than 0.2 (refit it)",
            path,
        ) from None
    actual = content_hashes(tree)
    whole = _sha256(json.dumps(stored, sort_keys=True).encode())
    changed = sorted(k for k in set(stored) & set(actual) if stored[k] != actual[k])
    added = sorted(set(actual) - set(stored))
    removed = sorted(set(stored) - set(actual))
    if not (changed or added or removed) and whole == tree.attrs["content_hash"]:
        return
    what = []
    if changed:
        what.append("changed: " + ", ".join(_readable(k) for k in changed[:8]))
    if added:
        what.append("added: " + ", ".join(_readable(k) for k in added[:8]))
    if removed:
        what.append("removed: " + ", ".join(_readable(k) for k in removed[:8]))
    if not what:
        what.append("the stored content hash itself was changed")
    raise ResultFileError(
        f"{path} was modified after energytrend wrote it ({'; '.join(what)}); its numbers "
        "cannot be trusted. Refit, or restore the original file",
        path,
    )


def _readable(key: str) -> str:
    if key == "attrs":
        return "the file's attributes (specification, configuration, hashes)"
    group, _, var = key.rpartition("/")
    return f"{var} in {group}"


def _attr(value: Any) -> str | int | float:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    return json.dumps(value, sort_keys=True, default=str)


@contextlib.contextmanager
def _quiet_half_open_files() -> Iterator[None]:
    """Silence the traceback of an ``h5netcdf.File`` that failed half-way through opening.

    With a corrupted header, h5netcdf (1.8) raises before the ``File`` is complete; its
    ``__del__`` then fails too (``AttributeError: ... '_writable'``), which Python prints to
    stderr as "Exception ignored in ..." whenever the object is freed. On failure the frames
    holding it are freed here, under a hook that drops exactly that report; every other
    unraisable error goes to the previous hook.
    """
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if unraisable.object is not h5netcdf.File.__del__:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    except BaseException as e:
        chain: list[BaseException] = [e]
        while (nxt := chain[-1].__cause__ or chain[-1].__context__) and nxt not in chain:
            chain.append(nxt)
        for error in chain:
            traceback.clear_frames(error.__traceback__)
        gc.collect()
        raise
    finally:
        sys.unraisablehook = previous


def read_result(path: Path) -> xr.DataTree:
    """Read a saved result fully into memory and check its content hash.

    Raises:
        ResultFileError: naming ``path``, when it does not exist, is a folder, cannot be
            read (truncated, not netCDF), is not an energytrend result, or was modified.
    """
    path = Path(path)
    if not path.exists():
        raise ResultFileError(f"{path} does not exist; check the path", path)
    if path.is_dir():
        raise ResultFileError(f"{path} is a folder, not a result file", path)
    try:
        with _quiet_half_open_files(), xr.open_datatree(path, engine="h5netcdf") as tree:
            loaded = tree.load()
    except Exception as e:  # h5py/netCDF raise many types for truncated or foreign files
        raise ResultFileError(
            f"{path} is not a readable energytrend result ({type(e).__name__}: {e}); "
            "it is truncated or not a netCDF file written by TrendFit.save",
            path,
        ) from e
    missing = [a for a in ATTRS if a not in loaded.attrs]
    if "energytrend_data" not in loaded.children or "energytrend_version" not in loaded.attrs:
        raise ResultFileError(
            f"{path} is a netCDF file but not an energytrend result (no energytrend data "
            "or version); load it with xarray or ArviZ instead",
            path,
        )
    if missing and missing != ["content_hash", "content_hashes"]:
        raise ResultFileError(
            f"{path} is not a complete energytrend result (missing {', '.join(missing)})", path
        )
    check_content(loaded, path)
    return loaded


def json_attr(tree: xr.DataTree, name: str) -> Any:
    """A JSON-encoded root attribute, decoded."""
    return json.loads(tree.attrs[name])


def round_floats(values: np.ndarray, digits: int = 10) -> list[float]:
    return [float(v) for v in np.round(np.asarray(values, dtype=float), digits)]
