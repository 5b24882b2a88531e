"""The serving model (``energytrend.query_energy``) against what is public: the MLPerf LLM
power runs and the published 2025 per-query figures; its calibration on the earlier MLPerf
round checked on the later one; and the per-query bands the docs show.

Writes, in ``--out`` (default ``results``):

* ``serving_mlperf.csv``: one row per MLPerf run, measured J per sample at the server's wall,
  the priors' 90% band at the ``server`` boundary, inside or not; and the median with the KV
  cache counted at the model's full width (``d_model``), as before ``kv_dim`` was read;
* ``serving_calibration_runs.csv``, ``serving_calibration_scores.csv``,
  ``serving_calibration_parameters.csv``: the calibration on round 4.1 and its check on the
  held-out round 5.1 (:mod:`energytrend.forecast.serving_calibration`);
* ``docs/figures/serving_batch.png`` (``--figures``): J per output token against batch, with
  the MLPerf runs as points, the published 2025 figures at their own boundary and the
  ``llm`` fit's per-query bands per regime (``--figure-only`` writes only this);
* ``serving_examples.csv``: J per query and per output token by batch for a 70B dense model
  on an H100 and Kimi K2 on a B200, at the ``server`` and ``datacentre`` boundaries.

Every run's batch, accelerators per replica and power cap are read from its submission
(``data/curation/mlperf_llm_serving.csv``), its model's layers, KV width and experts from
``data/curation/llm_architecture.csv``. No prior is set from these runs.

Usage: ``python scripts/serving_validation.py [--out results] [--figure-only]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import energytrend as et
from energytrend.data.llm_queries import query_scenarios
from energytrend.data.serving_inputs import mlperf_serving_runs
from energytrend.forecast.serving import draw_priors, query_energy
from energytrend.forecast.serving_calibration import calibrate, predict_runs
from energytrend.inference.formatting import format_energy, format_wh
from energytrend.inference.mcse import quantile_mcse
from energytrend.report.serving_figure import plot_energy_per_token_by_batch

REPO = Path(__file__).resolve().parents[1]
SEED = 2021
DRAWS = 8000
#: Rounds the calibration learns from; the later round is held out.
TRAIN_ROUNDS = ("4.1",)


def mlperf() -> pd.DataFrame:
    runs = mlperf_serving_runs()
    pred = predict_runs(runs, draw_priors(DRAWS, SEED))
    full = predict_runs(runs.assign(kv_dim=np.nan), draw_priors(DRAWS, SEED))
    rows = []
    for i, (_, r) in enumerate(runs.iterrows()):
        x, measured = pred[i], float(r["measured_j_per_sample"])
        q = np.quantile(x, [0.5, 0.05, 0.95])
        rows.append(
            {
                "round": r["round"],
                "benchmark": r["benchmark"],
                "scenario": r["scenario"],
                "hardware": r["hardware_name"],
                "precision": r["precision"],
                "batch": int(r["batch"]),
                "accelerators": int(r["accelerators"]),
                "power_limit_watts": r["power_limit_watts"],
                "measured_j": measured,
                "median_j": q[0],
                "lower_j": q[1],
                "upper_j": q[2],
                "inside": bool(q[1] <= measured <= q[2]),
                "ratio_measured_to_median": measured / q[0],
                "median_j_full_width_kv": float(np.median(full[i])),
                "mcse_median_j": quantile_mcse(x, 0.5),
                "mcse_lower_j": quantile_mcse(x, 0.05),
                "mcse_upper_j": quantile_mcse(x, 0.95),
            }
        )
    return pd.DataFrame(rows)


def examples() -> pd.DataFrame:
    sc = query_scenarios().set_index("scenario").loc["short_chat"]
    cases = [
        ("70B dense", {"params_millions": 70_000, "active_params_millions": 70_000},
         "NVIDIA H100 SXM5 80GB", "FP8"),
        ("1T total / 32B active", "Kimi K2", "NVIDIA B200", "FP4"),
    ]  # fmt: skip
    rows = []
    for label, model, hw, prec in cases:
        for batch in (1, 8, 64, 256):
            for boundary in ("server", "datacentre"):
                t = query_energy(
                    model, hw, batch=batch, prompt_tokens=int(sc["prompt_tokens"]),
                    output_tokens=int(sc["output_tokens"]), precision=prec,
                    boundary=boundary, draws=DRAWS, seed=SEED,
                ).set_index("quantity")  # fmt: skip
                q, tok = t.loc["query"], t.loc["per_output_token"]
                rows.append(
                    {
                        "model": label,
                        "hardware": hw,
                        "precision": prec,
                        "batch": batch,
                        "boundary": boundary,
                        "median_j": q["median"],
                        "lower_j": q["lower"],
                        "upper_j": q["upper"],
                        "wh": format_wh(q["median"], q["mcse_median"]),
                        "band_wh": f"{format_wh(q['lower'], q['mcse_lower'])} to "
                        f"{format_wh(q['upper'], q['mcse_upper'])}",
                        "per_output_token": format_energy(tok["median"], tok["mcse_median"]),
                        "memory_bound_share": t.loc["memory_bound_share", "median"],
                    }
                )
    return pd.DataFrame(rows)


def figure(folder: Path) -> None:
    fig = plot_energy_per_token_by_batch(draws=DRAWS, seed=SEED, llm=et.fit("llm"))
    fig.savefig(folder / "serving_batch.png", dpi=110)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "results")
    ap.add_argument("--figures", type=Path, default=REPO / "docs" / "figures")
    ap.add_argument("--figure-only", action="store_true", help="write only the figure")
    args = ap.parse_args(argv)
    if args.figure_only:
        figure(args.figures)
        return 0
    m = mlperf()
    m["measured"] = [format_energy(x, 0.005 * x) for x in m["measured_j"]]
    m["median"] = [
        format_energy(a, e) for a, e in zip(m["median_j"], m["mcse_median_j"], strict=True)
    ]
    m["median_full_width_kv"] = [
        format_energy(a, e)
        for a, e in zip(m["median_j_full_width_kv"], m["mcse_median_j"], strict=True)
    ]
    m["band"] = [
        f"{format_energy(a, ea)} to {format_energy(b, eb)}"
        for a, b, ea, eb in zip(
            m["lower_j"], m["upper_j"], m["mcse_lower_j"], m["mcse_upper_j"], strict=True
        )
    ]
    m.to_csv(args.out / "serving_mlperf.csv", index=False, lineterminator="\n")
    cal = calibrate(mlperf_serving_runs(), TRAIN_ROUNDS, draws=DRAWS, seed=SEED)
    for name, table in cal.items():
        table.to_csv(args.out / f"serving_calibration_{name}.csv", index=False, lineterminator="\n")
    print(cal["scores"])
    print(cal["parameters"])
    figure(args.figures)
    examples().to_csv(args.out / "serving_examples.csv", index=False, lineterminator="\n")
    print(m[["round", "benchmark", "scenario", "batch", "measured", "band", "inside"]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
