"""The published 2025 per-query energy figures beside the model's query energy.

The figures (:func:`energytrend.data.llm_queries.published_query_energy`) are comparison
points, never fit data. Each is set against the model's calibrated energy of the same query
shape (the one its source states, else the default scenario) at its publication date, for
the typical and the frontier model, and placed in words: inside a band, between them, below
or above both, with the reason its energy boundary suggests. The model's boundary is the
wall power of a tuned MLPerf server: accelerators and host, no idle capacity and no
data-centre overhead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from energytrend.data.llm_queries import DEFAULT_SCENARIO, published_query_energy
from energytrend.data.tables import decimal_year
from energytrend.forecast.query import energy_per_query, query_shape
from energytrend.inference.intervals import CI_PROB

if TYPE_CHECKING:
    from energytrend.inference.result import TrendFit

#: Why a figure sits above or below the model's bands, by its boundary class.
_ABOVE = {
    "datacentre": "its boundary adds idle capacity and data-centre overhead (PUE), which the "
    "MLPerf server's wall power leaves out, and production serving is rarely as "
    "batch-efficient as a tuned benchmark run",
    "server": "production serving is rarely as batch-efficient as a tuned MLPerf run",
    "accelerator": "the service's model or query may be larger than the published models",
    "undisclosed": "its boundary is not disclosed, so the gap cannot be attributed",
}
_BELOW = {
    "accelerator": "it counts the accelerators only, not the host that MLPerf's wall power "
    "includes",
    "server": "the service's model may be smaller, or its hardware newer, than the trend's",
    "datacentre": "the service's model may be smaller, or its hardware newer, than the trend's",
    "undisclosed": "its boundary is not disclosed, so the gap cannot be attributed",
}


def publication_year(published: str) -> float:
    """A publication date as a decimal year; a bare year ("2025") is read as its middle."""
    text = str(published).strip()
    if len(text) == 4 and text.isdigit():
        return float(text) + 0.5
    return float(decimal_year(pd.Series(pd.to_datetime([text])))[0])


def _shape_of(row: pd.Series) -> tuple[str, int, int]:
    if pd.notna(row["prompt_tokens"]) and pd.notna(row["output_tokens"]):
        return "as published", int(row["prompt_tokens"]), int(row["output_tokens"])
    shape = query_shape(DEFAULT_SCENARIO)
    return DEFAULT_SCENARIO, shape.prompt_tokens, shape.output_tokens


def _position(j: float, typical: pd.Series, frontier: pd.Series, boundary: str) -> str:
    if typical["lower_j"] <= j <= typical["upper_j"]:
        return "inside the typical model's band"
    if frontier["lower_j"] <= j <= frontier["upper_j"]:
        return "inside the frontier model's band"
    if typical["upper_j"] < j < frontier["lower_j"]:
        return (
            "between the typical and the frontier model's bands: a deployed model larger "
            "than the median published one"
        )
    if j < typical["lower_j"]:
        return f"below both bands: {_BELOW.get(boundary, _BELOW['undisclosed'])}"
    return f"above both bands: {_ABOVE.get(boundary, _ABOVE['undisclosed'])}"


def _band_columns(prefix: str, row: pd.Series) -> dict[str, float]:
    out = {}
    for k in ("median", "lower", "upper"):
        out[f"{prefix}_{k}_j"] = float(row[f"{k}_j"])
        out[f"{prefix}_mcse_{k}_j"] = float(row[f"mcse_{k}_j"])
    return out


def published_comparison(result: TrendFit, *, prob: float = CI_PROB) -> pd.DataFrame:
    """Every published figure beside the model's calibrated query energy.

    Columns: source, model_or_service, wh_per_query, joules_per_query, boundary_class,
    verified, year (publication, decimal), shape (``"as published"`` or the default
    scenario's name), prompt_tokens, output_tokens, typical_median_j, typical_lower_j,
    typical_upper_j, frontier_median_j, frontier_lower_j, frontier_upper_j (with their MCSEs
    as ``typical_mcse_median_j``, ...), position (in words, with the reason where the figure
    is outside both bands), prob.
    """
    rows = []
    for _, row in published_query_energy().iterrows():
        shape, prompt, output = _shape_of(row)
        year = publication_year(row["published"])
        model = energy_per_query(
            result, prompt_tokens=prompt, output_tokens=output, year=year, prob=prob
        ).set_index("group")
        typical, frontier = model.loc["all"], model.loc["frontier"]
        j = float(row["joules_per_query"])
        rows.append(
            {
                "source": row["source"],
                "model_or_service": row["model_or_service"],
                "wh_per_query": float(row["wh_per_query"]),
                "joules_per_query": j,
                "boundary_class": row["boundary_class"],
                "verified": row["verified"],
                "year": year,
                "shape": shape,
                "prompt_tokens": prompt,
                "output_tokens": output,
                **_band_columns("typical", typical),
                **_band_columns("frontier", frontier),
                "position": _position(j, typical, frontier, str(row["boundary_class"])),
                "prob": prob,
            }
        )
    out = pd.DataFrame(rows)
    return out
