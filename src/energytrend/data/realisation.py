"""Realisation factor: measured MLPerf energy per sample over the peak-based lower bound.

The package estimates the energy of one inference as ``GFLOPs / (peak GFLOPS / TDP)``, the
energy the accelerator would spend running at its peak rate and its TDP. The *realisation
factor* compares that bound with a measurement, for the same model on the same hardware::

    peak_j_per_sample = gflops_per_sample / (peak_tops * 1000 / tdp_watts)
    realisation       = measured_j_per_sample / peak_j_per_sample
                      = system_power_over_tdp / peak_utilisation

where ``system_power_over_tdp`` is the wall power over the accelerators' summed TDP and
``peak_utilisation`` the achieved GFLOPS over the accelerators' summed peak (both returned).

``measured_j_per_sample`` is ``mean_system_watts / throughput`` of an MLPerf Inference power
run. Peak and TDP are per accelerator, so the bound does not depend on ``accelerator_count``
(n accelerators do n times the work at n times the power). The measurement is **whole-system
wall power** (host CPUs, memory, fans, power supplies and the accelerators, under the
submitter's power caps in MaxQ runs), so the factor includes the host overhead and should
exceed 1; it is not an accelerator-only efficiency.

Which runs count (each dropped run keeps its reason, see :func:`dropped_counts`):

* LoadGen verdict ``VALID``, and the **closed division** only (``closed`` or
  ``closed;open``): the open division may change the model, so the reference model's
  GFLOPs would not apply.
* **Offline** by default: the throughput scenario with no latency bound, the fairest
  comparison with a peak rate. ``scenarios=("Offline", "Server")`` adds Server runs
  (energy per sample at a latency-bounded query rate, usually somewhat higher); the
  ``scenario`` column tells them apart. SingleStream/MultiStream energies are per query
  at batch one and are not offered.
* Benchmark and accuracy target listed in ``data/curation/mlperf_benchmarks.csv`` (GFLOPs
  per sample and the precision whose peak is used), accelerator listed in
  ``data/curation/mlperf_accelerators.csv`` (the ``accelerators`` row it is), and a peak
  and TDP present in ``accelerators`` for that precision.

BERT is not in the benchmark file on purpose: its cited compute (246.93 GFLOPs) is for a
sequence padded to 384 tokens, but NVIDIA's submissions drop the padding (variable sequence
lengths, ``closed/NVIDIA/code/bert/tensorrt/README.md`` of the results repositories), so
the work actually done per sample is smaller by an uncited factor; with 384 tokens the runs
would imply 1.0-1.5 times the accelerators' peak rate and factors below 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from energytrend.data.datasets import load_data
from energytrend.data.schema import Column, TableSpec
from energytrend.data.tables import decimal_year, shipped_path
from energytrend.data.validation import DataValidationError, Problem, read_table

#: Precision names of the benchmark file and the ``accelerators`` column holding their peak.
PRECISION_COLUMNS: dict[str, str] = {
    "INT8": "int8_tops",
    "FP8": "fp8_tflops",
    "FP16": "tensor_fp16_bf16_tflops",
    "TF32": "tf32_tflops",
    "FP32": "fp32_tflops",
    "FP4": "fp4_tflops",
}

#: Scenarios whose ``joules_per_sample`` is ``mean_system_watts / throughput``.
THROUGHPUT_SCENARIOS = ("Offline", "Server")

# fmt: off
MLPERF_ACCELERATORS = TableSpec(
    name="mlperf_accelerators", filename="curation/mlperf_accelerators.csv",
    key=("mlperf_accelerator",), description="MLPerf accelerator strings as accelerators rows",
    columns=(
        Column("mlperf_accelerator", "text", required=True, description="mlperf_power name"),
        Column("hardware_name", "text", required=True, description="accelerators.csv name"),
        Column("note", "text", description="why the match holds"),
    ),
)

MLPERF_BENCHMARKS = TableSpec(
    name="mlperf_benchmarks", filename="curation/mlperf_benchmarks.csv",
    key=("benchmark", "accuracy_targets"),
    description="GFLOPs per sample and peak precision of MLPerf benchmarks",
    columns=(
        Column("benchmark", "text", required=True, description="mlperf_power benchmark"),
        Column("accuracy_targets", "text", description="mlperf_power accuracy_targets"),
        Column("gflops_per_sample", "float", required=True, positive=True, unit="GFLOPs",
               description="forward compute of one sample, multiply-add = 2 FLOPs"),
        Column("precision", "text", required=True, description="a key of PRECISION_COLUMNS"),
        Column("gflops_source", "text", required=True, description="where the GFLOPs were read"),
        Column("precision_evidence", "text", required=True, description="why this precision"),
    ),
)

_REQUIRED_MLPERF = ("valid", "division", "scenario", "benchmark", "accuracy_targets",
                    "accelerator", "accelerator_count", "joules_per_sample",
                    "mean_system_watts", "throughput")

#: Columns of :func:`realisation_table`, in order.
OUTPUT_COLUMNS = [
    "round", "round_date", "year", "division", "submitter", "system", "accelerator",
    "hardware_name", "accelerator_count", "benchmark", "accuracy_targets", "scenario",
    "precision", "peak_tops", "tdp_watts", "gflops_per_sample", "measured_j_per_sample",
    "peak_j_per_sample", "realisation", "log10_realisation", "mean_system_watts",
    "throughput", "system_power_over_tdp", "peak_utilisation",
]
# fmt: on


def unknown_values(table: pd.DataFrame, column: str, known: set[str], fix: str) -> list[Problem]:
    """A Problem (CSV line, column) for each value of ``column`` not in ``known``."""
    return [
        Problem(i + 2, column, f"unknown {column} {value!r}", fix)
        for i, value in enumerate(table[column])
        if value not in known
    ]


def _check_known(file: str, table: pd.DataFrame, column: str, known: set[str], fix: str) -> None:
    """Raise a DataValidationError (file, CSV line, column) for values not in ``known``."""
    problems = unknown_values(table, column, known, fix)
    if problems:
        raise DataValidationError(file, problems)


def read_mlperf_accelerators(
    path: str | Path | None = None, accelerators: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The accelerator map, validated; every ``hardware_name`` must be a row of
    ``accelerators`` (the ``"2025"`` table unless given).

    Raises:
        DataValidationError: naming the file, CSV line and column of each problem.
    """
    file = str(path or shipped_path("data") / MLPERF_ACCELERATORS.filename)
    table = read_table(file, MLPERF_ACCELERATORS)
    acc = load_data("accelerators", "2025") if accelerators is None else accelerators
    fix = "Copy the name exactly from the hardware_name column of data/2025/accelerators.csv."
    _check_known(file, table, "hardware_name", set(acc["hardware_name"]), fix)
    return table


