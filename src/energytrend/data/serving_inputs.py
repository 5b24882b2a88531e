"""What the serving model needs from the tables: a model's shape and a chip's limits.

A model is a name of the ``language_models`` table or a dict with that table's columns (at
least ``params_millions`` and ``active_params_millions``; optionally ``n_layers``,
``d_model``, and two columns the table does not hold: ``kv_dim``, the width of the keys or of
the values per layer, ``n_kv_heads x head_dim``, and ``n_experts`` with
``experts_per_token`` for a mixture of experts). A chip is a ``hardware_name`` of the
``accelerators`` table, with its peak at a precision, memory bandwidth and size, and TDP.
Unknown names raise ``ValueError`` listing the closest names.

The ``language_models`` table holds ``kv_dim``, ``n_experts`` and ``experts_per_token`` where
``data/curation/llm_architecture.csv`` cites them (:func:`llm_architecture`). The MLPerf LLM
power runs, with each run's model shape and serving configuration (batch, parallelism, power
limit: ``data/curation/mlperf_llm_serving.csv``), are :func:`mlperf_serving_runs`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from energytrend.data.datasets import load_data
from energytrend.data.llm_realisation import llm_realisation_table, read_mlperf_llm_benchmarks
from energytrend.data.realisation import PRECISION_COLUMNS
from energytrend.data.schema import Column, TableSpec
from energytrend.data.tables import shipped_path
from energytrend.data.validation import DataValidationError, Problem, read_table

#: Bytes per weight at each precision (the format's bits / 8). The KV cache of FP4 weights
#: is FP8, as in the MLPerf FP4 runs (``data/curation/mlperf_llm_benchmarks.csv``: "KV cache
#: 'fp8'").
BYTES_PER_VALUE = {"FP32": 4.0, "TF32": 4.0, "FP16": 2.0, "FP8": 1.0, "INT8": 1.0, "FP4": 0.5}
KV_BYTES_PER_VALUE = {**BYTES_PER_VALUE, "FP4": 1.0}

_MODEL_KEYS = (
    "params_millions",
    "active_params_millions",
    "n_layers",
    "d_model",
    "kv_dim",
    "n_experts",
    "experts_per_token",
)


@dataclass(frozen=True)
class ModelShape:
    """A language model as the serving model sees it (parameters as counts)."""

    name: str
    params: float
    active_params: float
    n_layers: float | None = None
    d_model: float | None = None
    kv_dim: float | None = None
    n_experts: float | None = None
    experts_per_token: float | None = None

    @property
    def is_moe(self) -> bool:
        return self.active_params < self.params


@dataclass(frozen=True)
class Chip:
    """One accelerator at one precision: peak FLOP/s, bytes/s, bytes and watts."""

    name: str
    precision: str
    peak_flops: float
    bandwidth: float
    memory: float
    tdp: float


def _close(name: str, known: list[str], what: str, table: str) -> ValueError:
    near = difflib.get_close_matches(name, known, n=5, cutoff=0.4)
    hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else ""
    return ValueError(f"unknown {what} {name!r}: not a name in the {table} table{hint}")


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def model_shape(model: str | Mapping[str, object], data: str = "2025") -> ModelShape:
    """The shape of ``model``: a ``language_models`` name or a dict of its columns.

    >>> m = model_shape({"params_millions": 70_000, "active_params_millions": 70_000})
    >>> m.params, m.is_moe
    (70000000000.0, False)
    """
    if isinstance(model, str):
        table = load_data("language_models", data)
        rows = table[table["model"] == model]
        if rows.empty:
            raise _close(model, list(table["model"]), "model", "language_models")
        row: Mapping[str, object] = rows.iloc[0].to_dict()
        name = model
    elif isinstance(model, Mapping):
        unknown = sorted(set(model) - {*_MODEL_KEYS, "model"})
        if unknown:
            raise ValueError(
                f"model: unknown keys {unknown}; use {', '.join(_MODEL_KEYS)} (and 'model')"
            )
        row = model
        name = str(model.get("model", "custom"))
    else:
        raise ValueError(
            f"model must be a name of the language_models table or a dict of its columns, "
            f"got {type(model).__name__}"
        )
    total = _number(row.get("params_millions"))
    active = _number(row.get("active_params_millions"))
    if total is None or total <= 0 or active is None or active <= 0:
        raise ValueError(
            f"model {name!r} needs params_millions and active_params_millions > 0 (got "
            f"{row.get('params_millions')!r} and {row.get('active_params_millions')!r}); "
            "pass a dict such as {'params_millions': 70_000, 'active_params_millions': 70_000}"
        )
    if active > total:
        raise ValueError(
            f"model {name!r}: active_params_millions ({active:g}) exceeds params_millions "
            f"({total:g}); active parameters are part of the total"
        )
    extra = {k: _number(row.get(k)) for k in _MODEL_KEYS[2:]}
    for k, v in extra.items():
        if v is not None and v <= 0:
            raise ValueError(f"model {name!r}: {k} must be > 0 or left out, got {v:g}")
    e, k_e = extra["n_experts"], extra["experts_per_token"]
    if (e is None) != (k_e is None) or (e is not None and k_e is not None and k_e > e):
        raise ValueError(
            f"model {name!r}: give n_experts and experts_per_token together, with "
            "experts_per_token <= n_experts"
        )
    return ModelShape(name, total * 1e6, active * 1e6, **extra)


@dataclass(frozen=True)
class VisionShape:
    """A vision model as the serving model sees it: FLOPs per image, parameters and (if
    known) activations per image, as counts."""

    name: str
    flops: float
    params: float
    activations: float | None = None


_VISION_KEYS = ("gflops", "params_millions", "activations_millions")
#: The tables a vision model's name is looked up in, in order.
VISION_TABLES = ("cv_models", "vision_models")


def vision_shape(model: str | Mapping[str, object], data: str = "2025") -> VisionShape:
    """The shape of a vision ``model``: a ``model`` of the ``cv_models`` (else
    ``vision_models``) table, or a dict with ``gflops`` (per image) and ``params_millions``,
    optionally ``activations_millions`` (values written per image; the tables hold none).

    >>> v = vision_shape("ResNet-50")
    >>> v.params, v.activations
    (26000000.0, None)
    """
    if isinstance(model, str):
        known: list[str] = []
        row: Mapping[str, object] | None = None
        for name in VISION_TABLES:
            table = load_data(name, data)
            rows = table[table["model"] == model]
            if not rows.empty:
                row = rows.iloc[0].to_dict()
                break
            known += list(table["model"])
        if row is None:
            raise _close(model, known, "vision model", " or ".join(VISION_TABLES))
    elif isinstance(model, Mapping):
        unknown = sorted(set(model) - {*_VISION_KEYS, "model"})
        if unknown:
            raise ValueError(
                f"model: unknown keys {unknown}; use {', '.join(_VISION_KEYS)} (and 'model')"
            )
        row = model
    else:
        raise ValueError(
            "model must be a name of the cv_models or vision_models table or a dict with "
            f"gflops and params_millions, got {type(model).__name__}"
        )
    name = model if isinstance(model, str) else str(model.get("model", "custom"))
    flops, params = _number(row.get("gflops")), _number(row.get("params_millions"))
    if flops is None or flops <= 0 or params is None or params <= 0:
        raise ValueError(
            f"vision model {name!r} needs gflops and params_millions > 0 (got "
            f"{row.get('gflops')!r} and {row.get('params_millions')!r}); pass a dict such as "
            "{'gflops': 7.6, 'params_millions': 26}"
        )
    act = _number(row.get("activations_millions"))
    if act is not None and act <= 0:
        raise ValueError(f"vision model {name!r}: activations_millions must be > 0 or left out")
    return VisionShape(name, flops * 1e9, params * 1e6, None if act is None else act * 1e6)


def chip(hardware: str, precision: str, data: str = "2025") -> Chip:
    """The ``accelerators`` row ``hardware`` at ``precision`` (a key of
    :data:`~energytrend.data.realisation.PRECISION_COLUMNS`).

    >>> c = chip("NVIDIA H100 SXM5 80GB", "FP8")
    >>> c.memory > 0 and c.bandwidth > 0
    True
    """
    if precision not in PRECISION_COLUMNS:
        raise ValueError(
            f"precision must be one of {', '.join(PRECISION_COLUMNS)}, got {precision!r}"
        )
    table = load_data("accelerators", data)
    rows = table[table["hardware_name"] == hardware]
    if rows.empty:
        raise _close(hardware, list(table["hardware_name"]), "hardware", "accelerators")
    row = rows.iloc[0]
    peak = _number(row[PRECISION_COLUMNS[precision]])
    if peak is None or peak <= 0:
        has = [p for p, c in PRECISION_COLUMNS.items() if (_number(row[c]) or 0) > 0]
        raise ValueError(
            f"{hardware!r} has no {precision} peak in the accelerators table; choose one of "
            f"{', '.join(has) or 'none'}"
        )
    missing = [c for c in ("memory_bandwidth_tbps", "memory_gb", "tdp_watts") if pd.isna(row[c])]
    if missing:
        raise ValueError(
            f"{hardware!r} has no {', '.join(missing)} in the accelerators table; the serving "
            "model needs memory bandwidth, memory size and TDP: choose another chip"
        )
    return Chip(
        hardware,
        precision,
        peak * 1e12,
        float(row["memory_bandwidth_tbps"]) * 1e12,
        float(row["memory_gb"]) * 1e9,
        float(row["tdp_watts"]),
    )


def _source_columns() -> tuple[Column, ...]:
    return (
        Column("repository", "text", required=True, description="GitHub owner/name read"),
        Column("path", "text", required=True, description="file(s) read in it"),
        Column("commit", "text", required=True, description="commit(s) read"),
        Column("licence", "text", required=True, description="licence of the file"),
        Column("read", "text", required=True, description="what the file says, quoted"),
    )


# fmt: off
LLM_ARCHITECTURE = TableSpec(
    name="llm_architecture", filename="curation/llm_architecture.csv", key=("model",),
    description="Layers, width, KV width and experts of language models, each row cited",
    columns=(
        Column("model", "text", required=True,
               description="language_models name (or the MLPerf model's, if not there)"),
        Column("mlperf_benchmark", "text", description="MLPerf benchmark using the model"),
        Column("n_layers", "int", required=True, positive=True, description="layers"),
        Column("d_model", "int", required=True, positive=True, description="width"),
        Column("n_heads", "int", positive=True, description="attention (query) heads"),
        Column("n_kv_heads", "int", positive=True, description="key/value heads"),
        Column("head_dim", "int", positive=True, description="width of one head"),
        Column("kv_dim", "int", positive=True,
               description="keys' width per layer (n_kv_heads x head_dim); empty if not read"),
        Column("kv_basis", "text", required=True, description="attention kind, how counted"),
        Column("n_experts", "int", positive=True, description="routed experts per layer"),
        Column("experts_per_token", "int", positive=True, description="routed experts used"),
        *_source_columns(),
    ),
)

MLPERF_LLM_SERVING = TableSpec(
    name="mlperf_llm_serving", filename="curation/mlperf_llm_serving.csv",
    key=("round", "system", "benchmark", "scenario"),
    description="Serving configuration of MLPerf LLM power runs, read from the submissions",
    columns=(
        Column("round", "text", required=True, description="mlperf_power round"),
        Column("system", "text", required=True, description="mlperf_power system"),
        Column("benchmark", "text", required=True, description="mlperf_power benchmark"),
        Column("scenario", "text", required=True, description="Offline or Server"),
        Column("gpu_batch_size", "int", required=True, positive=True,
               description="configured largest batch of one engine (a replica)"),
        Column("tensor_parallelism", "int", required=True, positive=True,
               description="accelerators per pipeline stage"),
        Column("pipeline_parallelism", "int", required=True, positive=True,
               description="pipeline stages"),
        Column("power_limit_watts", "float", positive=True, unit="W",
               description="per-accelerator power cap (MaxQ); empty if none is set"),
        *_source_columns(),
    ),
)
# fmt: on


def _curation(spec: TableSpec, path: str | Path | None) -> pd.DataFrame:
    """``spec``'s file validated (types, required values, one row per key)."""
    return read_table(path or shipped_path("data") / spec.filename, spec)


