"""Column specifications of every table the package reads, declared as data.

The validators in :mod:`energytrend.data.validation` and ``docs/data.md`` both follow these
specifications; a test checks that the page documents every column listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "float", "int", "date", "bool", "refs", "mark"]

#: Allowed values of the ``*_mark`` provenance columns.
MARKS = ("", "tool", "estimated")


@dataclass(frozen=True)
class Bounds:
    """The closed range ``[low, high]`` a number column's values must lie in, and why.

    ``percent`` marks a 0-100 scale: values in [0, 1] are refused as fractions (the whole
    column so, or one value among percentages), with the fix "multiply by 100".
    """

    low: float
    high: float
    reason: str
    percent: bool = False


def _percent(reason: str) -> Bounds:
    return Bounds(0.0, 100.0, reason, percent=True)


_IMAGENET_TOP1 = _percent(
    "top-1 accuracy is the percentage of ImageNet validation images whose first guess is "
    "right, so it lies in 0-100"
)
_IMAGENET_TOP5 = _percent(
    "top-5 accuracy is the percentage of ImageNet validation images whose label is among "
    "the five first guesses, so it lies in 0-100"
)
_GLUE = _percent(
    "the GLUE score is the mean of the task scores, each at most 100 (accuracies, F1 and "
    "correlations are reported times 100), so it is at most 100"
)


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes:
        name: Column header in the CSV file.
        kind: How the text is parsed: ``float``/``int`` numbers, ``date`` (ISO ``YYYY-MM-DD``),
            ``bool`` (``true``/``false``), ``refs`` (thesis reference numbers separated by
            ``;``), ``mark`` (a provenance mark, one of :data:`MARKS`) or free ``text``.
        required: A value must be present in every row.
        positive: Numbers must be strictly greater than zero (they are logged later).
        unit: Unit of the values, for documentation.
        description: What the column holds.
        bounds: Numbers must lie in this range (a percentage in 0-100, ...), with the reason.
    """

    name: str
    kind: Kind
    required: bool = False
    positive: bool = False
    unit: str = ""
    description: str = ""
    bounds: Bounds | None = None


@dataclass(frozen=True)
class TableSpec:
    """A table: its columns, the columns that identify a row, and its shipped file name."""

    name: str
    filename: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _refs(what: str) -> Column:
    return Column(f"{what}_ref", "refs", description=f"Thesis reference number(s) for {what}")


CV_MODELS = TableSpec(
    name="cv_models",
    filename="cv_models.csv",
    key=("model", "extra_data"),
    description="Computer-vision models on ImageNet, thesis Table A.3",
    columns=(
        Column("model", "text", required=True, description="Model name as printed"),
        Column("paper_ref", "refs", description="Reference number of the model's paper"),
        Column(
            "top1_accuracy",
            "float",
            required=True,
            positive=True,
            bounds=_IMAGENET_TOP1,
            unit="%",
            description="ImageNet top-1 accuracy, single crop",
        ),
        Column("top1_accuracy_ref", "refs", description="Source of the accuracy if not the paper"),
        Column(
            "params_millions",
            "float",
            positive=True,
            unit="million",
            description="Number of parameters",
        ),
        Column("params_ref", "refs", description="Source of the parameter count if not the paper"),
        Column(
            "params_mark",
            "mark",
            description="'tool': checked with a model-analysis tool; "
            "'estimated': estimated by the thesis author",
        ),
        Column(
            "gflops",
            "float",
            required=True,
            positive=True,
            unit="GFLOPs per forward pass",
            description="Compute of one forward pass, a multiply-add counted as 2 FLOPs",
        ),
        Column("gflops_ref", "refs", description="Source of the GFLOPs if not the paper"),
        Column("gflops_mark", "mark", description="'tool' or 'estimated', as params_mark"),
        Column(
            "extra_data",
            "text",
            description="Extra training data beyond ImageNet-1k ('No' when none)",
        ),
        Column("release_date", "date", required=True, description="Release date of the paper"),
        Column("architecture", "text", description="CNN, Transformer or Hybrid"),
    ),
)

