"""Hardware efficiency per numeric precision, and which precision inference runs at when.

v1 (the thesis) models one GFLOPS/W line: FP32 peaks plus a few "adapted" server points.
Here every chip gives up to three points, one per precision of :data:`PRECISIONS`:

* ``"fp32"``: the dense FP32 peak of the general (non-tensor) units.
* ``"fp16"``: the dense FP16/BF16 *tensor* (matrix) peak. TF32 is never used as a stand-in:
  it is a different format, and every chip with a TF32 peak here has an FP16 matrix peak in
  one of the two columns (the two MetaX MXC500 rows only in ``fp16_tflops``). When
  the tensor column is empty but ``fp16_tflops`` is at least :data:`MATRIX_FP16_RATIO` times
  FP32, that value is the matrix rate filed in the wrong column and is used (NVIDIA T4: 65.13
  = 8 x FP32; the curation flags say the same of MetaX). NVIDIA's vector FP16 is at most 2 x
  FP32 (the one 4 x value, H100 PCIe, is flagged doubtful and has a tensor peak anyway); for
  NVIDIA only the T4 is affected. ``peak_column`` says which column each value came from.
* ``"int8"``: the higher of the dense INT8 and FP8 peaks: the chip's best 8-bit rate. Both
  are 8-bit inference formats, run by the same tensor units at the same rate on Hopper and
  Blackwell (H100 1979/1979, B200 4500/4500; MI355X 5033/5033), and NVIDIA moved its 8-bit
  inference from INT8 (T4, A100, which have no FP8) to FP8 (H100 on), so one 8-bit series
  keeps the line continuous. Where they differ the maximum takes the format the chip is built
  for: B300's cut INT8 (157.5 TOPS against FP8 4500), Inferentia2 (INT8 380, FP8 190).

All peaks are dense (no 2:4 sparsity), as ``docs/data.md`` states for both datasets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from energytrend.data.datasets import SUPERCHIPS, check_data, load_data
from energytrend.data.hardware import GPU_NAMES, REFERENCE_FAMILY, benchmark_speedups
from energytrend.data.tables import decimal_year

PRECISIONS: tuple[str, ...] = ("fp32", "fp16", "int8")
#: ``fp16_tflops`` / ``fp32_tflops`` from which an FP16 value counts as a matrix rate.
MATRIX_FP16_RATIO = 4.0
#: Rows dropped by default: Epoch's "AMD Radeon Instinct MI300" carries the MI250X's peaks
#: under the MI300A's reveal date, a pre-release placeholder (data/curation/accelerator_flags.csv).
PLACEHOLDER_ROWS: tuple[str, ...] = ("AMD Radeon Instinct MI300",)
#: Table B.1 precision -> series; its plain "FP16" rows (non-tensor units) are left out.
THESIS_PRECISIONS = {"FP32": "fp32", "FP16/FP32 Tensor": "fp16"}
#: Chip of ``accelerators`` standing for each benchmarked family of Table B.2.
ACCELERATOR_NAMES = {
    "V100": "NVIDIA Tesla V100 SXM2",
    "T4": "NVIDIA Tesla T4",
    "A100": "NVIDIA A100",
}
#: Table B.2 precision -> the peak it runs on.
BENCHMARK_PEAK = {"Mixed": "fp16", "FP16": "fp16", "TF32": "tf32", "INT8": "int8", "FP8": "int8"}
_COLUMNS = ["hardware", "manufacturer", "type", "server", "release_date", "year", "precision",
            "peak_tflops", "tdp_watts", "gflops_per_watt", "source", "peak_column",
            "tdp_estimated", "flags"]  # fmt: skip


def _peak(row: Mapping[str, Any], precision: str) -> tuple[float, str]:
    """(peak, column) of one accelerators row at a precision, NaN when it has none."""

    def val(c: str) -> float:
        v = row.get(c)
        return float(v) if v is not None and pd.notna(v) else float("nan")

    if precision in ("fp32", "tf32"):
        return val(f"{precision}_tflops"), f"{precision}_tflops"
    if precision == "fp16":
        tensor, vec, fp32 = val("tensor_fp16_bf16_tflops"), val("fp16_tflops"), val("fp32_tflops")
        if np.isnan(tensor) and vec >= MATRIX_FP16_RATIO * fp32:
            return vec, "fp16_tflops"
        return tensor, "tensor_fp16_bf16_tflops"
    if precision == "int8":
        i8, f8 = val("int8_tops"), val("fp8_tflops")
        return (f8, "fp8_tflops") if f8 > i8 or np.isnan(i8) else (i8, "int8_tops")
    raise ValueError(f"unknown precision {precision!r}; choose one of {PRECISIONS} or 'tf32'")


def precision_series(
    data: str = "2025",
    *,
    vendors: tuple[str, ...] | None = ("NVIDIA",),
    types: tuple[str, ...] = ("Desktop", "Workstation", "Server"),
    exclude_flags: tuple[str, ...] = (),
    exclude_hardware: tuple[str, ...] = PLACEHOLDER_ROWS,
    superchips: bool = False,
    gpus: pd.DataFrame | None = None,
    accelerators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Peak GFLOPS per watt of TDP, one row per (chip, precision) that has a peak.

    ``gpus``: a table in the form of thesis Table B.1 (a user's own, validated) to read
    instead of the dataset's chips, with the ``data="thesis"`` rules. ``accelerators``: a
    table in the form of the ``"2025"`` dataset's ``accelerators`` (validated) to read
    instead of it, with the ``"2025"`` rules.

    ``data="2025"`` reads ``accelerators`` (Epoch AI, CC BY 4.0) with the rules of the module
    docstring. ``data="thesis"`` reads Table B.1: ``FP32`` rows -> ``fp32``, ``FP16/FP32
    Tensor`` rows -> ``fp16``; its plain ``FP16`` rows (non-tensor rates of GeForce and P100,
    V100, A100) are left out, it has no INT8 rows, and ``in_table_b3`` is ignored (every FP32
    row counts). Rows without a TDP are dropped; their names are in ``attrs["dropped_no_tdp"]``
    (2025, NVIDIA: RTX 6000 Ada Generation and L2 PCIe).

    Flags: ``exclude_flags`` drops rows carrying any flag that starts with one of the strings
    (e.g. ``("suspicious_unverified",)``). By default nothing is dropped for its flags. Of the
    NVIDIA rows flagged ``suspicious_unverified``, H100 PCIe, B200 and GB200 are flagged for the
    non-tensor ``fp16_tflops`` column, which no series uses; H800 SXM5's FP32 (59.3 against the
    H100 SXM's 66.9) is 11%, a twentieth of a decade, off at worst and is left to the model's
    scatter. Elsewhere the flags are likewise about columns no series uses, or a few percent
    (Gaudi2), or a BF16 stand-in FP8 that the INT8 peak outranks (TPU v6e); the one row whose
    every value is doubtful, the MI300 placeholder, is in ``exclude_hardware`` instead.

    Args:
        data: ``"2025"`` or ``"thesis"``.
        vendors: manufacturers to keep (``None``: all).
        types: segments to keep (``Desktop``, ``Workstation``, ``Server``).
        exclude_flags: flag prefixes whose rows are dropped.
        exclude_hardware: chip names dropped.
        superchips: keep Grace superchips (GH200, GB200, GB300), whose TDP may cover the CPU;
            they are left out by default, as in ``load_data("gpus")``.

    Returns columns ``hardware``, ``manufacturer``, ``type``, ``server``, ``release_date``,
    ``year`` (decimal), ``precision``, ``peak_tflops`` (TOPS for INT8), ``tdp_watts``,
    ``gflops_per_watt`` (= ``peak_tflops * 1000 / tdp_watts``), ``source``, ``peak_column``,
    ``tdp_estimated`` and ``flags``, sorted by precision, date and name.
    """
    rows: list[dict[str, Any]] = []
    if check_data(data) == "thesis" or gpus is not None:
        g = load_data("gpus", "thesis") if gpus is None else gpus
        g = g[g["precision"].isin(list(THESIS_PRECISIONS))]
        for r in g.to_dict("records"):
            rows.append({"hardware": r["gpu"], "manufacturer": "NVIDIA", "type": r["type"],
                         "release_date": r["launch_date"],
                         "precision": THESIS_PRECISIONS[r["precision"]],
                         "peak_tflops": r["tflops"], "tdp_watts": r["tdp_watts"],
                         "source": "thesis_table_b1", "peak_column": r["precision"],
                         "tdp_estimated": False, "flags": ""})  # fmt: skip
    else:
        acc = load_data("accelerators", "2025") if accelerators is None else accelerators
        flags = acc["flags"].fillna("").astype(str)
        keep = acc["type"].isin(types) & ~acc["hardware_name"].isin(exclude_hardware)
        if exclude_flags:
            keep &= ~flags.map(lambda s: any(f.startswith(exclude_flags) for f in s.split(";")))
        if not superchips:
            keep &= ~acc["hardware_name"].str.contains("|".join(SUPERCHIPS))
        acc = acc.assign(flags=flags)[keep]
        for r in acc.to_dict("records"):
            for p in PRECISIONS:
                peak, column = _peak(r, p)
                rows.append({"hardware": r["hardware_name"], "manufacturer": r["manufacturer"],
                             "type": r["type"], "release_date": r["release_date"],
                             "precision": p, "peak_tflops": peak, "tdp_watts": r["tdp_watts"],
                             "source": r["source"], "peak_column": column,
                             "tdp_estimated": r["tdp_estimated"], "flags": r["flags"]})  # fmt: skip
    out = pd.DataFrame(
        rows, columns=[c for c in _COLUMNS if c not in ("server", "year", "gflops_per_watt")]
    )
    if vendors is not None:
        out = out[out["manufacturer"].isin(vendors)]
    out = out[out["type"].isin(types) & out["peak_tflops"].notna()]
    no_tdp = out["tdp_watts"].isna()
    dropped = sorted(set(out.loc[no_tdp, "hardware"]))
    out = out[~no_tdp].copy()
    out["server"] = out["type"] == "Server"
    out["release_date"] = pd.to_datetime(out["release_date"])
    out["year"] = decimal_year(out["release_date"])
    out["gflops_per_watt"] = out["peak_tflops"] * 1000.0 / out["tdp_watts"]
    out["order"] = out["precision"].map(PRECISIONS.index)
    out = out.sort_values(["order", "release_date", "hardware"], kind="stable")
    out = out[_COLUMNS].reset_index(drop=True)
    out.attrs["dropped_no_tdp"] = dropped
    return out


