"""Numbers as a reader should see them: only the digits their Monte Carlo error supports.

One module serves the command line, the report and the studies, so a number reads the
same everywhere. The rule: a posterior estimate with Monte Carlo standard error ``mcse`` is
shown to the decimal place of the largest power of ten not above ``2 * mcse``: with an MCSE
of 0.02 a median reads 0.99, not 0.992 (the last digit shown may move by a unit or two with
another seed; a further digit would be noise). Never in e-notation.
"""

from __future__ import annotations

import math

import pandas as pd

#: Decimal places never exceed this, whatever the MCSE (a zero MCSE means an exact number).
MAX_DECIMALS = 6


def decimals_for(mcse: float, *, at_least: int = 0) -> int:
    """Decimal places a number with this Monte Carlo standard error supports.

    >>> decimals_for(0.02), decimals_for(0.004), decimals_for(0.3), decimals_for(7.0)
    (2, 3, 1, 0)
    """
    if not math.isfinite(mcse) or mcse <= 0:
        return MAX_DECIMALS if mcse == 0 else at_least
    unit_exponent = math.floor(math.log10(2 * mcse))
    return max(at_least, min(MAX_DECIMALS, -unit_exponent))


def unit_of(mcse: float) -> float:
    """The value of one unit in the last decimal place that :func:`format_estimate` shows."""
    return 10.0 ** -decimals_for(mcse)


