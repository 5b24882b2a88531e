"""The NLP/language domain of the ``"2025"`` dataset: one series of language models per token.

Thesis Table A.4 counts each NLP model at its own input length (128 to 2,048 tokens), so its
GFLOPs per forward pass are divided by ``input_tokens`` (GPT-3: 740,000 GFLOPs over 2,048
tokens = 361 per token, next to the 350 = 2 x 175 B of the language-models table). The
language models released after the table's last model follow, as the ``"2025"`` dataset
extends Table A.3 with the vision models after it; no model enters twice:

* those with a per-token compute (:func:`~energytrend.data.llm.llm_models_frame`);
* the closed ones without a parameter count but with a training-compute estimate, imputed
  (:mod:`energytrend.data.imputation`): their log10 GFLOPs per token is the imputation's
  predictive location, and ``log10_gflops_sd`` its standard deviation, which the compute
  likelihood adds to the scatter (the imputed value integrated out).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from energytrend.data.frontier import frontier_mask
from energytrend.data.imputation import (
    TokensPerParameterFit,
    imputed_models,
    tokens_per_parameter_fit,
)
from energytrend.data.llm import llm_models_frame
from energytrend.data.tables import decimal_year

#: ``source`` of the rows of the joined frame.
THESIS_SOURCE, LANGUAGE_SOURCE, IMPUTED_SOURCE = (
    "thesis Table A.4",
    "language_models",
    "language_models (imputed)",
)


def _imputation_fit(
    language_table: pd.DataFrame, known_before: float | None
) -> TokensPerParameterFit | None:
    """The tokens-per-parameter fit, or None with a warning when the table cannot carry one
    (a user's table without training-compute estimates): nothing is imputed then."""
    try:
        return tokens_per_parameter_fit(language_table, known_before)
    except ValueError as e:
        warnings.warn(
            f"closed language models are not imputed: {e} (give training_compute_flop for "
            "models with a parameter count to impute the others)",
            UserWarning,
            stacklevel=3,
        )
        return None


def nlp_language_frame(
    nlp_table: pd.DataFrame,
    language_table: pd.DataFrame,
    *,
    rule: str = "thesis",
    impute: bool = True,
    known_before: float | None = None,
) -> pd.DataFrame:
    """One NLP/language domain per token: thesis Table A.4 converted, then the language models.

    Args:
        nlp_table: Table A.4 (``nlp_models``) or a user's table in its columns.
        language_table: the ``language_models`` table.
        rule: NLP frontier rule applied to the joined rows (the thesis's rules, per token:
            ``"thesis"`` flags a model that needed more compute per token than every earlier
            one).
        impute: add the closed models imputed from their training compute.
        known_before: fit the imputation on the models with both counts released before this
            decimal year only (what a forecaster then knew); default all.

    Returns:
        The rows of both tables (the other table's columns empty), sorted by date, with
        ``gflops`` (GFLOPs per token, the fitted quantity; for imputed models the predictive
        median), ``log10_gflops_sd`` (0, or the imputation's sd), ``input_tokens`` (1),
        ``year``, ``source`` and ``frontier``.

    Examples:
        >>> from energytrend.data.datasets import load_data
        >>> m = nlp_language_frame(load_data("nlp_models"), load_data("language_models"))
        >>> m.groupby("source").size().to_dict()
        {'language_models': 218, 'language_models (imputed)': 25, 'thesis Table A.4': 19}
    """
    thesis = nlp_table.copy()
    thesis["gflops"] = thesis["gflops"].astype(float) / thesis["input_tokens"].astype(float)
    thesis["source"] = THESIS_SOURCE
    last = thesis["release_date"].max()
    later_table = language_table[language_table["release_date"] > last]
    later = llm_models_frame(later_table).drop(columns=["year", "frontier"])
    frames = [thesis, later.assign(source=LANGUAGE_SOURCE)]
    fit = _imputation_fit(language_table, known_before) if impute else None
    if fit is not None:
        imp = imputed_models(later_table, fit=fit)
        rows = later_table.set_index("model").loc[imp["model"]].reset_index()
        rows["gflops"] = imp["gflops_per_token_median"].to_numpy()
        rows["log10_gflops_sd"] = imp["log10_gflops_scale"].to_numpy()
        frames.append(rows.assign(source=IMPUTED_SOURCE))
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values("release_date", kind="stable").reset_index(drop=True)
    df["log10_gflops_sd"] = df.get("log10_gflops_sd", pd.Series(np.nan, df.index)).fillna(0.0)
    df["input_tokens"] = 1
    df["year"] = decimal_year(df["release_date"])
    df["frontier"] = frontier_mask(df, "nlp", rule)
    return df
