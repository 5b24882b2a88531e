"""Per-query energy of the trend's model in each named serving regime, its crossings of the
human levels, and a vision model's energy per image by batch: the numbers of the serving page.

Writes, in ``--out`` (default ``results``):

* ``serving_regimes_definitions.csv``: the regimes as data (batch bounds, precision,
  boundary, method, reason), from ``energytrend.forecast.query_regimes.REGIMES``;
* ``serving_regimes.csv``: each regime's J per query (the ``short_chat`` and ``reasoning``
  scenarios) for the typical and frontier model on 2025-01-01, with its band, MCSEs, the
  chip and precision, and the ratio of its median to the benchmark line's;
* ``serving_regimes_crossings.csv``: the crossing dates of the ``short_chat`` query per
  regime, group and human level;
* ``serving_vision.csv``: J per image by batch for vision models of ``cv_models`` on an
  H100 at FP16 (activations left out: the tables hold none).

Needs the ``llm`` fit (``et.fit("llm")``, cached). Nothing here is tuned to a measurement.

Usage: ``python scripts/serving_regimes.py [--out results]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import energytrend as et
from energytrend.forecast.query_regimes import REGIMES, regimes_table
from energytrend.forecast.serving import image_energy
from energytrend.inference.formatting import format_energy, format_wh

REPO = Path(__file__).resolve().parents[1]
YEAR = 2025.0
SCENARIOS = ("short_chat", "reasoning")
VISION = ("EfficientNet-B0", "ResNet-50", "ViT-B/16")
VISION_CHIP = "NVIDIA H100 SXM5 80GB"
BATCHES = (1, 2, 4, 8, 64, 256)
DRAWS = 8000
SEED = 2021


def regimes(llm: et.TrendFit) -> pd.DataFrame:
    parts = []
    for scenario in SCENARIOS:
        tables = {
            r: et.energy_per_query(llm, scenario=scenario, year=YEAR, regime=r) for r in REGIMES
        }
        bench = tables["benchmark"].set_index("group")["median_j"]
        for t in tables.values():
            t = t.copy()
            t["ratio_to_benchmark"] = t["median_j"].to_numpy() / bench.loc[t["group"]].to_numpy()
            parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    out["wh"] = [
        format_wh(m, e) for m, e in zip(out["median_j"], out["mcse_median_j"], strict=True)
    ]
    out["band_wh"] = [
        f"{format_wh(a, ea)} to {format_wh(b, eb)}"
        for a, b, ea, eb in zip(
            out["lower_j"], out["upper_j"], out["mcse_lower_j"], out["mcse_upper_j"], strict=True
        )
    ]
    return out


def crossings(llm: et.TrendFit) -> pd.DataFrame:
    parts = []
    for r in REGIMES:
        c = et.query_crossing_dates(llm, scenarios=["short_chat"], regime=r)
        c["regime"] = r
        parts.append(c)
    return pd.concat(parts, ignore_index=True)


def vision() -> pd.DataFrame:
    rows = []
    for model in VISION:
        for batch in BATCHES:
            t = image_energy(model, VISION_CHIP, batch=batch, draws=DRAWS, seed=SEED)
            t = t.set_index("quantity")
            e = t.loc["per_image"]
            rows.append(
                {
                    "model": model,
                    "hardware": VISION_CHIP,
                    "precision": t["precision"].iloc[0],
                    "batch": batch,
                    "median_j": e["median"],
                    "lower_j": e["lower"],
                    "upper_j": e["upper"],
                    "mcse_median_j": e["mcse_median"],
                    "per_image": format_energy(e["median"], e["mcse_median"]),
                    "band": f"{format_energy(e['lower'], e['mcse_lower'])} to "
                    f"{format_energy(e['upper'], e['mcse_upper'])}",
                    "memory_bound_share": t.loc["memory_bound_share", "median"],
                }
            )
    out = pd.DataFrame(rows)
    large = out.groupby("model")["median_j"].transform("last")
    out["ratio_to_batch_256"] = out["median_j"] / large
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "results")
    args = ap.parse_args(argv)
    regimes_table().to_csv(
        args.out / "serving_regimes_definitions.csv", index=False, lineterminator="\n"
    )
    llm = et.fit("llm")
    r = regimes(llm)
    r.to_csv(args.out / "serving_regimes.csv", index=False, lineterminator="\n")
    print(r[["scenario", "group", "regime", "hardware", "wh", "band_wh", "ratio_to_benchmark"]])
    c = crossings(llm)
    c.to_csv(args.out / "serving_regimes_crossings.csv", index=False, lineterminator="\n")
    print(c[["regime", "group", "level", "crossing", "interval"]])
    v = vision()
    v.to_csv(args.out / "serving_vision.csv", index=False, lineterminator="\n")
    print(v[["model", "batch", "per_image", "memory_bound_share", "ratio_to_batch_256"]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
