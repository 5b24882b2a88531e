"""Published per-query energy of LLM chat queries, and named query shapes (token counts).

Two curation files, each with a commented provenance header (leading ``#`` lines):

* ``data/curation/llm_query_energy_published.csv``: the 2025 per-query figures of Google
  (Gemini Apps, 0.24 Wh comprehensive and 0.10 Wh accelerator-only), Epoch AI (ChatGPT /
  GPT-4o, 0.3 Wh) and OpenAI (ChatGPT, 0.34 Wh), with boundary, date, assumed query shape,
  the quote read and whether it was read at the primary source (``verified``).
* ``data/curation/llm_query_scenarios.csv``: ``short_chat`` (the default, LMSYS-Chat-1M
  mean prompt and response tokens), ``long_document`` and ``reasoning``, each with its source.

The energy of one query is to be compared with these figures as
``(prompt_tokens x prefill FLOPs/token + output_tokens x decode FLOPs/token) / efficiency x
realisation``; the published figures use different boundaries (``boundary_class``), so only
rows of the same boundary compare directly.

Both readers validate through :func:`energytrend.data.validation.validate_table`; a bad row
raises :class:`~energytrend.data.validation.DataValidationError` naming the file, the line of
the file (comment lines counted) and the column.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from energytrend.data.schema import Column, TableSpec
from energytrend.data.tables import shipped_path
from energytrend.data.validation import DataValidationError, Problem, validate_table

#: Name of the scenario used when a caller gives no token counts.
DEFAULT_SCENARIO = "short_chat"

#: Allowed values of ``verified``.
VERIFIED = ("primary", "secondary-only")

#: Allowed values of ``boundary_class``, narrowest first.
BOUNDARY_CLASSES = ("accelerator", "server", "datacentre", "undisclosed")

#: Joules in one watt-hour.
J_PER_WH = 3600.0

# fmt: off
PUBLISHED_QUERY_ENERGY = TableSpec(
    name="llm_query_energy_published", filename="curation/llm_query_energy_published.csv",
    key=("source", "metric"),
    description="Published per-query energy of LLM chat queries (2025), checked at the source",
    columns=(
        Column("source", "text", required=True, description="publisher and publication"),
        Column("model_or_service", "text", required=True, description="model or product"),
        Column("metric", "text", required=True, description="what the figure is"),
        Column("wh_per_query", "float", required=True, positive=True, unit="Wh",
               description="energy of one query as published"),
        Column("joules_per_query", "float", required=True, positive=True, unit="J",
               description="wh_per_query x 3600"),
        Column("boundary_class", "text", required=True,
               description="accelerator, server, datacentre or undisclosed"),
        Column("boundary", "text", required=True, description="what the energy includes"),
        Column("published", "text", required=True, description="publication date (ISO, or year)"),
        Column("period", "text", description="period the figure describes"),
        Column("query_shape", "text", description="model and tokens assumed, if stated"),
        Column("prompt_tokens", "int", unit="tokens",
               description="prompt tokens the figure assumes, where stated"),
        Column("output_tokens", "int", unit="tokens",
               description="output tokens the figure assumes, where stated"),
        Column("primary_url", "text", required=True, description="the primary source"),
        Column("evidence_read", "text", required=True, description="pages actually read"),
        Column("quote", "text", required=True, description="exact sentence or table cell read"),
        Column("verified", "text", required=True, description="primary or secondary-only"),
        Column("verification_note", "text", required=True, description="why"),
    ),
)

QUERY_SCENARIOS = TableSpec(
    name="llm_query_scenarios", filename="curation/llm_query_scenarios.csv",
    key=("scenario",), description="Named LLM query shapes with cited token counts",
    columns=(
        Column("scenario", "text", required=True, description="scenario name"),
        Column("prompt_tokens", "int", required=True, positive=True, unit="tokens",
               description="input (prompt) tokens of one query"),
        Column("output_tokens", "int", required=True, positive=True, unit="tokens",
               description="generated tokens of one query, reasoning tokens included"),
        Column("description", "text", required=True, description="what query it stands for"),
        Column("source", "text", required=True, description="publication of the counts"),
        Column("source_url", "text", required=True, description="where it is published"),
        Column("evidence", "text", required=True, description="the quote or table cell read"),
    ),
)
# fmt: on


def read_commented_table(path: str | Path, spec: TableSpec) -> pd.DataFrame:
    """Read a CSV file whose leading ``#`` lines are a provenance header, and validate it.

    ``comment='#'`` is not used: URLs in the data may contain ``#``. Errors cite the line
    of the file itself (header comments counted, the column header after them).

    Raises:
        DataValidationError: naming the file, line and column of each problem.
    """
    return _read(path, spec)[0]


def _read(path: str | Path, spec: TableSpec) -> tuple[pd.DataFrame, int]:
    """The validated table and the number of ``#`` lines before its header."""
    file = str(path)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        raise DataValidationError(
            file, [Problem(None, None, "the file does not exist", "Check the path.")]
        ) from None
    except UnicodeDecodeError as e:
        raise DataValidationError(
            file, [Problem(None, None, f"not UTF-8 text ({e})", "Save it as UTF-8.")]
        ) from None
    skip = 0
    while skip < len(lines) and lines[skip].startswith("#"):
        skip += 1
    try:
        raw = pd.read_csv(io.StringIO("".join(lines[skip:])), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        fix = "Save it as comma-separated values: '#' comment lines, then one header row."
        raise DataValidationError(
            file, [Problem(None, None, f"not a readable CSV file ({e})", fix)]
        ) from None
    raw.index = pd.Index([skip + 2 + i for i in range(len(raw))])  # line numbers in the file
    try:
        return validate_table(raw, spec, source=file), skip
    except DataValidationError as e:
        raise DataValidationError(file, e.problems, "line") from None


def _check(file: str, problems: list[Problem]) -> None:
    if problems:
        raise DataValidationError(file, problems)


def _is_date(text: str) -> bool:
    """A year ("2025") or an ISO date ("2025-08-21") that exists."""
    if re.fullmatch(r"\d{4}", text):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def published_query_energy(path: str | Path | None = None) -> pd.DataFrame:
    """The published per-query energy figures, one row per figure.

    Columns are those of :data:`PUBLISHED_QUERY_ENERGY`: ``wh_per_query`` and
    ``joules_per_query`` (floats), ``boundary_class`` (one of :data:`BOUNDARY_CLASSES`),
    ``verified`` (one of :data:`VERIFIED`) and the provenance text columns.

    Args:
        path: another file of the same form (default: the shipped one).

    Raises:
        DataValidationError: a malformed row (file, line and column named), including a
            ``joules_per_query`` other than ``wh_per_query x 3600``.
    """
    file = str(path or shipped_path("data") / PUBLISHED_QUERY_ENERGY.filename)
    table, skip = _read(file, PUBLISHED_QUERY_ENERGY)
    problems = []
    for i, row in enumerate(table.to_dict("records")):
        line = skip + 2 + i
        expected = row["wh_per_query"] * J_PER_WH
        if not np.isclose(row["joules_per_query"], expected, rtol=1e-9, atol=0.0):
            problems.append(
                Problem(
                    line,
                    "joules_per_query",
                    f"{row['joules_per_query']:g} J is not {row['wh_per_query']:g} Wh x 3600",
                    f"Write {expected:g} (1 Wh = 3600 J).",
                )
            )
        if not _is_date(str(row["published"])):
            problems.append(
                Problem(
                    line,
                    "published",
                    f"{row['published']!r} is not a date",
                    "Write an ISO date (2025-08-21) or a year (2025).",
                )
            )
        for column, allowed in (("verified", VERIFIED), ("boundary_class", BOUNDARY_CLASSES)):
            if row[column] not in allowed:
                problems.append(
                    Problem(
                        line,
                        column,
                        f"unknown {column} {row[column]!r}",
                        f"Use one of {', '.join(allowed)}.",
                    )
                )
    _check(file, problems)
    return table


def query_scenarios(path: str | Path | None = None) -> pd.DataFrame:
    """The named query shapes: ``scenario``, ``prompt_tokens``, ``output_tokens`` (positive
    integers) and their description, source and evidence. :data:`DEFAULT_SCENARIO` is one of
    them (checked for the shipped file).

    Args:
        path: another file of the same form (default: the shipped one).

    Raises:
        DataValidationError: a malformed row (file, line and column named), or the shipped
            file lacks the default scenario.
    """
    file = str(path or shipped_path("data") / QUERY_SCENARIOS.filename)
    table = read_commented_table(file, QUERY_SCENARIOS)
    if path is None and DEFAULT_SCENARIO not in set(table["scenario"]):
        _check(
            file,
            [
                Problem(
                    None,
                    "scenario",
                    f"no {DEFAULT_SCENARIO!r} row",
                    "Add the default scenario back.",
                )
            ],
        )
    return table
