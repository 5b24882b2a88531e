"""energytrend: Bayesian trend analysis of deep-learning inference compute and energy.

>>> import energytrend as et
>>> result = et.fit("cv")                       # the CV data through 2025 (cached)
>>> rates = result.growth_rates()               # tidy growth rates with credible intervals
>>> fc = et.forecast(result, end=2030)          # forecasts are functions of a result
>>> sorted(fc["metric"].unique())
['gflops', 'gflops_per_watt', 'joules', 'joules_calibrated']

The public names are below; the stages hold the rest: :mod:`energytrend.data` (tables) ->
:mod:`energytrend.model` (specification, design, model parts) -> :mod:`energytrend.inference`
(sampling, the result) -> :mod:`energytrend.forecast` -> :mod:`energytrend.studies` and
:mod:`energytrend.report`; :mod:`energytrend.thesis` reproduces the thesis and v1's model;
:mod:`energytrend.cli` is the command line.
"""

from energytrend._version import __version__
from energytrend.data.datasets import datasets, load_data
from energytrend.data.validation import DataValidationError
from energytrend.forecast.forecasts import crossing_curve, crossing_dates, forecast, human_levels
from energytrend.forecast.query import energy_per_query, query_crossing_dates
from energytrend.forecast.serving import query_energy
from energytrend.inference.config import FitConfig
from energytrend.inference.diagnostics import DiagnosticsWarning
from energytrend.inference.fit import fit, load
from energytrend.inference.intervals import CI_PROB
from energytrend.inference.result import TrendFit
from energytrend.inference.store import ResultFileError
from energytrend.report.figures_forecast import plot_crossing_curve, plot_forecast

__all__ = [
    "CI_PROB",
    "DataValidationError",
    "DiagnosticsWarning",
    "FitConfig",
    "ResultFileError",
    "TrendFit",
    "__version__",
    "crossing_curve",
    "crossing_dates",
    "datasets",
    "energy_per_query",
    "fit",
    "forecast",
    "human_levels",
    "load",
    "load_data",
    "plot_crossing_curve",
    "plot_forecast",
    "query_crossing_dates",
    "query_energy",
]
