"""The thesis's plug-in OLS method reproduces its printed Joules (Tables 5.2 and 5.3)."""

from __future__ import annotations

import numpy as np
import pytest

from energytrend import load_data, thesis

#: Joules per forward pass as printed in thesis Tables 5.2 and 5.3, keyed by (model, extra).
PRINTED_JOULES = {
    ("AlexNet", "No"): 0.100,
    ("ZFNet", "No"): 0.112,
    ("Inception V1/GoogleLeNet", "No"): 0.115,
    ("MobileNet", "No"): 0.022,
    ("EfficientNet-B1", "No"): 0.016,
    ("NoisyStudent-B1", "JFT 300M"): 0.014,
    ("ResNeXt-50 32x4d", "Custom 940M"): 0.092,
    ("EfficientNet-B4", "No"): 0.094,
    ("NoisyStudent-B4", "JFT 300M"): 0.084,
    ("ResNeSt-50", "No"): 0.096,
    ("T2T-ViT-14", "No"): 0.088,
    ("CrossViT-15", "No"): 0.081,
    ("EfficientNetV2-S", "No"): 0.122,
}


def _joules() -> dict[tuple[str, str], float]:
    t = thesis.thesis_table_5_2()
    u = thesis.thesis_table_5_3()
    out = {(r.model, r.extra_data): r.joules for r in t.itertuples()}
    out.update({(r.model, r.extra_data): r.joules for r in u.itertuples()})
    return out


@pytest.mark.parametrize("key", PRINTED_JOULES)
def test_printed_joules_within_two_percent(key: tuple[str, str]) -> None:
    assert _joules()[key] == pytest.approx(PRINTED_JOULES[key], rel=0.02)


def test_mobilenetv2_1_4_is_the_thesis_taking_the_neighbouring_row() -> None:
    """Table 5.2 prints 0.010 J for MobileNetV2 1.4 (1.18 GFLOPs). The method gives 0.019 J;
    0.010 J is what the MobileNetV2 (1.0, 0.60 GFLOPs) row gives, to the printed precision.
    Documented in docs/data.md; the tolerance is not loosened."""
    ours = _joules()[("MobileNetV2 1.4", "No")]
    assert ours == pytest.approx(0.019, abs=0.0005)
    models = load_data("cv_models", "thesis")
    width_1 = models[models["model"] == "MobileNetV2"]
    neighbour = thesis.plugin_joules(width_1, thesis.efficiency_line("cv")).iloc[0]
    assert round(neighbour, 3) == 0.010


def test_table_5_2_rows_and_columns() -> None:
    t = thesis.thesis_table_5_2()
    assert t["model"].iloc[0] == "AlexNet" and len(t) == 7
    assert list(t.columns) == ["model", "top1_accuracy", "gflops", "joules", "extra_data", "year"]
    assert len(thesis.thesis_table_5_3()) == 8


def test_fit_ols_recovers_a_known_line() -> None:
    years = np.linspace(2010, 2021, 30)
    values = 10 ** (0.3 + 0.25 * (years - 2000))
    line = thesis.fit_ols(years, values)
    assert line.slope == pytest.approx(0.25)
    assert line.intercept == pytest.approx(0.3)
    assert line.doubling_time_months == pytest.approx(12 * np.log10(2) / 0.25)
    assert line.slope_se == pytest.approx(0.0, abs=1e-10)


def test_fit_ols_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        thesis.fit_ols([2010, 2011], [1.0, 2.0])
    with pytest.raises(ValueError, match="positive"):
        thesis.fit_ols([2010, 2011, 2012], [1.0, 0.0, 2.0])


def test_baseline_lines_shape_and_energy_identity() -> None:
    for domain in ("cv", "nlp"):
        lines = thesis.baseline_lines(domain).set_index(["metric", "group"])
        assert len(lines) == 5
        eff = lines.loc[("gflops_per_watt", "hardware"), "slope"]
        # Joules = GFLOPs / efficiency line, so on the same points the slopes differ by
        # exactly the efficiency slope, and the residuals are identical.
        for group in ("frontier", "all"):
            assert lines.loc[("joules", group), "slope"] == pytest.approx(
                lines.loc[("gflops", group), "slope"] - eff
            )
            assert lines.loc[("joules", group), "residual_sd"] == pytest.approx(
                lines.loc[("gflops", group), "residual_sd"]
            )


def test_thesis_slopes_are_those_of_its_figures() -> None:
    """Efficiency line of Figure 5.2 (CV) implied by Tables 5.2-5.3: about 0.114 log10/yr."""
    assert thesis.efficiency_line("cv").slope == pytest.approx(0.114, abs=0.001)
    lines = thesis.baseline_lines("cv").set_index(["metric", "group"])
    assert lines.loc[("gflops", "frontier"), "n"] == 10
    assert lines.loc[("gflops", "all"), "n"] == 94
