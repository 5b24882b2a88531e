"""Freeze before you score: the confirmatory (late) backtest origins may be scored only with a
specification whose hashes were recorded first, and every scoring is logged.

* :func:`freeze` writes ``freeze.json`` to a results folder: the SHA-256 of the resolved
  specification (``models/priors.toml`` with any overrides), of the model code (the model
  parts' sources, :mod:`energytrend.model`), of the shipped data tables and of the lock
  file, with the date and one hash of them all (the *freeze hash*).
* :func:`check_frozen` compares today's hashes with the freeze and raises
  :class:`FreezeError`, naming what differs, when any does.
* :func:`log_scoring` appends one row per confirmatory scoring to ``holdout_log.csv``: the
  date, the freeze hash, the origins and the scores. Rows are only ever appended.

Re-freezing is allowed: it appends a row of its own to the log (no scores, a note naming the
freeze it replaces), so the log shows that the confirmatory set may be used again;
:func:`times_scored` counts the scorings only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from energytrend.data.tables import shipped_path
from energytrend.inference.store import atomic_path
from energytrend.model.spec import resolve_spec

FREEZE_FILE = "freeze.json"
LOG_FILE = "holdout_log.csv"
#: Columns of the scoring log.
LOG_COLUMNS = ["date", "freeze_hash", "origins", "scores", "note"]

#: Where the model code lives: the model parts and the builder.
MODEL_PACKAGE = Path(__file__).resolve().parents[1] / "model"


class FreezeError(ValueError):
    """The specification, model code, data or lock file differ from the freeze (or there
    is no freeze): a confirmatory scoring is refused."""


def _sha256(chunks: list[bytes]) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(hashlib.sha256(chunk).digest())
    return h.hexdigest()


def _files(folder: Path, pattern: str) -> list[bytes]:
    """Each file's relative path and bytes, in a stable order."""
    out = []
    for path in sorted(folder.rglob(pattern)):
        out += [path.relative_to(folder).as_posix().encode(), path.read_bytes()]
    return out


def specification_hashes(priors: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The SHA-256 of what a forecast depends on: ``spec`` (the resolved specification,
    overrides included), ``model_code`` (the sources of :mod:`energytrend.model`), ``data``
    (every shipped data file) and ``lock`` (``requirements.lock``; ``"absent"`` outside a
    checkout).

    Examples:
        >>> sorted(specification_hashes())
        ['data', 'lock', 'model_code', 'spec']
    """
    spec = json.dumps(resolve_spec(priors), sort_keys=True).encode()
    lock = shipped_path("models").parent / "requirements.lock"
    return {
        "spec": _sha256([spec]),
        "model_code": _sha256(_files(MODEL_PACKAGE, "*.py")),
        "data": _sha256(_files(shipped_path("data"), "*.csv")),
        "lock": _sha256([lock.read_bytes()]) if lock.is_file() else "absent",
    }


def _freeze_hash(hashes: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(hashes), sort_keys=True).encode()).hexdigest()


def freeze(
    results: str | Path = "results",
    *,
    priors: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Record the specification's hashes in ``results/freeze.json`` (atomically) and return
    what was written: ``date``, ``hashes``, ``freeze_hash`` and the ``priors`` overrides."""
    hashes = specification_hashes(priors)
    path = Path(results) / FREEZE_FILE
    before = read_freeze(results) if path.is_file() else None
    record = {
        "date": (today or dt.date.today()).isoformat(),
        "hashes": hashes,
        "freeze_hash": _freeze_hash(hashes),
        "priors": dict(priors or {}),
    }
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if before is not None and before["freeze_hash"] != record["freeze_hash"]:
        # a re-freeze is logged: the confirmatory set may then be scored again
        log_scoring(
            results, record, {}, {},
            note=f"re-frozen, replacing the freeze {str(before['freeze_hash'])[:12]} of "
            f"{before['date']}; not a scoring",
            today=today,
        )  # fmt: skip
    return record


def read_freeze(results: str | Path = "results") -> dict[str, Any]:
    """The record :func:`freeze` wrote.

    Raises:
        FreezeError: there is none.
    """
    path = Path(results) / FREEZE_FILE
    if not path.is_file():
        raise FreezeError(
            f"{path} does not exist: freeze the specification first ('energytrend freeze', "
            "or energytrend.studies.freeze.freeze()), then score the confirmatory origins"
        )
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record


def check_frozen(results: str | Path = "results") -> dict[str, Any]:
    """The freeze record, when today's hashes equal it.

    Raises:
        FreezeError: no freeze, or what differs from it (spec, model code, data, lock).
    """
    record = read_freeze(results)
    now = specification_hashes(record.get("priors") or None)
    differ = [k for k in sorted(now) if record["hashes"].get(k) != now[k]]
    if differ:
        raise FreezeError(
            f"the {', '.join(differ)} differ(s) from the freeze of {record['date']} "
            f"({Path(results) / FREEZE_FILE}): the confirmatory origins are scored only with "
            "the frozen specification. Undo the change, or re-freeze ('energytrend freeze'); "
            "the log will then show that the confirmatory set was used again."
        )
    return record


def read_log(results: str | Path = "results") -> pd.DataFrame:
    """Every logged scoring (no rows when there is no log yet)."""
    path = Path(results) / LOG_FILE
    if not path.is_file():
        return pd.DataFrame(columns=LOG_COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def log_scoring(
    results: str | Path,
    record: Mapping[str, Any],
    origins: Mapping[str, Any],
    scores: Mapping[str, Any],
    *,
    note: str = "",
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Append one row for one confirmatory scoring to ``results/holdout_log.csv`` (the old
    rows are kept as they are; the file is replaced atomically) and return the log."""
    log = read_log(results)
    row = {
        "date": (today or dt.date.today()).isoformat(),
        "freeze_hash": str(record["freeze_hash"]),
        "origins": json.dumps(dict(origins), sort_keys=True),
        "scores": json.dumps(dict(scores), sort_keys=True),
        "note": note,
    }
    out = pd.concat([log, pd.DataFrame([row], columns=LOG_COLUMNS)], ignore_index=True)
    with atomic_path(Path(results) / LOG_FILE) as tmp:
        out.to_csv(tmp, index=False)
    return out


def scores_of(coverage: pd.DataFrame) -> dict[str, dict[str, int | float]]:
    """What the log keeps of a backtest coverage table: per ``model/series``, pooled over the
    origins and horizons, the number of distinct points, the 50% and 90% coverage, the mean
    PIT and the CRPS (those the table has)."""
    c = coverage[(coverage["bucket"] == "all") & coverage["coverage_90"].notna()]
    if "origin" in c:
        c = c[c["origin"].isna()]
    out = {}
    for r in c.to_dict("records"):
        row: dict[str, int | float] = {"n": int(r["n_distinct"])}
        for col in ("coverage_50", "coverage_90", "mean_pit", "crps"):
            if col in r:
                row[col] = round(float(r[col]), 4)
        out[f"{r['model']}/{r['series']}"] = row
    return out


def times_scored(results: str | Path = "results") -> int:
    """How many times the confirmatory set has been scored (rows of the log with scores; a
    re-freeze's row has none)."""
    return int(is_scoring(read_log(results)).sum())


def is_scoring(log: pd.DataFrame) -> pd.Series:
    """Which rows of the log are scorings (a re-freeze's row has no scores)."""
    return log["scores"].astype(str) != "{}"
