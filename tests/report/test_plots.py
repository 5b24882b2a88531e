"""Every figure renders (Agg) from a fit, also from a loaded result, and honours ``ax=``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import energytrend as et
from energytrend.report import plots
from energytrend.report.figures_forecast import plot_efficiency

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result() -> et.TrendFit:
    return et.fit("all")


@pytest.mark.parametrize(
    ("func", "kwargs"),
    [
        (plots.plot_trend, {"metric": "gflops", "domain": "cv"}),
        (plots.plot_trend, {"metric": "joules", "domain": "nlp"}),
        (plots.plot_energy_fan, {"domain": "cv"}),
        (plots.plot_growth_forest, {}),
        (plot_efficiency, {}),
        (plots.plot_accuracy_energy, {"domain": "cv"}),
        (plots.plot_accuracy_energy, {"domain": "nlp"}),
    ],
)
def test_figures_render(result: et.TrendFit, func, kwargs, tmp_path) -> None:
    fig = func(result, **kwargs)
    assert isinstance(fig, Figure)
    fig.savefig(tmp_path / "fig.png", dpi=50)
    assert (tmp_path / "fig.png").stat().st_size > 5000
    main = fig.axes[0]
    assert main.get_title() and any(a.get_xlabel() for a in fig.axes)
    plt.close(fig)


def test_trend_plot_contents(result: et.TrendFit) -> None:
    fig = plots.plot_trend(result, "gflops", "cv")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and "GFLOPs per forward pass" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "frontier: thesis OLS" in labels and any("posterior median" in x for x in labels)
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 2
    plt.close(fig)


def test_fan_chart_has_levels_and_crossing_panel(result: et.TrendFit) -> None:
    fig = plots.plot_energy_fan(result, "cv")
    assert len(fig.axes) == 2
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("human body" in t for t in texts) and any("total energy" in t for t in texts)
    # the P(crossed by year) panel: one step curve per group and level, from the forecast
    # origin on (never before the last model), between 0 and 1 and never falling
    curves = fig.axes[1].get_lines()
    assert len(curves) == 4
    origin = result.models.loc[result.models["domain"] == "cv", "year"].max()
    for line in curves:
        x, y = line.get_xdata(), line.get_ydata()
        assert x.min() >= origin - 1e-9 and (np.diff(y) >= 0).all() and 0 <= y.min() <= y.max() <= 1
    # the energy axis shows the data and the plausible bands, not 100 orders of magnitude
    low, high = fig.axes[0].get_ylim()
    assert np.log10(high / low) < 15
    plt.close(fig)


def test_ax_is_honoured(result: et.TrendFit) -> None:
    fig, axes = plt.subplots(1, 3)
    assert plots.plot_growth_forest(result, ax=axes[0]) is fig
    assert plot_efficiency(result, ax=axes[1]) is fig
    assert plots.plot_energy_fan(result, "nlp", ax=axes[2]) is fig
    assert len(fig.axes) == 3
    plt.close(fig)


def test_loaded_result_plots_without_refitting(result: et.TrendFit, tmp_path) -> None:
    loaded = et.load(result.save(tmp_path / "r.nc"))
    fig = plots.plot_trend(loaded, "joules", "cv")
    assert isinstance(fig, Figure)
    plt.close(fig)


def test_bad_arguments(result: et.TrendFit) -> None:
    with pytest.raises(ValueError, match="metric must be"):
        plots.plot_trend(result, "watts")
    cv_only = et.fit("cv")
    with pytest.raises(ValueError, match="not 'nlp'"):
        plots.plot_trend(cv_only, "gflops", "nlp")


def test_nlp_models_are_not_drawn_as_extra_data_and_years_are_whole(
    result: et.TrendFit,
) -> None:
    """NLP models have no extra-data column: none is drawn hollow or labelled so, also as a
    saved or cached result gives them back (the missing values as empty text); every year
    axis ticks whole years (the report's NLP axes used to read 2017.5)."""
    import dataclasses

    models = result.models.copy()
    models.loc[models["domain"] == "nlp", "extra_data"] = ""  # as read back from a file
    fig = plots.plot_trend(dataclasses.replace(result, models=models), "gflops", "nlp")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("extra data" in label for label in labels), labels
    fig.canvas.draw()
    for axis in (ax, plot_efficiency(result).axes[0]):
        ticks = [t for t in axis.get_xticks() if axis.get_xlim()[0] <= t <= axis.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
    plt.close("all")


def test_result_plot_functions_return_figures_and_honour_ax(result: et.TrendFit) -> None:
    """``et.plot_forecast`` and ``et.plot_crossing_curve`` take the result and keywords only,
    return Figures, draw into ``ax=``, tick whole years and keep the y-axis to the data and
    the plausible bands."""
    for metric in ("gflops", "joules", "gflops_per_watt"):
        fig = et.plot_forecast(
            result, metric=metric, domain=None if metric == "gflops_per_watt" else "nlp"
        )
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        low, high = ax.get_ylim()
        assert np.log10(high / low) < 15, (metric, low, high)
        fig.canvas.draw()
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
        assert ax.get_legend() is not None and ax.get_legend().get_bbox_to_anchor().x0 > 0
        plt.close(fig)
    curve = et.plot_crossing_curve(result, horizon=2035)
    assert len(curve.axes) == len(result.domains)
    plt.close(curve)
    fig, axes = plt.subplots(1, 2)
    assert et.plot_forecast(result, metric="gflops", domain="cv", ax=axes[0]) is fig
    assert et.plot_crossing_curve(result, domain="nlp", ax=axes[1]) is fig
    assert len(axes[1].get_lines()) == 4  # two groups x two human levels
    plt.close(fig)
    with pytest.raises(TypeError):
        et.plot_forecast(result, "joules")  # type: ignore[misc]
    with pytest.raises(ValueError, match="metric must be"):
        et.plot_forecast(result, metric="watts")


def test_retrospective_figures_read_the_shipped_points(result: et.TrendFit) -> None:
    """The retrospective is drawn from results/backtest_points.csv (no refit): the 2021 origin's
    later CV models and chips, with counts that the captions and key findings quote."""
    from conftest import REPO
    from energytrend.report import figures_retro as retro

    points = retro.retrospective_points(REPO / "results" / "backtest_points.csv")
    assert (points["origin"] == 2021.0).all() and (points["year"] >= 2021.0).all()
    cov = retro.retrospective_coverage(points).set_index("series")
    cv = points[points["series"] == "cv/all"]
    assert cov.loc["cv/all", "inside_90"] == cv["in_90"].sum() and cov.loc["cv/all", "n"] == len(cv)
    fig = retro.plot_retro_compute(result, points)
    assert fig.axes[0].get_yscale() == "log"
    plt.close(fig)
    fig = retro.plot_retro_efficiency(result, points)
    assert [a.get_title().split(":")[0] for a in fig.axes] == ["FP32", "FP16/BF16 tensor", "8-bit"]
    plt.close(fig)
