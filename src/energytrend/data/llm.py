"""Language models as a fit domain: forward GFLOPs per token, 2018-2025.

The ``language_models`` table of the ``"2025"`` dataset (Epoch AI's *Notable AI Models*, with
curated active parameters; see ``docs/data.md``) gives each model's forward compute per
token, ``gflops_per_token`` = 2 × active parameters, plus the attention term
2 × ``n_layers`` × 2,048 × ``d_model`` where the architecture is published. Mixture-of-experts
models count their *active* parameters. A model without a published parameter count (most
closed models: GPT-4o, Claude, Gemini) has no per-token compute and is left out of the fit;
:func:`llm_excluded` lists them with the reason, so reports can count them.

:func:`llm_models_frame` returns the rows the ``llm`` domain fits, with the same columns the
other domains' model frames have (``year``, ``frontier``, ``gflops``), ``gflops`` being the
GFLOPs of one token.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energytrend.data.frontier import frontier_mask
from energytrend.data.tables import decimal_year

#: The table the ``llm`` domain is fitted from.
LLM_TABLE = "language_models"


def _has_compute(table: pd.DataFrame) -> pd.Series:
    return table["gflops_per_token"].notna()


def llm_models_frame(table: pd.DataFrame, *, rule: str = "thesis") -> pd.DataFrame:
    """The language models with a per-token compute, as the ``llm`` domain's model frame.

    Columns added: ``gflops`` (GFLOPs per token, the fitted quantity), ``input_tokens`` (1:
    the quantity is already per token), ``year`` (decimal), and ``frontier`` under the named
    rule (:func:`energytrend.data.frontier.rules_table`, domain ``llm``).
    """
    df = table[_has_compute(table)].copy().reset_index(drop=True)
    df["gflops"] = df["gflops_per_token"].astype(float)
    df["input_tokens"] = 1
    df["year"] = decimal_year(df["release_date"])
    df["frontier"] = frontier_mask(df, "llm", rule)
    return df


def llm_excluded(table: pd.DataFrame) -> pd.DataFrame:
    """The language models left out of the ``llm`` fit, with why.

    Columns: model, organization, release_date, accessibility, reason. A model is left out
    when it has no per-token compute: no published parameter count (``reason`` says so), or a
    mixture-of-experts whose active count is not known (the table's ``active_params_basis``).
    """
    out = table[~_has_compute(table)].copy()
    no_params = out["params_millions"].isna() & out["active_params_millions"].isna()
    basis = out["active_params_basis"].fillna("").astype(str)
    out["reason"] = np.where(
        no_params,
        "no published parameter count",
        np.where(basis != "", basis, "no active parameter count"),
    )
    cols = ["model", "organization", "release_date", "accessibility", "reason"]
    return out[cols].reset_index(drop=True)
