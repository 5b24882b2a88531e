"""The command line: the main job's tables, the data check, and one-line errors."""

from __future__ import annotations

import pytest

from energytrend.cli import main


def test_run_prints_the_reproduced_thesis_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 0
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
    for command in ("run", "baseline", "check-data", "rules"):
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0
    assert "usage" in capsys.readouterr().out
