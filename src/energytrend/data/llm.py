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


def nlp_language_frame(
    nlp_table: pd.DataFrame, language_table: pd.DataFrame, *, rule: str = "thesis"
) -> pd.DataFrame:
    """One NLP/language domain per token: thesis Table A.4 converted, then the language models.

    The thesis counts each NLP model at its own input length (128 to 2,048 tokens), so its
    GFLOPs per forward pass are divided by ``input_tokens`` (GPT-3: 740,000 GFLOPs over 2,048
    tokens = 361 per token, next to the 350 = 2 x 175 B of the language-models table). The
    language models released after the table's last model follow, with their per-token compute
    (:func:`llm_models_frame`), as the ``"2025"`` dataset extends Table A.3 with the vision
    models after it; no model enters twice.

    Columns: those of both tables (the other table's are empty), ``gflops`` (GFLOPs per token,
    the fitted quantity), ``input_tokens`` (1), ``year``, ``source`` (``"thesis Table A.4"``
    or ``"language_models"``) and ``frontier`` under ``rule``, applied to the joined rows
    (the thesis's NLP rules, per token: ``"thesis"`` flags a model that needed more compute
    per token than every earlier one).

    Examples:
        >>> from energytrend.data.datasets import load_data
        >>> m = nlp_language_frame(load_data("nlp_models"), load_data("language_models"))
        >>> m.groupby("source")["year"].min().round().astype(int).to_dict()
        {'language_models': 2020, 'thesis Table A.4': 2017}
    """
    thesis = nlp_table.copy()
    thesis["gflops"] = thesis["gflops"].astype(float) / thesis["input_tokens"].astype(float)
    thesis["source"] = "thesis Table A.4"
    last = thesis["release_date"].max()
    later = llm_models_frame(language_table[language_table["release_date"] > last], rule="thesis")
    later = later.drop(columns=["year", "frontier"]).assign(source="language_models")
    df = pd.concat([thesis, later], ignore_index=True)
    df = df.sort_values("release_date", kind="stable").reset_index(drop=True)
    df["input_tokens"] = 1
    df["year"] = decimal_year(df["release_date"])
    df["frontier"] = frontier_mask(df, "nlp", rule)
    return df
