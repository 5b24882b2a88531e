"""Ctrl-C while fitting (issue 25, item 4): a real SIGINT to the command line says
"interrupted", exits 130 and writes nothing: no output file, no cached fit, no traceback and
no made-up data error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def test_an_interrupted_fit_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "ENERGYTREND_CACHE_DIR": str(cache)}
    output = tmp_path / "rates.csv"
    command = [sys.executable, "-m", "energytrend", "fit", "cv", "--draws", "200000"]
    proc = subprocess.Popen(
        [*command, "--output", str(output)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(8)  # past the import: compiling, or sampling its 200,000 draws per chain
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "energytrend: interrupted" in err
    assert "Traceback" not in err and "error" not in err
    assert not output.exists()
    assert not list(cache.glob("fit-*.nc"))
