"""Validation of tables at the package boundary.

Every table, shipped or the user's own, passes through :func:`validate_table` before anything
is fitted. Problems raise :class:`DataValidationError`, whose message names the file, the row
(the line of the CSV file, the header being line 1) and the column, and says how to fix it.
The caller's DataFrame is never modified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from energytrend.data.schema import MARKS, Bounds, Column, TableSpec

#: At most this many problems are listed in one error message.
MAX_LISTED = 20

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


@dataclass(frozen=True)
class Problem:
    """One problem found in a table.

    ``row`` is the CSV line number for files (header = line 1) or the index label for
    DataFrames; it is ``None`` for problems of the whole table (a missing column).
    """

    row: object | None
    column: str | None
    problem: str
    fix: str

    def describe(self, row_word: str) -> str:
        where = []
        if self.row is not None:
            where.append(f"{row_word} {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.problem}. {self.fix}" if prefix else f"{self.problem}. {self.fix}"


class DataValidationError(ValueError):
    """A table failed validation. ``problems`` lists every problem found (the message shows
    the first :data:`MAX_LISTED`); ``source``, ``row`` and ``column`` describe the first."""

    def __init__(self, source: str, problems: list[Problem], row_word: str = "line") -> None:
        self.source = source
        self.problems = problems
        self._row_word = row_word
        self.row = problems[0].row
        self.column = problems[0].column
        lines = [f"{source}, {p.describe(row_word)}" for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(f"... and {len(problems) - MAX_LISTED} more problems in {source}")
        head = f"{len(problems)} problem(s) in {source}:" if len(problems) > 1 else ""
        super().__init__("\n".join(([head] if head else []) + lines))

    def first(self) -> str:
        """The first (most important) problem on one line, with how many more there are."""
        line = f"{self.source}, {self.problems[0].describe(self._row_word)}"
        more = len(self.problems) - 1
        return line + (f" (and {more} more problem(s) in this table)" if more else "")

    def __reduce__(self) -> tuple[type, tuple[str, list[Problem], str]]:
        # picklable, so that an error raised in a worker process arrives intact
        return (type(self), (self.source, self.problems, self._row_word))


def read_table(path: str | Path, spec: TableSpec, *, today: dt.date | None = None) -> pd.DataFrame:
    """Read and validate a CSV file against ``spec``.

    Raises:
        DataValidationError: the file is missing, unreadable or fails validation.
    """
    path = Path(path)
    try:
        separator = _separator_problem(path)
        if separator is not None:
            raise DataValidationError(str(path), [separator])
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise DataValidationError(
            str(path),
            [Problem(None, None, "the file does not exist", "Check the path.")],
        ) from None
    except IsADirectoryError:
        raise DataValidationError(
            str(path),
            [Problem(None, None, "the path is a folder, not a file", "Give the CSV file's path.")],
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise DataValidationError(
            str(path),
            [
                Problem(
                    None,
                    None,
                    f"not a readable CSV file ({e})",
                    "Save it as UTF-8 comma-separated values with one header row.",
                )
            ],
        ) from None
    return validate_table(raw, spec, source=str(path), today=today, line_numbers=True)


#: Separators other than the comma that spreadsheets write, by name.
_OTHER_SEPARATORS = {";": "semicolon", "\t": "tab"}


def _separator_problem(path: Path) -> Problem | None:
    """The problem of a file whose header (line 1) has no comma but semicolons or tabs.

    Such a file is refused with one plain message, not read with the other separator: it
    usually comes from a spreadsheet in a locale whose decimal mark is the comma, and reading
    ``1,234`` as 1.234 or 1234 by guess would change numbers silently. Saving the file again
    with commas costs a minute and changes no value.
    """
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        header = f.readline(100_000)
    if "," in header:
        return None
    counts = {sep: header.count(sep) for sep in _OTHER_SEPARATORS}
    sep = max(counts, key=lambda k: counts[k])
    if not counts[sep]:
        return None
    name = _OTHER_SEPARATORS[sep]
    return Problem(
        1,
        None,
        f"the file looks {name}-separated (its header has {counts[sep]} {name}s and no "
        "comma), but energytrend reads comma-separated files",
        "Save it with commas between the columns and a point as the decimal mark (12.5, "
        "not 12,5). In pandas, for a file whose decimal mark is the comma: "
        f"pd.read_csv(path, sep={sep!r}, decimal=',').to_csv(new_path, index=False).",
    )


def validate_table(
    df: pd.DataFrame,
    spec: TableSpec,
    *,
    source: str = "<DataFrame>",
    today: dt.date | None = None,
    line_numbers: bool = False,
) -> pd.DataFrame:
    """Check ``df`` against ``spec`` and return a typed copy.

    Numbers become floats (counts become integers), dates ``datetime64``, flags ``bool``,
    and optional columns that are absent are added empty. ``line_numbers`` makes errors cite
    CSV line numbers (data row ``i`` is line ``i + 2``) instead of index labels.

    Raises:
        DataValidationError: listing every problem found.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame for {spec.name}, got {type(df).__name__}")
    today = today or dt.date.today()
    row_word = "line" if line_numbers else "row"
    labels = [i + 2 for i in range(len(df))] if line_numbers else list(df.index)
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]

    problems = _column_problems(df, spec)
    if problems:
        raise DataValidationError(source, problems, row_word)
    if df.empty:
        raise DataValidationError(
            source, [Problem(None, None, "the table has no rows", "Add at least one row.")]
        )

    out = pd.DataFrame(index=df.index)
    for col in spec.columns:
        if col.name not in df.columns:
            out[col.name] = _empty(col, len(df), df.index)
            continue
        values, col_problems = _parse_column(df[col.name], col, labels, today)
        out[col.name] = values
        problems.extend(col_problems)
    if problems:
        # problems with the numbers the analysis uses come first, cosmetic ones (reference
        # lists, provenance marks, free text) after them; within each, in table order
        order = {c.name: k for k, c in enumerate(spec.columns)}
        problems.sort(
            key=lambda p: (
                not _is_analysed(spec, p.column),
                labels.index(p.row) if p.row in labels else 0,
                order.get(p.column or "", 0),
            )
        )
        raise DataValidationError(source, problems, row_word)

    problems = _magnitude_problems(out, spec, labels)
    problems += _duplicate_problems(out, spec, labels, row_word)
    if problems:
        raise DataValidationError(source, problems, row_word)
    return out.reset_index(drop=True)


