"""The HTML report: self-contained, the fit's own numbers, every figure, rendered in a real
headless browser where one is installed."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import energytrend as et
from conftest import REPO
from energytrend.cli import main
from energytrend.report.html import render_report, write_report

pytestmark = pytest.mark.slow
#: per domain: compute trend, compute fan, energy fan, accuracy; plus the growth forest, the
#: crossing curve, efficiency by precision, the two retrospective figures and the two
#: per-query figures (energy with the published figures, P(crossed by year) per scenario), the
#: J per output token by batch, and measured against peak-based energy
N_FIGURES = 4 * 2 + 3 + 2 + 3 + 1


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[et.TrendFit, Path]:
    result = et.fit("all")
    path = write_report(
        result, tmp_path_factory.mktemp("report") / "report.html", llm=et.fit("llm")
    )
    return result, path


def test_report_is_self_contained_with_every_section(report) -> None:
    result, path = report
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    for heading in (
        "Data",
        "Growth rates",
        "Does hardware progress cancel",
        "human levels",
        "Figures",
        "Energy per LLM query",
        "The published figures beside the model",
        "Per query by serving regime",
        "Diagnostics",
        "Reproducibility",
    ):
        assert heading in text
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == N_FIGURES
    assert all(base64.b64decode(i)[:4] == b"\x89PNG" for i in images)
    assert "http://" not in text and "https://" not in text  # nothing fetched
    assert f"<td>{result.config.seed}</td>" in text


def test_query_section_has_the_batch_figure_and_the_regime_table(report) -> None:
    """The LLM query section shows J per output token by batch (with the MLPerf points) and a
    table of the query per regime (benchmark, interactive, batch1) at the named boundary,
    with the numbers of ``energy_per_query``."""
    from energytrend.report.query_section import SERVER_BOUNDARY, _band

    _, path = report
    text = path.read_text(encoding="utf-8")
    start = text.index("<h3>Per query by serving regime</h3>")
    section = text[start : text.index("<h3>When does one query reach", start)]
    assert html.escape(SERVER_BOUNDARY) in section or SERVER_BOUNDARY in section
    assert section.count('src="data:image/png;base64,') == 1
    assert "MLPerf LLM power runs" in section and "joules per output token" in section
    table = section[section.index("<table") : section.index("</table>")]
    llm = et.fit("llm")
    for regime in ("benchmark", "interactive", "batch1"):
        assert f"<td>{regime}</td>" in table
        t = et.energy_per_query(llm, year=2025.0, regime=regime).set_index("group")
        for group in ("all", "frontier"):
            assert f"<td>{html.escape(_band(t.loc[group]))}</td>" in table
    assert table.count("<td>server</td>") == 3


def test_cv_energy_lines_say_their_regime(report) -> None:
    from energytrend.report.html import CV_BATCH_NOTE, ENERGY_REGIME

    _, path = report
    text = path.read_text(encoding="utf-8")
    start = text.index("CV: energy per forward pass to 2040")
    caption = text[start : text.index("</figcaption>", start)]
    assert html.escape(ENERGY_REGIME.strip()) in caption
    assert html.escape(CV_BATCH_NOTE.strip()) in caption
    assert "MLPerf Offline" in caption and "full batch" in caption and "peak FLOPS" in caption


def test_key_findings_open_the_report_with_the_fits_numbers(report) -> None:
    """The key findings come first (before the how-to-read box and every section) and are
    generated: each growth factor is the fit's, to the digits its MCSE supports."""
    from energytrend.inference.formatting import format_estimate

    result, path = report
    text = path.read_text(encoding="utf-8")
    start = text.index("Key findings")
    assert start < text.index("How to read this report") < text.index("<h2>Data</h2>")
    findings = text[start : text.index("</ul>", start)]
    assert findings.count("<li>") >= 4
    rates = result.growth_rates()
    factors = rates[(rates["quantity"] == "factor_per_year") & (rates["group"] == "frontier")]
    for row in factors.itertuples():
        assert f"×{format_estimate(row.median, row.mcse_median)} per year" in findings
    verdict = result.energy_verdict()
    for reading in verdict["reading"]:
        assert reading.split(":")[0] in findings
    assert "97 J" in findings and "9,114 J" in findings
    # the retrospective finding quotes the retrospective figures' own counts
    from energytrend.report.figures_retro import retrospective_coverage, retrospective_points

    cov = retrospective_coverage(
        retrospective_points(REPO / "results" / "backtest_points.csv")
    ).set_index("series")
    cv = cov.loc["cv/all"]
    sentence = f"({cv['inside_90']:.0f} of {cv['n']:.0f}) of the CV models"
    assert sentence in findings
    retro = text[text.index("Looking back") :]
    assert f"{cv['inside_90']:.0f} of {cv['n']:.0f} ({cv['share_90']:.0%})" in retro


def test_report_numbers_are_the_fits_numbers(report) -> None:
    """Each number as the fit gives it, to the digits its MCSE supports; years as years;
    nothing in e-notation."""
    from energytrend.inference.formatting import format_probability, format_year, growth_text_table

    result, path = report
    text = path.read_text(encoding="utf-8")
    n = result.config.chains * result.config.draws
    verdict = result.energy_verdict()
    for p, e in zip(verdict["prob_growing"], verdict["mcse"], strict=True):
        assert f"<td>{html.escape(format_probability(p, e, n))}</td>" in text
    for v in growth_text_table(result.growth_rates())["slope (log10/yr)"]:
        assert f"<td>{v}</td>" in text
    crossing = et.crossing_dates(result)
    horizon = float(crossing["horizon"].iloc[0])
    for v, words in zip(crossing["median_year"], crossing["crossing"], strict=True):
        assert f"<td>{words}</td>" in text  # the answer in words
        shown = format_year(v if np.isfinite(v) else float("inf"), horizon)
        assert f"<td>{shown}</td>" in text  # NaN (beyond the horizon) reads "not by 2100"
    body = re.sub(r'src="data:[^"]*"', "", text)
    body = re.sub(r"<[^>]*>", " ", body)
    assert not re.findall(r"\b\d+(?:\.\d+)?e[+-]?\d+\b", body, flags=re.IGNORECASE)
    assert "NaN" not in body and "NaT" not in body


