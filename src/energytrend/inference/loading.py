"""From sampled draws to a :class:`~energytrend.inference.result.TrendFit`, and back from a
file: the data tables stored with a fit, the one constructor of a result
(:func:`make_result`, with the diagnostics gate's warning), and :func:`load`."""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from energytrend.data.tables import TableSource
from energytrend.inference import diagnostics
from energytrend.inference.config import FitConfig
from energytrend.inference.persist import arrays_from_tree
from energytrend.inference.result import TrendFit
from energytrend.inference.store import (
    ResultFileError,
    dataset_to_frame,
    frame_to_dataset,
    json_attr,
    read_result,
    stored_frame,
)
from energytrend.model.arrays import ModelData
from energytrend.model.design import PreparedData, prepare
from energytrend.model.parts import model_parts
from energytrend.model.spec import diff_specs, digest, resolve_spec

MODEL_COLUMNS = (
    "domain",
    "group",
    "line",
    "model",
    "label",
    "release_date",
    "year",
    "gflops",
    "compute",
    "input_tokens",
    "accuracy",
    "extra_data",
    "architecture",
    "frontier",
    "source",
    "log10_gflops_sd",
)
GPU_COLUMNS = (
    "domain",
    "gpu",
    "precision",
    "label",
    "adapted",
    "tflops",
    "watts",
    "launch_date",
    "type",
    "gflops_per_watt",
    "year",
)


def attach_data(tree: xr.DataTree, prepared: PreparedData) -> xr.DataTree:
    """``tree`` with the tables the model saw (as :func:`stored_frame` keeps them) in the
    ``energytrend_data`` group, the time origin, and which tables were the user's own."""
    models, gpus = fit_tables(prepared)
    tree = tree.copy()
    tree["energytrend_data"] = xr.DataTree(
        children={
            "models": xr.DataTree(frame_to_dataset(models, "obs", list(prepared.arrays.obs))),
            "gpus": xr.DataTree(frame_to_dataset(gpus, "point", list(prepared.arrays.gpu))),
        }
    )
    tree.attrs["year_origin"] = prepared.arrays.year_origin
    # which tables were the user's own: load checks against the shipped data only when none
    tree.attrs["own_tables"] = json.dumps(list(prepared.own_tables))
    return tree