#: Largest plausible compute of one forward pass, in GFLOPs: 1e9 GFLOPs is 1e18 FLOPs, some
#: hundred times a forward pass of the largest published dense language models at their full
#: context length. A larger value is almost always FLOPs (or MFLOPs) entered as GFLOPs.
MAX_GFLOPS = 1e9

#: Landauer's limit at room temperature: erasing one bit costs at least k T ln 2 joules.
BOLTZMANN = 1.380649e-23  # J/K, exact since the 2019 SI
ROOM_TEMPERATURE = 300.0  # K

#: Physical upper bound of GFLOPS/W: a floating-point operation erases at least one bit, so a
#: computer at 300 K spends at least k T ln 2 = 2.87e-21 J per FLOP, i.e. at most 3.5e20
#: FLOPs per joule = 3.5e11 GFLOPS/W. (Real GPUs, at around 10 to 10^4 GFLOPS/W, are some
#: eight orders of magnitude below it; a value above it is a unit error, such as TFLOPS
#: entered as FLOPS, or watts as kilowatts.)
MAX_GFLOPS_PER_WATT = 1.0 / (BOLTZMANN * ROOM_TEMPERATURE * float(np.log(2.0))) / 1e9


def _magnitude_problems(df: pd.DataFrame, spec: TableSpec, labels: list[object]) -> list[Problem]:
    """Values that are valid numbers but physically implausible: GFLOPs per forward pass
    above :data:`MAX_GFLOPS`, and GPUs above the Landauer bound :data:`MAX_GFLOPS_PER_WATT`."""
    problems = []
    if "gflops" in spec.column_names:
        for pos in np.flatnonzero((df["gflops"] > MAX_GFLOPS).to_numpy()):
            problems.append(
                Problem(
                    labels[pos],
                    "gflops",
                    f"{df['gflops'].iloc[pos]:g} GFLOPs per forward pass is implausible "
                    f"(above {MAX_GFLOPS:.0e}, i.e. 1e18 FLOPs)",
                    "The column is in GFLOPs (1e9 FLOPs); if the value is in FLOPs, divide "
                    "it by 1e9",
                )
            )
    if {"tflops", "tdp_watts"} <= set(spec.column_names):
        per_watt = df["tflops"] * 1e3 / df["tdp_watts"]
        for pos in np.flatnonzero((per_watt > MAX_GFLOPS_PER_WATT).to_numpy()):
            problems.append(
                Problem(
                    labels[pos],
                    "tflops",
                    f"{df['tflops'].iloc[pos]:g} TFLOPS at {df['tdp_watts'].iloc[pos]:g} W is "
                    f"{per_watt.iloc[pos]:.3g} GFLOPS/W, above the physical (Landauer) limit "
                    f"of {MAX_GFLOPS_PER_WATT:.2g} GFLOPS/W at room temperature",
                    "tflops is in TFLOPS (1e12 FLOP/s) and tdp_watts in watts; correct the "
                    "unit of one of them",
                )
            )
    return problems


def _is_analysed(spec: TableSpec, column: str | None) -> bool:
    """Whether ``column`` holds a value the analysis uses (required, or a number or date)."""
    if column is None or column not in spec.column_names:
        return True
    col = spec.column(column)
    return col.required or col.kind in ("float", "int", "date")


