"""Benchmarks of energytrend (not a test: run it, read the table).

    .venv/bin/python scripts/benchmark.py [--quick] [--out results/benchmark.md]

Measures, on this machine:

* cold ``fit("cv")`` and ``fit("all")`` (empty fit cache) in fresh processes: the first
  process ever on the machine (empty PyTensor and numba compile caches) and later fresh
  processes (compiled kernels on disk), each against the floor: import plus a fit whose model
  is already compiled (a second fit in the same process with another seed); and cv's parts;
* the same call served from the cache, in a fresh process (the call alone, and with import);
* the whole report (``energytrend report all``) in a fresh process, cold and from the cache;
* effective samples per second of nutpie against PyMC's own NUTS on the same model and
  settings in the same process (their ratio);
* how fit time grows with synthetic data of 100, 1,000 and 10,000 models, and with the
  number of groups.

The cold-fit processes get a home, XDG cache, numba cache and PyTensor compile folder of
their own in a temporary folder, empty at the first of them, so "first process" means what
it says whatever ran on the machine before; the other measurements use an empty fit cache
and leave the compile caches as a user would have them. Writes a Markdown table to
``--out`` and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD_FLOOR = """
import json, time
t0 = time.perf_counter()
import energytrend as et
t1 = time.perf_counter()
r = et.fit("{domain}", config=et.FitConfig(cache=False))
t2 = time.perf_counter()
r2 = et.fit("{domain}", config=et.FitConfig(cache=False, seed=7))
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "fit": t2 - t1, "compiled_fit": t3 - t2,
                  "passed": r.passed and r2.passed}))
"""

CHILD_PARTS = """
import json, time
t0 = time.perf_counter()
import energytrend as et
from energytrend.inference import engine
from energytrend.inference import diagnostics
from energytrend.model.design import prepare
from energytrend.model.build import build_model
from energytrend.model.spec import resolve_spec
import nutpie
t1 = time.perf_counter()
spec = resolve_spec()
p = prepare("cv", year_origin=float(spec["time"]["year_origin"]))
model = build_model(p.arrays, spec)
t2 = time.perf_counter()
compiled = engine.compiled_model(p.arrays, spec, "partial")
t3 = time.perf_counter()
s = engine.SamplerSettings()
tree = nutpie.sample(compiled, draws=s.draws, tune=s.tune, chains=s.chains, cores=s.n_cores,
                     seed=s.seed, target_accept=s.target_accept, progress_bar=False,
                     save_warmup=False)
t4 = time.perf_counter()
tree = engine.with_data_groups(tree, p.arrays, spec)
diag = diagnostics.check(tree)
t5 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "prepare_and_build": t2 - t1, "compile": t3 - t2,
                  "sample": t4 - t3, "diagnostics": t5 - t4}))
