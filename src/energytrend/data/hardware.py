"""Hardware efficiency: mixed-precision speed-ups (thesis Table 5.1) and the domain-adapted
GFLOPS/W series (thesis Table B.3), both derived from the shipped measurements.

Peak tensor-core FLOPS overstate what inference achieves, so the thesis scales each server
GPU's FP32 peak by the speed-up that mixed precision (or TF32) gives in real inference
benchmarks (Table B.2), separately for CV and NLP networks. A100 speed-ups are measured
against the V100's FP32 throughput, because the A100 has no separate FP32 path.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from energytrend.data.tables import decimal_year, load_gpus, load_inference_throughput

Domain = Literal["cv", "nlp"]
DOMAINS: tuple[Domain, ...] = ("cv", "nlp")

#: Name of each benchmarked GPU family in Table B.1.
GPU_NAMES = {"V100": "Tesla V100", "T4": "T4", "A100": "A100"}
#: Family whose FP32 throughput (and FP32 peak TFLOPS) a family's speed-ups are relative to.
REFERENCE_FAMILY = {"V100": "V100", "T4": "T4", "A100": "V100"}

Selection = Literal["thesis", "all_fp32"]


def _family(gpu: str) -> str:
    return gpu.split()[0]


def benchmark_speedups(throughput: pd.DataFrame | None = None) -> pd.DataFrame:
    """Speed-up of every non-FP32 measurement over its FP32 reference, from the throughputs.

    Returns Table B.2's rows without the FP32 rows, with ``family``, ``reference_family``,
    ``reference_throughput`` and the recomputed ``speedup`` (the printed one is kept as
    ``speedup_printed``).
    """
    tp = load_inference_throughput() if throughput is None else throughput.copy()
    tp["family"] = tp["gpu"].map(_family)
    keys = ["task", "model", "framework", "batch_size"]
    fp32 = tp[tp["precision"] == "FP32"][[*keys, "family", "throughput"]].rename(
        columns={"family": "reference_family", "throughput": "reference_throughput"}
    )
    mixed = tp[tp["precision"] != "FP32"].copy()
    unknown = sorted(set(mixed["family"]) - set(REFERENCE_FAMILY))
    if unknown:
        raise ValueError(
            f"no FP32 reference is defined for GPU families {unknown}; "
            f"known families: {sorted(REFERENCE_FAMILY)}"
        )
    mixed["reference_family"] = mixed["family"].map(REFERENCE_FAMILY)
    out = mixed.merge(fp32, on=[*keys, "reference_family"], how="left", validate="many_to_one")
    missing = out["reference_throughput"].isna()
    if missing.any():
        row = out[missing].iloc[0]
        raise ValueError(
            f"no FP32 measurement on {row['reference_family']} for {row['model']} "
            f"({row['framework']}, batch {row['batch_size']}); add it to the throughput table"
        )
    out = out.rename(columns={"speedup": "speedup_printed"})
    out["speedup"] = out["throughput"] / out["reference_throughput"]
    return out.reset_index(drop=True)


def speedup_table(throughput: pd.DataFrame | None = None) -> pd.DataFrame:
    """Thesis Table 5.1: the mean speed-up per GPU family, precision and domain.

    Columns: ``family``, ``precision``, ``reference`` (what the ratio is relative to),
    ``domain`` (``cv``/``nlp``), ``speedup`` (mean over benchmarks), ``n_benchmarks``.
    """
    b = benchmark_speedups(throughput)
    b["domain"] = b["task"].str.lower()
    out = (
        b.groupby(["family", "precision", "reference_family", "domain"], sort=False)["speedup"]
        .agg(speedup="mean", n_benchmarks="size")
        .reset_index()
    )
    out["reference"] = out["reference_family"] + " FP32"
    return out[["family", "precision", "reference", "domain", "speedup", "n_benchmarks"]]


def efficiency_series(
    domain: Domain,
    *,
    gpus: pd.DataFrame | None = None,
    throughput: pd.DataFrame | None = None,
    selection: Selection = "thesis",
) -> pd.DataFrame:
    """The domain-adapted hardware-efficiency series of thesis Table B.3 / Figure 5.2.

    FP32 GPUs (``selection="thesis"``: the rows the thesis used, flagged ``in_table_b3``;
    ``"all_fp32"``: every FP32 row) plus, for each benchmarked server GPU and precision, its
    reference FP32 peak TFLOPS scaled by the domain's mean speed-up, at the GPU's own TDP.

    Returns columns ``gpu``, ``precision``, ``adapted`` (bool), ``tflops``, ``watts``,
    ``launch_date``, ``type``, ``gflops_per_watt`` and ``year`` (decimal years).
    """
    if domain not in DOMAINS:
        raise ValueError(f"domain must be one of {DOMAINS}, got {domain!r}")
    if selection not in ("thesis", "all_fp32"):
        raise ValueError(f"selection must be 'thesis' or 'all_fp32', got {selection!r}")
    g = load_gpus() if gpus is None else gpus
    fp32 = g[g["precision"] == "FP32"]
    if selection == "thesis":
        fp32 = fp32[fp32["in_table_b3"]]
    base = pd.DataFrame(
        {
            "gpu": fp32["gpu"],
            "precision": "FP32",
            "adapted": False,
            "tflops": fp32["tflops"],
            "watts": fp32["tdp_watts"],
            "launch_date": fp32["launch_date"],
            "type": fp32["type"],
        }
    )
    speedups = speedup_table(throughput)
    rows = []
    for s in speedups[speedups["domain"] == domain].itertuples(index=False):
        own = _gpu_row(g, GPU_NAMES[s.family])
        ref = _gpu_row(g, GPU_NAMES[REFERENCE_FAMILY[s.family]])
        rows.append(
            {
                "gpu": own["gpu"],
                "precision": s.precision,
                "adapted": True,
                "tflops": ref["tflops"] * s.speedup,
                "watts": own["tdp_watts"],
                "launch_date": own["launch_date"],
                "type": own["type"],
            }
        )
    out = pd.concat([base, pd.DataFrame(rows)], ignore_index=True)
    out["gflops_per_watt"] = out["tflops"] * 1000.0 / out["watts"]
    out["year"] = decimal_year(out["launch_date"])
    return out.sort_values(["adapted", "launch_date"], kind="stable").reset_index(drop=True)


def _gpu_row(gpus: pd.DataFrame, name: str) -> pd.Series:
    match = gpus[(gpus["gpu"] == name) & (gpus["precision"] == "FP32")]
    if match.empty:
        raise ValueError(
            f"the GPU table has no FP32 row for {name!r}, needed for the adapted efficiency series"
        )
    return match.iloc[0]
