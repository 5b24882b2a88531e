"""Calibration of the serving model's ranges on MLPerf LLM power runs, checked on a held-out
round.

The quantities of :data:`~energytrend.forecast.serving.PRIORS` that an MLPerf run's energy
depends on (achieved fractions of peak FLOPS and bandwidth, power in memory- and
compute-bound steps, the server multiplier: MLPerf measures wall power) are updated on the
runs of the earlier round(s) by importance weighting of prior draws:

* each run's measured J per sample ``y`` is ``predicted x exp(sigma x e)``, ``e`` standard
  normal, ``predicted`` the serving model at the run's model, chip, precision, batch,
  accelerators per replica, power cap, prompt and output tokens (``mlperf_serving_runs``);
* ``sigma``, the run-to-run scatter the parameters do not explain, is one more uncertain
  quantity (:data:`SIGMA`, an assumption);
* the weight of a draw is its likelihood over the training runs; the posterior is the
  weighted draws (their effective number is reported).

The later round is then predicted from the posterior, ``predicted x exp(sigma x e)`` per
draw, and scored: inside the 90% band or not, and the CRPS of ``log y`` (natural log: the
errors are multiplicative). The same scores of the shipped priors' band (no scatter term)
sit beside it. Intervals of the held-out scores are a block bootstrap over the held-out
round's (round, benchmark) blocks.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from energytrend.data.serving_inputs import ModelShape, chip
from energytrend.forecast.serving import PRIORS, Prior, Serving, draw_priors, simulate

#: Run-to-run scatter of log energy around the model (uniform). An assumption: from a few
#: per cent (repeated runs of one system) to a factor of about 1.6 (different software).
SIGMA = Prior(0.05, 0.5, "run-to-run scatter of natural-log energy; an assumption")

#: The quantities the calibration updates (the others do not enter a server-boundary run).
CALIBRATED = (
    "flops_fraction",
    "bandwidth_fraction",
    "power_memory_bound",
    "power_compute_bound",
    "server",
)


def _shape(run: pd.Series) -> ModelShape:
    def opt(col: str) -> float | None:
        v = run[col]
        return None if pd.isna(v) else float(v)

    return ModelShape(
        str(run["benchmark"]),
        float(run["params_millions"]) * 1e6,
        float(run["active_params_millions"]) * 1e6,
        opt("n_layers"),
        opt("d_model"),
        opt("kv_dim"),
        opt("n_experts"),
        opt("experts_per_token"),
    )


def predict_runs(runs: pd.DataFrame, draws: dict[str, np.ndarray]) -> np.ndarray:
    """Server-boundary J per sample of every run (rows) for every draw (columns)."""
    out = np.empty((len(runs), len(draws["server"])))
    for i, (_, r) in enumerate(runs.iterrows()):
        hw = chip(str(r["hardware_name"]), str(r["precision"]))
        if not pd.isna(r["power_limit_watts"]):
            hw = dataclasses.replace(hw, tdp=min(hw.tdp, float(r["power_limit_watts"])))
        serving = Serving(
            int(r["batch"]),
            int(r["accelerators"]),
            round(float(r["input_tokens"])),
            round(float(r["output_tokens"])),
        )
        parts = simulate(_shape(r), hw, serving, draws)
        out[i] = (parts["prefill"] + parts["decode"]) * draws["server"]
    return out


def _weights(log_pred: np.ndarray, log_y: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    z = (log_y[:, None] - log_pred) / sigma[None, :]
    loglik = (-0.5 * z**2).sum(axis=0) - len(log_y) * np.log(sigma)
    w = np.exp(loglik - loglik.max())
    return np.asarray(w / w.sum(), dtype=float)


def crps_log(samples: np.ndarray, y: float) -> float:
    """CRPS of ``log(y)`` against equally weighted ``samples`` of energy (same unit).

    >>> round(crps_log(np.full(10, 2.0), 4.0), 3)  # a point forecast: |log 2 - log 4|
    0.693
    """
    x = np.sort(np.log(samples))
    n = len(x)
    term1 = np.mean(np.abs(x - np.log(y)))
    i = np.arange(1, n + 1)
    term2 = np.sum((2 * i - n - 1) * x) / n**2  # E|X - X'| / 2
    return float(term1 - term2)


def calibrate(
    runs: pd.DataFrame,
    train_rounds: tuple[str, ...],
    *,
    draws: int = 10_000,
    seed: int = 2021,
    prob: float = 0.9,
    bootstrap: int = 2000,
) -> dict[str, pd.DataFrame]:
    """Calibrate on the runs of ``train_rounds``; score the other runs (held out).

    Returns ``runs`` (one row per held-out run: measured, prior and calibrated band, inside,
    CRPS of each), ``scores`` (coverage and mean CRPS, prior and calibrated, with block
    bootstrap intervals) and ``parameters`` (each calibrated quantity's prior range and its
    posterior median and band, and the effective number of draws).
    """
    train = runs[runs["round"].isin(train_rounds)].reset_index(drop=True)
    test = runs[~runs["round"].isin(train_rounds)].reset_index(drop=True)
    if train.empty or test.empty:
        raise ValueError(
            f"train_rounds {train_rounds} must leave runs on both sides; the runs' rounds are "
            f"{sorted(set(runs['round']))}"
        )
    prior = draw_priors(draws, seed)
    rng = np.random.default_rng(seed + 1)
    sigma = rng.uniform(SIGMA.low, SIGMA.high, draws)
    log_y = np.log(train["measured_j_per_sample"].to_numpy(float))
    w = _weights(np.log(predict_runs(train, prior)), log_y, sigma)
    ess = 1.0 / float(np.sum(w**2))
    idx = rng.choice(draws, size=draws, p=w)
    pred = predict_runs(test, prior)
    noise = np.exp(sigma[idx] * rng.standard_normal(draws))
    lo, hi = (1 - prob) / 2, (1 + prob) / 2
    rows = []
    for j, (_, r) in enumerate(test.iterrows()):
        y = float(r["measured_j_per_sample"])
        prior_x = pred[j]
        post_x = pred[j][idx] * noise
        row = {k: r[k] for k in ("round", "benchmark", "scenario", "hardware_name", "batch")}
        row["measured_j"] = y
        for name, x in (("prior", prior_x), ("calibrated", post_x)):
            q = np.quantile(x, [0.5, lo, hi])
            row |= {
                f"{name}_median_j": q[0],
                f"{name}_lower_j": q[1],
                f"{name}_upper_j": q[2],
                f"{name}_inside": bool(q[1] <= y <= q[2]),
                f"{name}_crps": crps_log(x, y),
            }
        rows.append(row)
    held = pd.DataFrame(rows)
    scores = _scores(held, bootstrap, seed)
    par = []
    for name in (*CALIBRATED, "sigma"):
        x = sigma if name == "sigma" else prior[name]
        p = SIGMA if name == "sigma" else PRIORS[name]
        q = np.quantile(x[idx], [0.5, lo, hi])
        par.append(
            {
                "quantity": name,
                "prior_low": p.low,
                "prior_high": p.high,
                "posterior_median": q[0],
                "posterior_lower": q[1],
                "posterior_upper": q[2],
            }
        )
    parameters = pd.DataFrame(par)
    parameters["effective_draws"] = ess
    parameters["draws"] = draws
    parameters["train_runs"] = len(train)
    return {"runs": held, "scores": scores, "parameters": parameters}


def _scores(held: pd.DataFrame, bootstrap: int, seed: int) -> pd.DataFrame:
    blocks = held.groupby(["round", "benchmark"]).indices
    keys = list(blocks)
    rng = np.random.default_rng(seed + 2)
    rows = []
    for name in ("prior", "calibrated"):
        inside = held[f"{name}_inside"].to_numpy(float)
        crps = held[f"{name}_crps"].to_numpy(float)
        boot = np.empty((bootstrap, 2))
        for b in range(bootstrap):
            pick = rng.integers(0, len(keys), len(keys))
            ii = np.concatenate([blocks[keys[k]] for k in pick])
            boot[b] = inside[ii].mean(), crps[ii].mean()
        for k, (metric, value) in enumerate((("coverage", inside.mean()), ("crps", crps.mean()))):
            rows.append(
                {
                    "band": name,
                    "metric": metric,
                    "value": value,
                    "lower": np.quantile(boot[:, k], 0.05),
                    "upper": np.quantile(boot[:, k], 0.95),
                    "runs": len(held),
                    "blocks": len(keys),
                }
            )
    return pd.DataFrame(rows)
