"""The peer benchmark's pieces (``scripts/peer_benchmark.py``), without running a fit: the
table it writes from made-up runs, the same-data check, its children's code, and the peers'
dependencies, which live in their own extra and lock file and never in the default
environment. Nothing here is timed."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import REPO

PEERS = ("bambi", "numpyro", "jax", "jaxlib", "statsmodels")


def _script() -> ModuleType:
    path = REPO / "scripts" / "peer_benchmark.py"
    spec = importlib.util.spec_from_file_location("peer_benchmark", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


pb = _script()


def _out(slope: float = -0.052, rhat: float = 1.001, ess: float = 2000.0) -> dict[str, Any]:
    stats = {"mean": slope, "lower": slope - 0.03, "upper": slope + 0.03, "ess_bulk": ess}
    return {
        "n": 418,
        "digest": "abc",
        "mean_t": 4.05,
        "slope": stats,
        "frontier": {"mean": 2.49},
        "max_rhat": rhat,
        "min_ess": ess,
        "divergences": 0,
        "versions": {"PyMC": "6.4.0"},
        "extra": {},
    }


def _runs(seconds: dict[str, tuple[float, float]], **outs: dict[str, Any]) -> list[Any]:
    """One cold and one warm run per method, ``seconds[key] = (cold, warm)``."""
    runs = []
    for key, (cold, warm) in seconds.items():
        for phase, s in (("cold", cold), ("warm", warm)):
            runs.append(pb.Run(key, phase, s, 1.0, 2.0, outs.get(key.replace("-", "_"), _out())))
    return runs


def _meta() -> dict[str, Any]:
    return {
        "date": "2026-01-01",
        "machine": "2 cores",
        "commit": "abc1234",
        "versions": "PyMC 6.4.0",
        "settings": {"draws": 1000, "tune": 1000, "chains": 4, "seed": 2021},
        "n": 418,
        "digest": "abc",
        "mean_t": 4.05,
        "cold": 1,
        "warm": 1,
        "quantile": 0.9,
    }


def _rows(text: str) -> dict[str, dict[str, str]]:
    lines = [x for x in text.splitlines() if x.startswith("|")]
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = [
        dict(zip(head, (c.strip() for c in x.strip("|").split("|")), strict=True))
        for x in lines[2:]
    ]
    return {r["method"]: r for r in rows}


def test_the_table_gives_ratios_to_the_fastest_converged_bayesian_peer() -> None:
    seconds = {
        "energytrend": (30.0, 8.0),
        "bambi-pymc": (6.0, 3.0),
        "bambi-nutpie": (8.0, 5.0),
        "numpyro": (4.0, 3.5),
        "ols": (1.0, 1.0),
    }
    methods = [m for m in pb.METHODS if m.key in seconds]
    runs = _runs(seconds, numpyro=_out(rhat=1.02))  # NumPyro did not converge: not the yardstick
    text = pb.markdown(pb.summarise(methods, runs), _meta())
    rows = _rows(text)
    label = {m.key: m.label for m in methods}
    # the fastest converged peer, cold and warm, is Bambi + PyMC (NumPyro did not converge)
    assert rows[label["bambi-pymc"]]["cold ratio"] == "**1.00x**"
    assert rows[label["bambi-pymc"]]["warm ratio"] == "**1.00x**"
    assert rows[label["energytrend"]]["cold ratio"] == "5.00x"
    assert rows[label["energytrend"]]["warm ratio"] == "2.67x"
    assert rows[label["numpyro"]]["converged"].startswith("**no**")
    assert rows[label["ols"]]["slope ESS"] == "–"  # OLS has no sampler
    assert rows[label["energytrend"]]["slope, mean [90% interval]"] == "-0.0520 [-0.0820, -0.0220]"
    assert rows[label["energytrend"]]["load (1 min)"] == "1.00-2.00"
    assert "2.67x" in text and "**missed**" in text  # the targets, with this run's ratios
    assert "## " not in text  # the docs page shows the file under its own headings


def test_without_a_converged_peer_there_is_no_ratio() -> None:
    seconds = {"energytrend": (30.0, 8.0), "numpyro": (4.0, 3.5)}
    methods = [m for m in pb.METHODS if m.key in seconds]
    text = pb.markdown(pb.summarise(methods, _runs(seconds, numpyro=_out(ess=100))), _meta())
    assert {r["warm ratio"] for r in _rows(text).values()} == {"–"}
    assert "No Bayesian peer converged" in text


def test_the_methods_must_fit_the_same_data() -> None:
    runs = _runs({"energytrend": (1, 1), "ols": (1, 1)})
    assert pb.same_data(runs) == (418, "abc", 4.05)
    runs[-1].out = {**runs[-1].out, "n": 417, "digest": "def"}
    with pytest.raises(ValueError, match=r"not fit the same data.*417 points.*ols"):
        pb.same_data(runs)


def test_every_method_has_its_own_caches_and_the_settings() -> None:
    env = pb.isolated_env(Path("/x"), Path("/d.csv"), {"draws": 100, "seed": 2021})
    for variable in ("NUMBA_CACHE_DIR", "ENERGYTREND_CACHE_DIR", "JAX_COMPILATION_CACHE_DIR"):
        assert env[variable].startswith("/x/")
    assert env["PYTENSOR_FLAGS"] == "base_compiledir=/x/pytensor"
    assert env["HOME"] == "/x/home" and env["PEER_DRAWS"] == "100"


def test_every_child_is_valid_python_and_the_order_rotates() -> None:
    for m in pb.METHODS:
        compile(m.child(), m.key, "exec")
    keys = [m.key for m in pb.rotated(pb.METHODS, 1)]
    assert keys[-1] == pb.METHODS[0].key and sorted(keys) == sorted(m.key for m in pb.METHODS)


def test_a_missing_venv_names_the_command_that_makes_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pb, "VENV", tmp_path / "none")
    with pytest.raises(SystemExit, match=re.escape(pb.SETUP_COMMAND)):
        pb.main([])


def _pins(lock: str) -> dict[str, str]:
    text = (REPO / lock).read_text(encoding="utf-8")
    return dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==([^ ;\n\\]+)", text, flags=re.M))


def test_the_peers_are_an_extra_of_their_own() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[<>=\[ ;]", r, maxsplit=1)[0].lower() for r in requirements}

    assert names(extras["peers"]) == set(PEERS)
    others = names(project["dependencies"]) | names(extras["dev"]) | names(extras["cluster"])
    assert not others & set(PEERS)


def test_the_peers_lock_pins_them_and_the_default_lock_does_not() -> None:
    default, peers = _pins("requirements.lock"), _pins("requirements-peers.lock")
    assert set(PEERS) <= set(peers)
    assert not set(PEERS) & set(default)  # ./test.sh and ./run.sh never install them
    shared = set(default) & set(peers)
    assert {"pymc", "nutpie", "numpy", "arviz", "pytensor"} <= shared
    assert {k: peers[k] for k in shared} == {k: default[k] for k in shared}
    assert "--hash=sha256:" in (REPO / "requirements-peers.lock").read_text(encoding="utf-8")


def test_only_the_lock_script_and_the_benchmark_use_the_peers_lock() -> None:
    assert "requirements-peers.lock" in (REPO / "scripts" / "lock.sh").read_text()
    for script in ("bootstrap.sh",):
        assert "peers" not in (REPO / "scripts" / script).read_text()
    for script in ("test.sh", "run.sh"):
        assert "peers" not in (REPO / script).read_text()
    assert ".venv-peers/" in (REPO / ".gitignore").read_text().splitlines()