NLP_MODELS = TableSpec(
    name="nlp_models",
    filename="nlp_models.csv",
    key=("model",),
    description="NLP models with GLUE scores, thesis Table A.4",
    columns=(
        Column("model", "text", required=True, description="Model name as printed"),
        Column("paper_ref", "refs", description="Reference number of the model's paper"),
        Column(
            "input_tokens",
            "int",
            required=True,
            positive=True,
            unit="tokens",
            description="Input sequence length at which the GFLOPs are counted",
        ),
        Column(
            "gflops",
            "float",
            required=True,
            positive=True,
            unit="GFLOPs per forward pass",
            description="Compute of one forward pass at input_tokens tokens",
        ),
        Column(
            "gflops_ref",
            "refs",
            description="Source of the GFLOPs and input tokens if not the paper",
        ),
        Column("gflops_mark", "mark", description="'tool' or 'estimated'"),
        Column(
            "params_millions",
            "float",
            positive=True,
            unit="million",
            description="Number of parameters",
        ),
        Column("params_mark", "mark", description="'estimated' where the author estimated it"),
        Column("release_date", "date", required=True, description="Release date of the paper"),
        Column(
            "glue_score",
            "float",
            positive=True,
            bounds=_GLUE,
            unit="GLUE points",
            description="GLUE test-set score; empty where the thesis has none",
        ),
        Column("glue_ref", "refs", description="Source of the GLUE score if not the paper"),
        Column(
            "glue_without_wnli",
            "bool",
            description="Score computed without the WNLI task (thesis mark ♠)",
        ),
        Column(
            "glue_dev_set",
            "bool",
            description="Score on the GLUE dev set, not the test set (thesis mark ♣)",
        ),
    ),
)

GPUS = TableSpec(
    name="gpus",
    filename="gpus.csv",
    key=("gpu", "precision"),
    description="NVIDIA GPU peak throughput and TDP, thesis Table B.1",
    columns=(
        Column("gpu", "text", required=True, description="GPU name as printed"),
        Column(
            "precision",
            "text",
            required=True,
            description="FP32, FP16 or 'FP16/FP32 Tensor' (tensor cores)",
        ),
        Column(
            "tflops",
            "float",
            required=True,
            positive=True,
            unit="TFLOPS",
            description="Peak throughput at that precision",
        ),
        Column(
            "tdp_watts",
            "float",
            required=True,
            positive=True,
            unit="W",
            description="Thermal design power",
        ),
        Column("launch_date", "date", required=True, description="Launch date"),
        Column("type", "text", description="Desktop or Server"),
        Column(
            "in_table_b3",
            "bool",
            description="The thesis uses this row in its efficiency series (Table B.3)",
        ),
    ),
)

INFERENCE_THROUGHPUT = TableSpec(
    name="inference_throughput",
    filename="inference_throughput.csv",
    key=("task", "model", "framework", "batch_size", "gpu", "precision"),
    description="NGC inference throughput measurements, thesis Table B.2",
    columns=(
        Column("task", "text", required=True, description="CV or NLP"),
        Column("model", "text", required=True, description="Benchmarked network"),
        Column("framework", "text", required=True, description="PyTorch or TensorFlow"),
        Column(
            "batch_size",
            "int",
            required=True,
            positive=True,
            unit="inputs",
            description="Batch size of the measurement",
        ),
        Column("gpu", "text", required=True, description="GPU and memory size"),
        Column("precision", "text", required=True, description="FP32, TF32 or Mixed"),
        Column(
            "throughput",
            "float",
            required=True,
            positive=True,
            unit="inputs/s (images, sequences or tokens, per benchmark)",
            description="Measured inference throughput",
        ),
        Column(
            "speedup",
            "float",
            positive=True,
            unit="ratio",
            description="Printed speed-up over FP32 (A100: over V100 FP32)",
        ),
    ),
)

TABLES: dict[str, TableSpec] = {
    t.name: t for t in (CV_MODELS, NLP_MODELS, GPUS, INFERENCE_THROUGHPUT)
}


# --------------------------------------------------------------------------------------------
# Dataset "2025": tables derived by scripts/build_data.py from the raw snapshots in data/raw/.
# Every row names its source, licence and reference; docs/data.md documents every column.


def _provenance(default_source: str) -> tuple[Column, ...]:
    return (
        Column(
            "source",
            "text",
            required=True,
            description=f"Short id of the source the row comes from ({default_source}, ...)",
        ),
        Column("licence", "text", required=True, description="Licence of the source data"),
        Column(
            "reference",
            "text",
            required=True,
            description="Where the values were read: upstream URL and commit, raw file",
        ),
    )


def _tflops(name: str, what: str, unit: str = "TFLOPS") -> Column:
    return Column(
        name,
        "float",
        positive=True,
        unit=unit,
        description=f"Dense (no sparsity) peak {what}; empty where the source has none",
    )