def _family_peaks(data: str, family: str) -> dict[str, float]:
    """FP32, TF32, FP16 tensor and 8-bit peaks of a Table B.2 GPU family (NaN when absent)."""
    if data == "thesis":
        g = load_data("gpus", "thesis")
        g = g[g["gpu"] == GPU_NAMES[family]].set_index("precision")["tflops"]
        tensor = g.get("FP16/FP32 Tensor", float("nan"))
        return {"fp32": float(g.get("FP32", float("nan"))), "fp16": float(tensor),
                "tf32": float("nan"), "int8": float("nan")}  # fmt: skip
    acc = load_data("accelerators", "2025").set_index("hardware_name")
    row = acc.loc[ACCELERATOR_NAMES[family]].to_dict()
    return {p: _peak(row, p)[0] for p in ("fp32", "tf32", "fp16", "int8")}


def speedup_data(data: str = "thesis") -> pd.DataFrame:
    """Table B.2's measured speed-ups, each beside the peak speed-up its precision promises.

    One row per non-FP32 benchmark: ``domain`` (``cv``/``nlp``), ``task``, ``model``,
    ``framework``, ``batch_size``, ``gpu``, ``family``, ``precision`` (``Mixed``, ``TF32``),
    ``reference`` (``"<family> FP32"``), ``speedup`` (measured, from
    :func:`energytrend.data.hardware.benchmark_speedups`), ``speedup_printed``, ``peak_precision``,
    ``peak_tflops`` (the GPU's own peak at that precision), ``reference_peak_tflops`` (FP32
    peak of the reference GPU), ``peak_ratio`` and ``log10_realised_fraction`` =
    log10(speedup / peak_ratio): how much of the peak gain real inference realises.

    The reference is the same GPU's FP32 run, except for the A100: NVIDIA's benchmarks have no
    A100 FP32 runs (TF32 is its default), so, as in v1, the A100 is measured against the
    V100's FP32 throughput and its ``peak_ratio`` divides by the V100's FP32 peak (A100 Mixed
    on thesis data: 312 / 15.7). Peaks come from Table B.1 (``data="thesis"``; it has no TF32
    peak, so TF32 rows have NaN ratios) or from ``accelerators`` (``"2025"``: V100 SXM2,
    T4, A100 SXM4 rows; A100 TF32 156). Table B.2 holds no INT8 measurement.
    """
    name = check_data(data)
    b = benchmark_speedups(load_data("inference_throughput", name))
    b["domain"] = b["task"].str.lower()
    b["reference"] = b["reference_family"] + " FP32"
    unknown = sorted(set(b["precision"]) - set(BENCHMARK_PEAK))
    if unknown:
        raise ValueError(f"no peak is defined for benchmark precisions {unknown}")
    b["peak_precision"] = b["precision"].map(BENCHMARK_PEAK)
    peaks = {f: _family_peaks(name, f) for f in set(b["family"]) | set(REFERENCE_FAMILY.values())}
    b["peak_tflops"] = [peaks[f][p] for f, p in zip(b["family"], b["peak_precision"], strict=True)]
    b["reference_peak_tflops"] = [peaks[f]["fp32"] for f in b["reference_family"]]
    b["peak_ratio"] = b["peak_tflops"] / b["reference_peak_tflops"]
    b["log10_realised_fraction"] = np.log10(b["speedup"] / b["peak_ratio"])
    cols = ["domain", "task", "model", "framework", "batch_size", "gpu", "family", "precision",
            "reference", "speedup", "speedup_printed", "peak_precision", "peak_tflops",
            "reference_peak_tflops", "peak_ratio", "log10_realised_fraction"]  # fmt: skip
    return b[cols].reset_index(drop=True)


