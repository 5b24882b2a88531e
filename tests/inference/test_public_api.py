"""The public API (issue 21, item 4): a small surface of at most 20 names, each importable and
documented, with explicit signatures everywhere, and ``fit(domain, *, data, tables, priors,
config)`` in place of the old keywords."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
from pathlib import Path

import pytest

import energytrend as et

#: The most top-level names the package may export (issue 21: "about 15-20").
MAX_PUBLIC_NAMES = 20


def _defining_modules() -> dict[str, str]:
    """For each name ``energytrend/__init__.py`` imports, the module it comes from."""
    source = Path(et.__file__).read_text(encoding="utf-8")
    out = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                out[alias.asname or alias.name] = node.module
    return out


def _documented_constant(name: str, module: str) -> bool:
    """A constant is documented by a ``#:`` comment on the line above its assignment in the
    module that defines it (what Sphinx and mkdocstrings read), or, for ``__version__``, by
    the docstring of the module that holds nothing else."""
    mod = importlib.import_module(module)
    if name == "__version__":
        return bool((mod.__doc__ or "").strip())
    lines = Path(mod.__file__ or "").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith((f"{name} =", f"{name}:")):
            return i > 0 and lines[i - 1].startswith("#:")
    return False


def test_at_most_twenty_public_names_each_importable() -> None:
    assert len(et.__all__) <= MAX_PUBLIC_NAMES, et.__all__
    assert len(set(et.__all__)) == len(et.__all__)
    namespace: dict[str, object] = {}
    exec("from energytrend import *", namespace)  # what ``import *`` gives a user
    missing = [name for name in et.__all__ if name not in namespace]
    assert missing == [], missing
    for name in et.__all__:
        assert namespace[name] is getattr(et, name), name


def test_every_public_name_is_documented() -> None:
    """A function or class has a docstring of its own (not one inherited from ``object`` or
    ``Exception``); a constant has a ``#:`` comment where it is defined."""
    defined_in = _defining_modules()
    problems = []
    for name in et.__all__:
        obj = getattr(et, name)
        if callable(obj):
            if not (obj.__doc__ or "").strip():
                problems.append(f"{name}: no docstring")
        elif name not in defined_in or not _documented_constant(name, defined_in[name]):
            problems.append(f"{name}: an undocumented constant")
    assert problems == [], problems


def _members(name: str, obj: object) -> list[tuple[str, object]]:
    """``obj`` and, for a class, its public methods and properties (as functions)."""
    out = [(name, obj)]
    if inspect.isclass(obj):
        for m, v in vars(obj).items():
            if m.startswith("_"):
                continue
            if isinstance(v, property):
                v = v.fget
            elif isinstance(v, functools.cached_property):
                v = v.func
            elif isinstance(v, classmethod | staticmethod):
                v = v.__func__
            out.append((f"{name}.{m}", v))
    return out


def test_every_public_name_is_documented_with_an_explicit_signature() -> None:
    """``help()`` shows every argument: no public function or method takes ``*args`` or
    ``**kwargs``, and each has a docstring."""
    problems = []
    for name in et.__all__:
        for label, f in _members(name, getattr(et, name)):
            if not callable(f):
                continue
            if not (inspect.getdoc(f) or "").strip():
                problems.append(f"{label}: no docstring")
            if inspect.isclass(f):
                continue
            kinds = {p.kind for p in inspect.signature(f).parameters.values()}
            if inspect.Parameter.VAR_KEYWORD in kinds:
                problems.append(f"{label}: **kwargs")
            if inspect.Parameter.VAR_POSITIONAL in kinds:
                problems.append(f"{label}: *args")
    assert problems == [], problems


def test_fit_takes_the_domain_and_four_keywords() -> None:
    """``fit(domain, *, data=, tables=, priors=, config=)``: the analysis and sampler settings
    go in a :class:`FitConfig`, not in keywords of their own."""
    params = inspect.signature(et.fit).parameters
    assert list(params) == ["domain", "data", "tables", "priors", "config"]
    assert params["domain"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    for name in ("data", "tables", "priors", "config"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name
    with pytest.raises(TypeError):
        et.fit("cv", draws=10)  # type: ignore[call-arg]


def test_forecast_functions_have_explicit_signatures_and_argument_docs() -> None:
    for name in ("forecast", "crossing_dates", "crossing_curve"):
        function = getattr(et, name)
        params = inspect.signature(function).parameters.values()
        assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in params), name
        assert all(p.kind is not inspect.Parameter.VAR_POSITIONAL for p in params), name
        assert "Args:" in (function.__doc__ or ""), name


def test_forecast_takes_the_forecast_range() -> None:
    assert {"start", "end", "step", "prob"} <= set(inspect.signature(et.forecast).parameters)
