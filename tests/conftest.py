"""Shared fixtures: everything renders with Agg and nothing touches the user's folders.

:func:`pytest_configure` runs before any test module is imported and before any fixture
(session-scoped ones included) fits a model. It points ``HOME``, the XDG folders, energytrend's
fit cache, PyTensor's compile folder, numba's cache and matplotlib's configuration at a
sandbox under the system's temporary folder, for the whole session and for every subprocess a
test starts (subprocesses inherit the environment). An audit hook (:pep:`578`) records every
file opened for writing, created, renamed or removed under the real home folder by the test
process itself, and :func:`pytest_sessionfinish` fails the run if there is any. (The home
folder's own listing is no evidence: other programs of the same user write there
concurrently.)
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

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

#: Writes under the real home folder seen by the audit hook: (event, path).
HOME_WRITES: list[tuple[str, str]] = []

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_PATH_EVENTS = frozenset(
    {"os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.truncate", "shutil.rmtree"}
)


def _written_paths(event: str, args: tuple[object, ...]) -> list[object]:
    """The paths an audited event writes to (none for reads and other events)."""
    if event == "open":
        path, mode, flags = (*args, None, None, None)[:3]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        return [path] if writes else []
    if event == "os.rename":  # os.rename and os.replace: source and destination change
        return list(args[:2])
    if event in _PATH_EVENTS or event == "tempfile.mkstemp":
        return list(args[:1])
    return []


def record_home_write(event: str, args: tuple[object, ...]) -> None:
    """Audit hook: remember writes under :data:`REAL_HOME` (cheap for every other event)."""
    if event != "open" and event not in _PATH_EVENTS and event != "tempfile.mkstemp":
        return
    for path in _written_paths(event, args):
        if not isinstance(path, str | bytes | os.PathLike):
            continue
        try:
            full = Path(os.fsdecode(path)).absolute()
        except (TypeError, ValueError):
            continue
        if full.is_relative_to(REAL_HOME) and not any(
            full.is_relative_to(ok) for ok in (sandbox_root(), REPO)
        ):  # a checkout inside the home folder may write its own files (.pytest_cache, ...)
            HOME_WRITES.append((event, str(full)))


def sandbox_root() -> Path:
    """The session's sandbox (set by :func:`pytest_configure`)."""
    return Path(os.environ["ENERGYTREND_TEST_SANDBOX"])


def pytest_configure(config: pytest.Config) -> None:
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
    sys.addaudithook(record_home_write)
    import matplotlib

    matplotlib.use("Agg")


def _made(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if the test process wrote anything under the real home folder."""
    if HOME_WRITES:
        listed = "; ".join(f"{event} {path}" for event, path in HOME_WRITES[:10])
        print(f"\nthe test suite wrote under {REAL_HOME}: {listed}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write text to a CSV file in a temporary folder and return its path."""

    def _write(text: str, name: str = "table.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def load_script(name: str) -> Any:
    """The module of ``scripts/<name>.py`` (scripts are not a package), for testing it."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
