"""Every name the README, CONTRIBUTING.md and the docs pages give exists: dotted
``energytrend.*`` paths, the imports of their code blocks, ``et.NAME`` and ``result.NAME``."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from pathlib import Path

import pytest

import energytrend as et
from conftest import REPO

PAGES = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md", REPO / "CONTRIBUTING.md"]
DOTTED = re.compile(r"\benergytrend(?:\.[A-Za-z_]\w*)+")


def _code_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def resolves(dotted: str) -> bool:
    """Whether ``dotted`` is a module, or an attribute path from the longest importable
    module prefix."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def _result_names() -> set[str]:
    fields = {f.name for f in dataclasses.fields(et.TrendFit)}
    return fields | {n for n in dir(et.TrendFit) if not n.startswith("_")}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_dotted_name_resolves(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    missing = sorted({m.rstrip(".") for m in DOTTED.findall(text) if not resolves(m.rstrip("."))})
    assert not missing, f"{page.name} names what does not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_code_blocks_compile_and_import_what_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for code in _code_blocks(text):
        tree = ast.parse(code, page.name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] == "energytrend":
                    assert resolves(name), f"{page.name}: import of {name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_public_names_and_result_attributes_exist(page: Path) -> None:
    """``et.fit``, ``et.forecast(result, ...)``: public names; ``result.growth_rates()``: a
    field or method of :class:`energytrend.TrendFit` (the forecasts are functions now)."""
    text = page.read_text(encoding="utf-8")
    public = set(dir(et))
    used = set(re.findall(r"\bet\.([A-Za-z_]\w*)", text))
    assert used <= public, f"{page.name}: et.{sorted(used - public)} are not public names"
    attrs = set(re.findall(r"\bresult\.(?!py\b)([A-Za-z_]\w*)", text))  # not result.py
    assert attrs <= _result_names(), f"{page.name}: result.{sorted(attrs - _result_names())}"


def test_the_checks_catch_stale_names() -> None:
    assert resolves("energytrend.thesis.V1_PRIORS")
    assert resolves("energytrend.forecast.query.query_crossing_curve")
    assert not resolves("energytrend.inference.arviz_groups")
    assert not resolves("energytrend.load_table")
    assert not resolves("energytrend.studies.sensitivity_study")
    assert "forecast" not in _result_names() and "parts" in _result_names()