def llm_architecture(path: str | Path | None = None) -> pd.DataFrame:
    """The architecture curation file, validated (errors name the file, line and column).

    >>> a = llm_architecture().set_index("model")
    >>> int(a.loc["Llama 2-70B", "kv_dim"]), int(a.loc["Mixtral 8x7B", "n_experts"])
    (1024, 8)
    """
    table = _curation(LLM_ARCHITECTURE, path)
    e, k = table["n_experts"], table["experts_per_token"]
    bad = (e.isna() != k.isna()) | (k > e)
    if bad.any():
        fix = "Give n_experts and experts_per_token together, experts_per_token <= n_experts."
        raise DataValidationError(
            str(path or LLM_ARCHITECTURE.filename),
            [Problem(int(i) + 2, "experts_per_token", "inconsistent", fix) for i in bad[bad].index],
        )
    return table


#: Columns of :func:`mlperf_serving_runs`, in order.
RUN_COLUMNS = [
    "round", "system", "benchmark", "scenario", "hardware_name", "precision",
    "params_millions", "active_params_millions", "n_layers", "d_model", "kv_dim", "n_experts",
    "experts_per_token", "batch", "accelerators", "power_limit_watts", "input_tokens",
    "output_tokens", "measured_j_per_sample",
]  # fmt: skip


