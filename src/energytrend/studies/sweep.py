"""Run many independent fits in parallel: on the local cores, or on a Dask cluster.

Simulation-based calibration, backtests and sensitivity sweeps are lists of independent
tasks. :func:`run_tasks` maps a module-level function over them:

* by default on a pool of local worker processes (one per core, started with ``spawn`` so
  that no thread state is forked). Each worker compiles every model structure once and
  serves its later tasks from :mod:`energytrend.inference.engine`'s cache, and each task samples its
  chains on one core, so ``n`` workers keep ``n`` cores busy;
* with ``client=`` (a ``dask.distributed.Client``) on the client's cluster, where the same
  holds per Dask worker process.

Tasks and results must be picklable plain data (dataclasses, arrays, DataFrames); results
come back in the order of the tasks, and a task that raises re-raises here.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from energytrend.inference.engine import limit_cores


def default_workers() -> int:
    """Worker processes used when none are asked for: one per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_tasks[T, R](
    func: Callable[[T], R],
    tasks: Sequence[T],
    *,
    client: Any | None = None,
    workers: int | None = None,
) -> list[R]:
    """``[func(t) for t in tasks]``, in parallel.

    Args:
        func: a module-level (importable) function of one task.
        tasks: the tasks, plain picklable data.
        client: a ``dask.distributed.Client``; when given, the tasks run on its cluster.
        workers: local worker processes (default :func:`default_workers`); ``1`` runs the
            tasks in this process, one after another.
    """
    tasks = list(tasks)
    if client is not None:
        futures = client.map(func, tasks, pure=False)
        return list(client.gather(futures))
    n = default_workers() if workers is None else int(workers)
    if n < 1:
        raise ValueError(f"workers must be >= 1, got {workers!r}")
    if n == 1 or len(tasks) <= 1:
        return [func(t) for t in tasks]
    try:
        with ProcessPoolExecutor(
            max_workers=min(n, len(tasks)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=limit_cores,
            initargs=(1,),
        ) as pool:
            return list(pool.map(func, tasks))
    except BrokenProcessPool as e:
        raise RuntimeError(
            "a worker process died before finishing its tasks. If this was called from a "
            'script, put the call under `if __name__ == "__main__":` (worker processes '
            "import the script again); if memory ran out, pass fewer workers; "
            "workers=1 runs everything in this process"
        ) from e
