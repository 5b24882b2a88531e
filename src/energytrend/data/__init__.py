"""Stage 1, the data: the shipped tables and their schemas (:mod:`~energytrend.data.schema`),
validation (:mod:`~energytrend.data.validation`), the named datasets
(:mod:`~energytrend.data.datasets`), frontier rules, the thesis's OLS baseline, and the
hardware tables: v1's adapted series (:mod:`~energytrend.data.hardware`), efficiency per
numeric precision (:mod:`~energytrend.data.precision`) and MLPerf's measured energy
(:mod:`~energytrend.data.realisation`; its LLM benchmarks in
:mod:`~energytrend.data.llm_realisation`); the language models fitted per token
(:mod:`~energytrend.data.llm`); published per-query LLM energy and named query shapes
(:mod:`~energytrend.data.llm_queries`).

The names of :mod:`energytrend.data.tables` (loading, decimal years) are re-exported here,
so ``energytrend.data.decimal_year`` keeps working.
"""

from energytrend.data.llm_queries import (
    DEFAULT_SCENARIO,
    published_query_energy,
    query_scenarios,
)
from energytrend.data.llm_realisation import llm_realisation_table
from energytrend.data.tables import (
    TableSource,
    decimal_year,
    from_decimal_year,
    load_cv_models,
    load_gpus,
    load_inference_throughput,
    load_nlp_models,
    load_table,
    shipped_path,
    table_spec,
)

__all__ = [
    "DEFAULT_SCENARIO",
    "TableSource",
    "decimal_year",
    "from_decimal_year",
    "llm_realisation_table",
    "load_cv_models",
    "load_gpus",
    "load_inference_throughput",
    "load_nlp_models",
    "load_table",
    "published_query_energy",
    "query_scenarios",
    "shipped_path",
    "table_spec",
]
