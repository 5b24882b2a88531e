"""The README's numbers are the code's numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest

from conftest import REPO
from energytrend.cli import main

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@pytest.mark.slow
def test_readme_results_block_is_what_the_fit_prints(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    documented = block.replace("```text", "").replace("```", "").strip().splitlines()
    assert main(["fit", "all"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(documented) == len(printed)
    for doc, out in zip(documented, printed, strict=True):
        # same words, and the same numbers to the printed precision (allowing last-digit
        # differences from another machine's floating point)
        assert NUMBER.sub("#", doc).split() == NUMBER.sub("#", out).split(), (doc, out)
        np.testing.assert_allclose(
            [float(x) for x in NUMBER.findall(doc)],
            [float(x) for x in NUMBER.findall(out)],
            rtol=0.02,
            atol=0.002,
            err_msg=f"README: {doc}\ncode:   {out}",
        )


@pytest.mark.slow
def test_readme_quick_start_runs(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code = readme.split("## Quick start")[1].split("```python")[1].split("```")[0]
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(code, "README quick start", "exec"), namespace)
    assert (tmp_path / "cv.nc").exists()
    assert namespace["result"].passed  # type: ignore[attr-defined]
