"""Freeze before you score (issue 22, item 1): the frozen hashes, the refusal of a changed
specification, model code or data, and a log that only grows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from energytrend.cli import main
from energytrend.studies import freeze as fz
from energytrend.studies.backtest import backtest, confirmatory_backtest

OVERRIDE = {"compute": {"slope_mu": {"sigma": 1.0}}}


def test_a_fresh_freeze_checks_and_names_its_parts(tmp_path: Path) -> None:
    record = fz.freeze(tmp_path, priors=OVERRIDE)
    assert set(record["hashes"]) == {"spec", "model_code", "data", "lock"}
    assert json.loads((tmp_path / fz.FREEZE_FILE).read_text()) == record
    assert fz.check_frozen(tmp_path)["freeze_hash"] == record["freeze_hash"]


def test_a_changed_specification_is_refused(tmp_path: Path) -> None:
    fz.freeze(tmp_path, priors=OVERRIDE)
    path = tmp_path / fz.FREEZE_FILE
    record = json.loads(path.read_text())
    record["priors"] = {}  # today's specification is then the shipped one, not the frozen
    path.write_text(json.dumps(record))
    with pytest.raises(fz.FreezeError, match=r"the spec differ\(s\) from the freeze"):
        fz.check_frozen(tmp_path)


def test_changed_model_code_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fz.freeze(tmp_path / "results")
    code = tmp_path / "model"
    shutil.copytree(fz.MODEL_PACKAGE, code)
    (code / "compute.py").write_text((code / "compute.py").read_text() + "\n# edited\n")
    monkeypatch.setattr(fz, "MODEL_PACKAGE", code)
    with pytest.raises(fz.FreezeError, match="model_code"):
        fz.check_frozen(tmp_path / "results")


def test_no_freeze_no_confirmatory_scoring(tmp_path: Path) -> None:
    with pytest.raises(fz.FreezeError, match="freeze the specification first"):
        confirmatory_backtest(tmp_path)
    assert not (tmp_path / fz.LOG_FILE).exists()


def test_late_origins_are_not_scored_by_the_plain_backtest() -> None:
    with pytest.raises(ValueError, match="confirmatory"):
        backtest(("cv",), origins={"cv": (2020.0, 2021.0)})


def test_the_log_only_grows(tmp_path: Path) -> None:
    record = fz.freeze(tmp_path)
    fz.log_scoring(tmp_path, record, {"cv": [2021.0]}, {"v2/cv/all": {"crps": 0.5}})
    first = (tmp_path / fz.LOG_FILE).read_text()
    fz.log_scoring(tmp_path, record, {"cv": [2023.0]}, {"v2/cv/all": {"crps": 0.6}})
    log = fz.read_log(tmp_path)
    assert len(log) == fz.times_scored(tmp_path) == 2
    assert (tmp_path / fz.LOG_FILE).read_text().startswith(first)
    assert set(log["freeze_hash"]) == {record["freeze_hash"]}


def test_the_command_freezes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["freeze", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "froze" in out and "scored 0 time(s)" in out
    assert (tmp_path / fz.FREEZE_FILE).is_file()


def test_the_shipped_log_counts_every_scoring_and_only_grows() -> None:
    """The committed log: the scorings before freezing existed come first, marked so; every
    later row carries a freeze hash, and the dates never go back."""
    from conftest import REPO

    log = fz.read_log(REPO / "results")
    before = log["freeze_hash"].str.startswith("none")
    assert before.sum() >= 5  # the five commits of issue 22
    assert list(before) == sorted(before, reverse=True)  # every unfrozen scoring came first
    assert list(log["date"]) == sorted(log["date"])


def test_a_refreeze_is_logged_but_is_no_scoring(tmp_path: Path) -> None:
    first = fz.freeze(tmp_path, priors=OVERRIDE)
    assert fz.read_log(tmp_path).empty  # the first freeze replaces nothing
    fz.log_scoring(tmp_path, first, {"cv": [2021.0]}, {"v2/cv/all": {"crps": 0.5}})
    again = fz.freeze(tmp_path, priors=OVERRIDE)  # the same specification: nothing to log
    assert again["freeze_hash"] == first["freeze_hash"] and len(fz.read_log(tmp_path)) == 1
    second = fz.freeze(tmp_path)  # another specification
    log = fz.read_log(tmp_path)
    assert len(log) == 2 and fz.times_scored(tmp_path) == 1
    row = log.iloc[-1]
    assert row["freeze_hash"] == second["freeze_hash"] and row["scores"] == "{}"
    assert first["freeze_hash"][:12] in row["note"] and "not a scoring" in row["note"]
