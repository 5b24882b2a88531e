"""Named serving regimes of the trend's per-query energy: the calibrated benchmark line, and
the physical serving model (:mod:`energytrend.forecast.serving`) at smaller batches.

A regime is data (:data:`REGIMES`), not a branch: its batch range, precision and energy
boundary, each with the reason for it. ``"benchmark"`` is the ``llm`` fit's calibrated line
(a tuned MLPerf server at its full batch; :mod:`energytrend.forecast.query`). The other
regimes run the serving model on:

* **the trend's model at the date**: active parameters ``N`` = forward GFLOPs per token / 2,
  draw by draw from the group's compute path (the GFLOPs include attention at a 2,048-token
  context where the architecture is published, so ``N`` is slightly high); dense (total =
  active: the fit has no trend of total parameters; a mixture of experts of the same active
  size reads more weights at batch > 1, so this is low for one); layers and KV width unknown,
  so the KV cache and the attention are left out (low, most at long contexts);
* **the hardware of the date**: the server accelerator of the ``accelerators`` table,
  released by the date, with the highest peak FLOPS/W at the precision of the era (the
  fit's ``[precision] eras``; 8-bit is the higher of the FP8 and INT8 peaks, as the
  efficiency trend counts it), among those with memory bandwidth, size and TDP, or a named
  chip. The table has no chip after its last release, so later dates keep that date's chip:
  the regimes assume no new hardware after it;
* **the batch**: drawn per Monte Carlo draw, whole numbers uniform in log between the
  regime's bounds (an assumption: no public record of a chat service's concurrency was
  read; uniform in log spreads the draws evenly over factors).

Without the KV cache and attention the serving model is linear in ``N`` and the
accelerators per replica cancel (time falls and power rises with their number), so the
energy is ``N`` times a per-parameter energy drawn from the priors once per chip; prior draws
are paired with posterior draws index by index, the same prior draws at every date, so each
draw is one path in time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energytrend.data.datasets import load_data
from energytrend.data.precision import (
    DEFAULT_PRECISION_ERAS,
    PLACEHOLDER_ROWS,
    precision_at,
    precision_eras_from_config,
)
from energytrend.data.serving_inputs import Chip, ModelShape, chip
from energytrend.data.tables import decimal_year
from energytrend.forecast.serving import (
    BOUNDARIES,
    Serving,
    boundary_multiplier,
    draw_priors,
    simulate,
)
from energytrend.forecast.trend import compute_path
from energytrend.inference.result import TrendFit


@dataclass(frozen=True)
class Regime:
    """How the trend's query is served: batch range (``None``: the benchmark runs' own),
    precision (``"era"``: the fit's precision of the date, or a series of the efficiency
    trend: ``fp32``, ``fp16``, ``int8``), energy boundary, and why."""

    name: str
    batch: tuple[int, int] | None
    precision: str
    boundary: str
    reason: str

    @property
    def physical(self) -> bool:
        """Whether the regime runs the serving model (else it is the calibrated line)."""
        return self.batch is not None


#: The named regimes. The batch bounds of ``interactive`` are an assumption, not a
#: measurement; the ``server`` boundary is MLPerf's wall power, the calibrated line's.
REGIMES: dict[str, Regime] = {
    "benchmark": Regime(
        "benchmark",
        None,
        "era",
        "server",
        "the llm fit's calibrated line: peak-based energy times the realisation factor "
        "measured on MLPerf's LLM power runs, tuned servers at their configured batches "
        "(data/curation/mlperf_llm_serving.csv); server wall power",
    ),
    "interactive": Regime(
        "interactive",
        (8, 64),
        "era",
        "server",
        "a latency-bound chat service: 8 to 64 sequences decoded together per replica, an "
        "assumption (no public record of a service's concurrency was read); same precision "
        "and boundary as the benchmark line, so that only the batch differs",
    ),
    "batch1": Regime(
        "batch1",
        (1, 1),
        "era",
        "server",
        "one sequence at a time (a lone user on a dedicated replica): every decode step reads "
        "all weights for one token, the memory-bound limit; same precision and boundary",
    ),
}

#: The precision series of the efficiency trend -> the serving model's precision keys (8-bit:
#: whichever of FP8 and INT8 has the higher peak on the chip).
ERA_PRECISIONS: dict[str, tuple[str, ...]] = {
    "fp32": ("FP32",),
    "fp16": ("FP16",),
    "int8": ("FP8", "INT8"),
}
_PEAK_COLUMNS = {"FP32": "fp32_tflops", "FP16": "tensor_fp16_bf16_tflops", "FP8": "fp8_tflops",
                 "INT8": "int8_tops"}  # fmt: skip
#: Parameters of the unit model the per-parameter energy is computed on.
_UNIT = 1e9


def regime_of(regime: str | Regime) -> Regime:
    """The :class:`Regime` named ``regime`` (or ``regime`` itself).

    >>> regime_of("interactive").batch
    (8, 64)
    """
    if isinstance(regime, Regime):
        return regime
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {', '.join(REGIMES)}, got {regime!r}")
    return REGIMES[regime]


def era_at(result: TrendFit, years: np.ndarray) -> np.ndarray:
    """The efficiency trend's precision (``fp16``, ``int8``...) of each decimal year."""
    spec = getattr(result.parts.efficiency, "spec", {})
    eras = precision_eras_from_config(spec["precision"]) if "precision" in spec else None
    return precision_at(years, eras or DEFAULT_PRECISION_ERAS)


