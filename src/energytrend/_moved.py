"""Old module paths of the flat layout (``energytrend.engine``, ``energytrend.calibration``,
...) as aliases of their modules in the stage subpackages, so that code written against
them (the README of earlier versions, users' scripts) keeps working.

``import energytrend.engine`` gives the module ``energytrend.inference.engine`` itself (one
module object, one state), never a copy. The five old modules whose names are now
subpackages (``data``, ``model``, ``forecast``, ``studies``, ``report``) need no alias: each
subpackage re-exports its old module's names. ``energytrend.fit`` and ``energytrend.datasets``
are not aliased: they are the functions :func:`energytrend.fit` and
:func:`energytrend.datasets`, which importing a module of that name would replace.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

#: old module -> its module now
MOVED = {
    f"energytrend.{old}": f"energytrend.{new}"
    for old, new in {
        "schema": "data.schema",
        "validation": "data.validation",
        "frontier": "data.frontier",
        "baseline": "data.baseline",
        "hardware": "data.hardware",
        "precision": "data.precision",
        "realisation": "data.realisation",
        "spec": "model.spec",
        "design": "model.design",
        "design_efficiency": "model.design_efficiency",
        "efficiency_model": "model.efficiency",
        "engine": "inference.engine",
        "fastcompile": "inference.fastcompile",
        "store": "inference.store",
        "diagnostics": "inference.diagnostics",
        "arviz_groups": "inference.arviz_groups",
        "result": "inference.result",
        "mcse": "inference.mcse",
        "growth": "data.growth",
        "trend": "forecast.trend",
        "calibration": "studies.calibration",
        "calibration_ecdf": "studies.calibration_ecdf",
        "calibration_forecast": "studies.calibration_forecast",
        "backtest": "studies.backtest",
        "backtest_scores": "studies.backtest_scores",
        "scoring": "studies.scoring",
        "sweep": "studies.sweep",
        "compare": "studies.compare",
        "prior_checks": "studies.prior_checks",
        "plots": "report.plots",
        "formatting": "report.formatting",
    }.items()
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old module path and loads it as the module it moved to."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def __init__(self) -> None:
        self._specs: dict[str, importlib.machinery.ModuleSpec | None] = {}

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(MOVED[spec.name])
        self._specs[module.__name__] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # importing stamped the alias's spec on the real module: give it its own back
        module.__spec__ = self._specs.get(module.__name__, module.__spec__)


def install() -> None:
    """Register the aliases (once per process)."""
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.append(_Alias())
