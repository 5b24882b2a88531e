"""The set-up script finds a Python >= 3.12, or says clearly that there is none."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import REPO

SCRIPT = REPO / "scripts" / "bootstrap.sh"


def test_finds_a_python_312_or_newer() -> None:
    out = subprocess.run(
        [str(SCRIPT), "--find-python"], capture_output=True, text=True, check=True
    ).stdout.strip()
    version = subprocess.run(
        [out, "-c", "import sys; print(sys.version_info[:2] >= (3, 12))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == "True"


def test_says_clearly_when_there_is_none(tmp_path: Path) -> None:
    system = [
        *Path("/usr/bin").glob("python3.1[2-9]"),
        *Path("/usr/local/bin").glob("python3.1[2-9]"),
    ]
    if system:
        pytest.skip(f"{system[0]} exists, so a Python-less machine cannot be simulated here")
    # A PATH with bash and coreutils but no Python at all, and no pyenv.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "dirname", "cat", "sha256sum", "cut", "rm", "printf"):
        for folder in ("/usr/bin", "/bin"):
            if Path(folder, tool).exists():
                (bindir / tool).symlink_to(Path(folder, tool))
                break
    env = {
        "PATH": str(bindir),
        "HOME": str(tmp_path),
        "PYENV_ROOT": str(tmp_path / "pyenv"),
        "ENERGYTREND_VENV": str(tmp_path / "venv"),
    }
    run = subprocess.run(
        [str(bindir / "bash"), str(SCRIPT)], capture_output=True, text=True, env=env
    )
    assert run.returncode == 1
    assert "no Python 3.12 or newer was found" in run.stderr
    assert "ENERGYTREND_PYTHON" in run.stderr
    assert not (tmp_path / "venv").exists()
