"""Loading the shipped tables of the thesis and users' own tables.

The shipped CSV files live in the repository's top-level ``data/`` folder (and inside the
wheel under ``energytrend/_shipped/data``). Each loader returns a validated, typed copy.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from energytrend.data.schema import DATASET_TABLES, TABLES, TableSpec
from energytrend.data.validation import read_table, validate_table


def shipped_path(kind: str) -> Path:
    """Folder of the shipped ``data`` or ``models`` files, in a checkout or an installed wheel."""
    here = Path(__file__).resolve().parents[1]  # the package folder, energytrend/
    for candidate in (here / "_shipped" / kind, here.parents[1] / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"energytrend's shipped '{kind}' folder was not found next to {here}; "
        "reinstall the package (pip install energytrend) or run from a checkout."
    )


@cache
def _load_shipped(name: str) -> pd.DataFrame:
    spec = TABLES[name]
    # Shipped data were released long ago; pinning "today" keeps the loader deterministic.
    return read_table(shipped_path("data") / spec.filename, spec, today=dt.date(2100, 1, 1))


def load_cv_models() -> pd.DataFrame:
    """Computer-vision models (thesis Table A.3, 94 rows), validated and typed."""
    return _load_shipped("cv_models").copy()


def load_nlp_models() -> pd.DataFrame:
    """NLP models (thesis Table A.4, 19 rows), validated and typed."""
    return _load_shipped("nlp_models").copy()


def load_gpus() -> pd.DataFrame:
    """NVIDIA GPUs (thesis Table B.1, 48 rows), validated and typed."""
    return _load_shipped("gpus").copy()


def load_inference_throughput() -> pd.DataFrame:
    """Inference throughput measurements (thesis Table B.2, 58 rows), validated and typed."""
    return _load_shipped("inference_throughput").copy()


#: A table as the API accepts it: a CSV path (``str`` or ``Path``) or a DataFrame, however
#: pandas parsed it.
type TableSource = str | Path | pd.DataFrame


def table_spec(spec: TableSpec | str) -> TableSpec:
    """The :class:`TableSpec` of ``spec``, given as one or by name (``"cv_models"``, ...).

    Raises:
        ValueError: an unknown name, listing the known ones.
    """
    if isinstance(spec, TableSpec):
        return spec
    known = {**TABLES, **DATASET_TABLES}
    if isinstance(spec, str) and spec in known:
        return known[spec]
    raise ValueError(f"unknown table {spec!r}; the tables are: {', '.join(known)}")


def load_table(source: TableSource, spec: TableSpec | str) -> pd.DataFrame:
    """Validate a user's table against ``spec`` and return a typed copy.

    Args:
        source: a CSV file (path as ``str`` or ``Path``) or a DataFrame. A DataFrame read
            with plain ``pd.read_csv`` is accepted as it is: reference columns parsed as
            floats (``32.0``), empty cells as NaN and dates as text or Timestamps are turned
            back into what the file says before validation. The caller's frame is not
            modified.
        spec: the table's :class:`TableSpec` (``energytrend.data.schema.CV_MODELS``, ...) or
            its name
            (``"cv_models"``, ``"nlp_models"``, ``"gpus"``, ``"inference_throughput"``, or
            a table of the 2025 dataset such as ``"vision_models"``).

    Raises:
        DataValidationError: naming the file, row and column of each problem, problems with
            the analysed numbers first.
        ValueError: ``spec`` is not a known table.
        TypeError: ``source`` is neither a path nor a DataFrame.
    """
    spec = table_spec(spec)
    if isinstance(source, pd.DataFrame):
        return validate_table(source, spec)
    if isinstance(source, str | Path):
        return read_table(source, spec)
    raise TypeError(
        f"a {spec.name} table must be a CSV path or a pandas DataFrame, got {type(source).__name__}"
    )


def _days_in_year(years: np.ndarray) -> np.ndarray:
    leap = ((years % 4 == 0) & (years % 100 != 0)) | (years % 400 == 0)
    return np.where(leap, 366, 365)


def decimal_year(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Dates as decimal years, calendar year by calendar year.

    A date is ``year + (day of year - 1) / (days in that year)``: 1 January of any year is
    exactly ``year.0`` and 31 December 2020 is ``2020 + 365/366``. (A fixed 365.25-day year
    drifts by up to a day against the calendar, so 2010.0 would not be 1 January 2010.)
    Times of day are ignored; missing dates give NaN.
    """
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates)))
    year = idx.year.to_numpy(dtype=float)
    offset = idx.day_of_year.to_numpy(dtype=float) - 1.0
    return np.asarray(year + offset / _days_in_year(year), dtype=float)


def from_decimal_year(years: npt.ArrayLike) -> pd.DatetimeIndex:
    """Inverse of :func:`decimal_year`: the calendar date of each decimal year.

    The fraction of the year is rounded to the nearest whole day of that year, so
    ``from_decimal_year(decimal_year(d)) == d`` exactly for every date ``d``, and
    ``from_decimal_year(2010.0)`` is 2010-01-01. A fraction that rounds to the end of the
    year gives 1 January of the next year.

    Raises:
        ValueError: a year is not finite (NaN or infinite has no date).
    """
    y = np.atleast_1d(np.asarray(years, dtype=float))
    if not np.all(np.isfinite(y)):
        raise ValueError(f"decimal years must be finite to have a date, got {y[~np.isfinite(y)]}")
    whole = np.floor(y)
    days = np.round((y - whole) * _days_in_year(whole)).astype("int64")
    starts = pd.to_datetime(pd.DataFrame({"year": whole.astype("int64"), "month": 1, "day": 1}))
    return pd.DatetimeIndex(starts + pd.to_timedelta(days, unit="D")).astype("datetime64[ns]")