def read_mlperf_benchmarks(path: str | Path | None = None) -> pd.DataFrame:
    """The benchmark file, validated; ``precision`` must be a key of
    :data:`PRECISION_COLUMNS`.

    Raises:
        DataValidationError: naming the file, CSV line and column of each problem.
    """
    file = str(path or shipped_path("data") / MLPERF_BENCHMARKS.filename)
    table = read_table(file, MLPERF_BENCHMARKS)
    fix = f"Use one of {', '.join(PRECISION_COLUMNS)}."
    _check_known(file, table, "precision", set(PRECISION_COLUMNS), fix)
    return table


def peak_at_precision(df: pd.DataFrame) -> pd.Series:
    """Per row, the ``accelerators`` peak (TFLOPS or TOPS) in the column that
    :data:`PRECISION_COLUMNS` names for the row's ``precision``; NaN when there is none."""
    peak = pd.Series(np.nan, index=df.index, dtype=float)
    for prec, col in PRECISION_COLUMNS.items():
        sel = df["precision"] == prec
        peak[sel] = df.loc[sel, col].astype(float)
    return peak


def check_scenarios(scenarios: tuple[str, ...]) -> None:
    """Raise ValueError unless every scenario is one of :data:`THROUGHPUT_SCENARIOS`."""
    bad = [s for s in scenarios if s not in THROUGHPUT_SCENARIOS]
    if bad:
        raise ValueError(
            f"scenarios {bad} have no per-sample throughput energy; "
            f"choose from {THROUGHPUT_SCENARIOS}"
        )


def run_checks(df: pd.DataFrame, scenarios: tuple[str, ...]) -> list[tuple[pd.Series, str]]:
    """The run-level checks shared by the realisation tables, as (failing mask, reason):
    LoadGen verdict, scenario and closed division."""
    check_scenarios(scenarios)
    return [
        (df["valid"] != "VALID", "invalid result"),
        (~df["scenario"].isin(scenarios), "scenario not selected"),
        (~df["division"].str.split(";").map(lambda d: "closed" in d), "open division only"),
    ]


def realised(
    kept: pd.DataFrame, gflops_per_sample: pd.Series, columns: Sequence[str]
) -> pd.DataFrame:
    """The kept runs' ``columns``, with what both realisation tables derive: measured and
    peak-based joules per sample (FLOPs over peak GFLOPS/W at the run's precision), their
    ratio (the realisation factor) and its log10, system power over the accelerators' total
    TDP, the share of peak FLOPS achieved, and the decimal year; sorted by round,
    submitter, system, benchmark, accuracy target and scenario."""
    gflops_per_watt = kept["peak_tops"] * 1000.0 / kept["tdp_watts"]
    kept["measured_j_per_sample"] = kept["joules_per_sample"]
    kept["peak_j_per_sample"] = gflops_per_sample / gflops_per_watt
    kept["realisation"] = kept["measured_j_per_sample"] / kept["peak_j_per_sample"]
    kept["log10_realisation"] = np.log10(kept["realisation"])
    total_tdp = kept["accelerator_count"] * kept["tdp_watts"]
    kept["system_power_over_tdp"] = kept["mean_system_watts"] / total_tdp
    achieved = gflops_per_sample * kept["throughput"]
    kept["peak_utilisation"] = achieved / (kept["accelerator_count"] * kept["peak_tops"] * 1e3)
    kept["year"] = decimal_year(kept["round_date"])
    order = ["round", "submitter", "system", "benchmark", "accuracy_targets", "scenario"]
    return kept[list(columns)].sort_values(order, kind="stable").reset_index(drop=True)


