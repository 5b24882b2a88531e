"""The thesis (Desislavov 2021) reproduced: its OLS lines, tables and energytrend v1's model.

The default dataset's tables are the thesis's plus public data through 2025; ``data="thesis"``
gives the thesis's tables exactly as printed. This module holds the thesis's own method (OLS
lines on a log axis, energy as plug-in ratios of fitted lines) and v1's Bayesian model, which
fits the thesis's two lines per domain:

>>> import energytrend as et
>>> from energytrend import thesis
>>> lines = thesis.baseline_lines("cv")
>>> sorted(lines["metric"].unique())
['gflops', 'gflops_per_watt', 'joules']
>>> v1 = et.fit("cv", data="thesis", priors=thesis.V1_PRIORS)
>>> v1.parts.names()["compute"]
'two_lines'
"""

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
from energytrend.data.hardware import efficiency_series, speedup_table
from energytrend.model.spec import V1_PRIORS

__all__ = [
    "V1_PRIORS",
    "OLSLine",
    "baseline_lines",
    "efficiency_line",
    "efficiency_series",
    "fit_ols",
    "models_frame",
    "plugin_joules",
    "speedup_table",
    "thesis_table_5_2",
    "thesis_table_5_3",
]
