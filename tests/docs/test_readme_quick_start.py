"""The README's quick start runs, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO


def quick_start() -> str:
    """The first ``python`` block under the README's ``## Quick start``."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_quick_start_block_is_found() -> None:
    code = quick_start()
    assert code.startswith("import energytrend as et\n")
    compile(code, "README quick start", "exec")


@pytest.mark.slow
def test_readme_quick_start_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme_quick_start"}
    exec(compile(quick_start(), "README quick start", "exec"), namespace)
    assert (tmp_path / "cv.nc").exists()
    assert namespace["result"].passed  # type: ignore[attr-defined]