def fit_tables(prepared: PreparedData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The model and GPU tables of a fit, with the columns and types a result holds."""
    models = stored_frame(prepared.models.reindex(columns=list(MODEL_COLUMNS)))
    gpus = stored_frame(prepared.gpus.reindex(columns=list(GPU_COLUMNS)))
    return models, gpus


def make_result(
    tree: xr.DataTree,
    config: FitConfig,
    diag: diagnostics.Diagnostics | None = None,
    tables: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> TrendFit:
    """The one place a :class:`TrendFit` is built: from a complete tree (posterior, data
    groups, PyMC's groups), with the diagnostics computed here unless given, and the tables
    read from the tree unless given."""
    if diag is None:
        diag = diagnostics.check(tree)
    if tables is None:
        data = tree["energytrend_data"]
        tables = (
            dataset_to_frame(data["models"].to_dataset()),
            dataset_to_frame(data["gpus"].to_dataset()),
        )
    result = TrendFit(
        idata=tree,
        config=config,
        models=tables[0],
        gpus=tables[1],
        diagnostics=diag,
        parts=model_parts(config.spec, arrays_from_tree(tree)),
    )
    if not diag.passed:
        warnings.warn(
            f"fit of {config.domain!r} failed its diagnostics: "
            + "; ".join(diag.failures)
            + ". Increase tune/draws or target_accept, or revisit the priors.",
            diagnostics.DiagnosticsWarning,
            stacklevel=3,
        )
    return result


#: The tables a fit takes from the user: their names (as in :func:`energytrend.datasets`) and
#: the keyword of :func:`energytrend.model.design.prepare` each becomes.
TABLE_ARGUMENTS = {
    "cv_models": "cv_models",
    "nlp_models": "nlp_models",
    "gpus": "gpus",
    "inference_throughput": "throughput",
    "language_models": "language_models",
}


def table_arguments(tables: Mapping[str, TableSource] | None) -> dict[str, TableSource]:
    """The keyword arguments of :func:`~energytrend.model.design.prepare` for a user's
    ``tables`` (``{name: CSV path or DataFrame}``); an unknown name is refused."""
    unknown = sorted(set(tables or {}) - set(TABLE_ARGUMENTS))
    if unknown:
        raise ValueError(
            f"tables: unknown table name(s) {unknown}; a fit takes {', '.join(TABLE_ARGUMENTS)}"
        )
    return {TABLE_ARGUMENTS[k]: v for k, v in (tables or {}).items() if v is not None}


def load(
    path: str | Path,
    *,
    verify: bool = True,
    priors: Mapping[str, Any] | None = None,
    tables: Mapping[str, TableSource] | None = None,
) -> TrendFit:
    """Load a result saved by :meth:`TrendFit.save`.

    A saved result carries the data it was fitted to, so ``load(path)`` alone works for any
    fit, of the shipped tables or of your own.

    The file's content hash is always re-checked: a file in which anything changed since it
    was written (the posterior included) is refused, naming what changed. With
    ``verify=True`` (default) the file is also compared with the data it should describe:

    * a fit of a named dataset (``data=``, see :func:`energytrend.data.datasets`) is compared
      with that dataset as shipped now;
    * a fit of your own tables is compared only with the ``tables`` you pass here (the same
      ``{name: path or DataFrame}`` you passed to :func:`energytrend.fit`);

    and with the specification ``priors`` gives (default: the prior overrides the fit was
    made with, on today's ``models/priors.toml``). Any difference raises
    :class:`ResultFileError` saying what differs and what to pass.

    Raises:
        ResultFileError: naming ``path``: missing, unreadable, not a result, modified, or
            made from other data or another specification than expected.

    Examples:
        >>> import energytrend as et, tempfile, pathlib
        >>> path = et.fit("cv").save(pathlib.Path(tempfile.mkdtemp()) / "cv.nc")
        >>> et.load(path).config.domain
        'cv'
    """
    path = Path(path)
    tree, config, stored = read_fit(path)
    spec, arrays = config.spec, arrays_from_tree(tree)
    own = tuple(json.loads(tree.attrs.get("own_tables", "[]")))
    given = table_arguments(tables)
    if verify:
        # without priors=, the file's own overrides on today's models/priors.toml: a fit with
        # custom priors loads on its own, and a changed default is still noticed
        overrides = priors if priors is not None else json.loads(tree.attrs.get("priors", "{}"))
        problems = [f"specification {d}" for d in diff_specs(spec, resolve_spec(overrides))]
        if not own or given:
            # a fit of a named dataset is compared with that dataset (any table passed
            # replaces the dataset's); a fit of your own tables only with the tables passed
            expected = prepare(
                config.domain,
                data=config.data,
                **given,
                rule=dict(config.rules),
                per_token=config.per_token,
                selection=config.selection,
                year_origin=float(tree.attrs["year_origin"]),
                spec=spec,
            )
            problems = _data_differences(arrays, expected.arrays) + problems
        if problems:
            raise ResultFileError(
                f"{path} was made from other data or another specification "
                "than expected:\n  "
                + "\n  ".join(problems[:20])
                + "\n"
                + _hint(own, given, config.data),
                path,
            )
    # verify=False trusts the diagnostics computed when the file was written; a file
    # handed in to be checked has them recomputed from its draws
    return make_result(tree, config, None if verify else stored)


def read_fit(
    path: Path,
) -> tuple[xr.DataTree, FitConfig, diagnostics.Diagnostics | None]:
    """The tree of a saved fit (its content hash, data and specification hashes checked),
    its configuration, and the diagnostics stored with it (taken out of the tree).

    Raises:
        ResultFileError: naming ``path``, as :func:`load`.
    """
    tree = read_result(path)
    spec = json_attr(tree, "spec")
    config = FitConfig.from_json(json_attr(tree, "config"), spec)
    if (
        digest(arrays_from_tree(tree).fingerprint()) != tree.attrs["data_hash"]
        or digest(spec) != tree.attrs["spec_hash"]
    ):
        raise ResultFileError(
            f"{path}: its data or specification no longer match the hashes "
            "stored with it; the file was modified or is corrupt",
            path,
        )
    stored = tree.children.get(diagnostics.GROUP)
    if stored is None:
        return tree, config, None
    del tree[diagnostics.GROUP]
    return tree, config, diagnostics.from_dataset(stored.to_dataset())


def _hint(own: tuple[str, ...], given: Mapping[str, object], data: str) -> str:
    """What to pass to :func:`load` when the comparison found differences."""
    if own:
        names = ", ".join(f"{t!r}: ..." for t in own)
        return (
            f"The fit was made from your own {', '.join(own)}; to check it pass the same "
            f"tables (tables={{{names}}}), or load it with verify=False (its content hash "
            "still protects it); pass priors=... if it was fitted with other priors."
        )
    if given:
        return (
            f"The fit was made from the shipped dataset {data!r}; load it without the tables "
            "you passed to compare with those, or with verify=False."
        )
    return (
        f"The fit was made from the shipped dataset {data!r} of another version of "
        "energytrend, or with other priors: pass priors=... as when fitting, or load it with "
        "verify=False to use it as it is."
    )


def _data_differences(saved: ModelData, expected: ModelData) -> list[str]:
    out = []
    for name, mine, theirs in (
        ("models", saved.obs, expected.obs),
        ("GPU points", saved.gpu, expected.gpu),
    ):
        only_saved = sorted(set(mine) - set(theirs))
        only_expected = sorted(set(theirs) - set(mine))
        if only_saved:
            out.append(f"{name} only in the file: {', '.join(only_saved[:5])}")
        if only_expected:
            out.append(f"{name} missing from the file: {', '.join(only_expected[:5])}")
    if not out:
        for name, point_labels, a, b in (
            ("log10 GFLOPs", saved.obs, saved.obs_y, expected.obs_y),
            ("dates", saved.obs, saved.obs_t, expected.obs_t),
            ("log10 GFLOPS/W", saved.gpu, saved.gpu_y, expected.gpu_y),
            ("GPU dates", saved.gpu, saved.gpu_t, expected.gpu_t),
        ):
            changed = [
                lab for lab, x, y in zip(point_labels, a, b, strict=True) if not np.isclose(x, y)
            ]
            if changed:
                out.append(f"{name} differ for {', '.join(changed[:5])}")
    return out