ACCELERATORS = TableSpec(
    name="accelerators",
    filename="2025/accelerators.csv",
    key=("hardware_name",),
    description="ML accelerators 2010-2025 with peaks by precision and TDP, from Epoch AI",
    columns=(
        Column("hardware_name", "text", required=True, description="Device name as in Epoch AI"),
        Column("manufacturer", "text", description="Manufacturer; empty where Epoch AI has none"),
        Column("chip_type", "text", description="Epoch AI's device type: GPU, TPU, ASIC, ..."),
        Column(
            "type",
            "text",
            required=True,
            description="Market segment as in the thesis: Desktop, Workstation or Server",
        ),
        Column("release_date", "date", required=True, description="Release (announcement) date"),
        _tflops("fp32_tflops", "FP32 (non-tensor) throughput"),
        _tflops("tf32_tflops", "TF32 tensor throughput"),
        _tflops("tensor_fp16_bf16_tflops", "FP16/BF16 tensor-core throughput"),
        _tflops("fp16_tflops", "FP16 non-tensor throughput"),
        _tflops("int8_tops", "INT8 throughput", unit="TOPS"),
        _tflops("fp8_tflops", "FP8 throughput"),
        _tflops("fp4_tflops", "FP4 throughput"),
        Column(
            "tdp_watts",
            "float",
            positive=True,
            unit="W",
            description="Thermal design power; empty where unknown",
        ),
        Column(
            "memory_gb",
            "float",
            positive=True,
            unit="GB",
            description="Accelerator memory of the kept row (merged variants may differ)",
        ),
        Column(
            "memory_bandwidth_tbps",
            "float",
            positive=True,
            unit="TB/s",
            description="Peak memory bandwidth of the kept row (merged variants may differ)",
        ),
        Column(
            "tdp_estimated", "bool", description="The TDP is Epoch AI's estimate, not a vendor's"
        ),
        Column(
            "date_is_availability",
            "bool",
            description="The date is when the device became available, not its announcement",
        ),
        Column("flags", "text", description="Curation flags of the row, ';'-separated"),
        Column(
            "corrected_columns",
            "text",
            description="Columns whose Epoch value was corrected by hand, ';'-separated",
        ),
        Column(
            "merged_names",
            "text",
            description="Epoch rows merged into this one as the same chip variant",
        ),
        Column("datasheet_link", "text", description="Epoch AI's link to the datasheet"),
        *_provenance("epoch_ml_hardware"),
        Column("curation_ref", "text", description="Curation files that changed the row"),
    ),
)

VISION_MODELS = TableSpec(
    name="vision_models",
    filename="2025/vision_models.csv",
    key=("model", "extra_data"),
    description="ImageNet classifiers 2021-2025, one row per model as its paper presents it",
    columns=(
        Column("model", "text", required=True, description="Model (timm architecture) name"),
        Column("paper", "text", description="Short name of the model's paper"),
        Column("arxiv_id", "text", description="arXiv id of the model's paper"),
        Column("timm_model", "text", description="timm weights whose numbers the row holds"),
        Column(
            "n_weight_variants",
            "int",
            positive=True,
            unit="weights",
            description="timm weights collapsed into this row",
        ),
        Column("img_size", "int", positive=True, unit="pixels", description="Test resolution"),
        Column(
            "top1_accuracy",
            "float",
            required=True,
            positive=True,
            bounds=_IMAGENET_TOP1,
            unit="%",
            description="ImageNet top-1 accuracy, single crop",
        ),
        Column(
            "top5_accuracy",
            "float",
            positive=True,
            bounds=_IMAGENET_TOP5,
            unit="%",
            description="Top-5 accuracy",
        ),
        Column(
            "params_millions",
            "float",
            positive=True,
            unit="million",
            description="Number of parameters",
        ),
        Column(
            "gmacs",
            "float",
            positive=True,
            unit="G multiply-accumulates",
            description="timm's multiply-accumulates per forward pass",
        ),
        Column(
            "gflops",
            "float",
            required=True,
            positive=True,
            unit="GFLOPs per forward pass",
            description="Compute of one forward pass, a multiply-add counted as 2 FLOPs",
        ),
        Column(
            "extra_data",
            "text",
            description="Extra training data beyond ImageNet-1k ('No' when none)",
        ),
        Column("release_date", "date", required=True, description="Release date of the paper"),
        Column("date_basis", "text", description="How the release date was obtained"),
        Column("architecture", "text", description="CNN, Transformer, Hybrid, MLP or RNN"),
        *_provenance("timm"),
    ),
)