def mlperf_serving_runs(data: str = "2025", serving: str | Path | None = None) -> pd.DataFrame:
    """The MLPerf LLM power runs (Offline and Server) with what the serving model needs: the
    model's size (``mlperf_llm_benchmarks.csv``) and shape (``llm_architecture.csv``, by
    ``mlperf_benchmark``), the batch, accelerators per replica (tensor x pipeline
    parallelism) and power cap read from the submission (``mlperf_llm_serving.csv``).

    Raises:
        ValueError: a run has no serving configuration or no architecture row, naming it.

    >>> runs = mlperf_serving_runs()
    >>> sorted(runs["round"].unique()), bool(runs["kv_dim"].notna().all())
    (['4.1', '5.1'], True)
    """
    runs = llm_realisation_table(data, scenarios=("Offline", "Server"))
    sizes = read_mlperf_llm_benchmarks()[["round", "system", "benchmark", "parameters_b"]]
    runs = runs.merge(sizes, on=["round", "system", "benchmark"], how="left")
    conf = _curation(MLPERF_LLM_SERVING, serving)
    key = ["round", "system", "benchmark", "scenario"]
    runs = runs.merge(conf, on=key, how="left", validate="many_to_one")
    missing = runs[runs["gpu_batch_size"].isna()]
    if not missing.empty:
        r = missing.iloc[0]
        raise ValueError(
            f"MLPerf run {tuple(r[key])} has no row in {MLPERF_LLM_SERVING.filename}; add its "
            "gpu_batch_size, parallelism and power limit, read from the submission's configs"
        )
    arch = llm_architecture()
    arch = arch[arch["mlperf_benchmark"].fillna("") != ""]
    arch = arch.rename(columns={"mlperf_benchmark": "benchmark"})
    runs = runs.merge(
        arch[["benchmark", "n_layers", "d_model", "kv_dim", "n_experts", "experts_per_token"]],
        on="benchmark",
        how="left",
        validate="many_to_one",
    )
    unknown = sorted(set(runs.loc[runs["n_layers"].isna(), "benchmark"]))
    if unknown:
        raise ValueError(
            f"benchmarks {unknown} have no row in {LLM_ARCHITECTURE.filename}; add the model's "
            "architecture with its source and mlperf_benchmark"
        )
    runs["params_millions"] = runs["parameters_b"] * 1000.0
    runs["active_params_millions"] = runs["active_parameters_b"] * 1000.0
    runs["batch"] = runs["gpu_batch_size"].astype(int)
    runs["accelerators"] = (runs["tensor_parallelism"] * runs["pipeline_parallelism"]).astype(int)
    return runs[RUN_COLUMNS].reset_index(drop=True)
