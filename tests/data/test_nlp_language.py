"""The NLP/language domain of the "2025" dataset: Table A.4 per token, then the language
models after it; the thesis's dataset keeps Table A.4 per forward pass."""

from __future__ import annotations

import numpy as np
import pytest

import energytrend as et
from energytrend.data.imputation import imputed_models, tokens_per_parameter_fit
from energytrend.data.llm import llm_models_frame
from energytrend.data.nlp_language import IMPUTED_SOURCE, nlp_language_frame
from energytrend.model.design import before, prepare, resolve_per_token, tables_used
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


def test_closed_models_are_imputed_with_their_uncertainty(joined) -> None:
    imputed = joined[joined["source"] == IMPUTED_SOURCE]
    table = et.load_data("language_models")
    expected = imputed_models(table[table["release_date"] > joined["release_date"].min()])
    expected = expected[expected["model"].isin(imputed["model"])].set_index("model")
    assert len(imputed) == len(expected) > 0
    np.testing.assert_allclose(
        imputed.set_index("model").loc[expected.index, "log10_gflops_sd"],
        expected["log10_gflops_scale"],
    )
    assert (joined.loc[joined["source"] != IMPUTED_SOURCE, "log10_gflops_sd"] == 0).all()


def test_a_backtest_cut_off_reimputes_from_what_was_known() -> None:
    p = prepare("nlp")
    cut = before(p, 2024.0)
    imputed = cut.models["source"].eq(IMPUTED_SOURCE).to_numpy()
    fit = tokens_per_parameter_fit(et.load_data("language_models"), known_before=2024.0)
    assert fit.n < tokens_per_parameter_fit(et.load_data("language_models")).n
    names = cut.models.loc[imputed, "model"]
    table = et.load_data("language_models")
    again = imputed_models(table[table["model"].isin(names)], fit=fit).set_index("model")
    np.testing.assert_allclose(
        cut.arrays.obs_y[imputed], np.log10(again.loc[names, "gflops_per_token_median"])
    )
    np.testing.assert_allclose(cut.arrays.obs_sd[imputed], again.loc[names, "log10_gflops_scale"])
    full = p.arrays.obs_y[p.models["source"].eq(IMPUTED_SOURCE).to_numpy()][: imputed.sum()]
    assert not np.allclose(cut.arrays.obs_y[imputed], full)


def test_the_likelihood_integrates_the_imputed_value_out() -> None:
    from scipy import stats

    from energytrend.model.build import build_model

    spec = resolve_spec()
    a = prepare("nlp", spec=spec).arrays
    model = build_model(a, spec, "none")
    logp = model.compile_logp(vars=[model["log10_gflops"]], sum=False)
    point = model.initial_point()
    got = np.asarray(logp(point)).ravel()
    outputs = model.replace_rvs_by_values([model["intercept"], model["slope"], model["sigma"]])
    fn = model.compile_fn(outputs, inputs=model.value_vars, on_unused_input="ignore")
    intercept, slope, sigma = fn(point)
    g = a.obs_group
    scale = np.sqrt(sigma[g] ** 2 + a.obs_sd**2)
    want = stats.norm.logpdf(a.obs_y, intercept[g] + slope[g] * a.obs_t, scale)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert (a.obs_sd > 0).sum() > 0


def test_a_table_without_training_compute_imputes_nothing_and_says_so() -> None:
    lm = et.load_data("language_models").drop(columns=["training_compute_flop"])
    with pytest.warns(UserWarning, match="training_compute_flop"):
        p = prepare("nlp", language_models=lm)
    assert not p.models["source"].eq(IMPUTED_SOURCE).any()
