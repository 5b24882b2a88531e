"""Rewrite the README's generated blocks from the code and the results folder.

    .venv/bin/python scripts/update_readme.py

Blocks (between ``<!-- name:start -->`` and ``<!-- name:end -->``):

* ``results``: what ``energytrend fit all`` prints;
* ``query``: what ``energytrend query --prompt-tokens 1000 --output-tokens 500 --year 2025``
  prints;
* ``sbc`` and ``backtest``: tables from ``results/`` (``energytrend calibrate``/``backtest``);
* ``benchmark``: ``results/benchmark.md`` (``scripts/benchmark.py``).

The test suite checks that the blocks match, so a stale README fails CI.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

from energytrend.cli import main as cli
from energytrend.studies.results import readme_tables

REPO = Path(__file__).resolve().parents[1]

#: The README's per-query example.
QUERY_ARGS = ["query", "--prompt-tokens", "1000", "--output-tokens", "500", "--year", "2025"]


def replace_block(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"README.md has no {start} ... {end} block")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body.strip()}\n{end}{tail}"


def main() -> int:
    path = REPO / "README.md"
    text = path.read_text(encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if cli(["fit", "all"]) != 0:
            raise SystemExit("energytrend fit all failed")
    text = replace_block(text, "results", "```text\n" + out.getvalue().strip() + "\n```")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        if cli(QUERY_ARGS) != 0:
            raise SystemExit("energytrend query failed")
    text = replace_block(text, "query", "```text\n" + out.getvalue().strip() + "\n```")
    for name, table in readme_tables(REPO / "results").items():
        text = replace_block(text, name, table)
    bench = REPO / "results" / "benchmark.md"
    if bench.exists():
        text = replace_block(text, "benchmark", bench.read_text(encoding="utf-8"))
    tmp = path.with_name(".README.md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
