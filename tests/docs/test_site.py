"""The docs site builds with warnings as errors, the README stays short, and the pages that
are written by hand type no measured number."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from conftest import REPO

DOCS = REPO / "docs"


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hooks = _hooks()


def test_readme_is_at_most_250_lines() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines; the depth belongs in docs/"


def test_docs_build_strict(tmp_path: Path) -> None:
    """``mkdocs build --strict``: a broken link, reference, placeholder or docstring fails."""
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    for page in ("validation", "performance", "data", "model", "api"):
        html = (tmp_path / page / "index.html").read_text(encoding="utf-8")
        assert "{{" not in html, f"{page}: a placeholder was left unfilled"
    for name in ("01_thesis_figures", "02_growth_rates_and_contrasts", "03_crossing_dates"):
        assert (tmp_path / "notebooks" / name / "index.html").exists()
    assert (tmp_path / "results" / "backtest.png").exists()
    assert not (REPO / ".cache").exists(), "the build wrote a cache into the repository"


def test_unknown_placeholder_fails_the_build() -> None:
    for bad in (
        "{{ nope }}",
        "{{ table nope }}",
        "{{ bt v2 early cv/all nope }}",
        "{{ prior compute.nope Normal }}",
        "{{ rows nope }}",
        "{{ bt v2 early }}",
    ):
        with pytest.raises(hooks.PlaceholderError):
            hooks.render(f"text {bad} text")


def test_readme_figure_is_the_results_figure() -> None:
    copy = DOCS / "figures" / "backtest.png"
    assert copy.read_bytes() == (REPO / "results" / "backtest.png").read_bytes(), (
        "cp results/backtest.png docs/figures/backtest.png"
    )


def _read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        skip = sum(1 for line in f if line.startswith("#"))  # provenance lines come first
    return list(pd.read_csv(path, skiprows=skip, nrows=0).columns)


def test_data_page_documents_every_column() -> None:
    """Every column of every shipped table (the thesis's, dataset "2025", the query curation
    files) is named in docs/data.md."""
    page = (DOCS / "data.md").read_text(encoding="utf-8")
    files = [
        *sorted((REPO / "data").glob("*.csv")),
        *sorted((REPO / "data" / "2025").glob("*.csv")),
        REPO / "data" / "curation" / "llm_query_scenarios.csv",
        REPO / "data" / "curation" / "llm_query_energy_published.csv",
    ]
    assert len(files) >= 10
    for path in files:
        assert path.name in page, path
        for column in _read_header(path):
            assert f"`{column}`" in page, f"{path.name}: {column} undocumented"


#: Numbers that the generated pages may type: definitions (levels, targets, years, the
#: sensitivity variant's quantile), never measurements.
DEFINITIONS = {
    "0", "0.05", "0.5", "0.95", "1", "1.01", "2", "3.5", "5", "8", "35", "50", "70", "80",
    "90", "95", "97", "400", "2014", "2018", "2020", "2021", "2022", "2023", "2024", "2025",
    "2030", "2040",
}  # fmt: skip


def _prose_numbers(markdown: str) -> set[str]:
    text = hooks.PLACEHOLDER.sub(" ", markdown)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)  # code blocks
    text = re.sub(r"`[^`]*`", " ", text)  # inline code
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    numbers = re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?", text)
    return {n.rstrip(",") for n in numbers}


@pytest.mark.parametrize("page", ["validation.md", "performance.md"])
def test_generated_pages_type_no_measured_number(page: str) -> None:
    typed = _prose_numbers((DOCS / page).read_text(encoding="utf-8")) - DEFINITIONS
    assert not typed, f"{page} types {sorted(typed)}: use a placeholder (docs/hooks.py)"
