"""Energy of one language-model query from how it is served: model, chip, batch, precision.

The trend's calibrated line (:mod:`energytrend.forecast.query`) is FLOPs over peak
efficiency times one factor. This module models the query physically, per replica of ``n``
accelerators serving ``batch`` sequences at once:

* **Prefill** (the prompt, ``P`` tokens): ``2 x active x P`` FLOPs plus attention
  ``2 x layers x d_model`` per token and context position (``layers x d_model x P(P+1)``), at
  a fraction ``u`` of peak FLOPS; it is compute-bound unless reading the weights once, shared
  by the batch's prompts, takes longer.
* **Decode** (``O`` output tokens), step by step at context ``c``: the step takes the longer
  of its compute (``batch x (2 x active + 2 x layers x d_model x c)`` FLOPs at ``u`` of peak)
  and its memory traffic (the weights read once, plus every sequence's KV cache,
  ``2 x layers x kv_dim x c`` values each, at a fraction ``b`` of peak bandwidth); the step's
  energy is shared by the batch. A mixture of experts reads the experts its batch touches:
  with ``E`` experts and ``k`` per token, ``E (1 - (1 - k/E)^batch)`` in expectation per
  layer (tokens routed independently and uniformly), hence its total parameters once the
  batch touches every expert; without ``E`` and ``k`` the total is read (the large-batch
  limit).
* **Power** per accelerator between its memory-bound and compute-bound draw,
  ``TDP x (f_mem + (f_comp - f_mem) x compute share of the step)``.
* **Boundary**: named multipliers on the accelerators' energy, ``server`` (host, memory,
  network, fans), ``idle`` (idle capacity of a fleet) and ``pue`` (the data centre); see
  :data:`BOUNDARIES`.

The uncertain quantities are the draws of :data:`PRIORS`, each with where its range comes
from; they are propagated by Monte Carlo with a seed. They are priors, not posteriors: no
run was used to set them (docs: "Energy per query by serving regime" says how well they
hold the MLPerf runs and the published figures).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from energytrend.data.serving_inputs import (
    BYTES_PER_VALUE,
    KV_BYTES_PER_VALUE,
    Chip,
    ModelShape,
    VisionShape,
    chip,
    model_shape,
    vision_shape,
)
from energytrend.inference.intervals import CI_PROB, bounds
from energytrend.inference.mcse import quantile_mcse

#: Joules in one watt-hour.
J_PER_WH = 3600.0


@dataclass(frozen=True)
class Prior:
    """A uniform range of one uncertain quantity and where it comes from."""

    low: float
    high: float
    source: str


#: The uncertain quantities (uniform between ``low`` and ``high``). Epoch AI's figures are
#: from its ChatGPT calculation sheet as quoted in ``data/curation/llm_query_energy_published.csv``
#: (GPU FLOP utilization 0.1, power adjustment for partial utilization 0.7, data-centre power
#: per GPU 1275 W of an H100 whose TDP is 700 W, PUE 1.2); Google's from the same file
#: (0.24 Wh comprehensive against 0.10 Wh accelerator-only per Gemini prompt).
PRIORS: dict[str, Prior] = {
    "flops_fraction": Prior(
        0.2,
        0.7,
        "achieved fraction of peak FLOPS when compute-bound; an assumption (no measurement "
        "read), wide; Epoch's sheet assumes 0.1 for a whole query, which includes decode",
    ),
    "bandwidth_fraction": Prior(
        0.5,
        0.9,
        "achieved fraction of peak memory bandwidth when memory-bound; an assumption (no "
        "measurement read), wide, below 1 by definition",
    ),
    "power_memory_bound": Prior(
        0.5,
        0.9,
        "accelerator power over TDP in a memory-bound step; around Epoch's partial-utilisation "
        "factor 0.7 (its sheet, for decoding at 10% FLOP utilisation); width an assumption",
    ),
    "power_compute_bound": Prior(
        0.8,
        1.0,
        "accelerator power over TDP in a compute-bound step; at most the TDP; width an assumption",
    ),
    "server": Prior(
        1.0,
        1275.0 / 700.0,
        "server power over its accelerators' power: at least 1; at most Epoch's 1275 W per "
        "H100 (a DGX H100's rating / 8) over the H100's 700 W TDP",
    ),
    "idle": Prior(
        1.0,
        0.24 / 0.10 / 1.2,
        "idle capacity of a serving fleet: none in a benchmark (1); at most Google's "
        "comprehensive over accelerator-only energy per Gemini prompt (0.24 / 0.10 Wh) over "
        "Epoch's PUE (1.2), i.e. everything beyond the accelerators and PUE taken as idle",
    ),
    "pue": Prior(1.2, 1.2, "data-centre overhead: Epoch's PUE of 1.2 (a point, not a range)"),
}

#: Energy boundaries, each the product of the named multipliers of :data:`PRIORS`.
BOUNDARIES: dict[str, tuple[str, ...]] = {
    "accelerator": (),
    "server": ("server",),
    "datacentre": ("server", "idle", "pue"),
}

#: Decode is summed exactly up to this many output tokens, else on as many evenly spaced
#: steps (each standing for its share of the tokens).
DECODE_STEPS = 512


@dataclass(frozen=True)
class Serving:
    """How the query is served: sequences per replica, accelerators per replica, tokens."""

    batch: int
    accelerators: int
    prompt_tokens: int
    output_tokens: int


def _whole(name: str, value: object, *, minimum: int) -> int:
    ok = isinstance(value, int | np.integer | float) and not isinstance(value, bool)
    x = float(value) if ok else math.nan  # type: ignore[arg-type]
    if not math.isfinite(x) or x != int(x) or x < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(x)


def expected_experts(n_experts: float, per_token: float, tokens: float) -> float:
    """Expected number of distinct experts (of ``n_experts``) that ``tokens`` tokens touch in
    one layer, each routed to ``per_token`` experts independently and uniformly.

    >>> expected_experts(8, 2, 1), round(expected_experts(8, 2, 64), 3)
    (2.0, 8.0)
    """
    return float(n_experts * (1.0 - (1.0 - per_token / n_experts) ** tokens))


def weights_read(model: ModelShape, tokens: float) -> tuple[float, str]:
    """Parameters read per forward step over ``tokens`` tokens, and how they were counted."""
    if not model.is_moe:
        return model.params, "dense: all parameters"
    if model.n_experts is None or model.experts_per_token is None:
        return model.params, "mixture of experts, experts unknown: total parameters"
    e, k = model.n_experts, model.experts_per_token
    per_expert = (model.params - model.active_params) / (e - k) if e > k else 0.0
    shared = model.active_params - k * per_expert
    touched = min(k * tokens, expected_experts(e, k, tokens))
    return shared + touched * per_expert, "mixture of experts: expected experts touched"


def kv_values_per_token(model: ModelShape) -> tuple[float, str]:
    """KV-cache values per token of context (keys and values of every layer)."""
    if model.n_layers is None:
        return 0.0, "left out: n_layers unknown"
    if model.kv_dim is not None:
        return 2.0 * model.n_layers * model.kv_dim, "kv_dim given"
    if model.d_model is not None:
        return 2.0 * model.n_layers * model.d_model, "kv_dim unknown: d_model (an upper bound)"
    return 0.0, "left out: kv_dim and d_model unknown"


def _attention(model: ModelShape) -> float:
    """Attention FLOPs per token per context position, ``2 x layers x d_model``."""
    if model.n_layers is None or model.d_model is None:
        return 0.0
    return 2.0 * model.n_layers * model.d_model


def replica_size(model: ModelShape, hw: Chip, batch: int, tokens: int) -> int:
    """The fewest accelerators whose memory holds the weights and the batch's KV cache."""
    need = model.params * BYTES_PER_VALUE[hw.precision]
    need += batch * tokens * kv_values_per_token(model)[0] * KV_BYTES_PER_VALUE[hw.precision]
    return max(1, math.ceil(need / hw.memory))