def candidate_chips(era: str, data: str = "2025") -> pd.DataFrame:
    """Server accelerators with a peak at ``era``'s precision, memory bandwidth and size and
    TDP: ``hardware_name``, ``year`` (release, decimal), ``precision`` (the key with the
    higher peak), ``flops_per_watt``; best first.

    >>> candidate_chips("int8")["hardware_name"].iloc[0]
    'NVIDIA B100'
    """
    a = load_data("accelerators", data)
    keep = (a["type"] == "Server") & ~a["hardware_name"].isin(PLACEHOLDER_ROWS)
    for c in ("tdp_watts", "memory_bandwidth_tbps", "memory_gb"):
        keep &= a[c].notna() & (a[c] > 0)
    a = a[keep]
    keys = ERA_PRECISIONS[era]
    peaks = pd.DataFrame({k: a[_PEAK_COLUMNS[k]].fillna(0.0) for k in keys})
    best = peaks.idxmax(axis=1)
    out = pd.DataFrame(
        {
            "hardware_name": a["hardware_name"],
            "year": decimal_year(a["release_date"]),
            "precision": best,
            "flops_per_watt": peaks.max(axis=1) / a["tdp_watts"],
        }
    )
    out = out[out["flops_per_watt"] > 0]
    return out.sort_values(["flops_per_watt", "year"], ascending=[False, True]).reset_index(
        drop=True
    )


def chip_at(year: float, era: str, data: str = "2025") -> Chip:
    """The best server accelerator (peak FLOPS/W at ``era``'s precision) released by
    ``year``; after the table's last release, the best of the table."""
    c = candidate_chips(era, data)
    c = c[c["year"] <= year]
    if c.empty:
        raise ValueError(
            f"no server accelerator with a {era} peak, bandwidth, memory and TDP is released "
            f"by {year:.2f}; choose a later year or name a chip with hardware="
        )
    row = c.iloc[0]
    return chip(str(row["hardware_name"]), str(row["precision"]), data)


def _named_chip(hardware: str, era: str, data: str) -> Chip:
    """``hardware`` at the precision of ``era`` (the key with the higher peak)."""
    errors = []
    best: Chip | None = None
    for key in ERA_PRECISIONS[era]:
        try:
            c = chip(hardware, key, data)
        except ValueError as e:
            errors.append(e)
            continue
        if best is None or c.peak_flops > best.peak_flops:
            best = c
    if best is None:
        raise errors[-1]
    return best


def batch_draws(regime: Regime, n: int, seed: int) -> np.ndarray:
    """``n`` whole batch sizes uniform in log between the regime's bounds."""
    assert regime.batch is not None
    lo, hi = regime.batch
    rng = np.random.default_rng(seed + 7)
    b = np.floor(np.exp(rng.uniform(np.log(lo), np.log(hi + 1), n)))
    return np.clip(b, lo, hi).astype(int)


