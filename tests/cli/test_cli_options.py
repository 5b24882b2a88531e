"""Options that cannot change a call are refused or not offered, and one concept has one name
and one default across the API and the command line (issue 25, items 2 and 7)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import energytrend as et
from conftest import REPO
from energytrend.cli import build_parser, main


def _help(command: str) -> str:
    sub = build_parser()._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr]
    return str(sub.format_help())


def test_query_offers_only_what_changes_the_language_model_fit() -> None:
    text = _help("query")
    for option in ("--per-token", "--cv-models", "--nlp-models", "--throughput", "--rule"):
        assert option not in text, option
    for option in ("--language-models", "--gpus", "--priors", "--seed"):
        assert option in text, option


def test_a_table_the_fit_does_not_use_is_refused_before_anything_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    throughput = REPO / "data" / "inference_throughput.csv"
    code = main(["run", "--throughput", str(throughput), "--out", "nofolder/r.html"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""  # not even the baseline tables
    assert "--throughput: a fit of 'all' does not use inference_throughput" in err


def test_a_frontier_rule_with_the_default_model_is_refused() -> None:
    with pytest.raises(ValueError, match="has no effect here"):
        et.fit("cv", config=et.FitConfig(rule="accuracy_record"))


def test_the_llm_fit_refuses_cv_tables(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not use cv_models"):
        et.fit("llm", tables={"cv_models": tmp_path / "never_read.csv"})


def test_the_crossing_horizon_has_one_default() -> None:
    args = build_parser().parse_args(["crossing", "cv"])
    api = inspect.signature(et.crossing_dates).parameters["horizon"].default
    assert args.horizon == api == 2040.0


def test_one_name_and_default_per_concept() -> None:
    """The last year of a crossing is ``horizon`` (2040) in every function that has one, and
    every command that writes a file takes it as ``--output``."""
    from energytrend.forecast.query import query_crossing_curve

    for function in (
        et.crossing_dates,
        et.crossing_curve,
        et.query_crossing_dates,
        query_crossing_curve,
        et.plot_crossing_curve,
    ):
        params = inspect.signature(function).parameters
        assert "end" not in params and params["horizon"].default == 2040.0, function
    for command in ("report", "run"):
        assert "--output" in _help(command) and "--out " not in _help(command), command
