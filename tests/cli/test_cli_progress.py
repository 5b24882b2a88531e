"""A progress line per fit on a terminal, nothing when stderr is not one or with --quiet, and
never the sampler's own bars (issue 25, item 11)."""

from __future__ import annotations

import argparse
import io
from typing import Any

import pytest

import energytrend as et
from energytrend import cli


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(monkeypatch: pytest.MonkeyPatch, stderr: io.StringIO, quiet: bool) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_fit(domain: str, **kwargs: Any) -> str:
        seen.update(kwargs, domain=domain)
        return "result"

    monkeypatch.setattr(cli, "fit", fake_fit)
    monkeypatch.setattr("sys.stderr", stderr)
    args = argparse.Namespace(quiet=quiet)
    out = cli._fit_with_progress(args, "cv", {"config": et.FitConfig(draws=500)})
    assert out == "result"
    return seen


def test_a_terminal_gets_one_line_per_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = _Terminal()
    seen = _run(monkeypatch, stderr, quiet=False)
    text = stderr.getvalue()
    assert text.startswith("energytrend: fitting 'cv' (4 chains x 500 draws after 1,000 tuning")
    assert text.rstrip().endswith(" s") and " done in " in text
    assert seen["config"].progressbar is False  # not the sampler's raw bars


@pytest.mark.parametrize("terminal", [False, True])
def test_quiet_or_not_a_terminal_prints_nothing(
    monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    stderr = _Terminal() if terminal else io.StringIO()
    _run(monkeypatch, stderr, quiet=terminal)  # a terminal, but --quiet; or no terminal
    assert stderr.getvalue() == ""


def test_every_fitting_command_offers_quiet() -> None:
    parser = cli.build_parser()
    for command in ("run", "fit", "forecast", "crossing", "query", "report"):
        args = parser.parse_args(
            [command, *(["cv"] if command in ("fit", "forecast", "crossing") else []), "--quiet"]
        )
        assert args.quiet
