"""The test suite never touches the user's home folder (see ``tests/conftest.py``)."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REAL_HOME, SANDBOXED, sandbox_root
from energytrend.store import cache_dir


def _inside(path: str | Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


def test_every_cache_points_into_the_sandbox() -> None:
    root = sandbox_root()
    assert not _inside(root, REAL_HOME)
    for var in SANDBOXED:
        assert _inside(os.environ[var], root), var
    assert _inside(Path.home(), root)
    assert _inside(cache_dir(), root)


def test_compile_caches_point_into_the_sandbox() -> None:
    import matplotlib
    import numba
    from pytensor.configdefaults import config

    root = sandbox_root()
    assert _inside(config.base_compiledir, root)
    assert _inside(config.compiledir, root)
    assert _inside(matplotlib.get_configdir(), root)
    assert _inside(matplotlib.get_cachedir(), root)
    assert _inside(numba.config.CACHE_DIR, root)


def test_a_fit_writes_only_into_the_sandbox(tmp_path: Path) -> None:
    """energytrend's default cache folder is the sandbox's, never ``~/.cache/energytrend``."""
    assert cache_dir() == Path(os.environ["ENERGYTREND_CACHE_DIR"])
    assert not _inside(cache_dir(), REAL_HOME)
