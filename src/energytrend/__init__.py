"""energytrend: Bayesian trend analysis of deep-learning inference compute and energy.

Public API (see the README for a tour):

* named datasets: :func:`datasets` lists them (``"2025"``, the default, and ``"thesis"``),
  :func:`load_data` reads one table of one;
* data: :func:`load_cv_models`, :func:`load_nlp_models`, :func:`load_gpus`,
  :func:`load_inference_throughput`, :func:`load_table` (a CSV path or any DataFrame, and a
  table spec or name), :class:`DataValidationError`; :func:`decimal_year` and
  :func:`from_decimal_year` (exact calendar conversion);
* hardware: :func:`precision_series` (GFLOPS/W per numeric precision), :func:`speedup_data`
  (measured speed-ups against peak ratios), :func:`realisation_table` (MLPerf measured
  energy against the peak-based estimate), :func:`llm_realisation_table` (the same for
  MLPerf's LLM benchmarks, per prompt and generated token); v1's :func:`speedup_table`,
  :func:`efficiency_series`;
* frontier rules: :func:`frontier_mask`, :data:`RULES`;
* the thesis's OLS baseline: :func:`baseline_lines`, :func:`plugin_joules`;
* the Bayesian fit: :func:`fit` (model v2; ``priors=V1_PRIORS`` gives v1's) returns a
  :class:`TrendFit` (its ``idata`` has ArviZ's ``log_likelihood`` and
  ``posterior_predictive`` groups); :func:`load` reads a saved one,
  refusing with :class:`ResultFileError` any file that was modified or cannot be read;
* validation studies (imported from their modules): simulation-based calibration
  (:mod:`energytrend.studies.calibration`), backtests (:mod:`energytrend.studies.backtest`),
  sensitivity and the results files (:mod:`energytrend.studies.results`), run in parallel by
  :mod:`energytrend.studies.sweep`.

The package is grouped by stage: :mod:`energytrend.data` (tables) -> :mod:`energytrend.model`
(specification, design, model builders) -> :mod:`energytrend.inference` (sampling, results)
-> :mod:`energytrend.forecast` -> :mod:`energytrend.studies` and :mod:`energytrend.report`;
:mod:`energytrend.cli` is the command line.
"""

from energytrend._moved import install as _install_moved
from energytrend._version import __version__
from energytrend.data.baseline import (
    OLSLine,
    baseline_lines,
    efficiency_line,
    fit_ols,
    models_frame,
    plugin_joules,
    thesis_table_5_2,
    thesis_table_5_3,
)
from energytrend.data.datasets import DATASETS, DEFAULT_DATA, datasets, load_data
from energytrend.data.frontier import RULES, frontier_mask, rules_table
from energytrend.data.hardware import efficiency_series, speedup_table
from energytrend.data.llm import llm_excluded, llm_models_frame
from energytrend.data.llm_queries import published_query_energy, query_scenarios
from energytrend.data.llm_realisation import llm_realisation_table
from energytrend.data.precision import precision_series, speedup_data
from energytrend.data.realisation import realisation_table
from energytrend.data.schema import CV_MODELS, GPUS, INFERENCE_THROUGHPUT, NLP_MODELS, TABLES
from energytrend.data.tables import (
    decimal_year,
    from_decimal_year,
    load_cv_models,
    load_gpus,
    load_inference_throughput,
    load_nlp_models,
    load_table,
)
from energytrend.data.validation import DataValidationError
from energytrend.inference.diagnostics import DiagnosticsWarning
from energytrend.inference.fit import FitConfig, fit, load
from energytrend.inference.result import CI_PROB, TrendFit
from energytrend.inference.store import ResultFileError
from energytrend.model.spec import V1_PRIORS

_install_moved()  # the old flat module paths (energytrend.engine, ...) as aliases

__all__ = [
    "CI_PROB",
    "CV_MODELS",
    "DATASETS",
    "DEFAULT_DATA",
    "GPUS",
    "INFERENCE_THROUGHPUT",
    "NLP_MODELS",
    "RULES",
    "TABLES",
    "V1_PRIORS",
    "DataValidationError",
    "DiagnosticsWarning",
    "FitConfig",
    "OLSLine",
    "ResultFileError",
    "TrendFit",
    "__version__",
    "baseline_lines",
    "datasets",
    "decimal_year",
    "efficiency_line",
    "efficiency_series",
    "fit",
    "fit_ols",
    "from_decimal_year",
    "frontier_mask",
    "llm_excluded",
    "llm_models_frame",
    "llm_realisation_table",
    "load",
    "load_cv_models",
    "load_data",
    "load_gpus",
    "load_inference_throughput",
    "load_nlp_models",
    "load_table",
    "models_frame",
    "plugin_joules",
    "precision_series",
    "published_query_energy",
    "query_scenarios",
    "realisation_table",
    "rules_table",
    "speedup_data",
    "speedup_table",
    "thesis_table_5_2",
    "thesis_table_5_3",
]