@dataclass(frozen=True)
class InferencePrecision:
    """Which precision inference runs at from each start year (decimal) on.

    ``eras`` is a tuple of ``(start_year, precision)`` pairs with strictly increasing years;
    an era lasts until the next one starts, the last one for ever, and the first one also
    covers every earlier year. Construction validates (see :func:`validate_precision_eras`).
    """

    eras: tuple[tuple[float, str], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "eras", validate_precision_eras(self.eras))


def validate_precision_eras(eras: Sequence[Sequence[Any]]) -> tuple[tuple[float, str], ...]:
    """``eras`` as a tuple of ``(float year, precision)``, or a ValueError saying what is wrong."""
    if isinstance(eras, str | bytes) or not isinstance(eras, Sequence) or len(eras) == 0:
        raise ValueError(
            f"precision eras must be a non-empty list of [year, precision], got {eras!r}"
        )
    out: list[tuple[float, str]] = []
    for i, era in enumerate(eras):
        if isinstance(era, str | bytes) or not isinstance(era, Sequence) or len(era) != 2:
            raise ValueError(f"precision era {i} must be [start_year, precision], got {era!r}")
        year, precision = era
        if isinstance(year, bool) or not isinstance(year, int | float) or not np.isfinite(year):
            raise ValueError(f"precision era {i}: start year must be a finite number, got {year!r}")
        if precision not in PRECISIONS:
            raise ValueError(
                f"precision era {i}: unknown precision {precision!r}; choose one of {PRECISIONS}"
            )
        if out and float(year) <= out[-1][0]:
            raise ValueError(
                f"precision eras must have strictly increasing start years; era {i} starts at "
                f"{year} after an era starting at {out[-1][0]}"
            )
        out.append((float(year), str(precision)))
    return tuple(out)


