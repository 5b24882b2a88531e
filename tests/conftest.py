"""Shared fixtures: everything renders with Agg and nothing touches the user's folders.

:func:`pytest_configure` runs before any test module is imported and before any fixture
(session-scoped ones included) fits a model. It points ``HOME``, the XDG folders, energytrend's
fit cache, PyTensor's compile folder, numba's cache and matplotlib's configuration at a
sandbox under the system's temporary folder, for the whole session and for every subprocess a
test starts. :func:`pytest_sessionfinish` then fails the run if a fit made by the suite shows
up in the real ``~/.cache/energytrend``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
THESIS = REPO.parent / "shared" / "seeds" / "thesis-inference-compute-energy-trends.txt"

#: The user's real home folder, recorded before the redirection.
REAL_HOME = Path("~").expanduser().resolve()

#: Environment variables pointed into the sandbox, relative to it.
SANDBOXED = {
    "HOME": "home",
    "XDG_CACHE_HOME": "home/.cache",
    "XDG_CONFIG_HOME": "home/.config",
    "XDG_DATA_HOME": "home/.local/share",
    "ENERGYTREND_CACHE_DIR": "energytrend-cache",
    "MPLCONFIGDIR": "home/.config/matplotlib",
    "NUMBA_CACHE_DIR": "home/.cache/numba",
    "IPYTHONDIR": "home/.ipython",
    "JUPYTER_CONFIG_DIR": "home/.jupyter",
}

_before: set[str] = set()


def _real_fit_cache() -> Path:
    return REAL_HOME / ".cache" / "energytrend"


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def sandbox_root() -> Path:
    """The session's sandbox (set by :func:`pytest_configure`)."""
    return Path(os.environ["ENERGYTREND_TEST_SANDBOX"])


def pytest_configure(config: pytest.Config) -> None:
    _before.update(_listing(_real_fit_cache()))
    # compile caches persist between sessions (they only hold compiled code, and keeping
    # them warm saves minutes); the fit cache is fresh for every session
    base = Path(tempfile.gettempdir()) / f"energytrend-tests-{os.getuid()}"
    fits = Path(tempfile.mkdtemp(prefix="energytrend-cache-", dir=_made(base)))
    os.environ["ENERGYTREND_TEST_SANDBOX"] = str(base)
    for var, rel in SANDBOXED.items():
        os.environ[var] = str(_made(base / rel))
    os.environ["ENERGYTREND_CACHE_DIR"] = str(fits)
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    compiledir = f"base_compiledir={_made(base / 'home' / '.pytensor')}"
    os.environ["PYTENSOR_FLAGS"] = f"{flags},{compiledir}" if flags else compiledir
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")


def _made(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a fit the suite made was written to the real fit cache."""
    ours = _listing(Path(os.environ["ENERGYTREND_CACHE_DIR"]))
    leaked = sorted((_listing(_real_fit_cache()) - _before) & ours)
    if leaked:
        print(f"\nthe test suite wrote to {_real_fit_cache()}: {', '.join(leaked)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write text to a CSV file in a temporary folder and return its path."""

    def _write(text: str, name: str = "table.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
