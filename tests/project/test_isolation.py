"""The test suite never touches the user's home folder (see ``tests/conftest.py``)."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import HOME_WRITES, REAL_HOME, SANDBOXED, record_home_write, sandbox_root
from energytrend.inference.store import cache_dir


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


def test_the_audit_hook_sees_writes_under_home_and_only_those(tmp_path: Path) -> None:
    """The check behind the session's verdict: writes under the real home are recorded,
    reads and writes elsewhere are not (called directly: nothing is written to home)."""
    target = REAL_HOME / ".cache" / "energytrend" / "fit-x.nc"
    before = list(HOME_WRITES)
    try:
        record_home_write("open", (str(target), "wb", 0))
        record_home_write("os.rename", (str(tmp_path / "a"), str(target)))
        record_home_write("os.mkdir", (str(REAL_HOME / ".pytensor"), 0o777, None))
        record_home_write("open", (str(target), "r", 0))  # a read
        record_home_write("open", (str(tmp_path / "x"), "w", 0))  # elsewhere
        record_home_write("open", (str(target), None, os.O_RDONLY))
        record_home_write("open", (str(target), None, os.O_WRONLY | os.O_CREAT))
        assert [e for e, _ in HOME_WRITES[len(before) :]] == [
            "open",
            "os.rename",
            "os.mkdir",
            "open",
        ]
    finally:
        del HOME_WRITES[len(before) :]
    assert HOME_WRITES == before == []  # and nothing so far in this session