#: Default eras. Evidence (the boundaries are data; what they stand for is an assumption):
#:
#: * fp16 from 2017.468 = 2017-06-21, the first NVIDIA *server* GPU in ``accelerators`` with a
#:   tensor FP16 peak (Tesla V100 PCIe, 112 TFLOPS). Inference used it: every non-FP32
#:   measurement of thesis Table B.2 (NVIDIA NGC, V100/T4/A100) runs in mixed precision or TF32.
#: * int8 from 2022.219 = 2022-03-22, the first NVIDIA server GPU with an FP8 peak (H100 SXM5,
#:   1979 TFLOPS). Inference used it: NVIDIA's MLPerf Inference v2.1 H100 submission runs BERT's
#:   matmuls in FP8 (mlcommons/inference_results_v2.1 @ 91f7859b8b5847b7c5fdf95ce65699ad6477093b,
#:   closed/NVIDIA/code/bert/tensorrt/README.md, l. 39), and by v4.1 its Llama-2-70B runs are
#:   FP8-quantised with an FP8 KV cache, "SM80 doesn't have FP8"
#:   (inference_results_v4.1 @ 198fc46799b3328b36ee4bcbdebfa2db5a8e6183,
#:   closed/NVIDIA/code/llama2-70b/tensorrt/README.md, l. 19 and 33).
#:
#: Assumption: the *typical* deployment, not the best benchmark, sets the era. Integer INT8
#: came earlier in benchmarks: all of NVIDIA's MLPerf v0.5 (2019) datacentre CV runs on T4 use
#: INT8 weights (inference_results_v0.5 @ f5acb8be3da3ebc13cf6ba783cce371f96d275ac,
#: closed/NVIDIA/measurements/T4x20/resnet/Offline/T4x20_tensorrt_Offline.json), but on
#: Ampere BERT at the 99.9% accuracy target and RNN-T stay FP16 (weight_data_types "fp16" in
#: inference_results_v1.0 @ f7759baf2fdb9e17d97f07326db6d461d6dc1ef2,
#: closed/NVIDIA/measurements/A100-PCIex1_TRT/{bert-99.9,rnnt}/Offline/*.json; bert-99 is
#: INT8), which suggests calibrated INT8 was mostly a CV and relaxed-accuracy path until FP8
#: made 8-bit usable for transformers. For the benchmark-best reading use
#: :data:`MLPERF_PRECISION_ERAS`.
DEFAULT_PRECISION_ERAS = InferencePrecision(((2010.0, "fp32"), (2017.468, "fp16"),
                                             (2022.219, "int8")))  # fmt: skip
