"""LLM realisation factor: measured MLPerf energy per sample of the LLM benchmarks over the
peak-based lower bound.

The same comparison as :mod:`energytrend.data.realisation`, for generative language models,
whose work per sample depends on how many tokens are read and written::

    gflops_per_token  = 2 * active_parameters            (forward pass, multiply-add = 2 FLOPs)
    peak_j_per_sample = (input_tokens + output_tokens) * gflops_per_token
                        / (peak GFLOPS / TDP)            (per accelerator, run's precision)
    realisation       = measured_j_per_sample / peak_j_per_sample

``measured_j_per_sample`` is ``mean_system_watts / throughput`` of the MLPerf power run
(whole-system wall power: host, accelerators, fans, power supplies), so the factor includes
the host and should exceed 1. ``prefill_share = input / (input + output)`` tells how much of
the sample's compute is prompt processing (compute-bound) rather than token-by-token
decoding (memory-bound), so that a later model can separate the two.

Where the numbers come from (``data/curation/mlperf_llm_benchmarks.csv``, one row per
round, system and benchmark, each figure with its source):

* ``active_parameters_b``: model card, paper or MLCommons' benchmark list (Mixtral-8x7B: the
  13B active parameters of its paper, not the 47B total).
* ``input_tokens``: the mean prompt length of the benchmark's dataset. MLCommons' own
  documents give no such mean; the figures are means of per-sample token counts extracted
  from MLCommons' published dataset files by a third party (openshift-psap/
  performance-dashboard), cross-checked against MLCommons' sample counts and, where the
  extract also has the reference outputs, against the README's reference tokens per sample.
* ``output_tokens`` is **the run's own** ``tokens_per_second / throughput``. LoadGen's
  "Tokens per second" sums the token counts the system reports per completed sample
  (``loadgen/results.cc``), and compliance test TEST06 checks that "the number of reported
  tokens should match with the length of output sequence" (``compliance/TEST06/README.md``
  of mlcommons/inference), so these are generated (output) tokens. The curation file's
  ``reference_output_tokens`` (the README's reference tokens per sample) is a check only:
  rows more than 10% away from it are dropped (MLPerf itself requires 90-110% for Mixtral).
* ``precision``: the submission's configuration and measurements files (FP8 on H200 in
  round 4.1; FP4 on B200 in round 5.1).

Approximations: ``2 * parameters`` counts the input-embedding table, which costs no
multiply-adds (largest relative overstatement for Llama 3.1 8B, whose 128k-token vocabulary
is a sizeable part of 8B), and omits the attention-score term ``~2 * n_layer * n_ctx *
d_attn`` per token, which grows with context and matters most for Llama 3.1 405B (mean
prompt ~9,400 tokens): there the bound is too low and the realisation too high. Both are
left out rather than guessed. The FP4 runs' configuration files say FP4 weights but not
whether the matrix products also ran on FP4 activations; if they ran at the FP8 rate, their
bound doubles and their realisation halves.

Dropped benchmarks:

* ``gptj`` (round 4.1, H200): its ``tokens_per_second`` is not measured. LoadGen *infers* it
  as a fixed 69 tokens times samples/s (``gptj.*.infer_token_latencies = 1`` and
  ``token_latency_scaling_factor = 69`` in ``loadgen/mlperf.conf``; the summary says
  "Tokens per second (inferred)"), and no source found gives the mean input length of its
  CNN/DailyMail prompts in the GPT-J tokenizer. It is not in the curation file, so its runs
  are dropped as "benchmark not in mlperf_llm_benchmarks.csv".
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, overload

import pandas as pd

from energytrend.data.datasets import load_data
from energytrend.data.realisation import (
    PRECISION_COLUMNS,
    check_scenarios,
    first_reason,
    peak_at_precision,
    read_mlperf_accelerators,
    realised,
    run_checks,
    unknown_values,
)
from energytrend.data.schema import Column, TableSpec
from energytrend.data.tables import shipped_path
from energytrend.data.validation import DataValidationError, Problem, read_table

#: Largest relative distance of a run's output tokens per sample from the reference.
OUTPUT_TOLERANCE = 0.10

# fmt: off
MLPERF_LLM_BENCHMARKS = TableSpec(
    name="mlperf_llm_benchmarks", filename="curation/mlperf_llm_benchmarks.csv",
    key=("round", "system", "benchmark"),
    description="Model size, dataset token counts and precision of MLPerf LLM runs",
    columns=(
        Column("round", "text", required=True, description="mlperf_power round"),
        Column("system", "text", required=True, description="mlperf_power system"),
        Column("benchmark", "text", required=True, description="mlperf_power benchmark"),
        Column("parameters_b", "float", required=True, positive=True, unit="1e9",
               description="total parameters"),
        Column("active_parameters_b", "float", required=True, positive=True, unit="1e9",
               description="parameters used per token (= total for dense models)"),
        Column("parameters_source", "text", required=True, description="where read"),
        Column("input_tokens", "float", required=True, positive=True, unit="tokens",
               description="mean prompt length of the benchmark's dataset"),
        Column("input_tokens_source", "text", required=True, description="where read"),
        Column("reference_output_tokens", "float", positive=True, unit="tokens",
               description="reference tokens per sample (check of the run's output)"),
        Column("output_tokens_source", "text", required=True, description="where read"),
        Column("precision", "text", required=True, description="a key of PRECISION_COLUMNS"),
        Column("precision_evidence", "text", required=True, description="why this precision"),
    ),
)

_REQUIRED_RUN = ("round", "system", "valid", "division", "scenario", "benchmark",
                 "accelerator", "accelerator_count", "joules_per_sample", "throughput",
                 "tokens_per_second", "mean_system_watts")

#: Columns of :func:`llm_realisation_table`, in order.
OUTPUT_COLUMNS = [
    "round", "round_date", "year", "division", "submitter", "system", "accelerator",
    "hardware_name", "accelerator_count", "benchmark", "accuracy_targets", "scenario",
    "precision", "peak_tops", "tdp_watts", "peak_gflops_per_watt", "active_parameters_b",
    "gflops_per_token", "input_tokens", "output_tokens", "reference_output_tokens",
    "prefill_share", "measured_j_per_sample", "peak_j_per_sample", "realisation",
    "log10_realisation", "measured_j_per_token", "mean_system_watts", "throughput",
    "tokens_per_second", "system_power_over_tdp", "peak_utilisation",
]
# fmt: on


def read_mlperf_llm_benchmarks(path: str | Path | None = None) -> pd.DataFrame:
    """The LLM curation file, validated: ``precision`` must be a key of
    :data:`~energytrend.data.realisation.PRECISION_COLUMNS`, ``active_parameters_b`` at most
    ``parameters_b``, and the model columns equal on every row of one benchmark.

    Raises:
        DataValidationError: naming the file, CSV line and column of each problem.
    """
    file = str(path or shipped_path("data") / MLPERF_LLM_BENCHMARKS.filename)
    table = read_table(file, MLPERF_LLM_BENCHMARKS)
    fix = f"Use one of {', '.join(PRECISION_COLUMNS)}."
    problems = unknown_values(table, "precision", set(PRECISION_COLUMNS), fix)
    active, total = table["active_parameters_b"], table["parameters_b"]
    fix = "Active parameters are part of the total; check both."
    problems += [
        Problem(i + 2, "active_parameters_b", f"{a} active > {t} total parameters", fix)
        for i, (a, t) in enumerate(zip(active, total, strict=True))
        if a > t
    ]
    for col in ("parameters_b", "active_parameters_b", "input_tokens"):
        first = table.groupby("benchmark")[col].transform("first")
        fix = "One benchmark has one model and one dataset in every round."
        problems += [
            Problem(i + 2, col, f"{v} differs from {f} on an earlier row of {b!r}", fix)
            for i, (v, f, b) in enumerate(zip(table[col], first, table["benchmark"], strict=True))
            if v != f
        ]
    if problems:
        raise DataValidationError(file, sorted(problems, key=lambda p: (p.row, p.column)))
    return table


def _joined(
    data: str,
    scenarios: tuple[str, ...],
    accelerators_path: str | Path | None,
    benchmarks_path: str | Path | None,
) -> tuple[pd.DataFrame, list[str]]:
    """Every mlperf_power run with the curation columns, the derived token counts and a
    ``drop_reason`` (empty: kept), and the names of the mlperf_power columns."""
    check_scenarios(scenarios)
    runs = load_data("mlperf_power", data)
    for c in _REQUIRED_RUN:
        if c not in runs.columns:
            raise ValueError(f"mlperf_power of dataset {data!r} has no column {c!r}")
    acc = load_data("accelerators", data)
    amap = read_mlperf_accelerators(accelerators_path, acc)
    bench = read_mlperf_llm_benchmarks(benchmarks_path)
    cur = ["round", "system", "benchmark", "active_parameters_b", "input_tokens",
           "reference_output_tokens", "precision"]  # fmt: skip
    df = runs.merge(
        amap[["mlperf_accelerator", "hardware_name"]],
        how="left",
        left_on="accelerator",
        right_on="mlperf_accelerator",
    )
    df = df.merge(bench[cur], how="left", on=["round", "system", "benchmark"])
    df = df.merge(
        acc[["hardware_name", "tdp_watts", *PRECISION_COLUMNS.values()]],
        how="left",
        on="hardware_name",
    )
    df["peak_tops"] = peak_at_precision(df)
    df["output_tokens"] = df["tokens_per_second"] / df["throughput"]
    off = (df["output_tokens"] / df["reference_output_tokens"] - 1).abs() > OUTPUT_TOLERANCE
    checks = [  # first failing check names the reason
        *run_checks(df, scenarios),
        (df["active_parameters_b"].isna(), "benchmark not in mlperf_llm_benchmarks.csv"),
        (df["hardware_name"].isna(), "accelerator not in mlperf_accelerators.csv"),
        (~(df["peak_tops"] > 0) | ~(df["tdp_watts"] > 0), "no peak or TDP at that precision"),
        (~(df["joules_per_sample"] > 0), "no measured energy per sample"),
        (~(df["output_tokens"] > 0), "no measured tokens per sample"),
        (off, "output tokens more than 10% from the reference"),
        (~(df["accelerator_count"] > 0), "no accelerator_count"),
    ]
    df["drop_reason"] = first_reason(df.index, checks)
    return df, list(runs.columns)


# fmt: off
@overload
def llm_realisation_table(
    data: str = ..., *, scenarios: tuple[str, ...] = ..., with_dropped: Literal[False] = ...,
    accelerators_path: str | Path | None = ..., benchmarks_path: str | Path | None = ...,
) -> pd.DataFrame: ...
@overload
def llm_realisation_table(
    data: str = ..., *, scenarios: tuple[str, ...] = ..., with_dropped: Literal[True],
    accelerators_path: str | Path | None = ..., benchmarks_path: str | Path | None = ...,
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
# fmt: on


def llm_realisation_table(
    data: str = "2025",
    *,
    scenarios: tuple[str, ...] = ("Offline",),
    with_dropped: bool = False,
    accelerators_path: str | Path | None = None,
    benchmarks_path: str | Path | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """One row per usable power-measured MLPerf LLM run, with its realisation factor.

    Args:
        data: dataset whose ``mlperf_power`` and ``accelerators`` tables are used (``"2025"``).
        scenarios: ``("Offline",)`` (default) or ``("Offline", "Server")``.
        with_dropped: also return the LLM runs left out, with a ``drop_reason`` column
            (runs of benchmarks without tokens, e.g. ResNet-50, are not listed).
        accelerators_path: another ``mlperf_accelerators.csv`` (default: the shipped one).
        benchmarks_path: another ``mlperf_llm_benchmarks.csv`` (default: the shipped one).

    Returns:
        The table, columns :data:`OUTPUT_COLUMNS`: ``round_date`` is the publication date,
        ``year`` the same as a decimal year; ``peak_gflops_per_watt`` is per accelerator at
        the run's precision; token counts are means per sample; ``measured_j_per_token`` is
        per output token. Sorted by round, submitter, system, benchmark and scenario.

    Raises:
        DataValidationError: a curation file is malformed (file, line and column named).
    """
    df, run_columns = _joined(data, tuple(scenarios), accelerators_path, benchmarks_path)
    kept = df[df["drop_reason"] == ""].copy()
    kept["peak_gflops_per_watt"] = kept["peak_tops"] * 1000.0 / kept["tdp_watts"]
    kept["gflops_per_token"] = 2.0 * kept["active_parameters_b"]
    tokens = kept["input_tokens"] + kept["output_tokens"]
    kept["prefill_share"] = kept["input_tokens"] / tokens
    kept["measured_j_per_token"] = kept["mean_system_watts"] / kept["tokens_per_second"]
    table = realised(kept, tokens * kept["gflops_per_token"], OUTPUT_COLUMNS)
    if not with_dropped:
        return table
    llm = df["tokens_per_second"].notna() | df["active_parameters_b"].notna()
    dropped = df.loc[llm & (df["drop_reason"] != ""), [*run_columns, "drop_reason"]]
    return table, dropped.reset_index(drop=True)
