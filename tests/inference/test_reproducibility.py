"""The same seed gives the same draws, whatever state the compile caches are in.

Each run is a fresh Python process whose home, XDG cache, numba cache and PyTensor compile
folder all point into one temporary folder (so the user's own caches are neither read nor
written). The first run starts from empty caches and compiles everything; the second finds
every kernel on disk; the third compiles for another CPU target (numba's ``generic``). The
docs (docs/model.md, "Reproducibility") promise that all three give bit-identical
posteriors; this is the test of that promise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

# the sampler alone (what the draws depend on; the stored ArviZ groups are PyMC's and tested
# apart), on the prepared NLP data as fit("nlp") samples it
SCRIPT = """
import dataclasses, hashlib, json
import numpy as np
import energytrend as et
from energytrend.inference.fit import sample
from energytrend.model.design import prepare
from energytrend.model.spec import resolve_spec
spec = resolve_spec(None)
config = et.FitConfig(domain="nlp", draws=300, tune=300, chains=2, spec=spec, pooling="none")
tree = sample(prepare("nlp", spec=spec).arrays, config)
post = tree["posterior"].to_dataset()
h = hashlib.sha256()
for name in sorted(post.data_vars):
    h.update(name.encode())
    h.update(np.ascontiguousarray(post[name].to_numpy()).tobytes())
slopes = post["slope"].median(dim=("chain", "draw")).to_numpy().tolist()
print(json.dumps({"hash": h.hexdigest(), "medians": slopes}))
"""


def _run(root: Path, **extra: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "PYTENSOR"))}
    env.update(
        HOME=str(root / "home"),
        XDG_CACHE_HOME=str(root / "xdg"),
        NUMBA_CACHE_DIR=str(root / "numba"),
        PYTENSOR_FLAGS=f"base_compiledir={root / 'pytensor'}",
        ENERGYTREND_CACHE_DIR=str(root / "fits"),
        **extra,
    )
    (root / "home").mkdir(exist_ok=True)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
def test_same_seed_same_draws_with_empty_warm_and_foreign_compile_caches(
    tmp_path: Path,
) -> None:
    cold = _run(tmp_path)
    assert any((tmp_path / "pytensor").rglob("*")), "the run did not use the temporary caches"
    warm = _run(tmp_path)
    generic = _run(tmp_path, NUMBA_CPU_NAME="generic")
    assert cold == warm, "a warm PyTensor/numba cache changed the draws"
    assert cold == generic, "compiling for another CPU target changed the draws"
