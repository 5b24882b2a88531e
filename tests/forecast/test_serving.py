"""The serving model of one query (issue 24): its physics, its errors and its seed."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import energytrend as et
from energytrend.cli import main
from energytrend.data.serving_inputs import ModelShape, chip, model_shape
from energytrend.forecast.serving import (
    PRIORS,
    Serving,
    expected_experts,
    query_energy_draws,
    simulate,
    weights_read,
)

H100 = "NVIDIA H100 SXM5 80GB"
DENSE_70B = {"params_millions": 70_000, "active_params_millions": 70_000, "n_layers": 80,
             "d_model": 8192, "kv_dim": 1024}  # fmt: skip
MOE = {"params_millions": 1_000_000, "active_params_millions": 32_000, "n_experts": 384,
       "experts_per_token": 8}  # fmt: skip


def _mid() -> dict[str, np.ndarray]:
    """One draw at the middle of every prior range."""
    return {k: np.array([(p.low + p.high) / 2]) for k, p in PRIORS.items()}


def _per_token(batch: int, model: dict[str, object] = DENSE_70B) -> tuple[float, float]:
    shape, hw = model_shape(model), chip(H100, "FP8")
    parts = simulate(shape, hw, Serving(batch, 8, 0, 200), _mid())
    return float(parts["decode"][0] / 200), float(parts["memory_bound"][0])


def test_decode_at_batch_one_is_memory_bound() -> None:
    assert _per_token(1)[1] == 1.0


def test_energy_per_token_falls_with_batch_until_compute_bound() -> None:
    small = dict(DENSE_70B, n_layers=None, d_model=None, kv_dim=None)  # weights only
    batches = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536]
    runs = [_per_token(b, small) for b in batches]
    per_token, memory = [r[0] for r in runs], [r[1] for r in runs]
    assert memory[0] == 1.0 and memory[-1] == 0.0
    for (a, ma), b in zip(runs, per_token[1:], strict=False):
        if ma == 1.0:
            assert b < a  # memory-bound: the weights' read is shared by more sequences
        else:
            assert b == pytest.approx(a, rel=1e-9)  # compute-bound: flat


def test_a_large_enough_batch_becomes_compute_bound() -> None:
    small = dict(DENSE_70B, n_layers=None, d_model=None, kv_dim=None)  # no KV cache
    assert _per_token(1, small)[1] == 1.0
    assert _per_token(100_000, small)[1] == 0.0


def test_moe_reads_its_total_parameters_at_large_batch() -> None:
    shape = model_shape(MOE)
    assert weights_read(shape, 1)[0] == pytest.approx(shape.active_params)
    assert weights_read(shape, 100_000)[0] == pytest.approx(shape.params, rel=1e-9)
    reads = [weights_read(shape, b)[0] for b in (1, 8, 64, 512)]
    assert all(a < b for a, b in itertools.pairwise(reads))


def test_moe_without_experts_reads_its_total() -> None:
    shape = model_shape({"params_millions": 47_000, "active_params_millions": 13_000})
    assert weights_read(shape, 1)[0] == shape.params


def test_expected_experts_touched_matches_a_simulation() -> None:
    rng = np.random.default_rng(7)
    n_experts, k = 64, 4
    for tokens in (1, 3, 16, 100):
        touched = [
            len({int(e) for _ in range(tokens) for e in rng.choice(n_experts, k, replace=False)})
            for _ in range(2000)
        ]
        sim = float(np.mean(touched))
        se = float(np.std(touched)) / np.sqrt(len(touched))
        assert abs(sim - expected_experts(n_experts, k, tokens)) < 4 * se + 1e-9, tokens


def test_the_same_seed_gives_the_same_draws() -> None:
    shape, hw = model_shape(DENSE_70B), chip(H100, "FP8")
    a = query_energy_draws(shape, hw, Serving(8, 2, 100, 100), seed=5, draws=500)
    b = query_energy_draws(shape, hw, Serving(8, 2, 100, 100), seed=5, draws=500)
    c = query_energy_draws(shape, hw, Serving(8, 2, 100, 100), seed=6, draws=500)
    assert np.array_equal(a["query"], b["query"])
    assert not np.array_equal(a["query"], c["query"])


def test_boundaries_nest() -> None:
    shape, hw = model_shape(DENSE_70B), chip(H100, "FP8")
    serving = Serving(8, 2, 100, 100)
    e = {
        b: query_energy_draws(shape, hw, serving, boundary=b, draws=500)["query"]
        for b in ("accelerator", "server", "datacentre")
    }
    assert (e["accelerator"] <= e["server"]).all() and (e["server"] < e["datacentre"]).all()


def test_query_energy_table_for_shipped_names() -> None:
    t = et.query_energy(
        "Kimi K2", "NVIDIA B200", batch=64, prompt_tokens=500, output_tokens=500,
        precision="FP4", draws=1000,
    )  # fmt: skip
    rows = t.set_index("quantity")
    assert set(rows.index) == {"query", "prefill", "decode", "per_output_token",
                               "memory_bound_share", "accelerator_power"}  # fmt: skip
    q = rows.loc["query"]
    assert q["lower"] < q["median"] < q["upper"]
    assert q["median_wh"] == pytest.approx(q["median"] / 3600)
    assert rows.loc["prefill", "median"] + rows.loc["decode", "median"] == pytest.approx(
        q["median"], rel=0.05
    )
    assert (t["mcse_median"] >= 0).all() and t["accelerators"].iloc[0] >= 1


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"model": "Llama 2 70B"}, ["unknown model", "'Llama 2-70B'"]),
        ({"hardware": "H100 SXM"}, ["unknown hardware", "NVIDIA H100"]),
        ({"batch": 0}, ["batch", ">= 1"]),
        ({"batch": 2.5}, ["batch", "whole number"]),
        ({"output_tokens": 0}, ["output_tokens", ">= 1"]),
        ({"precision": "fp8"}, ["precision must be one of", "FP8"]),
        ({"boundary": "wall"}, ["boundary must be one of", "server"]),
        ({"model": {"params_millions": 70_000}}, ["active_params_millions", "pass a dict"]),
        ({"model": {"params_millions": 7, "active_params_millions": 70}}, ["exceeds"]),
        ({"model": {"params_millions": 7, "active_params_millions": 7, "layers": 2}},
         ["unknown keys", "n_layers"]),
        ({"hardware": "NVIDIA Tesla C2050"}, ["no FP8 peak", "choose one of"]),
    ],
)  # fmt: skip
def test_bad_input_names_the_argument_and_the_fix(
    kwargs: dict[str, object], words: list[str]
) -> None:
    args: dict[str, object] = {"model": DENSE_70B, "hardware": H100, "batch": 8,
                               "prompt_tokens": 100, "output_tokens": 100}  # fmt: skip
    args["draws"] = 200
    args.update(kwargs)
    with pytest.raises(ValueError) as err:
        et.query_energy(**args)  # type: ignore[arg-type]
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def test_cli_query_with_model_and_hardware(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["query", "--model", "Llama 2-70B", "--hardware", H100, "--batch", "8",
               "--prompt-tokens", "500", "--output-tokens", "500"])  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0 and "per_output_token" in out and "Wh" in out and "server boundary" in out


def test_cli_query_unknown_hardware_lists_close_names(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["query", "--model", "Llama 2-70B", "--hardware", "H100 SXM", "--batch", "8"])
    assert rc != 0
    assert "NVIDIA H100" in capsys.readouterr().err


def test_model_shape_types() -> None:
    assert isinstance(model_shape("Mixtral 8x7B"), ModelShape)
    assert model_shape("Mixtral 8x7B").is_moe