def draw_priors(n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` independent draws of every quantity of :data:`PRIORS`."""
    rng = np.random.default_rng(seed)
    return {k: rng.uniform(p.low, p.high, n) for k, p in PRIORS.items()}


def _steps(output_tokens: int) -> tuple[np.ndarray, np.ndarray]:
    """Decode positions (0-based) and the tokens each stands for."""
    if output_tokens <= DECODE_STEPS:
        return np.arange(output_tokens, dtype=float), np.ones(output_tokens)
    edges = np.linspace(0.0, output_tokens, DECODE_STEPS + 1)
    return (edges[:-1] + edges[1:]) / 2.0 - 0.5, np.diff(edges)


def simulate(
    model: ModelShape, hw: Chip, serving: Serving, draws: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Per draw, the accelerators' joules of one query (``prefill``, ``decode``), the share of
    decode time that is memory-bound, and the mean power per accelerator (W)."""
    n, b = serving.accelerators, serving.batch
    p_tok, o_tok = serving.prompt_tokens, serving.output_tokens
    u, bw = draws["flops_fraction"], draws["bandwidth_fraction"]
    f_mem, f_comp = draws["power_memory_bound"], draws["power_compute_bound"]
    flops_rate = n * hw.peak_flops * u
    byte_rate = n * hw.bandwidth * bw
    w_bytes = BYTES_PER_VALUE[hw.precision]
    kv_bytes = kv_values_per_token(model)[0] * KV_BYTES_PER_VALUE[hw.precision]
    att = _attention(model)

    # prefill: the batch's prompts share one read of the weights
    pre_flops = 2.0 * model.active_params * p_tok + att / 2.0 * p_tok * (p_tok + 1)
    pre_read = weights_read(model, b * p_tok)[0] * w_bytes / b
    t_pre_c, t_pre_m = pre_flops / flops_rate, pre_read / byte_rate
    t_pre = np.maximum(t_pre_c, t_pre_m) if p_tok else np.zeros_like(u)
    share_c = np.divide(t_pre_c, t_pre, out=np.ones_like(u), where=t_pre > 0)
    e_pre = n * hw.tdp * (f_mem + (f_comp - f_mem) * share_c) * t_pre

    # decode: per step, the longer of compute and memory traffic, shared by the batch
    pos, weight = _steps(o_tok)
    ctx = p_tok + pos + 1.0  # context the step attends to
    step_bytes = weights_read(model, b)[0] * w_bytes + b * ctx * kv_bytes  # (steps,)
    step_flops = b * (2.0 * model.active_params + att * ctx)
    t_c = step_flops[None, :] / flops_rate[:, None]
    t_m = step_bytes[None, :] / byte_rate[:, None]
    t = np.maximum(t_c, t_m)
    power = n * hw.tdp * (f_mem[:, None] + (f_comp - f_mem)[:, None] * (t_c / t))
    e_dec = (power * t * weight).sum(axis=1) / b
    time_dec = (t * weight).sum(axis=1)
    mem_share = ((t_m >= t_c) * t * weight).sum(axis=1) / np.where(time_dec > 0, time_dec, 1)
    total_time = t_pre + time_dec / b
    mean_power = (e_pre + e_dec) / np.where(total_time > 0, total_time, 1) / n
    return {"prefill": e_pre, "decode": e_dec, "memory_bound": mem_share, "power": mean_power}


def boundary_multiplier(boundary: str, draws: Mapping[str, np.ndarray]) -> np.ndarray:
    """Per draw, the product of the multipliers of ``boundary`` (:data:`BOUNDARIES`)."""
    out = np.ones_like(draws["server"])
    for name in BOUNDARIES[boundary]:
        out = out * draws[name]
    return out


def query_energy_draws(
    model: ModelShape,
    hw: Chip,
    serving: Serving,
    *,
    boundary: str = "server",
    draws: int = 4000,
    seed: int = 2021,
) -> dict[str, np.ndarray]:
    """Monte Carlo draws of the query's energy at ``boundary`` (``query``, ``prefill``,
    ``decode`` in J), ``memory_bound`` and ``power`` (W per accelerator)."""
    prior = draw_priors(draws, seed)
    parts = simulate(model, hw, serving, prior)
    m = boundary_multiplier(boundary, prior)
    out = {"prefill": parts["prefill"] * m, "decode": parts["decode"] * m}
    out["query"] = out["prefill"] + out["decode"]
    out["memory_bound"] = parts["memory_bound"]
    out["power"] = parts["power"]
    return out


def _check(boundary: str, draws: object, prob: float) -> int:
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary must be one of {', '.join(BOUNDARIES)}, got {boundary!r}")
    bounds(prob)
    n = _whole("draws", draws, minimum=100)
    return n


def query_energy(
    model: str | Mapping[str, object],
    hardware: str,
    *,
    batch: int,
    prompt_tokens: int,
    output_tokens: int,
    precision: str = "FP8",
    boundary: str = "server",
    accelerators: int | None = None,
    draws: int = 4000,
    seed: int = 2021,
    prob: float = CI_PROB,
    data: str = "2025",
) -> pd.DataFrame:
    """Energy of one query to ``model`` on ``hardware`` served ``batch`` sequences at a time.

    Args:
        model: a ``model`` of the ``language_models`` table, or a dict of its columns (at
            least ``params_millions`` and ``active_params_millions``; optionally
            ``n_layers``, ``d_model``, ``kv_dim``, ``n_experts``, ``experts_per_token``).
        hardware: a ``hardware_name`` of the ``accelerators`` table.
        batch: sequences decoded together per replica (concurrency).
        prompt_tokens: tokens read.
        output_tokens: tokens written (at least 1).
        precision: FP4, FP8, INT8, FP16, TF32 or FP32 (weights and peak FLOPS).
        boundary: ``accelerator``, ``server`` (default; MLPerf's wall power) or
            ``datacentre`` (plus idle capacity and PUE); see :data:`BOUNDARIES`.
        accelerators: per replica; default the fewest whose memory holds the weights and
            the batch's KV cache.
        draws: Monte Carlo draws of :data:`PRIORS`.
        seed: their seed.
        prob: probability of the equal-tailed bands.
        data: dataset of the tables.

    Returns:
        One row per quantity: ``query``, ``prefill``, ``decode``, ``per_output_token`` (J;
        also in Wh), ``memory_bound_share`` (of decode time) and ``accelerator_power`` (W),
        with median, band and the Monte Carlo error of each, and the serving settings.

    Examples:
        >>> import energytrend as et
        >>> t = et.query_energy("Llama 2-70B", "NVIDIA H100 SXM5 80GB", batch=1,
        ...                     prompt_tokens=500, output_tokens=500)
        >>> bool(t.set_index("quantity").loc["memory_bound_share", "median"] > 0.9)
        True
    """
    n_draws = _check(boundary, draws, prob)
    shape = model_shape(model, data)
    hw = chip(hardware, precision, data)
    b = _whole("batch", batch, minimum=1)
    p_tok = _whole("prompt_tokens", prompt_tokens, minimum=0)
    o_tok = _whole("output_tokens", output_tokens, minimum=1)
    if accelerators is None:
        n = replica_size(shape, hw, b, p_tok + o_tok)
    else:
        n = _whole("accelerators", accelerators, minimum=1)
    serving = Serving(b, n, p_tok, o_tok)
    d = query_energy_draws(shape, hw, serving, boundary=boundary, draws=n_draws, seed=seed)
    d["per_output_token"] = d["query"] / o_tok
    units = {
        "query": "J",
        "prefill": "J",
        "decode": "J",
        "per_output_token": "J",
        "memory_bound_share": "share",
        "accelerator_power": "W",
    }
    source = {"memory_bound_share": "memory_bound", "accelerator_power": "power"}
    table = _summary(d, units, source, prob)
    context = {
        "model": shape.name,
        "hardware": hw.name,
        "precision": precision,
        "batch": b,
        "accelerators": n,
        "prompt_tokens": p_tok,
        "output_tokens": o_tok,
        "boundary": boundary,
        "weights_read": weights_read(shape, b)[1],
        "kv_cache": kv_values_per_token(shape)[1],
        "draws": n_draws,
        "seed": seed,
        "prob": prob,
    }
    for i, (k, v) in enumerate(context.items()):
        table.insert(i, k, v)
    return table


def _summary(
    d: Mapping[str, np.ndarray], units: Mapping[str, str], source: Mapping[str, str], prob: float
) -> pd.DataFrame:
    """One row per quantity of ``units``: median, band, their MCSEs, and Wh for joules."""
    lo, hi = bounds(prob)
    rows = []
    for quantity, unit in units.items():
        x = d[source.get(quantity, quantity)]
        q = np.quantile(x, [0.5, lo, hi])
        err = [quantile_mcse(x, p) for p in (0.5, lo, hi)]
        wh = q / J_PER_WH if unit == "J" else [np.nan] * 3
        rows.append(
            {
                "quantity": quantity,
                "unit": unit,
                "median": q[0],
                "lower": q[1],
                "upper": q[2],
                "mcse_median": err[0],
                "mcse_lower": err[1],
                "mcse_upper": err[2],
                "median_wh": wh[0],
                "lower_wh": wh[1],
                "upper_wh": wh[2],
            }
        )
    return pd.DataFrame(rows)


def image_energy_draws(
    model: VisionShape, hw: Chip, batch: int, draws: Mapping[str, np.ndarray], boundary: str
) -> dict[str, np.ndarray]:
    """Per draw, J per image of ``model`` on one ``hw`` classifying ``batch`` images at once
    (``per_image``), whether the forward pass is memory-bound (1 or 0) and the power (W).

    One forward pass of the batch takes the longer of its compute (``batch x FLOPs per
    image`` at ``u`` of peak) and its memory traffic: the weights read once per batch, plus
    each image's activations written once and read once (``2 x activations`` values, at the
    weights' bytes; left out when the model's activations are unknown)."""
    u, bw = draws["flops_fraction"], draws["bandwidth_fraction"]
    f_mem, f_comp = draws["power_memory_bound"], draws["power_compute_bound"]
    value = BYTES_PER_VALUE[hw.precision]
    t_c = batch * model.flops / (hw.peak_flops * u)
    traffic = model.params * value + batch * 2.0 * (model.activations or 0.0) * value
    t_m = traffic / (hw.bandwidth * bw)
    t = np.maximum(t_c, t_m)
    power = hw.tdp * (f_mem + (f_comp - f_mem) * t_c / t)
    per_image = power * t / batch * boundary_multiplier(boundary, draws)
    return {"per_image": per_image, "memory_bound": (t_m >= t_c).astype(float), "power": power}


def image_energy(
    model: str | Mapping[str, object],
    hardware: str,
    *,
    batch: int,
    precision: str = "FP16",
    boundary: str = "server",
    draws: int = 4000,
    seed: int = 2021,
    prob: float = CI_PROB,
    data: str = "2025",
) -> pd.DataFrame:
    """Energy per image of a vision ``model`` on one ``hardware`` accelerator classifying
    ``batch`` images at once: compute-bound at large batches, memory-bound at small ones
    (the weights are read once per batch).

    Args:
        model: a ``model`` of the ``cv_models`` (else ``vision_models``) table, or a dict
            with ``gflops`` (per image), ``params_millions`` and optionally
            ``activations_millions`` (values written per image; the tables hold none, so
            for a named model the activations' traffic is left out, a lower bound).
        hardware: a ``hardware_name`` of the ``accelerators`` table.
        batch: images per forward pass.
        precision: of the weights, activations and peak FLOPS (default FP16).
        boundary, draws, seed, prob, data: as for :func:`query_energy`.

    Returns:
        One row per quantity: ``per_image`` (J, also in Wh), ``memory_bound_share`` (the
        share of draws whose pass is memory-bound, in ``median``; no band),
        ``accelerator_power`` (W); median, band and Monte Carlo errors, with the settings.

    Examples:
        >>> t = image_energy("EfficientNet-B0", "NVIDIA H100 SXM5 80GB", batch=1)
        >>> bool(t.set_index("quantity").loc["memory_bound_share", "median"] > 0.9)
        True
    """
    n_draws = _check(boundary, draws, prob)
    shape = vision_shape(model, data)
    hw = chip(hardware, precision, data)
    b = _whole("batch", batch, minimum=1)
    d = image_energy_draws(shape, hw, b, draw_priors(n_draws, seed), boundary)
    units = {"per_image": "J", "memory_bound_share": "share", "accelerator_power": "W"}
    source = {"memory_bound_share": "memory_bound", "accelerator_power": "power"}
    table = _summary(d, units, source, prob)
    # a pass is memory-bound or not: the share is the mean over draws, no band
    share = float(d["memory_bound"].mean())
    at = table["quantity"] == "memory_bound_share"
    table.loc[at, ["median", "lower", "upper"]] = [share, np.nan, np.nan]
    table.loc[at, ["mcse_median", "mcse_lower", "mcse_upper"]] = [
        math.sqrt(share * (1 - share) / n_draws),
        np.nan,
        np.nan,
    ]
    context = {
        "model": shape.name,
        "hardware": hw.name,
        "precision": precision,
        "batch": b,
        "boundary": boundary,
        "activations": "left out: unknown" if shape.activations is None else "given",
        "draws": n_draws,
        "seed": seed,
        "prob": prob,
    }
    for i, (k, v) in enumerate(context.items()):
        table.insert(i, k, v)
    return table
