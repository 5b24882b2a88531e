"""The command line with a researcher's own files: every option is checked before anything
is fitted, output folders must exist, and a failed fit writes nothing (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import energytrend.cli as cli
from conftest import REPO
from energytrend.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")

MINE = (REPO / "data" / "cv_models.csv").read_text(encoding="utf-8").rstrip(
    "\n"
) + "\nConvNeXt-XL,,87.8,,350,,,179,,,ImageNet-22k,2022-01-10,CNN\n"


@pytest.fixture
def no_fitting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any call of fit fails the test: the options must be refused before it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("fit was called before the options were checked")

    monkeypatch.setattr(cli, "fit", refuse)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "cv", "--output", "{tmp}/rates.xlsx"], "must end in .csv or .json"),
        (["fit", "cv", "--output", "{tmp}/no/such/rates.csv"], "does not exist; create it"),
        (["forecast", "cv", "--output", "{tmp}/no/f.json"], "does not exist"),
        (["crossing", "cv", "--output", "{tmp}/c.txt"], "must end in .csv or .json"),
        (["report", "cv", "--output", "{tmp}/no/r.html"], "does not exist"),
        (["report", "cv", "--output", "{tmp}/r.pdf"], "must end in .html"),
        (["fit", "cv", "--cv-models", "{tmp}/bad.csv"], "bad.csv, line 3, column 'gflops'"),
        (["fit", "cv", "--cv-models", "{tmp}/nope.csv"], "nope.csv, the file does not exist"),
        (["forecast", "cv", "--gpus", "{tmp}/bad.csv"], "required column is missing"),
        (["fit", "cv", "--priors", "{tmp}/p.toml"], "--priors"),
        (["fit", "cv", "--priors", "{tmp}/typo.toml"], "unknown prior"),
        (["fit", "cv", "--priors", "{tmp}/eras.toml"], "strictly increasing start years"),
        (["fit", "cv", "--priors", "{tmp}/p.yaml"], "expected a .toml file"),
        (["fit", "cv", "--prob", "1.5"], "--prob must be between 0 and 1"),
        (["crossing", "cv", "--level", "kettle=-3"], "positive number"),
        (["crossing", "cv", "--horizon", "inf"], "--horizon must be a year"),
        (["fit", "cv", "--draws", "0"], "draws must be a whole number"),
        (["fit", "cv", "--rule", "best"], "unknown frontier rule"),
        (["run", "--output", "{tmp}/no/report.html"], "does not exist"),
    ],
)
def test_bad_options_fail_before_fitting_and_write_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_fitting: None,
    argv: list[str],
    message: str,
) -> None:
    (tmp_path / "bad.csv").write_text(
        "model,top1_accuracy,gflops,release_date\nA,70,1.5,2019-01-01\nB,71,-2,2020-01-01\n",
        encoding="utf-8",
    )
    (tmp_path / "p.toml").write_text("[compute\nslope = 1", encoding="utf-8")
    (tmp_path / "typo.toml").write_text("[compute.slope_mean]\nsigma = 1.0\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text("compute: {}\n", encoding="utf-8")
    (tmp_path / "eras.toml").write_text(
        '[precision]\neras = [[2018, "fp16"], [2010, "fp32"]]\n', encoding="utf-8"
    )
    before = sorted(tmp_path.iterdir())
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("energytrend: error:") and message in err
    assert len(err.splitlines()) == 1
    assert sorted(tmp_path.iterdir()) == before  # nothing written, no folder created


def test_every_fitting_command_has_the_own_data_options() -> None:
    parser = cli.build_parser()
    for command in ("fit", "forecast", "crossing", "report", "run"):
        argv = [command] + (["cv"] if command in ("fit", "forecast", "crossing") else [])
        args = parser.parse_args(
            [
                *argv,
                *("--cv-models", "a.csv", "--nlp-models", "b.csv", "--gpus", "c.csv"),
                *("--throughput", "d.csv", "--priors", "p.toml", "--prob", "0.8"),
            ]
        )
        assert (args.cv_models, args.nlp_models, args.gpus, args.throughput) == (
            "a.csv",
            "b.csv",
            "c.csv",
            "d.csv",
        )
        assert args.priors == "p.toml" and args.prob == 0.8


def test_prior_overrides_reach_the_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The priors file and the tables are parsed and passed to fit as data."""
    seen: dict[str, object] = {}

    def record(domain: str, **kwargs: object) -> None:
        seen.update(kwargs, domain=domain)
        raise RuntimeError("stop here")

    monkeypatch.setattr(cli, "fit", record)
    (tmp_path / "p.toml").write_text("[compute.slope_mu]\nsigma = 1.0\n", encoding="utf-8")
    (tmp_path / "mine.csv").write_text(MINE, encoding="utf-8")
    with pytest.raises(RuntimeError, match="stop here"):
        main(
            [
                *("fit", "cv", "--priors", str(tmp_path / "p.toml")),
                *("--cv-models", str(tmp_path / "mine.csv")),
            ]
        )
    assert seen["priors"] == {"compute": {"slope_mu": {"sigma": 1.0}}}
    tables = seen["tables"]
    assert isinstance(tables, dict) and set(tables) == {"cv_models"}
    cv = tables["cv_models"]
    assert isinstance(cv, pd.DataFrame) and "ConvNeXt-XL" in set(cv["model"])


@pytest.mark.slow
def test_fit_of_own_csv_writes_rates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's "done when": ``energytrend fit cv --cv-models mine.csv --output rates.csv``."""
    mine = tmp_path / "mine.csv"
    mine.write_text(MINE, encoding="utf-8")
    out = tmp_path / "rates.csv"
    assert main(["fit", "cv", "--cv-models", str(mine), "--output", str(out), "--prob", "0.8"]) == 0
    rates = pd.read_csv(out)
    assert (rates["prob"] == 0.8).all()
    assert "80% credible intervals" in capsys.readouterr().out


@pytest.mark.slow
def test_failed_report_writes_nothing_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny = ["--draws", "20", "--tune", "20", "--chains", "2", "--no-cache"]
    out = tmp_path / "r.html"
    assert main(["report", "nlp", "--output", str(out), *tiny]) == 2
    assert "nothing is written" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert main(["report", "nlp", "--output", str(out), "--allow-failed", *tiny]) == 2
    assert "FAILED its diagnostics" in out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_json_output_carries_iso_dates(tmp_path: Path) -> None:
    out = tmp_path / "f.json"
    assert main(["forecast", "cv", "--end", "2030", "--output", str(out)]) == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    whole = [r for r in records if r["year"] == int(r["year"])]
    assert whole and all(r["date"] == f"{int(r['year'])}-01-01" for r in whole)
    out = tmp_path / "c.json"
    assert main(["crossing", "cv", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Infinity" not in text and "NaT" not in text
    for r in json.loads(text):
        assert r["median_date"] == "" or len(r["median_date"]) == 10
