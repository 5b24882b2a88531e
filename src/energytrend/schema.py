"""Column specifications of every table the package reads, declared as data.

The validators in :mod:`energytrend.validation` and the data README both follow these
specifications; a test checks that the README documents every column listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "float", "int", "date", "bool", "refs", "mark"]

#: Allowed values of the ``*_mark`` provenance columns.
MARKS = ("", "tool", "estimated")


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
    """

    name: str
    kind: Kind
    required: bool = False
    positive: bool = False
    unit: str = ""
    description: str = ""


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
