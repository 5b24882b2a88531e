"""Every example in a docstring runs and prints what it shows (the API reference shows them).

The examples that fit a model use the default settings, so the session's fit cache serves
all but the first of each.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import matplotlib.pyplot as plt
import pytest

import energytrend

MODULES = [
    "energytrend",
    *sorted(
        m.name
        for m in pkgutil.walk_packages(energytrend.__path__, prefix="energytrend.")
        if m.name != "energytrend.__main__"  # runs the command line when imported
    ),
]


def _examples(module_name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(module_name)
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, module_name)
    return [t for t in tests if t.examples]


WITH_EXAMPLES = [m for m in MODULES if _examples(m)]


def test_the_public_functions_have_examples() -> None:
    missing = [
        name
        for name in energytrend.__all__
        if callable(getattr(energytrend, name))
        and not isinstance(getattr(energytrend, name), type)
        and ">>>" not in (getattr(energytrend, name).__doc__ or "")
    ]
    assert missing == []


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")
@pytest.mark.parametrize("module_name", WITH_EXAMPLES)
def test_docstring_examples_run(module_name: str) -> None:
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    report: list[str] = []
    for test in _examples(module_name):
        runner.run(test, out=report.append)
    plt.close("all")
    assert runner.failures == 0, "".join(report)
