"""The arrays of the precision efficiency model (:mod:`energytrend.model.efficiency`): chips
per precision, changepoint knots, measured speed-ups and MLPerf energy calibration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from energytrend.data.llm_realisation import llm_realisation_table
from energytrend.data.precision import precision_series, speedup_data
from energytrend.data.realisation import realisation_table
from energytrend.model.efficiency import knots

#: When the thesis's Table B.2 speed-ups were measured (read for the thesis, 2021): for the
#: backtests, a forecaster before this date did not have them.
SPEEDUP_YEAR = 2021.0


def precision_points(data: str, gpus: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (chip, precision) with the columns of a fit's GPU table; ``domain`` holds
    the precision series (``fp32``, ``fp16``, ``int8``)."""
    p = precision_series(data, gpus=gpus)
    return pd.DataFrame(
        {
            "domain": p["precision"],
            "gpu": p["hardware"],
            "precision": p["precision"],
            "label": p["hardware"] + " " + p["precision"],
            "adapted": False,
            "tflops": p["peak_tflops"],
            "watts": p["tdp_watts"],
            "launch_date": p["release_date"],
            "type": p["type"],
            "gflops_per_watt": p["gflops_per_watt"],
            "year": p["year"],
            "server": p["server"].astype(bool),
        }
    ).reset_index(drop=True)


def realisation_points(data: str, domains: Sequence[str] = ("cv", "nlp")) -> pd.DataFrame:
    """MLPerf runs with their measured-to-peak energy ratio (empty where the dataset has no
    MLPerf table, as the thesis's): the language-model benchmarks for a fit of the ``llm``
    domain (:func:`energytrend.data.llm_realisation.llm_realisation_table`), the vision ones
    otherwise."""
    if data == "thesis":
        return pd.DataFrame({"year": [], "log10_realisation": []})
    if "llm" in domains:
        return llm_realisation_table(data)
    return realisation_table(data)


def efficiency_extras(
    data: str,
    gpus: pd.DataFrame,
    series: tuple[str, ...],
    spec: Mapping[str, Any],
    year_origin: float,
    domains: Sequence[str] = ("cv", "nlp"),
) -> dict[str, np.ndarray]:
    """The precision model's extra arrays for :class:`~energytrend.model.build.ModelData`."""
    gpu_series = np.array([series.index(s) for s in gpus["domain"]])
    gpu_t = gpus["year"].to_numpy(dtype=float) - year_origin
    knot_series, knot_t = knots(series, gpu_series, gpu_t, dict(spec))
    sp = speedup_data(data)
    sp = sp[sp["peak_precision"].isin(series) & np.isfinite(sp["log10_realised_fraction"])]
    real = realisation_points(data, domains)
    return {
        "gpu_server": gpus["server"].to_numpy(dtype=float),
        "eff_knot_series": knot_series,
        "eff_knot_t": knot_t,
        "sp_series": np.array([series.index(p) for p in sp["peak_precision"]], dtype=int),
        "sp_t": np.full(len(sp), SPEEDUP_YEAR - year_origin),
        "sp_y": sp["log10_realised_fraction"].to_numpy(dtype=float),
        "real_t": real["year"].to_numpy(dtype=float) - year_origin,
        "real_y": real["log10_realisation"].to_numpy(dtype=float),
    }
