"""The package layout: stage subpackages whose module-level imports only point down the data
flow, and the old flat module paths kept working as aliases."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from conftest import REPO
from energytrend._moved import MOVED

PKG = REPO / "src" / "energytrend"
#: The stages, from the bottom up: a module may import its own stage and those below.
STAGES = ("data", "model", "inference", "forecast", "studies", "report")


def _stage(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[0] == "energytrend" and parts[1] in STAGES:
        return STAGES.index(parts[1])
    return None


def _module_level_imports(path: Path) -> list[str]:
    """Modules imported at module level, outside ``if TYPE_CHECKING:`` blocks."""
    out = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append(node.module)
        elif isinstance(node, ast.Import):
            out += [a.name for a in node.names]
    return out


@pytest.mark.parametrize("stage", STAGES)
def test_stages_import_only_downwards(stage: str) -> None:
    """At module level, a stage never imports a later one (later imports happen inside
    functions, where the result object calls its forecasts)."""
    upward = []
    for path in sorted((PKG / stage).glob("*.py")):
        for module in _module_level_imports(path):
            other = _stage(module)
            if other is not None and other > STAGES.index(stage):
                upward.append(f"{path.relative_to(REPO)} imports {module}")
    assert not upward, upward


def test_every_module_is_in_a_stage() -> None:
    top = {p.stem for p in PKG.glob("*.py")}
    assert top == {"__init__", "__main__", "_version", "_moved", "cli"}, top


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_module_paths_are_the_new_modules(old: str) -> None:
    assert importlib.import_module(old) is importlib.import_module(MOVED[old])


def test_old_names_of_the_renamed_modules_still_import() -> None:
    """The five old modules that are now subpackages re-export their names."""
    from energytrend.calibration import simulate_calibration  # noqa: F401
    from energytrend.engine import NUMERIC_FLAGS  # noqa: F401

    from energytrend.data import decimal_year, from_decimal_year, load_table  # noqa: F401
    from energytrend.forecast import crossing_dates, human_levels  # noqa: F401
    from energytrend.model import ModelData, build_model  # noqa: F401
    from energytrend.report import render_report, write_report  # noqa: F401
    from energytrend.studies import backtest_study, readme_tables, sensitivity_study  # noqa: F401


def test_importing_every_alias_leaves_the_public_functions_alone() -> None:
    """An alias import binds the module on the package; no alias may shadow a public name."""
    import energytrend as et

    for old in MOVED:
        importlib.import_module(old)
    assert callable(et.fit) and callable(et.load)
    for name in et.__all__:
        assert not isinstance(getattr(et, name), type(et)), name
