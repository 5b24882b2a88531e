"""Every notebook in notebooks/ executes from top to bottom against the current code, and
shows every figure it draws."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

#: A call that draws one figure in a notebook's code: a plotting function or a new figure.
DRAWS = re.compile(r"\bplot_\w+\(|\bplt\.subplots\(")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel uses its inline backend
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    images = [o for c in code for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    drawn = sum(len(DRAWS.findall(c.source)) for c in code)
    assert drawn >= 1 and len(images) >= drawn, (len(images), drawn)
