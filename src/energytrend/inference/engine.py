"""Compile a model once, sample it many times with new data.

Compiling the model's log-density with numba is most of a cold fit's time, several times its
sampling time (docs/performance.md measures both). This module keeps every compiled model
for the life of the process, keyed by the model's *structure* (specification, pooling, groups
and series), and serves each new fit with
``CompiledModel.with_data``: refits on other data of the same structure (frontier rules,
cut-off years, simulation-based calibration, sweeps) skip compilation entirely. Across
processes, :mod:`energytrend.inference.fastcompile` keeps nutpie's numba wrappers in numba's disk
cache, so a fresh process after the first loads them instead of compiling them.

Only the number of groups and series is fixed by the structure: the number of models and GPU
points may change between calls, because no sampled quantity has a per-observation dimension
(per-model energies are computed after sampling, see :func:`with_data_groups`).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm
import xarray as xr

from energytrend.model.arrays import ModelData, Pooling
from energytrend.model.build import build_model
from energytrend.model.compute import KNOT_NAMES, bend_spacing, has_bends
from energytrend.model.draws import Draws
from energytrend.model.parts import model_parts
from energytrend.model.spec import Spec, digest

#: PyTensor flags under which energytrend compiles every model. ``numba__fastmath`` is
#: PyTensor's default (True) lets LLVM reassociate and contract floating-point arithmetic,
#: so the same seed gave other draws on another CPU, or with kernels compiled fresh rather
#: than loaded from PyTensor's disk cache (NUTS turns a last-bit difference into another
#: chain). With it off the draws are bit-identical across those cases; sampling speed is the
#: same within noise (docs/performance.md).
NUMERIC_FLAGS: dict[str, Any] = {"numba__fastmath": False}


@contextlib.contextmanager
def numerics() -> Iterator[None]:
    """Compile PyTensor graphs under :data:`NUMERIC_FLAGS` within this block only (the
    caller's own PyTensor settings are restored afterwards)."""
    from pytensor.configdefaults import config

    with config.change_flags(**NUMERIC_FLAGS):
        yield


#: Compiled models kept per process (each holds a few MB of machine code).
MAX_COMPILED = 16

_COMPILED: OrderedDict[str, Any] = OrderedDict()
_LOCK = threading.Lock()

#: Names of the model's data containers, all swapped by :meth:`CompiledModel.with_data`.
DATA_NAMES = ("obs_group", "obs_t", "obs_y", "gpu_series", "gpu_t", "gpu_y", "group_series")


@dataclass(frozen=True)
class SamplerSettings:
    """NUTS settings of one run."""

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    seed: int = 2021
    target_accept: float = 0.99
    cores: int | None = None  # default: min(chains, CPUs)

    @property
    def n_cores(self) -> int:
        return self.cores or min(self.chains, _MAX_CORES or os.cpu_count() or 1)


_MAX_CORES: int | None = None

#: How often the waiting thread looks whether the chains are done (an interrupt is seen
#: within this time).
POLL_SECONDS = 0.05


def limit_cores(n: int | None) -> None:
    """Cap the cores one fit's chains use in this process (``None``: all). Worker processes
    of a parallel sweep set 1, so that ``n`` workers keep ``n`` cores busy."""
    global _MAX_CORES
    _MAX_CORES = n


def structure_key(data: ModelData, spec: Spec, pooling: Pooling) -> str:
    """What the compiled code depends on: everything but the data values and their count
    (the number of changepoint knots is a number of parameters, and whether speed-ups and
    MLPerf runs are present adds likelihood terms)."""
    shape = [
        data.eff_knot_t.size,
        np.unique(data.sp_series).tolist(),
        bool(data.real_y.size),
        bool(data.obs_sd.size),
        np.bincount(data.line_knots(bend_spacing(spec))[0], minlength=len(data.domains)).tolist(),
    ]
    return digest(spec, pooling, list(data.groups), list(data.series), shape)[:32]


def data_names(data: ModelData, spec: Spec, pooling: Pooling) -> tuple[str, ...]:
    """The ``pm.Data`` names of the model built for ``data``, ``spec`` and ``pooling``."""
    names: tuple[str, ...] = DATA_NAMES + (("obs_sd",) if data.obs_sd.size else ())
    quantile = spec["structure"]["kind"] == "quantile"
    widening = spec["likelihood"].get("scatter", "constant") == "widening"
    if quantile and (pooling == "none" or len(data.domains) == 1 or widening):
        names += ("line_centre",)
    if quantile and widening:
        names += ("line_first", "line_last")
    if has_bends(spec, data):
        names += KNOT_NAMES
    if quantile and spec["structure"].get("frontier", "scatter") == "regression":
        names += ("front_centre", "front_y")
    if spec["efficiency"]["kind"] != "precision":
        return names
    extra: tuple[str, ...] = ("gpu_server", "eff_knot_series", "eff_knot_t", "eff_last_t")
    extra += ("eff_centre",)
    extra += ("sp_y",) if data.sp_y.size else ()
    extra += ("real_y",) if data.real_y.size else ()
    return names + extra


def compiled_model(data: ModelData, spec: Spec, pooling: Pooling) -> Any:
    """The nutpie-compiled model for ``data``'s structure, with ``data`` swapped in.

    The first call for a structure compiles (seconds); later calls reuse the machine code.
    """
    key = structure_key(data, spec, pooling)
    with _LOCK:
        compiled = _COMPILED.get(key)
        if compiled is None:
            with numerics():
                compiled = compile_model(build_model(data, spec, pooling))
            _COMPILED[key] = compiled
            while len(_COMPILED) > MAX_COMPILED:
                _COMPILED.popitem(last=False)
        _COMPILED.move_to_end(key)
    names = data_names(data, spec, pooling)
    knots = dict(zip(KNOT_NAMES, data.line_knots(bend_spacing(spec)), strict=True))
    return compiled.with_data(
        **{name: knots.get(name, getattr(data, name, None)) for name in names}
    )


def compile_model(model: pm.Model) -> Any:
    """Compile ``model`` for nutpie with numba wrappers cached on disk
    (:mod:`energytrend.inference.fastcompile`: same draws, seconds faster in every later
    process), or with nutpie's own compiler, with a warning, if that fails."""
    import nutpie

    from energytrend.inference.fastcompile import compile_pymc_model

    try:
        return compile_pymc_model(model)
    except Exception as e:  # any failure of the cached path: nutpie's own still works
        warnings.warn(
            f"cached numba wrappers unavailable ({type(e).__name__}: {e}); "
            "compiling with nutpie's own wrappers",
            RuntimeWarning,
            stacklevel=2,
        )
        return nutpie.compile_pymc_model(model)


def n_compiled() -> int:
    """How many compiled models this process holds (for tests and benchmarks)."""
    return len(_COMPILED)


def clear_compiled() -> None:
    """Forget every compiled model (the next fit of each structure compiles again)."""
    with _LOCK:
        _COMPILED.clear()


def sample_nutpie(
    data: ModelData,
    spec: Spec,
    pooling: Pooling,
    settings: SamplerSettings,
    progressbar: bool = False,
) -> xr.DataTree:
    """Sample the model of ``data`` with nutpie, compiling only if its structure is new.

    The chains run in nutpie's threads while this one waits in short sleeps, so an interrupt
    (Ctrl-C) is seen at once: sampling is cancelled and :class:`KeyboardInterrupt` raised,
    never a partial trace (nutpie's own blocking call would return the draws so far, or
    none, as if they were a fit).
    """
    import nutpie

    sampler = nutpie.sample(
        compiled_model(data, spec, pooling),
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=settings.n_cores,
        seed=settings.seed,
        target_accept=settings.target_accept,
        progress_bar=progressbar,
        save_warmup=False,
        blocking=False,
    )
    try:
        while not _finished(sampler):
            time.sleep(POLL_SECONDS)
        tree: xr.DataTree = sampler.wait()
    except KeyboardInterrupt:
        sampler.cancel()
        raise
    return with_data_groups(tree, data, spec)


def _finished(sampler: Any) -> bool:
    """Whether nutpie's background sampler is done (its ``is_finished`` raises
    ``TimeoutError`` while the chains run)."""
    try:
        return bool(sampler.is_finished)
    except TimeoutError:
        return False


def sample_pymc(
    data: ModelData,
    spec: Spec,
    pooling: Pooling,
    settings: SamplerSettings,
    progressbar: bool = False,
) -> xr.DataTree:
    """Sample with PyMC's own NUTS (the reference sampler; slower, see the benchmarks)."""
    with numerics():
        tree: xr.DataTree = pm.sample(
            model=build_model(data, spec, pooling),
            draws=settings.draws,
            tune=settings.tune,
            chains=settings.chains,
            cores=settings.n_cores,
            random_seed=settings.seed,
            nuts_sampler="pymc",
            target_accept=settings.target_accept,
            progressbar=progressbar,
            compute_convergence_checks=False,
        )
    return with_data_groups(tree, data, spec)


def with_data_groups(tree: xr.DataTree, data: ModelData, spec: Spec) -> xr.DataTree:
    """Attach ``constant_data`` and ``observed_data`` from ``data`` and add the per-model
    energies ``log10_joules[obs] = log10 GFLOPs - efficiency at the model's date``, draw by
    draw, to the posterior (on the efficiency series of its group: the domain's adapted
    series in v1, the precision in use at the domain's last model in the precision model, a
    server part)."""
    obs, gpu, group = {"obs": list(data.obs)}, {"gpu": list(data.gpu)}, {"group": list(data.groups)}
    constant = xr.Dataset(
        {
            "obs_group": ("obs", data.obs_group),
            "obs_t": ("obs", data.obs_t),
            "gpu_series": ("gpu", data.gpu_series),
            "gpu_t": ("gpu", data.gpu_t),
            "group_series": ("group", data.group_series),
        },
        coords={**obs, **gpu, **group},
    )
    for name in ModelData.EXTRA:
        values = getattr(data, name)
        if values.size:
            dim = {"gpu_server": "gpu", "obs_sd": "obs"}.get(name, f"{name}_dim")
            constant[name] = (dim, values)
    observed = xr.Dataset(
        {"log10_gflops": ("obs", data.obs_y), "log10_gflops_per_watt": ("gpu", data.gpu_y)},
        coords={**obs, **gpu},
    )
    # the efficiency part's other observations, named and dimensioned as in the model (and
    # so as in log_likelihood and posterior_predictive)
    parts = model_parts(spec, data)
    if parts.efficiency.kind == "precision" and data.sp_y.size:
        observed["log10_speedup_fraction"] = xr.DataArray(
            data.sp_y, dims="speedup", coords={"speedup": data.coords["speedup"]}
        )
    if getattr(parts.compute, "regression", False):
        # the frontier's quantile regression observes the same models (its own variable)
        observed["log10_gflops_frontier"] = ("obs", data.obs_y)
    if parts.realisation is not None:
        observed["log10_realisation"] = xr.DataArray(
            data.real_y, dims="mlperf", coords={"mlperf": data.coords["mlperf"]}
        )
    posterior = tree["posterior"].to_dataset()
    obs_series = data.group_series[data.obs_group]
    efficiency = parts.efficiency.mean(Draws(posterior), obs_series, data.obs_t, 1.0)
    shape = (posterior.sizes["chain"], posterior.sizes["draw"], -1)
    joules = np.asarray(data.obs_y)[None, None, :] - efficiency.reshape(shape)
    posterior["log10_joules"] = xr.DataArray(joules, dims=("chain", "draw", "obs"), coords=obs)
    out = tree.copy()
    out["posterior"] = xr.DataTree(posterior)
    out["constant_data"] = xr.DataTree(constant)
    out["observed_data"] = xr.DataTree(observed)
    return out
