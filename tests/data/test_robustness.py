"""Robustness: random malformed tables (property-based), and concurrent cache writers."""

from __future__ import annotations

import multiprocessing
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import energytrend as et
from energytrend.data.schema import CV_MODELS, GPUS, NLP_MODELS, TableSpec
from energytrend.data.validation import DataValidationError, read_table, validate_table

SPECS = {"cv_models": CV_MODELS, "nlp_models": NLP_MODELS, "gpus": GPUS}

cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from(["", " ", "NA", "2019-13-01", "2019-05-01", "1e400", "-0", "yes", "✓"]),
    st.booleans(),
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[TableSpec, pd.DataFrame]:
    spec = SPECS[draw(st.sampled_from(sorted(SPECS)))]
    names = list(spec.column_names)
    columns = draw(st.lists(st.sampled_from([*names, "extra", ""]), max_size=len(names) + 2))
    if draw(st.booleans()):  # often keep every column, so that values get checked
        columns = names + columns[:1]
    n_rows = draw(st.integers(min_value=0, max_value=5))
    rows = [[draw(cells) for _ in columns] for _ in range(n_rows)]
    return spec, pd.DataFrame(rows, columns=columns, dtype=object)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_validators_either_accept_or_name_the_problem(
    table: tuple[TableSpec, pd.DataFrame],
) -> None:
    spec, df = table
    try:
        out = validate_table(df, spec)
    except DataValidationError as e:
        # every problem names a row of the table (or none) and a column of the table or a
        # missing required one (or none), and says what to do
        columns = [str(c).strip() for c in df.columns]
        required = [c.name for c in spec.columns if c.required]
        assert str(e) and e.problems
        for p in e.problems:
            assert p.fix.strip(), p
            assert p.row is None or p.row in list(df.index), p
            assert p.column is None or p.column in columns + required, p
    else:
        assert len(out) == len(df) > 0
        assert list(out.columns) == list(spec.column_names)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from(sorted(SPECS)))
def test_reading_any_text_as_a_table_fails_cleanly(text: str, kind: str) -> None:
    spec = SPECS[kind]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "table.csv"
        path.write_text(",".join(spec.column_names) + "\n" + text, encoding="utf-8")
        try:
            out = read_table(path, spec)
        except DataValidationError as e:
            assert str(path) in str(e)
            assert all(p.row is None or (isinstance(p.row, int) and p.row >= 2) for p in e.problems)
        else:
            assert list(out.columns) == list(spec.column_names)


def _write_many(args: tuple[str, str, int]) -> int:
    source, target, times = args
    from energytrend import load
    from energytrend.inference.persist import save_result

    result = load(source, verify=False)
    for _ in range(times):
        save_result(result, Path(target))
    return times


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")  # a tiny fit
def test_two_processes_writing_the_same_cache_entry(tmp_path: Path) -> None:
    r = et.fit("nlp", config=et.FitConfig(draws=100, tune=150, chains=2, cache=False))
    source = r.save(tmp_path / "source.nc")
    target = tmp_path / "cache" / "fit-same-key.nc"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        assert pool.map(_write_many, [(str(source), str(target), 8)] * 2) == [8, 8]
    # one complete file, no temporary files left, and it loads with the same numbers
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
    loaded = et.load(target, verify=False)
    pd.testing.assert_frame_equal(loaded.growth_rates(), r.growth_rates())
