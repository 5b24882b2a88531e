"""energytrend.inference.fastcompile: the same draws as nutpie's own compiler, and wrappers
that later processes load from numba's disk cache instead of compiling."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pymc as pm
import pytest

from conftest import REPO
from energytrend.inference import engine, fastcompile

HERE = Path(__file__).resolve().parent
SAMPLE = {"draws": 200, "tune": 200, "chains": 2, "seed": 11, "progress_bar": False}


def small_data(n: int = 12, seed: int = 0) -> dict[str, Any]:
    """Data of :func:`small_model`: groups, a covariate matrix, a scalar and outcomes."""
    rng = np.random.default_rng(seed)
    g = np.arange(n) % 3
    x = rng.normal(size=(n, 2))
    y = 1.0 + x @ np.array([0.5, -0.3]) + np.array([0.2, 0.0, -0.2])[g] + rng.normal(0, 0.3, n)
    return {"g": g, "x": x, "scale": np.float64(2.0), "y": y}


def small_model(data: dict[str, Any]) -> pm.Model:
    """A small hierarchical regression with 0-d, 1-d (int) and 2-d data containers and a
    deterministic (of no per-observation size: nutpie fixes the expanded size at compile
    time), so that both wrappers read shared arrays."""
    with pm.Model(coords={"group": range(3), "k": range(2)}) as model:
        g = pm.Data("g", data["g"])
        x = pm.Data("x", data["x"])
        scale = pm.Data("scale", data["scale"])
        y = pm.Data("y", data["y"])
        mu_a = pm.Normal("mu_a", 0, scale)
        tau = pm.HalfNormal("tau", 1)
        a = pm.Normal("a", mu_a, tau, dims="group")
        b = pm.Normal("b", 0, 1, dims="k")
        sigma = pm.HalfNormal("sigma", 1)
        pm.Deterministic("a_spread", a.max() - a.min() + 0 * scale)
        pm.Normal("obs", a[g] + pm.math.dot(x, b), sigma, observed=y, shape=g.shape)
    return model


def posterior(compiled: Any) -> dict[str, np.ndarray]:
    """Every posterior array of a short nutpie run."""
    import nutpie

    tree = nutpie.sample(compiled, **SAMPLE)
    post = tree["posterior"].to_dataset()
    return {name: post[name].values for name in sorted(post.data_vars)}


def assert_same_draws(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def nutpie_compile(data: dict[str, Any]) -> Any:
    import nutpie

    with engine.numerics():
        return nutpie.compile_pymc_model(small_model(data))


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Compiled afresh: the energytrend cache is conftest's (function-scoped) one, numba's
    cache an empty temporary folder (so the wrappers are compiled, not loaded)."""
    from numba.core import config

    with pytest.MonkeyPatch.context() as mp, engine.numerics():
        mp.setenv("ENERGYTREND_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        mp.setattr(config, "CACHE_DIR", str(tmp_path_factory.mktemp("numba")))
        return fastcompile.compile_pymc_model(small_model(small_data()))


def test_draws_are_bit_identical_to_nutpies_own_compile(fast: Any) -> None:
    assert fastcompile.cache_hits(fast) == 0
    assert_same_draws(posterior(fast), posterior(nutpie_compile(small_data())))


def test_with_data_gives_the_draws_of_a_fresh_compile_on_that_data(fast: Any) -> None:
    other = small_data(n=17, seed=5)
    swapped = fast.with_data(**other)
    assert_same_draws(posterior(swapped), posterior(nutpie_compile(other)))
    # The original data are untouched by the swap.
    np.testing.assert_array_equal(fast.shared_data[fast_key(fast, "y")], small_data()["y"])


def fast_key(compiled: Any, name: str) -> str:
    return str(next(k for v, k in compiled.shared_var_keys.items() if v.name == name))


def test_wrapper_modules_live_in_the_energytrend_cache(fast: Any) -> None:
    files = list(fastcompile.wrapper_dir().glob("energytrend_wrappers_*.py"))
    assert files
    for f in files:
        digest = f.stem.removeprefix("energytrend_wrappers_")
        assert hashlib.sha256(f.read_bytes()).hexdigest()[:32] == digest


def test_engine_falls_back_to_nutpie_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(model: pm.Model) -> Any:
        raise OSError("read-only cache")

    monkeypatch.setattr(fastcompile, "compile_pymc_model", broken)
    with engine.numerics(), pytest.warns(RuntimeWarning, match="read-only cache"):
        compiled = engine.compile_model(small_model(small_data()))
    assert compiled.compiled_logp_func.cache_hits == 0


CHILD = """
import hashlib, json, sys
from energytrend.inference import engine
from energytrend.inference import fastcompile
from test_fastcompile import posterior, small_data, small_model
with engine.numerics():
    compiled = fastcompile.compile_pymc_model(small_model(small_data()))
draws = posterior(compiled)
h = hashlib.sha256()
for name, values in draws.items():
    h.update(name.encode() + values.tobytes())
print(json.dumps({"hits": fastcompile.cache_hits(compiled), "draws": h.hexdigest()}))
"""


def test_later_processes_load_the_wrappers_from_numbas_cache(tmp_path: Path) -> None:
    """Two fresh processes with the same HOME, XDG and numba cache (all empty at first, so
    the first also compiles PyTensor's kernels): the second loads both wrappers from
    numba's cache (``CFunc.cache_hits``), even with another energytrend cache folder, and
    draws the same numbers."""
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "NUMBA_CACHE_DIR": str(tmp_path / "numba"),
        # this folder for this module, tests/ for the conftest it imports
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(HERE), str(REPO / "tests")]),
    }

    def child(energytrend_cache: str) -> dict[str, Any]:
        run = subprocess.run(
            [sys.executable, "-c", CHILD],
            env={**env, "ENERGYTREND_CACHE_DIR": str(tmp_path / energytrend_cache)},
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
        return result

    def numba_files() -> list[str]:
        return sorted(p.name for p in (tmp_path / "numba" / "energytrend-wrappers").iterdir())

    first = child("et1")
    cached = numba_files()
    second = child("et2")
    assert first["hits"] == 0  # compiled, then saved
    assert any(n.endswith(".nbi") for n in cached) and any(n.endswith(".nbc") for n in cached)
    assert second["hits"] == 2  # both wrappers loaded, none compiled
    assert numba_files() == cached  # nothing new was saved
    assert second["draws"] == first["draws"]
