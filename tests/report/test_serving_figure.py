"""The figure of J per output token by batch: the serving model's lines, the MLPerf LLM power
runs as points at their read batch, and the published 2025 figures at their own boundary."""

from __future__ import annotations

import numpy as np
import pytest

import energytrend as et
from energytrend.data.llm_queries import published_query_energy
from energytrend.data.serving_inputs import mlperf_serving_runs
from energytrend.report.serving_figure import (
    DEFAULT_CASES,
    mlperf_points,
    plot_energy_per_token_by_batch,
)


def _points(ax) -> np.ndarray:
    """Every MLPerf marker's (x, y) on ``ax``."""
    offsets = [c.get_offsets() for c in ax.collections if str(c.get_label()).startswith("MLPerf")]
    return np.vstack(offsets) if offsets else np.empty((0, 2))


def test_mlperf_points_are_the_runs_per_output_token() -> None:
    runs = mlperf_serving_runs()
    p = mlperf_points()
    assert len(p) == len(runs)
    np.testing.assert_allclose(
        p["j_per_output_token"], runs["measured_j_per_sample"] / runs["output_tokens"]
    )
    assert (p["batch"] == runs["batch"]).all()


def test_figure_has_every_mlperf_run_at_its_batch_and_the_published_figures() -> None:
    fig = plot_energy_per_token_by_batch(cases=DEFAULT_CASES[:2], batches=(1, 64), draws=200)
    main, side = fig.axes[:2]
    points = _points(main)
    expected = mlperf_points()
    assert len(points) == len(expected)
    got = sorted(map(tuple, np.round(points, 9)))
    want = sorted(
        zip(
            np.round(expected["batch"].astype(float), 9),
            np.round(expected["j_per_output_token"], 9),
            strict=True,
        )
    )
    assert got == want
    labels = [str(c.get_label()) for c in main.collections if c.get_label().startswith("MLPerf")]
    assert any("Offline" in s for s in labels) and any("Server" in s for s in labels)
    # the published figures: all in the side panel (J per query, each with its boundary), and
    # the one that states its output tokens (Epoch AI, 500) as a line of J per output token
    pub = published_query_energy()
    side_labels = [str(c.get_label()) for c in side.collections]
    for _, row in pub.iterrows():
        assert any(f"{row['wh_per_query']:g} Wh ({row['boundary_class']}" in s for s in side_labels)
    stated = pub[pub["output_tokens"].fillna(0) > 0]
    lines = {round(float(ln.get_ydata()[0]), 9) for ln in main.get_lines()}
    for _, row in stated.iterrows():
        assert round(row["joules_per_query"] / row["output_tokens"], 9) in lines
    texts = " ".join(t.get_text() for t in main.texts)
    assert "no batch published" in texts and "boundary" in texts


@pytest.mark.slow
def test_side_panel_has_the_trend_query_per_regime() -> None:
    fig = plot_energy_per_token_by_batch(
        cases=DEFAULT_CASES[:1], batches=(1, 64), draws=200, llm=et.fit("llm")
    )
    ticks = [t.get_text() for t in fig.axes[1].get_xticklabels()]
    assert ticks == ["benchmark\n(server)", "interactive\n(server)", "batch1\n(server)",
                     "published\n2025"]  # fmt: skip