def first_reason(index: pd.Index, checks: list[tuple[pd.Series, str]]) -> pd.Series:
    """Per row, the reason of the first failing check (empty string: every check passed)."""
    reason = pd.Series("", index=index, dtype=object)
    for mask, why in checks:
        reason[(reason == "") & mask.to_numpy()] = why
    return reason


def _joined(
    data: str,
    scenarios: tuple[str, ...],
    accelerators_path: str | Path | None,
    benchmarks_path: str | Path | None,
) -> tuple[pd.DataFrame, list[str]]:
    """Every mlperf_power run with its curation columns and a ``drop_reason`` (empty: kept),
    and the names of the mlperf_power columns."""
    check_scenarios(scenarios)
    runs = load_data("mlperf_power", data)
    acc = load_data("accelerators", data)
    amap = read_mlperf_accelerators(accelerators_path, acc)
    bench = read_mlperf_benchmarks(benchmarks_path)
    for c in _REQUIRED_MLPERF:
        if c not in runs.columns:
            raise ValueError(f"mlperf_power of dataset {data!r} has no column {c!r}")
    df = runs.merge(
        amap[["mlperf_accelerator", "hardware_name"]],
        how="left",
        left_on="accelerator",
        right_on="mlperf_accelerator",
    )
    df = df.merge(
        bench[["benchmark", "accuracy_targets", "gflops_per_sample", "precision"]],
        how="left",
        on=["benchmark", "accuracy_targets"],
    )
    df = df.merge(
        acc[["hardware_name", "tdp_watts", *PRECISION_COLUMNS.values()]],
        how="left",
        on="hardware_name",
    )
    df["peak_tops"] = peak_at_precision(df)
    checks = [  # first failing check names the reason
        *run_checks(df, scenarios),
        (df["gflops_per_sample"].isna(), "benchmark not in mlperf_benchmarks.csv"),
        (df["hardware_name"].isna(), "accelerator not in mlperf_accelerators.csv"),
        (~(df["peak_tops"] > 0) | ~(df["tdp_watts"] > 0), "no peak or TDP at that precision"),
        (~(df["joules_per_sample"] > 0), "no measured energy per sample"),
        (~(df["accelerator_count"] > 0), "no accelerator_count"),
    ]
    df["drop_reason"] = first_reason(df.index, checks)
    return df, list(runs.columns)


# fmt: off
@overload
def realisation_table(
    data: str = ..., *, scenarios: tuple[str, ...] = ..., with_dropped: Literal[False] = ...,
    accelerators_path: str | Path | None = ..., benchmarks_path: str | Path | None = ...,
) -> pd.DataFrame: ...
@overload
def realisation_table(
    data: str = ..., *, scenarios: tuple[str, ...] = ..., with_dropped: Literal[True],
    accelerators_path: str | Path | None = ..., benchmarks_path: str | Path | None = ...,
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
# fmt: on


def realisation_table(
    data: str = "2025",
    *,
    scenarios: tuple[str, ...] = ("Offline",),
    with_dropped: bool = False,
    accelerators_path: str | Path | None = None,
    benchmarks_path: str | Path | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """One row per usable power-measured MLPerf run, with its realisation factor.

    Args:
        data: dataset whose ``mlperf_power`` and ``accelerators`` tables are used (``"2025"``).
        scenarios: ``("Offline",)`` (default) or ``("Offline", "Server")``.
        with_dropped: also return the runs left out, with a ``drop_reason`` column.
        accelerators_path, benchmarks_path: other curation files (default: the shipped ones).

    Returns:
        The table, columns :data:`OUTPUT_COLUMNS` (peak and TDP per accelerator, measured
        energy of the whole system), sorted by round, submitter, system, benchmark and
        scenario; with ``with_dropped``, also the runs left out (``mlperf_power`` columns
        and ``drop_reason``).

    Raises:
        DataValidationError: a curation file is malformed (file, line and column named).
    """
    df, run_columns = _joined(data, tuple(scenarios), accelerators_path, benchmarks_path)
    kept = df[df["drop_reason"] == ""].copy()
    table = realised(kept, kept["gflops_per_sample"], OUTPUT_COLUMNS)
    if not with_dropped:
        return table
    dropped = df.loc[df["drop_reason"] != "", [*run_columns, "drop_reason"]]
    return table, dropped.reset_index(drop=True)


def dropped_counts(data: str = "2025", *, scenarios: tuple[str, ...] = ("Offline",)) -> pd.Series:
    """How many ``mlperf_power`` runs :func:`realisation_table` leaves out, by reason
    (``kept`` counts the rows it returns); the counts add up to the table's row count."""
    df, _ = _joined(data, tuple(scenarios), None, None)
    reason = df["drop_reason"].replace("", "kept")
    return reason.value_counts().rename("runs")