def joules_per_parameter(
    hw: Chip, regime: Regime, prompt_tokens: int, output_tokens: int, n: int, seed: int
) -> np.ndarray:
    """``n`` draws of the J per query per active parameter of a dense model without KV cache
    or attention (the trend's model), served in ``regime`` on ``hw`` at its boundary."""
    prior = draw_priors(n, seed)
    batch = batch_draws(regime, n, seed)
    unit = ModelShape("trend model", _UNIT, _UNIT)
    out = np.empty(n)
    for b in np.unique(batch):
        at = batch == b
        sub = {k: v[at] for k, v in prior.items()}
        parts = simulate(unit, hw, Serving(int(b), 1, prompt_tokens, output_tokens), sub)
        out[at] = (parts["prefill"] + parts["decode"]) * boundary_multiplier(regime.boundary, sub)
    return out / _UNIT


@dataclass(frozen=True)
class RegimePath:
    """Draws (sample, year) of log10 J per query, and the chip and precision of each year."""

    log10_joules: np.ndarray
    hardware: list[str]
    precision: list[str]


def regime_path(
    result: TrendFit,
    group: str,
    years: np.ndarray,
    prompt_tokens: int,
    output_tokens: int,
    regime: Regime,
    *,
    hardware: str | None = None,
    seed: int = 2021,
) -> RegimePath:
    """The serving model's query energy in ``regime`` for the ``group`` model (``"all"`` or
    ``"frontier"``) of each decimal year, on the chip of the year (or ``hardware``)."""
    if not regime.physical:
        raise ValueError(f"regime {regime.name!r} is the calibrated line, not the serving model")
    if regime.boundary not in BOUNDARIES:
        raise ValueError(f"regime {regime.name!r}: boundary must be one of {', '.join(BOUNDARIES)}")
    if regime.precision != "era" and regime.precision not in ERA_PRECISIONS:
        raise ValueError(
            f"regime {regime.name!r}: precision must be 'era' or one of {', '.join(ERA_PRECISIONS)}"
        )
    yrs = np.asarray(years, dtype=float)
    t = yrs - float(result.idata.attrs["year_origin"])
    log_gflops = compute_path(result, f"llm/{group}", t)
    log_params = log_gflops + 9.0 - np.log10(2.0)
    eras = era_at(result, yrs) if regime.precision == "era" else None
    n = log_params.shape[0]
    cache: dict[tuple[str, str], np.ndarray] = {}
    out = np.empty_like(log_params)
    names, precisions = [], []
    data = result.config.data
    for k, y in enumerate(yrs):
        era = str(eras[k]) if eras is not None else regime.precision
        hw = chip_at(float(y), era, data) if hardware is None else _named_chip(hardware, era, data)
        key = (hw.name, hw.precision)
        if key not in cache:
            e = joules_per_parameter(hw, regime, prompt_tokens, output_tokens, n, seed)
            cache[key] = np.log10(e)
        out[:, k] = log_params[:, k] + cache[key]
        names.append(hw.name)
        precisions.append(hw.precision)
    return RegimePath(out, names, precisions)


def regimes_table(regimes: Mapping[str, Regime] | None = None) -> pd.DataFrame:
    """The regimes as a table: name, batch bounds, precision, boundary, method, reason.

    >>> list(regimes_table()["regime"])
    ['benchmark', 'interactive', 'batch1']
    """
    rows: Sequence[Regime] = list((regimes or REGIMES).values())
    return pd.DataFrame(
        {
            "regime": [r.name for r in rows],
            "batch_low": [r.batch[0] if r.batch else pd.NA for r in rows],
            "batch_high": [r.batch[1] if r.batch else pd.NA for r in rows],
            "precision": [r.precision for r in rows],
            "boundary": [r.boundary for r in rows],
            "method": ["serving model" if r.physical else "calibrated line" for r in rows],
            "reason": [r.reason for r in rows],
        }
    )
