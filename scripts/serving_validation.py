"""The serving model (``energytrend.query_energy``) against what is public: the MLPerf LLM
power runs and the published 2025 per-query figures; and the per-query bands the docs show.

Writes ``results/serving_mlperf.csv`` (one row per MLPerf run: measured J per sample at the
server's wall, the model's 90% band at the ``server`` boundary, inside or not) and
``results/serving_examples.csv`` (J per query and per output token by batch for a 70B dense
model on an H100 and a 1T-total / 32B-active model on a B200, at the ``server`` and
``datacentre`` boundaries). Every printed number is formatted to the digits its Monte Carlo
error supports. No prior is set from these runs.

Batch sizes read from the runs' configuration (``gpu_batch_size``, tensor parallelism 1):
mlcommons/inference_results_v4.1 at a2f5d66d17e8f75c02fd74dfe810ecca6a046696,
``closed/NVIDIA/configs/llama2-70b/Offline/__init__.py`` (H200_SXM_141GBx8_MaxQ inherits
H200_SXM_141GBx1: 806) and ``.../Server/__init__.py`` (H200_SXM_141GBx1: 896). The other
runs' configurations were not found in the stored copies; for them the band spans the
smallest and largest ``gpu_batch_size`` of those two files' systems (640 to 2048).

Usage: ``python scripts/serving_validation.py [--out results]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from energytrend.data.llm_queries import query_scenarios
from energytrend.data.llm_realisation import llm_realisation_table
from energytrend.data.serving_inputs import chip, model_shape
from energytrend.forecast.serving import Serving, query_energy, query_energy_draws
from energytrend.inference.formatting import format_energy, format_wh
from energytrend.inference.mcse import quantile_mcse

REPO = Path(__file__).resolve().parents[1]
SEED = 2021
DRAWS = 8000
#: (round, system, benchmark, scenario) -> gpu_batch_size read (module docstring).
BATCH_READ = {
    ("4.1", "H200-SXM-141GBx8_TRT_MaxQ", "llama2-70b", "Offline"): 806,
    ("4.1", "H200-SXM-141GBx8_TRT_MaxQ", "llama2-70b", "Server"): 896,
}
BATCH_RANGE = (640, 2048)
#: MLPerf benchmark -> the language_models row giving layers and width.
LAYERS_FROM = {
    "llama2-70b": "Llama 2-70B",
    "mixtral-8x7b": "Mixtral 8x7B",
    "llama3.1-405b": "Llama 3.1-405B",
}


def _band(x: np.ndarray) -> tuple[float, float, float, float, float, float]:
    q = np.quantile(x, [0.5, 0.05, 0.95])
    e = [quantile_mcse(x, p) for p in (0.5, 0.05, 0.95)]
    return (*q, *e)  # type: ignore[return-value]


def mlperf() -> pd.DataFrame:
    runs = llm_realisation_table(scenarios=("Offline", "Server"))
    rows = []
    for _, r in runs.iterrows():
        model: dict[str, object] = {
            "params_millions": r["active_parameters_b"] * 1000.0,
            "active_params_millions": r["active_parameters_b"] * 1000.0,
        }
        if r["benchmark"] == "mixtral-8x7b":  # total parameters of the curation file: 47B
            model["params_millions"] = 47_000.0
        if r["benchmark"] in LAYERS_FROM:
            lm = model_shape(LAYERS_FROM[r["benchmark"]])
            model |= {"n_layers": lm.n_layers, "d_model": lm.d_model}
        shape, hw = model_shape(model), chip(r["hardware_name"], r["precision"])
        key = (r["round"], r["system"], r["benchmark"], r["scenario"])
        batches = [BATCH_READ[key]] if key in BATCH_READ else list(BATCH_RANGE)
        p_tok, o_tok = round(r["input_tokens"]), round(r["output_tokens"])
        draws = []
        for b in batches:
            serving = Serving(b, 1, p_tok, o_tok)
            draws.append(
                query_energy_draws(shape, hw, serving, boundary="server", draws=DRAWS, seed=SEED)
            )
        lo = min(float(np.quantile(d["query"], 0.05)) for d in draws)
        hi = max(float(np.quantile(d["query"], 0.95)) for d in draws)
        med = [float(np.median(d["query"])) for d in draws]
        measured = float(r["measured_j_per_sample"])
        rows.append(
            {
                "round": r["round"],
                "benchmark": r["benchmark"],
                "scenario": r["scenario"],
                "hardware": r["hardware_name"],
                "precision": r["precision"],
                "batch": "/".join(str(b) for b in batches),
                "batch_basis": "read" if key in BATCH_READ else "range",
                "measured_j": measured,
                "median_j": med[0] if len(med) == 1 else np.nan,
                "lower_j": lo,
                "upper_j": hi,
                "inside": bool(lo <= measured <= hi),
                "ratio_measured_to_median": measured / med[0] if len(med) == 1 else np.nan,
                "mcse_lower_j": max(quantile_mcse(d["query"], 0.05) for d in draws),
                "mcse_upper_j": max(quantile_mcse(d["query"], 0.95) for d in draws),
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "results")
    args = ap.parse_args(argv)
    m = mlperf()
    m["measured"] = [format_energy(x, 0.005 * x) for x in m["measured_j"]]
    m["band"] = [
        f"{format_energy(a, ea)} to {format_energy(b, eb)}"
        for a, b, ea, eb in zip(
            m["lower_j"], m["upper_j"], m["mcse_lower_j"], m["mcse_upper_j"], strict=True
        )
    ]
    m.to_csv(args.out / "serving_mlperf.csv", index=False, lineterminator="\n")
    examples().to_csv(args.out / "serving_examples.csv", index=False, lineterminator="\n")
    print(m[["round", "benchmark", "scenario", "batch", "measured", "band", "inside"]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
