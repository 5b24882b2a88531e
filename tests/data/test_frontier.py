"""Frontier rules: the thesis's definitions and the alternatives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from energytrend import load_data
from energytrend.data.frontier import frontier_mask
from energytrend.data.llm import llm_models_frame


def _frontier(domain: str, rule: str = "thesis") -> list[str]:
    df = load_data("cv_models", "thesis") if domain == "cv" else load_data("nlp_models", "thesis")
    return list(df.loc[frontier_mask(df, domain, rule), "model"])


def test_cv_thesis_rule_best_accuracy_per_year() -> None:
    assert _frontier("cv") == [
        "AlexNet",
        "ZFNet-b",
        "VGG-19",
        "Inception V3",
        "Inception ResNet V2",
        "PNASNet-5 (N = 4, F = 216)",
        "ResNeXt-101 32x48d",
        "NoisyStudent-L2",
        "Meta Pseudo Labels L2",
        "ViT-G/14",
    ]


def test_nlp_thesis_rule_compute_record() -> None:
    assert _frontier("nlp") == [
        "Transformer",
        "BERT Large",
        "GPT-2",
        "Megatron",
        "Microsoft T-NLG",
        "GPT-3",
    ]


def test_cv_accuracy_record_is_monotone() -> None:
    df = load_data("cv_models", "thesis")
    front = df[frontier_mask(df, "cv", "accuracy_record")].sort_values("release_date")
    assert front["top1_accuracy"].is_monotonic_increasing
    assert front["top1_accuracy"].iloc[-1] == df["top1_accuracy"].max()
    assert "VGG-19" in set(front["model"])


def test_top_k_per_year_keeps_at_most_k_without_ties() -> None:
    df = load_data("nlp_models", "thesis")
    mask = frontier_mask(df, "nlp", "top3_compute_per_year")
    per_year = df[mask].groupby(df["release_date"].dt.year).size()
    assert (per_year <= 3).all() and per_year.sum() > 6


def test_glue_record_ignores_models_without_scores() -> None:
    models = _frontier("nlp", "glue_record")
    assert models == ["ELMo", "GPT-1", "BERT Large", "ELECTRA Large"]


def test_ties_on_the_record_date_are_kept() -> None:
    df = pd.DataFrame(
        {
            "release_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2021-01-01"]),
            "gflops": [5.0, 5.0, 4.0],
        }
    )
    assert list(frontier_mask(df, "nlp")) == [True, True, False]


def test_unknown_rule_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid rules are"):
        frontier_mask(load_data("cv_models", "thesis"), "cv", "best")


def test_llm_rules_running_record_and_epochs_flag() -> None:
    table = load_data("language_models")
    frame = llm_models_frame(table)
    record = frame[frame["frontier"]].sort_values("release_date")
    # the thesis's NLP rule per token: every frontier model sets a new record when released
    assert record["gflops"].is_monotonic_increasing
    assert record["gflops"].iloc[-1] == frame["gflops"].max()
    flagged = llm_models_frame(table, rule="epoch_frontier")
    expected = frame["frontier_model"].astype(str).str.lower().eq("true")
    assert (flagged["frontier"].to_numpy() == expected.to_numpy()).all() and expected.any()


def test_empty_table_gives_empty_mask() -> None:
    df = load_data("cv_models", "thesis").iloc[:0]
    assert frontier_mask(df, "cv").shape == (0,)
    assert frontier_mask(df, "cv").dtype == np.bool_
