"""The NLP/language domain of the "2025" dataset: Table A.4 per token, then the language
models after it; the thesis's dataset keeps Table A.4 per forward pass."""

from __future__ import annotations

import numpy as np
import pytest

import energytrend as et
from energytrend.data.llm import llm_models_frame, nlp_language_frame
from energytrend.model.design import prepare, resolve_per_token, tables_used
from energytrend.model.spec import resolve_spec


@pytest.fixture(scope="module")
def joined():
    return nlp_language_frame(et.load_data("nlp_models"), et.load_data("language_models"))


def test_thesis_rows_are_converted_per_token(joined) -> None:
    thesis = et.load_data("nlp_models")
    rows = joined[joined["source"] == "thesis Table A.4"].set_index("model")
    expected = thesis.set_index("model")["gflops"] / thesis.set_index("model")["input_tokens"]
    assert len(rows) == len(thesis)
    np.testing.assert_allclose(rows.loc[expected.index, "gflops"], expected)


def test_language_models_follow_the_table_without_overlap(joined) -> None:
    last = et.load_data("nlp_models")["release_date"].max()
    lm = joined[joined["source"] == "language_models"]
    assert (lm["release_date"] > last).all()
    table = et.load_data("language_models")
    later = llm_models_frame(table[table["release_date"] > last])
    assert len(lm) == len(later)  # every later model with a per-token compute, once
    assert not joined["model"].duplicated().any()
    assert joined["release_date"].is_monotonic_increasing
    assert joined["release_date"].max().year == 2025


def test_the_conversion_agrees_with_the_language_models_table() -> None:
    # GPT-3 is in both tables: per token, the thesis's forward pass over 2,048 tokens and
    # Epoch's 2 x active parameters (+ attention) must agree to a few per cent
    thesis = et.load_data("nlp_models").set_index("model")
    per_token = thesis.loc["GPT-3", "gflops"] / thesis.loc["GPT-3", "input_tokens"]
    lm = et.load_data("language_models").set_index("model")
    assert per_token / lm.loc["GPT-3 175B (davinci)", "gflops_per_token"] == pytest.approx(
        1.0, abs=0.05
    )


def test_the_unit_follows_the_dataset() -> None:
    assert resolve_per_token(None, "2025", "all") is True
    assert resolve_per_token(None, "thesis", "nlp") is False
    assert resolve_per_token(True, "thesis", "nlp") is True
    assert resolve_per_token(None, "2025", "cv") is False
    with pytest.raises(ValueError, match="data='thesis'"):
        resolve_per_token(False, "2025", "nlp")
    assert "language_models" in tables_used("nlp", resolve_spec())
    assert "language_models" not in tables_used("nlp", resolve_spec(), "thesis")


def test_the_fitted_data_are_the_joined_domain_and_the_thesis_is_unchanged(joined) -> None:
    p = prepare("nlp")
    np.testing.assert_allclose(np.sort(p.arrays.obs_y), np.sort(np.log10(joined["gflops"])))
    t = prepare("nlp", data="thesis")
    thesis = et.load_data("nlp_models", "thesis")
    np.testing.assert_allclose(np.sort(t.arrays.obs_y), np.sort(np.log10(thesis["gflops"])))
    lm = et.load_data("language_models")
    fewer = lm.drop(lm.index[lm["gflops_per_token"].notna()][-5:])  # a user's own table
    assert len(prepare("nlp", language_models=fewer).models) == len(p.models) - 5