LANGUAGE_MODELS = TableSpec(
    name="language_models",
    filename="2025/language_models.csv",
    key=("model",),
    description="Language models 2018-2025 from Epoch AI's Notable AI Models",
    columns=(
        Column("model", "text", required=True, description="Model name as in Epoch AI"),
        Column("organization", "text", description="Developer"),
        Column("release_date", "date", required=True, description="Publication date"),
        Column(
            "params_millions",
            "float",
            positive=True,
            unit="million",
            description="Total number of parameters",
        ),
        Column(
            "active_params_millions",
            "float",
            positive=True,
            unit="million",
            description="Parameters used per token (total for dense models)",
        ),
        Column("active_params_basis", "text", description="Where the active count comes from"),
        Column("is_moe", "text", description="'true' for mixture-of-experts; empty if unknown"),
        Column(
            "context_length",
            "int",
            positive=True,
            unit="tokens",
            description="Maximum context length",
        ),
        Column("n_layers", "int", positive=True, description="Number of transformer layers"),
        Column("d_model", "int", positive=True, description="Model (residual-stream) width"),
        Column(
            "kv_dim",
            "int",
            positive=True,
            description="Keys' (or values') width per layer, KV heads x head dim; for latent "
            "attention half the cached values per token and layer",
        ),
        Column("n_experts", "int", positive=True, description="Routed experts per MoE layer"),
        Column(
            "experts_per_token",
            "int",
            positive=True,
            description="Routed experts each token uses per MoE layer",
        ),
        Column(
            "attention_context_tokens",
            "int",
            positive=True,
            unit="tokens",
            description="Context at which the attention term is counted",
        ),
        Column(
            "attention_gflops_per_token",
            "float",
            positive=True,
            unit="GFLOPs per token",
            description="Attention term 2 x n_layers x context x d_model",
        ),
        Column(
            "gflops_per_token",
            "float",
            positive=True,
            unit="GFLOPs per token",
            description="Forward compute per token: 2 x active parameters (+ attention term)",
        ),
        Column(
            "gflops_includes_attention",
            "bool",
            description="gflops_per_token includes the attention term",
        ),
        Column(
            "training_compute_flop",
            "float",
            positive=True,
            unit="FLOP",
            description="Epoch AI's training compute",
        ),
        Column("accessibility", "text", description="Epoch AI's model accessibility"),
        Column("frontier_model", "text", description="Epoch AI's frontier-model flag"),
        Column("confidence", "text", description="Epoch AI's confidence in the entry"),
        *_provenance("epoch_notable_ai_models"),
        Column("curation_ref", "text", description="Curation file and sources of sizes"),
    ),
)

MLPERF_POWER = TableSpec(
    name="mlperf_power",
    filename="2025/mlperf_power.csv",
    key=(
        "round",
        "division",
        "submitter",
        "system",
        "benchmark",
        "accuracy_targets",
        "scenario",
        "result_dir_scenario",
    ),
    description="Power-measured MLPerf Inference results (whole-system wall power)",
    columns=(
        Column("round", "text", required=True, description="MLPerf Inference round, e.g. 4.1"),
        Column("round_date", "date", description="Publication date of the round's results"),
        Column("division", "text", description="closed or open"),
        Column("submitter", "text", required=True, description="Submitting organisation"),
        Column("system", "text", required=True, description="System id of the submission"),
        Column("accelerator", "text", description="Accelerator model"),
        Column(
            "accelerator_count",
            "int",
            positive=True,
            unit="devices",
            description="Accelerators in the system",
        ),
        Column("benchmark", "text", required=True, description="Benchmark (model) name"),
        Column(
            "accuracy_targets",
            "text",
            description="Accuracy targets (99, 99.9) whose results are this run",
        ),
        Column(
            "scenario",
            "text",
            required=True,
            description="Scenario of the result (LoadGen's effective scenario where logged)",
        ),
        Column(
            "result_dir_scenario",
            "text",
            description="Scenario folder(s) the result was filed under, ';'-separated",
        ),
        Column("valid", "text", description="LoadGen verdict (VALID/INVALID)"),
        Column(
            "throughput",
            "float",
            positive=True,
            unit="samples/s",
            description="Measured throughput (Offline, Server)",
        ),
        Column("throughput_units", "text", description="Unit of throughput"),
        Column(
            "tokens_per_second",
            "float",
            positive=True,
            unit="tokens/s",
            description="Generated tokens per second (LLM benchmarks)",
        ),
        Column(
            "mean_system_watts",
            "float",
            required=True,
            positive=True,
            unit="W",
            description="Mean whole-system wall power during the run",
        ),
        Column(
            "joules_per_sample",
            "float",
            positive=True,
            unit="J/sample",
            description="mean_system_watts / throughput",
        ),
        Column(
            "joules_per_token",
            "float",
            positive=True,
            unit="J/token",
            description="mean_system_watts / tokens_per_second",
        ),
        Column("energy_basis", "text", description="How joules_per_sample was computed"),
        Column(
            "latency_ms",
            "float",
            positive=True,
            unit="ms",
            description="Mean latency (SingleStream, MultiStream)",
        ),
        Column(
            "n_power_samples",
            "int",
            positive=True,
            unit="samples",
            description="1 Hz power readings in the run",
        ),
        Column("power_window_start", "text", description="Start of the power window (as logged)"),
        *_provenance("mlperf_inference"),
    ),
)

#: The derived tables of dataset "2025", by name (validated like the thesis tables).
DATASET_TABLES: dict[str, TableSpec] = {
    t.name: t for t in (ACCELERATORS, VISION_MODELS, LANGUAGE_MODELS, MLPERF_POWER)
}
