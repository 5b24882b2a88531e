"""Extract the power-measured runs of one MLPerf Inference results repository into a raw CSV.

Reads a local bare git copy of ``github.com/mlcommons/inference_results_vX.Y`` (no network) and
writes one row per power-measured run (``.../performance/run_1/spl.txt``):

* ``throughput`` and ``tokens_per_second``: the first matching line of the run's
  ``mlperf_log_summary.txt`` ('Samples per second' / 'Completed samples per second';
  'Tokens per second' / 'Completed tokens per second', with or without '(inferred)').
* ``latency_ns``: 'Mean latency (ns)', for SingleStream/MultiStream runs only (latency-bound).
* ``mean_system_watts``: mean of the total ``Watts`` field of ``spl.txt`` (1 Hz wall-power
  samples, all channels) between ``power_begin`` and ``power_end`` of ``mlperf_log_detail.txt``.
* ``effective_scenario`` and ``result_query_count`` from ``mlperf_log_detail.txt``.
* accelerator fields from the submission's ``systems/<system>.json``.

Usage: python scripts/extract_mlperf_power.py GIT_DIR ROUND ROUND_DATE OUT.csv HEADER.txt
(the header file holds the ``#`` provenance lines, written verbatim before the table).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path

FMT = "%m-%d-%Y %H:%M:%S.%f"


def _git(gd: str, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", gd, *args], check=True, capture_output=True, text=True
    ).stdout


def _first(pattern: str, text: str) -> str:
    m = re.search(pattern, text, flags=re.MULTILINE)
    return m.group(1).strip() if m else ""


def main(gd: str, rnd: str, round_date: str, out: str, header: str) -> None:
    commit = _git(gd, "rev-parse", "HEAD").strip()
    files = _git(gd, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    runs = sorted(f[: -len("/spl.txt")] for f in files if f.endswith("performance/run_1/spl.txt"))
    rows = []
    for run in runs:
        parts = run.split("/")
        division, submitter, _, system, benchmark, scenario = parts[:6]
        summary = _git(gd, "show", f"{commit}:{run}/mlperf_log_summary.txt")
        detail = _git(gd, "show", f"{commit}:{run}/mlperf_log_detail.txt")
        spl = _git(gd, "show", f"{commit}:{run}/spl.txt")
        begin = _first(r'"key": "power_begin", "value": "([^"]+)"', detail)
        end = _first(r'"key": "power_end", "value": "([^"]+)"', detail)
        t0, t1 = dt.datetime.strptime(begin, FMT), dt.datetime.strptime(end, FMT)
        watts = []
        for rec in csv.reader(io.StringIO(spl)):
            if len(rec) > 3 and rec[0] == "Time" and rec[2] == "Watts":
                t = dt.datetime.strptime(rec[1], FMT)
                if t0 <= t <= t1:
                    watts.append(float(rec[3]))
        metric = ""
        thr = ""
        for name in ("Samples per second", "Completed samples per second"):
            v = _first(rf"^{name}\s*:\s*([0-9.eE+-]+)", summary)
            if v:
                metric, thr = name, v
                break
        tok_re = r"^(?:Completed )?[Tt]okens per second(?: \(inferred\))?\s*:\s*([0-9.eE+-]+)"
        tok = _first(tok_re, summary)
        lat = ""
        if scenario.lower() in ("singlestream", "multistream"):
            lat = _first(r"^Mean latency \(ns\)\s*:\s*([0-9.eE+-]+)", summary)
        sys_path = f"{commit}:{division}/{submitter}/systems/{system}.json"
        sysj = json.loads(_git(gd, "show", sys_path))
        rows.append(
            {
                "round": rnd,
                "round_date": round_date,
                "division": division,
                "submitter": submitter,
                "system": system,
                "system_name": sysj.get("system_name", ""),
                "system_type": sysj.get("system_type", ""),
                "accelerator_model_name": sysj.get("accelerator_model_name", ""),
                "accelerators_per_node": sysj.get("accelerators_per_node", ""),
                "number_of_nodes": sysj.get("number_of_nodes", ""),
                "benchmark": benchmark,
                "scenario": scenario,
                "valid": _first(r"^Result is\s*:\s*(\S+)", summary),
                "throughput_metric": metric,
                "throughput": thr,
                "tokens_per_second": tok,
                "latency_ns": lat,
                "effective_scenario": _first(
                    r'"key": "effective_scenario", "value": "([^"]+)"', detail
                ),
                "result_query_count": _first(
                    r'"key": "result_query_count", "value": (\d+)', detail
                ),
                "power_window_start": begin,
                "power_window_end": end,
                "n_power_samples": len(watts),
                "mean_system_watts": f"{sum(watts) / len(watts):.2f}" if watts else "",
                "source_dir": run,
            }
        )
    with Path(out).open("w", encoding="utf-8", newline="") as fh:
        fh.write(Path(header).read_text(encoding="utf-8"))
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main(*sys.argv[1:6])