def test_failed_fit_is_marked_and_hides_numbers() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bad = et.fit("nlp", config=et.FitConfig(draws=20, tune=20, chains=2, cache=False))
        text = render_report(bad)
    assert "FAILED its diagnostics" in text
    assert "Growth rates" not in text and "data:image/png" not in text


def test_cli_report_and_bad_output_path(tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.html"
    assert main(["report", "cv", "--output", str(out)]) == 0
    assert out.exists() and "report written to" in capsys.readouterr().out
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["report", "cv", "--output", str(blocker / "r.html")]) == 1
    assert "energytrend: error:" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "r.html"]


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


#: Measures the rendered page and writes the numbers into the DOM for ``--dump-dom``.
PROBE = r"""<script>
window.addEventListener("load", () => {
  const column = document.body.getBoundingClientRect().right;
  const tables = [...document.querySelectorAll("table")];
  const imgs = [...document.querySelectorAll("img")];
  const findings = document.querySelector(".findings");
  const out = {
    window_width: window.innerWidth,
    window_height: window.innerHeight,
    page_width: document.documentElement.scrollWidth,
    tables_overflowing: tables.filter(t => t.getBoundingClientRect().right > column + 1)
      .map(t => t.innerText.slice(0, 60)),
    images: imgs.length,
    images_blank: imgs.filter(i => !i.complete || i.naturalWidth < 200).length,
    document_height: document.documentElement.scrollHeight,
    findings_bottom: findings ? findings.getBoundingClientRect().bottom : 1e9,
    e_notation: (document.body.innerText.match(/\d\.?\d*[eE][+-]?\d/g) || []),
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def _chromium(browser: str, profile: Path, *args: str) -> str:
    """Run headless Chromium offline with its own profile; its standard output."""
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def test_report_renders_in_a_headless_browser(report, tmp_path: Path) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip(
            "no headless Chromium on this machine (test.sh installs Debian's "
            "chromium where it can): the report was not opened in a browser"
        )
    _, path = report
    dom = _chromium(browser, tmp_path / "profile", "--dump-dom", path.as_uri())
    # The browser parsed the page and every embedded image is in the rendered DOM.
    assert "Growth rates" in dom
    assert dom.count("data:image/png;base64,") == N_FIGURES
    # Layout at 1280 px, measured by the browser itself on a copy of the page with a probe:
    # no table wider than the text column, nothing scrolls sideways, every figure decoded
    # with real pixels, and the key findings inside the first screen.
    probe = tmp_path / "probe.html"
    probe.write_text(
        path.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    measured = _chromium(
        browser, tmp_path / "profile3", "--window-size=1280,900", "--dump-dom", probe.as_uri()
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', measured, flags=re.S)
    assert found, "the probe did not run"
    layout = json.loads(html.unescape(found.group(1)))
    assert layout["page_width"] <= layout["window_width"], layout
    assert layout["tables_overflowing"] == [], layout
    assert layout["images"] == N_FIGURES and layout["images_blank"] == 0, layout
    assert layout["findings_bottom"] <= layout["window_height"], layout
    # no number in e-notation in any text the reader sees (tables, findings, captions)
    assert layout["e_notation"] == [], layout["e_notation"]
    # full-page screenshots at 1280 px, kept under out/ for a person to look at
    out = REPO / "out"
    out.mkdir(exist_ok=True)
    height = int(layout["document_height"]) + 50
    for width in (1280,):
        shot = out / f"report-{width}.png"
        shot.unlink(missing_ok=True)
        _chromium(
            browser,
            tmp_path / f"profile-{width}",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            f"--window-size={width},{height}",
            path.as_uri(),
        )
        assert shot.stat().st_size > 100_000, shot


def test_how_to_read_says_what_the_forecast_does_after_the_data() -> None:
    """The report's reading box follows the fit's extrapolation, not a fixed sentence."""
    from energytrend.model.spec import V1_PRIORS, default_spec, resolve_spec
    from energytrend.report.html import HOW_TO_READ, extrapolation_words

    spec = default_spec()
    shipped = extrapolation_words(spec)
    sd = spec["extrapolation"]["longrun_slope"]["sigma"]
    assert f"Normal(0, {sd:g})" in shipped and "no-drift scenario" in shipped
    assert "straight line" in extrapolation_words(resolve_spec(V1_PRIORS))
    other = resolve_spec({"extrapolation": {"longrun_slope": {"mu": 0.1}}})
    assert "1.3x per year" in extrapolation_words(other)
    assert shipped in HOW_TO_READ.format(extrapolation=shipped, frontier="")


def test_how_to_read_says_how_the_frontier_is_drawn() -> None:
    """The reading box follows the fit's frontier: its own quantile-regression line, the
    typical line's quantile, or the thesis's two lines."""
    from energytrend.model.spec import V1_PRIORS, default_spec, resolve_spec
    from energytrend.report.html import frontier_words

    assert "quantile regression" in frontier_words(default_spec())
    scatter = resolve_spec({"structure": {"frontier": "scatter"}})
    assert "grows at the typical rate" in frontier_words(scatter)
    assert "two lines" in frontier_words(resolve_spec(V1_PRIORS))