"""

CHILD_CACHED = """
import json, time
t0 = time.perf_counter()
import energytrend as et
t1 = time.perf_counter()
r = et.fit("cv")
t2 = time.perf_counter()
r = et.fit("cv")
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "fit": t2 - t1, "again": t3 - t2}))
"""


def _child(code: str, cache: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    env = {**(os.environ if env is None else env), "ENERGYTREND_CACHE_DIR": str(cache)}
    env["MPLBACKEND"] = "Agg"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _isolated_env(root: Path) -> dict[str, str]:
    """Environment whose every compile cache lives under ``root``."""
    (root / "home").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "PYTENSOR"))}
    env.update(
        HOME=str(root / "home"),
        XDG_CACHE_HOME=str(root / "xdg"),
        NUMBA_CACHE_DIR=str(root / "numba"),
        PYTENSOR_FLAGS=f"base_compiledir={root / 'pytensor'}",
        ENERGYTREND_CACHE_DIR=str(root / "fits"),
        MPLBACKEND="Agg",
    )
    return env


def cold_fits(root: Path, later_runs: int = 3, domain: str = "cv") -> dict[str, float]:
    """First-process and later-process cold ``fit(domain)`` times and the floor, one run.

    Every process imports energytrend and fits ``cv`` with the fit cache off, then fits
    again with another seed (the model is compiled by then): that second fit plus the import
    is the floor, what a cold fit would cost if compiling were free. Medians over
    ``later_runs`` later processes.
    """
    import statistics

    env = _isolated_env(root)
    runs = []
    for _ in range(1 + later_runs):
        out = subprocess.run(
            [sys.executable, "-c", CHILD_FLOOR.replace("{domain}", domain)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    first, later = runs[0], runs[1:]
    floor = statistics.median(r["import"] + r["compiled_fit"] for r in runs)
    later_s = statistics.median(r["import"] + r["fit"] for r in later)
    return {
        "first": first["import"] + first["fit"],
        "later": later_s,
        "later_min": min(r["import"] + r["fit"] for r in later),
        "later_max": max(r["import"] + r["fit"] for r in later),
        "floor": floor,
        "import": statistics.median(r["import"] for r in runs),
        "later_runs": float(later_runs),
    }


def _wall(cmd: list[str], cache: Path) -> float:
    env = {**os.environ, "ENERGYTREND_CACHE_DIR": str(cache), "MPLBACKEND": "Agg"}
    t = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - t


def _min_ess_per_second(tree: object, seconds: float) -> tuple[float, float]:
    from energytrend.inference import diagnostics

    diag = diagnostics.check(tree)  # type: ignore[arg-type]
    ess = float(diag.table["ess_bulk"].min())
    return ess, ess / seconds


def sampler_comparison() -> dict[str, float]:
    """Same model (cv), same settings, same process: min bulk ESS per second of sampling."""
    from energytrend.inference import engine
    from energytrend.model.design import prepare
    from energytrend.model.spec import resolve_spec

    spec = resolve_spec()
    data = prepare("cv").arrays
    settings = engine.SamplerSettings()
    engine.compiled_model(data, spec, "partial")  # compile outside the timing
    t = time.perf_counter()
    nut = engine.sample_nutpie(data, spec, "partial", settings)
    t_nut = time.perf_counter() - t
    engine.sample_pymc(data, spec, "partial", engine.SamplerSettings(draws=10, tune=10))
    t = time.perf_counter()
    ref = engine.sample_pymc(data, spec, "partial", settings)  # compiled C code is cached
    t_pymc = time.perf_counter() - t
    ess_n, rate_n = _min_ess_per_second(nut, t_nut)
    ess_p, rate_p = _min_ess_per_second(ref, t_pymc)
    return {
        "nutpie_seconds": t_nut,
        "nutpie_min_ess": ess_n,
        "nutpie_ess_per_s": rate_n,
        "pymc_seconds": t_pymc,
        "pymc_min_ess": ess_p,
        "pymc_ess_per_s": rate_p,
        "ratio": rate_n / rate_p,
    }


def _synthetic(n_models: int, n_groups: int, seed: int = 0) -> object:
    import numpy as np

    from energytrend.model.arrays import ModelData

    rng = np.random.default_rng(seed)
    group = rng.integers(0, n_groups, n_models)
    group[:n_groups] = np.arange(n_groups)  # every group has a model
    t = rng.uniform(-6, 4, n_models)
    slope = rng.normal(0.25, 0.3, n_groups)
    y = 1.5 + slope[group] * t + rng.normal(0, 0.6, n_models)
    gpu_t = rng.uniform(-8, 3, 32)
    gpu_y = 2.0 + 0.12 * gpu_t + rng.normal(0, 0.15, 32)
    return ModelData(
        groups=tuple(f"d/g{k}" for k in range(n_groups)),
        group_series=np.zeros(n_groups, dtype=int),
        series=("d",),
        obs=tuple(f"m{i}" for i in range(n_models)),
        obs_group=group,
        obs_t=t,
        obs_y=y,
        gpu=tuple(f"gpu{i}" for i in range(32)),
        gpu_series=np.zeros(32, dtype=int),
        gpu_t=gpu_t,
        gpu_y=gpu_y,
        year_origin=2018.0,
    )


def scaling(sizes: list[int], groups: list[int]) -> list[dict[str, float]]:
    """Sampling time (compile reported apart) of synthetic data, default sampler settings,
    on the hierarchical line model (v1's structure, one partially pooled line per group,
    constant scatter): the synthetic groups are lines of their own."""
    from energytrend.inference import diagnostics, engine
    from energytrend.model.spec import V1_PRIORS, resolve_spec

    spec = resolve_spec({**V1_PRIORS, "likelihood": {"scatter": "constant"}})
    settings = engine.SamplerSettings()
    rows = []
    for n_models, n_groups in [(n, 4) for n in sizes] + [(1000, g) for g in groups if g != 4]:
        data = _synthetic(n_models, n_groups)
        t = time.perf_counter()
        engine.compiled_model(data, spec, "partial")  # type: ignore[arg-type]
        compile_s = time.perf_counter() - t
        t = time.perf_counter()
        tree = engine.sample_nutpie(data, spec, "partial", settings)  # type: ignore[arg-type]
        sample_s = time.perf_counter() - t
        diag = diagnostics.check(tree)
        rows.append(
            {
                "models": n_models,
                "groups": n_groups,
                "compile_s": compile_s,
                "sample_s": sample_s,
                "min_ess_bulk": float(diag.table["ess_bulk"].min()),
                "divergences": diag.divergences,
                "steps": float(tree["sample_stats"]["n_steps"].mean()),
            }
        )
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import nutpie
    import pymc

    return (
        f"{len(os.sched_getaffinity(0))} cores ({cpu}){mem}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, PyMC {pymc.__version__}, "
        f"nutpie {nutpie.__version__}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "results" / "benchmark.md"))
    parser.add_argument("--quick", action="store_true", help="skip 10,000 models and 16 groups")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else [100, 1000, 10000]
    groups = [2, 4, 8] if args.quick else [2, 4, 8, 16]

    with tempfile.TemporaryDirectory() as d:
        cache = Path(d) / "cache"
        cold = cold_fits(Path(d) / "isolated")
        cold_all = cold_fits(Path(d) / "isolated_all", domain="all")
        _child(CHILD_CACHED, cache)  # fills the fit cache
        cached = _child(CHILD_CACHED, cache)  # a fresh process that finds it
        # the parts of a later fresh process: compile caches as the cold runs left them
        parts = _child(CHILD_PARTS, Path(d) / "unused", _isolated_env(Path(d) / "isolated"))
        report_cmd = [sys.executable, "-m", "energytrend", "report", "all", "--out"]
        report_cold = _wall([*report_cmd, str(Path(d) / "r1.html")], Path(d) / "cache2")
        report_warm = _wall([*report_cmd, str(Path(d) / "r2.html")], Path(d) / "cache2")
    samplers = sampler_comparison()
    scale = scaling(sizes, groups)

    lines = [
        f"Machine: {machine()}.",
        "",
        "| measurement | seconds | target |",
        "|---|---|---|",
        f'| cold `fit("cv")`, first process on the machine (empty compile caches) | '
        f"{cold['first']:.1f} | |",
        f'| cold `fit("cv")`, a later fresh process (median of {cold["later_runs"]:.0f}; '
        f"{cold['later_min']:.1f}-{cold['later_max']:.1f}) | {cold['later']:.1f} | "
        "<= 2 x floor |",
        f"| floor: import + a fit of an already compiled model | {cold['floor']:.1f} | |",
        f"| **ratio later fresh process / floor** | **{cold['later'] / cold['floor']:.2f}x** "
        "| <= 2 |",
        f"| ratio first process / floor | {cold['first'] / cold['floor']:.2f}x | |",
        f'| cold `fit("all")` (CV and NLP/language), first process on the machine | '
        f"{cold_all['first']:.1f} | |",
        f'| cold `fit("all")`, a later fresh process (median of {cold_all["later_runs"]:.0f}; '
        f"{cold_all['later_min']:.1f}-{cold_all['later_max']:.1f}) | {cold_all['later']:.1f} | "
        "< 60 |",
        f'| floor of `fit("all")` | {cold_all["floor"]:.1f} | |',
        f'| **ratio `fit("all")` later fresh process / floor** | '
        f"**{cold_all['later'] / cold_all['floor']:.2f}x** | <= 2 |",
        "| a later fresh process, in parts: | | |",
        f"| &nbsp;&nbsp; import (PyMC, PyTensor) | {parts['import']:.1f} | |",
        f"| &nbsp;&nbsp; compile (PyTensor graph; numba wrappers from the disk cache) | "
        f"{parts['compile']:.1f} | |",
        f"| &nbsp;&nbsp; sampling alone (4 chains x 2,000 steps) | {parts['sample']:.1f} | |",
        f"| &nbsp;&nbsp; diagnostics | {parts['diagnostics']:.2f} | |",
        f'| cached `fit("cv")`, a later call in the same process | {cached["again"]:.2f} '
        "| <= 0.5 |",
        f'| cached `fit("cv")`, first call in a fresh process (after import) | '
        f"{cached['fit']:.2f} | <= 0.5 |",
        f'| cached `fit("cv")`, fresh process with import | '
        f"{cached['import'] + cached['fit']:.1f} | |",
        f"| ratio cached fresh process (with import) / floor | "
        f"{(cached['import'] + cached['fit']) / cold['floor']:.2f}x | |",
        f"| whole report (`energytrend report all`), fresh process, empty cache | "
        f"{report_cold:.1f} | <= 45 |",
        f"| whole report, fits cached | {report_warm:.1f} | |",
        "",
        "| sampler (cv model, 4 chains x 1,000 draws, same process) | sampling s | min bulk ESS "
        "| ESS/s |",
        "|---|---|---|---|",
        f"| nutpie | {samplers['nutpie_seconds']:.1f} | {samplers['nutpie_min_ess']:.0f} | "
        f"{samplers['nutpie_ess_per_s']:.0f} |",
        f"| PyMC NUTS | {samplers['pymc_seconds']:.1f} | {samplers['pymc_min_ess']:.0f} | "
        f"{samplers['pymc_ess_per_s']:.0f} |",
        f"| **ratio nutpie / PyMC** | | | **{samplers['ratio']:.1f}x** |",
        "",
        "| synthetic models | groups | compile s | sampling s | leapfrog steps per draw "
        "| min bulk ESS | divergences |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {r['models']:,} | {r['groups']} | {r['compile_s']:.1f} | {r['sample_s']:.1f} | "
            f"{r['steps']:.0f} | {r['min_ess_bulk']:.0f} | {r['divergences']} |"
            for r in scale
        ],
    ]
    text = "\n".join(lines) + "\n"
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