def _column_problems(df: pd.DataFrame, spec: TableSpec) -> list[Problem]:
    known = spec.column_names
    problems = []
    missing = [c.name for c in spec.columns if c.required and c.name not in df.columns]
    for name in missing:
        problems.append(
            Problem(
                None,
                name,
                "required column is missing",
                f"Add a '{name}' column ({spec.column(name).description}).",
            )
        )
    for name in df.columns:
        if name not in known:
            problems.append(
                Problem(
                    None,
                    name,
                    "unknown column",
                    f"Rename or remove it; the {spec.name} columns are: " + ", ".join(known) + ".",
                )
            )
    dupes = pd.Index(df.columns)[pd.Index(df.columns).duplicated()].unique()
    for name in dupes:
        problems.append(Problem(None, name, "column appears more than once", "Keep one."))
    return problems


def _empty(col: Column, n: int, index: pd.Index) -> pd.Series:
    if col.kind in ("float", "int"):
        return pd.Series(np.nan, index=index, dtype=float)
    if col.kind == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if col.kind == "bool":
        # An absent flag column means "no mark"; in_table_b3 absent means "use every row".
        return pd.Series(col.name == "in_table_b3", index=index, dtype=bool)
    return pd.Series("", index=index, dtype=object)


def _text(series: pd.Series) -> pd.Series:
    return series.map(_cell_text)


def _cell_text(v: object) -> str:
    """A cell as the text a CSV file would hold, undoing what pandas' type guessing did.

    ``pd.read_csv`` without ``dtype=str`` turns a reference column such as ``32`` into the
    float ``32.0``, empty cells into NaN, ``true`` into ``True`` and dates into Timestamps;
    these are turned back (``32``, empty, ``True``, ``2020-05-28``) so that a frame read
    with plain pandas validates exactly as its file does.
    """
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float | np.floating):
        x = float(v)
        if abs(x) < 1e15 and x.is_integer():
            return str(int(x))
    if isinstance(v, dt.datetime | np.datetime64):
        ts = pd.Timestamp(v)
        return str(ts.strftime("%Y-%m-%d")) if ts == ts.normalize() else str(ts.isoformat())
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def _parse_column(
    series: pd.Series, col: Column, labels: list[object], today: dt.date
) -> tuple[pd.Series, list[Problem]]:
    text = _text(series)
    problems: list[Problem] = []
    blank = text == ""
    if col.required:
        for pos in np.flatnonzero(blank.to_numpy()):
            problems.append(
                Problem(
                    labels[pos],
                    col.name,
                    "required value is missing",
                    f"Fill in the {col.description.lower() or col.name}"
                    + (f" in {col.unit}" if col.unit else "")
                    + ".",
                )
            )
    if col.kind in ("float", "int"):
        values = pd.to_numeric(text.where(~blank), errors="coerce")
        bad = values.isna() & ~blank
        for pos in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(
                    labels[pos],
                    col.name,
                    f"'{text.iloc[pos]}' is not a number",
                    "Write a plain number such as 12.5 (no units, no thousands separators).",
                )
            )
        if col.positive:
            nonpos = (values <= 0) | ~np.isfinite(values.fillna(1.0))
            for pos in np.flatnonzero(nonpos.to_numpy() & ~bad.to_numpy() & ~blank.to_numpy()):
                problems.append(
                    Problem(
                        labels[pos],
                        col.name,
                        f"{text.iloc[pos]} is not a positive finite number",
                        f"{col.name} must be > 0 (it is analysed on a log "
                        "scale); correct the value or drop the row.",
                    )
                )
        if col.bounds is not None:
            problems.extend(_bounds_problems(values, text, col, col.bounds, labels))
        if col.kind == "int":
            finite = np.isfinite(values.fillna(0.0))
            frac = values.notna() & ~(finite & (values == np.round(values)))
            if col.positive:  # infinities are reported above as not positive finite
                frac &= finite
            for pos in np.flatnonzero(frac.to_numpy()):
                problems.append(
                    Problem(
                        labels[pos],
                        col.name,
                        f"{text.iloc[pos]} is not a whole number",
                        "Write a whole number.",
                    )
                )
            if not values.isna().any() and finite.all() and not frac.any():
                return values.astype("int64"), problems
        return values.astype(float), problems
    if col.kind == "date":
        if pd.api.types.is_datetime64_any_dtype(series):  # an already-typed DataFrame
            values = pd.to_datetime(series).dt.tz_localize(None).dt.normalize()
        else:
            values = pd.to_datetime(text.where(~blank), format="%Y-%m-%d", errors="coerce")
        bad = values.isna() & ~blank
        for pos in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(
                    labels[pos],
                    col.name,
                    f"'{text.iloc[pos]}' is not a date",
                    "Write dates as YYYY-MM-DD, e.g. 2020-05-28.",
                )
            )
        future = values > pd.Timestamp(today)
        for pos in np.flatnonzero(future.to_numpy()):
            problems.append(
                Problem(
                    labels[pos],
                    col.name,
                    f"{text.iloc[pos]} is in the future (today is {today})",
                    "Use the date the model or GPU was actually released.",
                )
            )
        return values.astype("datetime64[ns]"), problems
    if col.kind == "bool":
        low = text.str.lower()
        bad = ~low.isin(_TRUE | _FALSE | {""})
        for pos in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(
                    labels[pos],
                    col.name,
                    f"'{text.iloc[pos]}' is not a flag",
                    "Write true or false.",
                )
            )
        default = col.name == "in_table_b3"
        return low.map(lambda v: v in _TRUE if v else default).astype(bool), problems
    if col.kind == "mark":
        bad = ~text.isin(MARKS)
        for pos in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(
                    labels[pos],
                    col.name,
                    f"'{text.iloc[pos]}' is not a provenance mark",
                    "Leave it empty or write 'tool' or 'estimated'.",
                )
            )
        return text.astype(object), problems
    if col.kind == "refs":
        bad = ~text.str.fullmatch(r"(\d+(;\d+)*)?")
        for pos in np.flatnonzero(bad.to_numpy()):
            problems.append(
                Problem(
                    labels[pos],
                    col.name,
                    f"'{text.iloc[pos]}' is not a list of reference numbers",
                    "Write numbers separated by ';', e.g. 69;70, or leave it empty.",
                )
            )
        return text.astype(object), problems
    return text.astype(object), problems


