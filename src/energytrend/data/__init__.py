"""Stage 1, the data: the shipped tables and their schemas (:mod:`~energytrend.data.schema`),
validation (:mod:`~energytrend.data.validation`), the named datasets
(:mod:`~energytrend.data.datasets`), frontier rules (:mod:`~energytrend.data.frontier`), the
thesis's OLS baseline (:mod:`~energytrend.data.baseline`), and the hardware tables: v1's
adapted series (:mod:`~energytrend.data.hardware`), efficiency per numeric precision
(:mod:`~energytrend.data.precision`) and MLPerf's measured energy
(:mod:`~energytrend.data.realisation`, :mod:`~energytrend.data.llm_realisation`); the
language models fitted per token (:mod:`~energytrend.data.llm`); published per-query LLM
energy and named query shapes (:mod:`~energytrend.data.llm_queries`).

The tables a researcher reads besides the datasets are collected here:

>>> from energytrend.data import precision_series
>>> sorted(precision_series()["precision"].unique())
['fp16', 'fp32', 'int8']
"""

from energytrend.data.frontier import rules_table
from energytrend.data.llm import llm_excluded
from energytrend.data.llm_queries import published_query_energy, query_scenarios
from energytrend.data.llm_realisation import llm_realisation_table
from energytrend.data.precision import precision_series, speedup_data
from energytrend.data.realisation import realisation_table
from energytrend.data.tables import decimal_year, from_decimal_year

__all__ = [
    "decimal_year",
    "from_decimal_year",
    "llm_excluded",
    "llm_realisation_table",
    "precision_series",
    "published_query_energy",
    "query_scenarios",
    "realisation_table",
    "rules_table",
    "speedup_data",
]
