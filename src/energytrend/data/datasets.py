"""Named datasets: the thesis's tables as printed, and the data through 2025.

``"thesis"`` is the four tables of the thesis (Tables A.3, A.4, B.1, B.2), exactly as the
thesis prints them; fits on it reproduce the thesis-era numbers. ``"2025"`` (the default)
adds public data for 2021-2025 (built by ``scripts/build_data.py`` from the raw snapshots in
``data/raw``; see ``docs/data.md``):

* the four new tables as built: ``accelerators``, ``vision_models``, ``language_models``
  and ``mlperf_power``;
* ``cv_models``: Table A.3 plus every classifier of ``vision_models`` released after the
  thesis's last model (2021-06-08), in Table A.3's columns (the thesis's own 2021 rows stay
  as printed, so no paper enters twice);
* ``gpus``: Table B.1 plus the NVIDIA desktop and server GPUs of ``accelerators`` launched
  after the thesis's last GPU (2021-04-12), as FP32 rows of the efficiency series
  (Grace superchips, whose TDP includes the CPU, are left out);
* ``nlp_models`` and ``inference_throughput``: the thesis's tables. The NLP *domain* of a
  fit joins Table A.4, per token, with the language models after it
  (:func:`energytrend.data.nlp_language.nlp_language_frame`).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import pandas as pd

from energytrend.data.schema import CV_MODELS, DATASET_TABLES, GPUS, TABLES
from energytrend.data.tables import (
    TableSource,
    load_cv_models,
    load_gpus,
    load_inference_throughput,
    load_nlp_models,
    load_table,
    shipped_path,
)
from energytrend.data.validation import read_table, validate_table

DataName = Literal["thesis", "2025"]
DATASETS: tuple[DataName, ...] = ("thesis", "2025")
#: The dataset every fit uses unless told otherwise.
DEFAULT_DATA: DataName = "2025"

THESIS_TABLES = ("cv_models", "nlp_models", "gpus", "inference_throughput")
NEW_TABLES = tuple(DATASET_TABLES)

_THESIS = {
    "cv_models": load_cv_models,
    "nlp_models": load_nlp_models,
    "gpus": load_gpus,
    "inference_throughput": load_inference_throughput,
}

#: Source and licence of each table, for :func:`datasets`.
_PROVENANCE = {
    "cv_models": ("thesis Table A.3", "thesis (values as printed)"),
    "nlp_models": ("thesis Table A.4", "thesis (values as printed)"),
    "gpus": ("thesis Table B.1", "thesis (values as printed)"),
    "inference_throughput": ("thesis Table B.2", "thesis (values as printed)"),
    "accelerators": ("Epoch AI, Data on Machine Learning Hardware", "CC BY 4.0"),
    "vision_models": ("timm (huggingface/pytorch-image-models) results", "Apache-2.0"),
    "language_models": ("Epoch AI, Notable AI Models", "CC BY 4.0"),
    "mlperf_power": ("MLCommons MLPerf Inference results (power)", "Apache-2.0"),
}
_EXTENDED = {
    "cv_models": ("thesis Table A.3 + timm (after 2021-06-08)", "thesis; Apache-2.0"),
    "gpus": ("thesis Table B.1 + Epoch AI (NVIDIA, after 2021-04-12)", "thesis; CC BY 4.0"),
}

#: Device names whose TDP covers a CPU as well (Grace superchips).
SUPERCHIPS = ("GH200", "GB200", "GB300")


def check_data(data: str) -> DataName:
    """``data`` if it names a dataset, else a ValueError listing the datasets."""
    if data not in DATASETS:
        raise ValueError(f"unknown dataset {data!r}; choose one of {', '.join(DATASETS)}")
    return data


def tables_of(data: str) -> tuple[str, ...]:
    """The tables of a dataset."""
    return THESIS_TABLES if check_data(data) == "thesis" else THESIS_TABLES + NEW_TABLES


@cache
def _load_new(name: str) -> pd.DataFrame:
    spec = DATASET_TABLES[name]
    return read_table(shipped_path("data") / spec.filename, spec)


def _cv_models_2025() -> pd.DataFrame:
    thesis = load_cv_models()
    vision = _load_new("vision_models")
    later = vision[
        (vision["source"] != "thesis_table_a3")
        & (vision["release_date"] > thesis["release_date"].max())
    ]
    rows = pd.DataFrame(
        {
            "model": later["model"],
            "top1_accuracy": later["top1_accuracy"],
            "params_millions": later["params_millions"],
            "gflops": later["gflops"],
            "extra_data": later["extra_data"],
            "release_date": later["release_date"],
            "architecture": later["architecture"],
        }
    )
    out = pd.concat([thesis, rows.reindex(columns=thesis.columns)], ignore_index=True)
    return validate_table(out, CV_MODELS)


def _gpus_2025() -> pd.DataFrame:
    thesis = load_gpus()
    acc = _load_new("accelerators")
    last = thesis["launch_date"].max()
    new = acc[
        (acc["manufacturer"] == "NVIDIA")
        & acc["type"].isin(["Desktop", "Server"])
        & (acc["release_date"] > last)
        & acc["fp32_tflops"].notna()
        & acc["tdp_watts"].notna()
        & ~acc["hardware_name"].str.contains("|".join(SUPERCHIPS))
    ]
    rows = pd.DataFrame(
        {
            "gpu": new["hardware_name"].str.removeprefix("NVIDIA "),
            "precision": "FP32",
            "tflops": new["fp32_tflops"],
            "tdp_watts": new["tdp_watts"],
            "launch_date": new["release_date"],
            "type": new["type"],
            "in_table_b3": True,
        }
    )
    out = pd.concat([thesis, rows.reindex(columns=thesis.columns)], ignore_index=True)
    return validate_table(out, GPUS)


@cache
def _load(table: str, data: DataName) -> pd.DataFrame:
    if data == "thesis" or table in ("nlp_models", "inference_throughput"):
        return _THESIS[table]()
    if table == "cv_models":
        return _cv_models_2025()
    if table == "gpus":
        return _gpus_2025()
    return _load_new(table)


def load_data(
    table: str, data: str = DEFAULT_DATA, *, source: TableSource | None = None
) -> pd.DataFrame:
    """One table, validated and typed (a copy: change it freely): a shipped dataset's, or
    your own ``source`` checked against the same table's schema.

    Args:
        table: ``cv_models``, ``nlp_models``, ``gpus`` or ``inference_throughput`` (both
            datasets), or ``accelerators``, ``vision_models``, ``language_models`` or
            ``mlperf_power`` (``"2025"`` only).
        data: ``"2025"`` (default) or ``"thesis"``.
        source: your own table, a CSV path or a DataFrame (however pandas parsed it), in
            that table's columns; ``data`` is then not read.

    Raises:
        DataValidationError: ``source`` breaks the schema; it names the file, row, column
            and the fix.

    Examples:
        >>> load_data("accelerators")[["hardware_name", "release_date"]].shape[1]
        2
    """
    if source is not None:
        return load_table(source, table)
    name = check_data(data)
    if table not in tables_of(name):
        known = ", ".join(tables_of(name))
        raise ValueError(f"dataset {name!r} has no table {table!r}; its tables: {known}")
    return _load(table, name).copy()


def _date_column(table: str) -> str | None:
    spec = TABLES.get(table) or DATASET_TABLES[table]
    return next((c.name for c in spec.columns if c.kind == "date"), None)


def datasets() -> pd.DataFrame:
    """One row per (dataset, table): ``dataset``, ``table``, ``rows``, ``first_date``,
    ``last_date``, ``source`` and ``licence``.

    Examples:
        >>> table = datasets()
        >>> sorted(table["dataset"].unique())
        ['2025', 'thesis']
    """
    rows = []
    for data in DATASETS:
        for table in tables_of(data):
            df = load_data(table, data)
            column = _date_column(table)  # Table B.2's benchmarks carry no date
            dates = pd.to_datetime(df[column] if column else pd.Series([], dtype=str))
            extended = data == "2025" and table in _EXTENDED
            source, licence = (_EXTENDED if extended else _PROVENANCE)[table]
            rows.append(
                {
                    "dataset": data,
                    "table": table,
                    "rows": len(df),
                    "first_date": dates.min().date() if len(dates) else None,
                    "last_date": dates.max().date() if len(dates) else None,
                    "source": source,
                    "licence": licence,
                }
            )
    return pd.DataFrame(rows)
