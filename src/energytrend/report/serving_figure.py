"""Joules per output token against batch size, from the serving model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from energytrend.forecast.serving import query_energy

#: (label, model, hardware, precision) drawn by default: a 70B dense model and a mixture of
#: experts on an H100 and a B200.
DEFAULT_CASES: tuple[tuple[str, str, str, str], ...] = (
    ("Llama 3.3 70B, H100 FP8", "Llama 3.3 70B", "NVIDIA H100 SXM5 80GB", "FP8"),
    ("Llama 3.3 70B, B200 FP4", "Llama 3.3 70B", "NVIDIA B200", "FP4"),
    ("DeepSeek-V3, B200 FP4", "DeepSeek-V3", "NVIDIA B200", "FP4"),
    ("Kimi K2, B200 FP4", "Kimi K2", "NVIDIA B200", "FP4"),
)


def plot_energy_per_token_by_batch(
    cases: Sequence[tuple[str, str, str, str]] = DEFAULT_CASES,
    batches: Sequence[int] = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
    *,
    prompt_tokens: int = 500,
    output_tokens: int = 500,
    boundary: str = "server",
    draws: int = 2000,
    seed: int = 2021,
) -> Figure:
    """Median and 90% band of joules per output token by batch, one line per case
    ``(label, model, hardware, precision)``.

    >>> fig = plot_energy_per_token_by_batch(cases=DEFAULT_CASES[:1], batches=(1, 64), draws=200)
    >>> fig.axes[0].get_xscale(), fig.axes[0].get_yscale()
    ('log', 'log')
    """
    if not cases or not batches:
        raise ValueError("cases and batches must not be empty")
    fig = Figure(figsize=(7.5, 4.8), layout="constrained")
    ax = fig.add_subplot()
    for label, model, hardware, precision in cases:
        med, lo, hi = [], [], []
        for b in batches:
            t = query_energy(
                model, hardware, batch=b, prompt_tokens=prompt_tokens,
                output_tokens=output_tokens, precision=precision, boundary=boundary,
                draws=draws, seed=seed,
            ).set_index("quantity").loc["per_output_token"]  # fmt: skip
            med.append(t["median"])
            lo.append(t["lower"])
            hi.append(t["upper"])
        x = np.asarray(batches, dtype=float)
        (line,) = ax.plot(x, med, marker="o", ms=3, label=label)
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15, lw=0)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch (sequences decoded together per replica)")
    ax.set_ylabel(f"J per output token ({boundary} boundary)")
    ax.set_title(
        f"{prompt_tokens} prompt and {output_tokens} output tokens; median and 90% band",
        fontsize=9,
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return fig
