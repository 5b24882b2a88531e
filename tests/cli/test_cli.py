"""The command line: the main job's tables, the data check, and one-line errors."""

from __future__ import annotations

import argparse

import pytest

from energytrend.cli import build_parser, main


def test_run_prints_the_reproduced_thesis_tables(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--output", str(tmp_path / "report.html")]) == 0
    assert (tmp_path / "report.html").exists()
    out = capsys.readouterr().out
    for title in (
        "Table 5.1",
        "Table B.3 (CV)",
        "Table B.3 (NLP)",
        "Table 5.2",
        "Table 5.3",
        "OLS trend lines",
    ):
        assert title in out
    assert "EfficientNetV2-S" in out
    assert "Posterior growth rates" in out and "diagnostics passed" in out
    assert "Does hardware progress cancel" in out
    assert "unbounded" in out  # CV all-model energy: the interval includes zero


def test_check_data_good_file(write_csv, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv("model,top1_accuracy,gflops,release_date\nA,70,1.5,2019-01-01\n")
    assert main(["check-data", "cv_models", str(path)]) == 0
    assert "1 rows, valid cv_models table" in capsys.readouterr().out


def test_check_data_bad_file_is_one_line_and_exit_1(
    write_csv, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv("model,top1_accuracy,gflops,release_date\nA,70,-1,2019-01-01\n")
    assert main(["check-data", "cv_models", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("energytrend: error:") and str(path) in err
    assert len(err.splitlines()) == 1


def test_unknown_rule_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--rule", "nope"]) == 1
    assert "unknown frontier rule" in capsys.readouterr().err


def test_help_for_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command in commands.choices:
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0
        assert f"usage: energytrend {command}" in capsys.readouterr().out


@pytest.mark.slow
def test_fit_writes_growth_rates(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    out = tmp_path / "rates.csv"
    assert main(["fit", "cv", "--output", str(out)]) == 0
    rates = pd.read_csv(out)
    assert {"metric", "group", "quantity", "median", "lower", "upper"} <= set(rates.columns)
    assert main(["fit", "cv", "--output", str(tmp_path / "rates.json")]) == 0
    assert (tmp_path / "rates.json").read_text().startswith("[")


@pytest.mark.slow
def test_failed_fit_exits_2_and_writes_nothing(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rates.csv"
    code = main(
        [
            "fit",
            "nlp",
            "--draws",
            "20",
            "--tune",
            "20",
            "--chains",
            "2",
            "--no-cache",
            "--output",
            str(out),
        ]
    )
    assert code == 2
    assert "diagnostics FAILED" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_bad_output_suffix_is_an_error(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    from energytrend.cli import _write_table

    with pytest.raises(ValueError, match=r"must end in \.csv or \.json"):
        _write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_forecast_and_crossing_commands(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    assert main(["forecast", "cv", "--end", "2030", "--output", str(tmp_path / "f.csv")]) == 0
    f = pd.read_csv(tmp_path / "f.csv")
    assert f["year"].max() == 2030 and set(f["band"]) == {"mean", "predictive"}
    assert main(["crossing", "cv", "--level", "kettle=2000", "--level", "1e4"]) == 0
    out = capsys.readouterr().out
    assert "kettle" in out and "1e4 J" in out
    assert main(["crossing", "cv", "--level", "kettle=lots"]) == 1
    assert "NAME=JOULES" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calibrate", "nlp", "--sims", "0"], "n_sims must be >= 1"),
        (["calibrate", "vision"], "domain must be one of"),
        (["backtest", "--workers", "0"], "workers must be >= 1"),
    ],
)
def test_study_commands_reject_bad_settings_and_write_nothing(
    tmp_path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    out = tmp_path / "results"
    assert main([*argv, "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("energytrend: error:") and message in err
    assert not out.exists() or not any(out.iterdir())