def _bounds_problems(
    values: pd.Series, text: pd.Series, col: Column, bounds: Bounds, labels: list[object]
) -> list[Problem]:
    """Numbers outside ``bounds``; in a percentage column also values in [0, 1], which look
    like fractions: one problem for a whole column of them, else one per value."""
    x = values.to_numpy(dtype=float)
    checked = ~np.isnan(x)  # blanks and non-numbers are reported already
    if col.positive:  # as are values <= 0 or infinite
        checked &= np.isfinite(x) & (x > 0)
    problems = []
    reason = bounds.reason[:1].upper() + bounds.reason[1:]
    for pos in np.flatnonzero(checked & ((x < bounds.low) | (x > bounds.high))):
        side, limit = ("above", bounds.high) if x[pos] > bounds.high else ("below", bounds.low)
        problems.append(
            Problem(
                labels[pos],
                col.name,
                f"{text.iloc[pos]} is {side} {limit:g}, outside {bounds.low:g}-{bounds.high:g}",
                f"{reason}; correct the value or drop the row.",
            )
        )
    if not bounds.percent:
        return problems
    fraction = checked & (x >= 0) & (x <= 1)
    if not fraction.any():
        return problems
    scale = f"{col.name} is a percentage ({bounds.low:g}-{bounds.high:g})"
    if fraction.sum() == checked.sum():
        first = int(np.flatnonzero(fraction)[0])
        t = text.iloc[first]
        n = int(fraction.sum())
        every = f"all {n} values of the column are" if n > 1 else "it is the column's only value,"
        problems.append(
            Problem(
                labels[first],
                col.name,
                f"{t} looks like a fraction: {every} between 0 and 1, but {scale}",
                f"Multiply the column by 100 ({t} -> {x[first] * 100:g}).",
            )
        )
        return problems
    example = text.iloc[int(np.flatnonzero(checked & ~fraction)[0])]
    for pos in np.flatnonzero(fraction):
        t = text.iloc[pos]
        problems.append(
            Problem(
                labels[pos],
                col.name,
                f"{t} looks like a fraction among percentages (such as {example}); {scale}",
                f"Multiply it by 100 ({t} -> {x[pos] * 100:g}).",
            )
        )
    return problems


def _duplicate_problems(
    df: pd.DataFrame, spec: TableSpec, labels: list[object], row_word: str
) -> list[Problem]:
    key = list(spec.key)
    dup = df.duplicated(subset=key, keep="first").to_numpy()
    problems = []
    for pos in np.flatnonzero(dup):
        first = _first_match(df, key, int(pos))
        ident = ", ".join(f"{k}={df[k].iloc[pos]!s}" for k in key)
        problems.append(
            Problem(
                labels[pos],
                key[0],
                f"duplicate of {row_word} {labels[first]} ({ident})",
                "Remove one of the two rows or make them differ.",
            )
        )
    return problems


def _first_match(df: pd.DataFrame, key: Iterable[str], pos: int) -> int:
    row = df.iloc[pos]
    mask = np.ones(len(df), dtype=bool)
    for k in key:
        mask &= (df[k] == row[k]).to_numpy()
    return int(np.flatnonzero(mask)[0])