#: INT8 from the T4's launch (2018-09-13): the era of NVIDIA's INT8 MLPerf v0.5 CV runs.
MLPERF_PRECISION_ERAS = InferencePrecision(((2010.0, "fp32"), (2017.468, "fp16"),
                                            (2018.698, "int8")))  # fmt: skip


def precision_at(
    years: npt.ArrayLike,
    mapping: InferencePrecision | Sequence[Sequence[Any]] = DEFAULT_PRECISION_ERAS,
) -> npt.NDArray[np.str_]:
    """The inference precision of each (decimal) year under ``mapping``.

    A year equal to an era's start belongs to that era. ``mapping`` may be an
    :class:`InferencePrecision` or a raw list of ``(start_year, precision)`` pairs.

    Raises:
        ValueError: a year is not finite, or the mapping is invalid.
    """
    eras = (
        mapping.eras
        if isinstance(mapping, InferencePrecision)
        else validate_precision_eras(mapping)
    )
    y = np.asarray(years, dtype=float)
    if not np.all(np.isfinite(y)):
        raise ValueError("years must be finite to have an inference precision")
    starts = np.array([s for s, _ in eras])
    names = np.array([p for _, p in eras])
    idx = np.clip(np.searchsorted(starts, y, side="right") - 1, 0, None)
    return names[idx]


def precision_eras_from_config(d: Mapping[str, Any]) -> InferencePrecision:
    """Eras from a TOML table: ``[precision] eras = [[2010, "fp32"], [2017.468, "fp16"]]``.

    ``d`` is the ``[precision]`` table (``{"eras": [...]}``) or a whole document holding it.
    """
    if "eras" not in d and isinstance(d.get("precision"), Mapping):
        d = d["precision"]
    extra = sorted(set(d) - {"eras"})
    if "eras" not in d or extra:
        raise ValueError(
            f"the [precision] table takes exactly one key, 'eras'; got keys {sorted(d)}"
        )
    return InferencePrecision(d["eras"])
