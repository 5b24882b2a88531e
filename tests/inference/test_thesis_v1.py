"""v1 reproduced: the thesis's data with v1's model (``energytrend.thesis.V1_PRIORS``, the
thesis's two lines per domain) print again the growth rates and energy verdicts that
energytrend v1 printed, within Monte Carlo error."""

from __future__ import annotations

import pytest

import energytrend as et
from conftest import REPO
from energytrend import thesis
from energytrend.cli import main
from tolerance import assert_within_mcse, decimal_unit, numbers_in

GROWTH_FIELDS = ("median", "lower", "upper")


def _expected_mcse(result: et.TrendFit) -> dict[tuple[str, ...], list[float]]:
    """For each printed row (its leading words), the MCSEs of its numbers in print order."""
    out: dict[tuple[str, ...], list[float]] = {}
    rates = result.growth_rates()
    for (metric, domain, group), r in rates.groupby(["metric", "domain", "group"], sort=False):
        q = r.set_index("quantity")
        s, f, d = (
            q.loc["slope_log10_per_year"],
            q.loc["factor_per_year"],
            q.loc["doubling_time_months"],
        )
        mcses = [s["mcse_median"], s["mcse_lower"], s["mcse_upper"], f["mcse_median"]]
        if d["direction"] != "unbounded":
            mcses.append(d["mcse_median"])
        out[(metric, domain, group)] = mcses
    for _, v in result.energy_verdict().iterrows():
        out[(v["domain"], v["group"])] = [v["mcse"]]
    return out


def _compare_blocks(documented: list[str], printed: list[str], result: et.TrendFit) -> int:
    """Same words, and every number within the Monte Carlo tolerance (tests/tolerance.py);
    returns how many numbers were compared."""
    mcse = _expected_mcse(result)
    assert len(documented) == len(printed)
    compared = 0
    for doc, out in zip(documented, printed, strict=True):
        doc_numbers, out_numbers = numbers_in(doc), numbers_in(out)
        words = out.split()
        key = next((k for k in mcse if tuple(words[: len(k)]) == k), None)
        if key is None:  # a title, a rule or a status line: identical text
            assert doc.split() == words, (doc, out)
            continue
        # words equal; "<" and ">" mark a probability bound ("> 0.999" when every draw agrees),
        # which an older block printed as the bare estimate
        assert [w for w in doc.split() if not numbers_in(w) and w not in "<>"] == [
            w for w in words if not numbers_in(w) and w not in "<>"
        ], (doc, out)
        assert len(doc_numbers) == len(out_numbers) == len(mcse[key]), (doc, out)
        for a, b, e in zip(doc_numbers, out_numbers, mcse[key], strict=True):
            assert_within_mcse(
                float(a.replace(",", "")),
                float(b.replace(",", "")),
                e,
                unit_a=decimal_unit(a),
                unit_b=decimal_unit(b),
                what=f"documented: {doc}\ncode:       {out}",
            )
            compared += 1
    return compared


@pytest.mark.slow
def test_thesis_data_reproduces_the_v1_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    """``--data thesis --model v1`` is v1's data and model: the growth rates that v1 printed
    in its README (commit e4cf4ec, fastmath on, every digit printed; tests/data) are found
    again within Monte Carlo error. Only the digits shown differ."""
    documented = (REPO / "tests" / "data" / "v1_results_thesis.txt").read_text().splitlines()
    assert main(["fit", "all", "--data", "thesis", "--model", "v1"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    v1 = et.fit("all", data="thesis", priors=thesis.V1_PRIORS)
    assert _compare_blocks(documented, printed, v1) >= 40
