"""Energy per image of a vision model by batch (issue 24, point 6)."""

from __future__ import annotations

import itertools

import pytest

from energytrend.data.serving_inputs import vision_shape
from energytrend.forecast.serving import image_energy

H100 = "NVIDIA H100 SXM5 80GB"
BATCHES = [1, 2, 4, 8, 32, 256]


def _row(model: object, batch: int, quantity: str = "per_image") -> float:
    t = image_energy(model, H100, batch=batch, draws=400, seed=5)  # type: ignore[arg-type]
    return float(t.set_index("quantity").loc[quantity, "median"])


def test_batch_one_is_memory_bound_and_large_batch_compute_bound() -> None:
    assert _row("EfficientNet-B0", 1, "memory_bound_share") > 0.9  # share of draws
    wide = {"gflops": 1.0, "params_millions": 100.0}  # 200 MB of weights for 1 GFLOP
    assert _row(wide, 1, "memory_bound_share") == 1.0
    assert _row("EfficientNet-B0", 256, "memory_bound_share") == 0.0


def test_energy_per_image_falls_with_batch_then_flattens() -> None:
    energy = [_row("EfficientNet-B0", b) for b in BATCHES]
    assert energy[0] > 1.5 * energy[-1]
    assert all(a >= b for a, b in itertools.pairwise(energy))
    assert energy[-2] == pytest.approx(energy[-1], rel=1e-9)  # compute-bound: flat


def test_activations_add_traffic() -> None:
    base = {"gflops": 7.6, "params_millions": 26.0}
    with_act = dict(base, activations_millions=20.0)
    assert _row(with_act, 1) > _row(base, 1)
    t = image_energy(with_act, H100, batch=1, draws=400)
    assert t["activations"].iloc[0] == "given"


def test_names_and_errors() -> None:
    assert vision_shape("ResNet-50").flops == pytest.approx(7.6e9)
    with pytest.raises(ValueError, match="did you mean 'ResNet-50'"):
        vision_shape("ResNet50")
    with pytest.raises(ValueError, match="needs gflops and params_millions"):
        vision_shape({"gflops": 1.0})
    with pytest.raises(ValueError, match="unknown keys"):
        vision_shape({"gflops": 1.0, "params_millions": 2.0, "layers": 3})
    with pytest.raises(ValueError, match="batch must be a whole number"):
        image_energy("ResNet-50", H100, batch=0)