def format_number(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` places and thousands separators, never in e-notation."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "unbounded" if value > 0 else "-unbounded"
    text = f"{value:,.{max(decimals, 0)}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text.replace(",", "")) == 0 else text


def format_estimate(value: float, mcse: float) -> str:
    """A Monte Carlo estimate printed to the digits its MCSE supports.

    >>> format_estimate(0.99214, 0.02), format_estimate(2.389, 0.03), format_estimate(1234.5, 40)
    ('0.99', '2.39', '1,234')
    """
    return format_number(value, decimals_for(mcse))


def format_probability(p: float, mcse: float, n_draws: int) -> str:
    """A posterior probability from ``n_draws`` draws, to its MCSE's digits. When every draw
    agrees (p = 0 or 1, MCSE 0) the honest statement is a bound, e.g. "> 0.999" from 4,000
    draws, never "1.000000".

    >>> format_probability(1.0, 0.0, 4000), format_probability(0.8127, 0.012, 4000)
    ('> 0.999', '0.81')
    """
    if mcse > 0 or 0 < p < 1:
        return format_estimate(p, mcse)
    decimals = max(1, math.ceil(math.log10(n_draws)) - 1)
    bound = format_number(1 - 10.0**-decimals, decimals)
    return f"> {bound}" if p >= 1 else f"< {format_number(10.0**-decimals, decimals)}"


def format_significant(value: float, digits: int = 3) -> str:
    """A number (not a Monte Carlo estimate) to ``digits`` significant digits, in plain
    notation with thousands separators, never e-notation.

    >>> format_significant(5270.0), format_significant(0.000749), format_significant(1.5e12)
    ('5,270', '0.000749', '1,500,000,000,000')
    """
    if not math.isfinite(value) or value == 0:
        return format_number(value, 0)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return format_number(round(value, decimals), decimals)


def format_year(value: float, horizon: float | None = None) -> str:
    """A decimal year as a calendar year ("2031"); infinite as "not by <horizon>"."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return f"not by {horizon:.0f}" if horizon is not None and value > 0 else "unbounded"
    return f"{math.floor(value)}"


def format_interval(lower: float, upper: float, mcse_lower: float, mcse_upper: float) -> str:
    """``[lower, upper]``, each bound to the digits its own MCSE supports."""
    return f"[{format_estimate(lower, mcse_lower)}, {format_estimate(upper, mcse_upper)}]"


def growth_text_table(rates: pd.DataFrame) -> pd.DataFrame:
    """The growth-rate table as printed: one row per line, every number to its MCSE's digits.

    ``rates`` is :meth:`energytrend.TrendFit.growth_rates` (with its ``mcse_*`` columns).
    """
    rows = []
    for (metric, domain, group), r in rates.groupby(["metric", "domain", "group"], sort=False):
        q = r.set_index("quantity")
        s, f, d = (
            q.loc["slope_log10_per_year"],
            q.loc["factor_per_year"],
            q.loc["doubling_time_months"],
        )
        if d["direction"] == "unbounded":
            doubling = "unbounded"
        else:
            doubling = format_estimate(d["median"], d["mcse_median"])
            doubling += " (halving)" if d["direction"] == "halving" else ""
        rows.append(
            {
                "metric": metric,
                "domain": domain,
                "group": group,
                "slope (log10/yr)": format_estimate(s["median"], s["mcse_median"]),
                "90% CI": format_interval(s["lower"], s["upper"], s["mcse_lower"], s["mcse_upper"]),
                "factor/yr": format_estimate(f["median"], f["mcse_median"]),
                "doubling (months)": doubling,
            }
        )
    return pd.DataFrame(rows)


def contrast_text_table(contrasts: pd.DataFrame, n_draws: int) -> pd.DataFrame:
    """:meth:`energytrend.TrendFit.contrasts` as printed, every estimate to its MCSE."""
    out = contrasts[["contrast", "metric", "domain", "group"]].copy()
    out["median"] = [
        format_estimate(v, e)
        for v, e in zip(contrasts["median"], contrasts["mcse_median"], strict=True)
    ]
    out["90% CI"] = [
        format_interval(lo, hi, el, eh)
        for lo, hi, el, eh in zip(
            contrasts["lower"],
            contrasts["upper"],
            contrasts["mcse_lower"],
            contrasts["mcse_upper"],
            strict=True,
        )
    ]
    out["prob_positive"] = [
        format_probability(p, e, n_draws)
        for p, e in zip(contrasts["prob_positive"], contrasts["mcse_prob"], strict=True)
    ]
    return out


def verdict_text_table(verdict: pd.DataFrame, n_draws: int) -> pd.DataFrame:
    """:meth:`energytrend.TrendFit.energy_verdict` as printed, probabilities to their MCSE
    (``n_draws``: the posterior draws behind each probability)."""
    out = verdict[["domain", "group"]].copy()
    out["prob_growing"] = [
        format_probability(p, e, n_draws)
        for p, e in zip(verdict["prob_growing"], verdict["mcse"], strict=True)
    ]
    out["reading"] = verdict["reading"]
    return out


def format_energy(joules: float, mcse: float) -> str:
    """Joules with an SI prefix (mJ, J, kJ, MJ), to the digits the MCSE supports.

    >>> format_energy(1625.7, 11.3), format_energy(0.01234, 0.0001)
    ('1.63 kJ', '12.3 mJ')
    """
    for factor, unit in ((1e6, "MJ"), (1e3, "kJ"), (1.0, "J"), (1e-3, "mJ")):
        if abs(joules) >= factor or factor == 1e-3:
            return f"{format_estimate(joules / factor, mcse / factor)} {unit}"
    raise AssertionError("unreachable")


def format_wh(joules: float, mcse: float) -> str:
    """Joules as watt-hours, to the digits the MCSE supports ("0.45 Wh")."""
    return f"{format_estimate(joules / 3600.0, mcse / 3600.0)} Wh"


def query_text_table(table: pd.DataFrame) -> pd.DataFrame:
    """:meth:`energytrend.TrendFit.energy_per_query` as printed: energy in J and Wh with
    their bands, each to the digits its MCSE supports."""
    rows = []
    for _, r in table.iterrows():
        pct = f"{r['prob']:.0%}"
        rows.append(
            {
                "year": f"{r['year']:.0f}" if float(r["year"]).is_integer() else f"{r['year']:.2f}",
                "group": r["group"],
                "energy": format_energy(r["median_j"], r["mcse_median_j"]),
                f"{pct} band": f"{format_energy(r['lower_j'], r['mcse_lower_j'])} to "
                f"{format_energy(r['upper_j'], r['mcse_upper_j'])}",
                "Wh": format_wh(r["median_j"], r["mcse_median_j"]),
                f"{pct} band (Wh)": f"{format_wh(r['lower_j'], r['mcse_lower_j'])} to "
                f"{format_wh(r['upper_j'], r['mcse_upper_j'])}",
            }
        )
    return pd.DataFrame(rows)
