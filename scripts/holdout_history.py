"""Write the confirmatory scorings made before freezing existed into results/holdout_log.csv.

The late backtest origins (2021 on) were scored five times while the model changed between
the scorings (issue 22). This script reads each of those commits' results/backtest_coverage.csv
from git and logs the shipped model's late scores, so that the log counts every use of the
confirmatory set. Run from a checkout with its history: python scripts/holdout_history.py
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from energytrend.studies.freeze import LOG_FILE, log_scoring, read_log, scores_of

#: The commits that scored the late origins, oldest first (issue 22 lists them).
COMMITS = ("88bbb4b", "1afb843", "14e86f5", "5dcaa7e", "0940dca")
REPO = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout


def main() -> int:
    results = REPO / "results"
    if len(read_log(results)):
        print(f"{results / LOG_FILE} already has rows; nothing written", file=sys.stderr)
        return 1
    for commit in COMMITS:
        date = dt.date.fromisoformat(
            _git("log", "-1", "--format=%ad", "--date=short", commit).strip()
        )
        subject = _git("log", "-1", "--format=%s", commit).strip()
        coverage = pd.read_csv(io.StringIO(_git("show", f"{commit}:results/backtest_coverage.csv")))
        late = coverage[(coverage["set"] == "late") & (coverage["model"] == "v2")]
        scores = scores_of(late)
        points = pd.read_csv(io.StringIO(_git("show", f"{commit}:results/backtest_points.csv")))
        origins = points.loc[points["origin"] >= 2021.0, "origin"].unique().tolist()
        record = {"freeze_hash": "none: scored before freezing existed"}
        note = f"commit {commit}: {subject[:120]}"
        log_scoring(results, record, {"late": sorted(origins)}, scores, note=note, today=date)
        print(f"logged {commit} ({date}): {json.dumps(scores)[:100]}...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
