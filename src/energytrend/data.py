"""Loading the shipped tables of the thesis and users' own tables.

The shipped CSV files live in the repository's top-level ``data/`` folder (and inside the
wheel under ``energytrend/_shipped/data``). Each loader returns a validated, typed copy.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from energytrend.schema import TABLES, TableSpec
from energytrend.validation import read_table, validate_table

#: Origin of the decimal-year time axis: time t means DATE_ORIGIN + t * 365.25 days.
DATE_ORIGIN = pd.Timestamp("2000-01-01")
DAYS_PER_YEAR = 365.25


def shipped_path(kind: str) -> Path:
    """Folder of the shipped ``data`` or ``models`` files, in a checkout or an installed wheel."""
    here = Path(__file__).resolve().parent
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


def load_table(source: str | Path | pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Validate a user's table, given as a CSV path or a DataFrame, against ``spec``.

    Raises:
        DataValidationError: naming the file, row and column of each problem.
    """
    if isinstance(source, pd.DataFrame):
        return validate_table(source, spec)
    return read_table(source, spec)


def decimal_year(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Dates as decimal years on the package's time axis (2000-01-01 is 2000.0)."""
    delta = pd.to_datetime(pd.Series(dates)) - DATE_ORIGIN
    return np.asarray(2000.0 + delta.dt.days.to_numpy() / DAYS_PER_YEAR, dtype=float)


def from_decimal_year(years: np.ndarray | float) -> pd.DatetimeIndex:
    """Inverse of :func:`decimal_year` (to the nearest day)."""
    days = np.round((np.atleast_1d(np.asarray(years, dtype=float)) - 2000.0) * DAYS_PER_YEAR)
    return pd.DatetimeIndex(DATE_ORIGIN + pd.to_timedelta(days, unit="D"))
