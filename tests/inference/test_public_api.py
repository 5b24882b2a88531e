"""The public API's signatures: explicit arguments and docstrings everywhere (issue 15)."""

from __future__ import annotations

import energytrend as et


def test_public_methods_have_explicit_signatures() -> None:
    import inspect

    for name in ("forecast", "crossing_dates", "crossing_curve"):
        method = getattr(et.TrendFit, name)
        params = inspect.signature(method).parameters.values()
        assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in params), name
        assert all(p.kind is not inspect.Parameter.VAR_POSITIONAL for p in params), name
        assert "Args:" in (method.__doc__ or ""), name
    assert {"start", "end", "step", "prob"} <= set(
        inspect.signature(et.TrendFit.forecast).parameters
    )


def test_every_public_name_is_documented_with_an_explicit_signature() -> None:
    """``help()`` shows every argument: no public function or method takes ``**kwargs``,
    and each has a docstring."""
    import inspect

    problems = []
    for name in et.__all__:
        obj = getattr(et, name)
        members = [(name, obj)]
        if inspect.isclass(obj):
            members += [
                (f"{name}.{m}", v.fget if isinstance(v, property) else v)
                for m, v in vars(obj).items()
                if not m.startswith("_")
            ]
        for label, f in members:
            if not callable(f):
                continue
            if not (inspect.getdoc(f) or "").strip():
                problems.append(f"{label}: no docstring")
            if not inspect.isclass(f) and any(
                p.kind is inspect.Parameter.VAR_KEYWORD
                for p in inspect.signature(f).parameters.values()
            ):
                problems.append(f"{label}: **kwargs")
    assert problems == []
