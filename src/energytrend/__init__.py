"""energytrend: Bayesian trend analysis of deep-learning inference compute and energy.

Public API (see the README for a tour):

* data: :func:`load_cv_models`, :func:`load_nlp_models`, :func:`load_gpus`,
  :func:`load_inference_throughput`, :func:`load_table`, :class:`DataValidationError`;
* hardware: :func:`speedup_table`, :func:`efficiency_series`;
* frontier rules: :func:`frontier_mask`, :data:`RULES`;
* the thesis's OLS baseline: :func:`baseline_lines`, :func:`plugin_joules`.
"""

from importlib.metadata import PackageNotFoundError, version

from energytrend.baseline import (
    OLSLine,
    baseline_lines,
    efficiency_line,
    fit_ols,
    models_frame,
    plugin_joules,
    thesis_table_5_2,
    thesis_table_5_3,
)
from energytrend.data import (
    decimal_year,
    load_cv_models,
    load_gpus,
    load_inference_throughput,
    load_nlp_models,
    load_table,
)
from energytrend.frontier import RULES, frontier_mask, rules_table
from energytrend.hardware import efficiency_series, speedup_table
from energytrend.schema import CV_MODELS, GPUS, INFERENCE_THROUGHPUT, NLP_MODELS, TABLES
from energytrend.validation import DataValidationError

try:
    __version__ = version("energytrend")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = [
    "CV_MODELS",
    "GPUS",
    "INFERENCE_THROUGHPUT",
    "NLP_MODELS",
    "RULES",
    "TABLES",
    "DataValidationError",
    "OLSLine",
    "__version__",
    "baseline_lines",
    "decimal_year",
    "efficiency_line",
    "efficiency_series",
    "fit_ols",
    "frontier_mask",
    "load_cv_models",
    "load_gpus",
    "load_inference_throughput",
    "load_nlp_models",
    "load_table",
    "models_frame",
    "plugin_joules",
    "rules_table",
    "speedup_table",
    "thesis_table_5_2",
    "thesis_table_5_3",
]
