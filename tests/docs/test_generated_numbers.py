"""Every number the generated docs pages show is the value in ``results/``,
``models/priors.toml`` or ``data/``, to the digits shown.

The hook (``docs/hooks.py``) is run on the real files; each number it prints is compared with
the file's value read here independently: equal within half a unit of its last printed digit.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterator
from types import ModuleType

import pandas as pd
import pytest

from conftest import REPO

RESULTS = REPO / "results"
NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|-?\d+(?:\.\d+)?%?")


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "docs" / "hooks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hooks = _hooks()


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def assert_shows(shown: str, value: float, what: str = "") -> None:
    """``shown`` (``0.82``, ``82%``, ``3,551``) is ``value`` to the digits it shows."""
    percent = shown.endswith("%")
    digits = shown.rstrip("%").replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    target = value * 100 if percent else value
    assert abs(float(digits) - target) <= 0.5 * 10**-decimals + 1e-9, (what, shown, value)


def md_rows(table: str) -> list[dict[str, str]]:
    """A Markdown table's rows as dicts of cell text."""
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    return [
        dict(zip(head, (c.strip() for c in line.strip("|").split("|")), strict=True))
        for line in lines[2:]
    ]


def assert_cell(cell: str, values: list[float], what: str) -> None:
    shown = numbers(cell)
    assert len(shown) == len(values), (what, cell, values)
    for s, v in zip(shown, values, strict=True):
        assert_shows(s, v, what)


# ----------------------------------------------------------------------------- tables
def test_sbc_table() -> None:
    s = pd.read_csv(RESULTS / "sbc_summary.csv").set_index("domain")
    rows = md_rows(hooks.table_sbc())
    assert [r["model"] for r in rows] == list(s.index)
    for r in rows:
        f = s.loc[r["model"]]
        assert_cell(r["simulations"], [f["simulations"]], "simulations")
        assert_cell(r["failed fits"], [f["failed_fits"]], "failed fits")
        assert_cell(r["ranked quantities"], [f["quantities"]], "quantities")
        assert_cell(
            r["outside the 95% ECDF band (expected)"],
            [f["outside_band"], f["expected_outside"]],
            "outside",
        )
        assert_cell(
            r["90% coverage (range)"],
            [f["coverage_90"], f["min_coverage_90"], -f["max_coverage_90"]],
            "coverage",  # "0.908 (0.89-0.94)": the range's dash reads as a minus sign
        )
        assert_cell(
            r["crossing 97 J by 2040: mean P vs truths (max abs z)"],
            [f["crossing_mean_probability"], f["crossing_truth_rate"], f["crossing_max_abs_z"]],
            "crossing",
        )  # fmt: skip
        assert_cell(r["fits with divergences"], [f["sims_with_divergences"]], "divergences")
        assert_cell(r["fits with R-hat > 1.01"], [f["fits_rhat_over_1.01"]], "R-hat")
        assert_cell(r["non-uniform (Bonferroni 5%)"], [f["non_uniform_bonferroni"]], "bonf")


def _coverage() -> pd.DataFrame:
    c = pd.read_csv(RESULTS / "backtest_coverage.csv")
    c = c[(c["bucket"] == "all") & c["origin"].isna()]  # pooled over the origins
    return c.set_index(["model", "set", "series"])


def _wide_cells() -> Iterator[tuple[dict[str, str], str, str, pd.Series | None]]:
    c = _coverage()
    for table in (hooks.table_backtest_coverage(), hooks.table_backtest_scores()):
        for r in md_rows(table):
            for model, name in hooks.MODELS.items():
                key = (model, r["set"], r["series"])
                yield r, name, table, (c.loc[key] if key in c.index else None)


def test_backtest_tables() -> None:
    c = _coverage()
    rows = md_rows(hooks.table_backtest_coverage())
    expected_keys = sorted({(s, x) for _, s, x in c[c["coverage_90"].notna()].index})
    assert [(r["set"], r["series"]) for r in rows] == expected_keys
    compared = 0
    for r, name, _table, f in _wide_cells():
        scored = c[c["coverage_90"].notna()]  # the frontier's quantile-check rows aside
        n = scored.xs((r["set"], r["series"]), level=("set", "series"))["n_distinct"].max()
        assert_cell(r["later points"], [n], "later points")
        cells = {k: v for k, v in r.items() if k.startswith(f"{name} ")}
        if f is None or pd.isna(f["coverage_90"]):
            assert set(cells.values()) == {"-"}, (name, r)
            continue
        expected = {
            f"{name} 50%": [f["coverage_50"], f["coverage_50_lower"], f["coverage_50_upper"]],
            f"{name} 90%": [f["coverage_90"], f["coverage_90_lower"], f["coverage_90_upper"]],
            f"{name} CRPS": [f["crps"]],
            f"{name} log score": [f["log_score"]],
        }
        for head, cell in cells.items():
            assert_cell(cell, expected[head], f"{name} {r['set']} {r['series']} {head}")
            compared += 1
    assert compared > 100


def test_backtest_frontier_table() -> None:
    """v2's frontier line beside the top-decile line (the fair baseline): share above and
    pinball loss, each from the coverage file."""
    c = _coverage()
    q = c[c["share_above"].notna()]
    rows = md_rows(hooks.table_backtest_frontier())
    assert len(rows) == len({(s, x) for _, s, x in q.index}) > 0
    for r in rows:
        for model, name in (("v2", "v2"), ("top_decile", "top decile")):
            key = (model, r["set"], r["series"])
            if key not in q.index:
                assert r[f"{name} share above"] == r[f"{name} pinball"] == "-"
                continue
            f = q.loc[key]
            cell = r[f"{name} share above"]
            assert_cell(cell, [f["share_above"], f["share_above_lower"], f["share_above_upper"]],
                        f"{name} share above")  # fmt: skip
            assert_cell(r[f"{name} pinball"], [f["pinball"]], f"{name} pinball")


def test_backtest_fits_and_chips_tables() -> None:
    p = pd.read_csv(RESULTS / "backtest_points.csv")
    bayes = p[p["model"].isin(["v1", "v2"]) & p["passed"].notna()]
    for r in md_rows(hooks.table_backtest_fits()):
        m = bayes[bayes["model"] == r["model"]]
        domains = m["series"].str.split("/").str[0].where(m["kind"] == "compute", "cv")
        fits = m.assign(d=domains).groupby(["d", "origin"])["passed"].all()
        assert_cell(r["fits"], [len(fits)], "fits")
        assert_cell(r["failed the gate"], [int((~fits.astype(bool)).sum())], "failed")
    chips = p[
        (p["kind"] == "efficiency")
        & (p["origin"] == 2021)
        & p["label"].str.startswith("NVIDIA")
        & p["year"].between(2022, 2026, inclusive="left")
    ]
    rows = md_rows(hooks.table_backtest_chips())
    assert len(rows) == len(chips.groupby(["model", "series"]))
    for r in rows:
        g = chips[(chips["model"] == r["model"]) & (chips["series"] == r["series"])]
        assert_cell(r["chips"], [len(g)], "chips")
        assert_cell(r["inside the 90% band"], [g["in_90"].sum()], "inside")
        assert_cell(r["below the band"], [(g["observed"] < g["lower_90"]).sum()], "below")


def test_extrapolation_table() -> None:
    c = pd.read_csv(RESULTS / "extrapolation_choice.csv")
    rows = md_rows(hooks.table_extrapolation())
    assert [r["candidate"] for r in rows] == list(c["candidate"])
    for r in rows:
        row = c[c["candidate"] == r["candidate"]].iloc[0]
        assert_cell(r["long-run slope"], [row["mu"], row["sigma"]], "slope")
        assert_cell(r["damping"], [row["alpha"], row["beta"]], "damping")
        assert_cell(
            r["new NLP model, 2040 (orders)"], [row["nlp_band"], row["nlp_band_mcse"]], "band"
        )
        assert r["fit passed"] == ("yes" if row["passed"] else "no")
        assert_cell(r["CV CRPS early"], [row["cv/all crps"]], "cv crps")
        assert_cell(r["CV log score early"], [row["cv/all log score"]], "cv log")
        assert_cell(r["CV 90% / 50% early"], [row["cv/all 90%"], row["cv/all 50%"]], "cv cov")
        assert_cell(r["NLP CRPS early"], [row["nlp/all crps"]], "nlp crps")
        assert_cell(r["NLP log score early"], [row["nlp/all log score"]], "nlp log")
        assert (r["chosen"] == "**yes**") == bool(row["chosen"])


def test_choice_tables() -> None:
    """The v3 choices' tables show their files: the scale, the changepoints and the
    efficiency pooling."""
    c = pd.read_csv(RESULTS / "scale_choice.csv")
    rows = md_rows(hooks.table_scale_choice())
    assert [r["scale"] for r in rows] == list(c["candidate"])
    for r, (_, row) in zip(rows, c.iterrows(), strict=True):
        assert_cell(r["CV frontier pinball"], [row["cv/frontier pinball"]], "pinball")
        assert_cell(r["CV CRPS"], [row["cv/all crps"]], "crps")
        assert_cell(r["P(CV frontier faster)"], [row["P(cv frontier faster)"]], "p")
        assert (r["chosen"] == "**yes**") == bool(row["chosen"])
    b = pd.read_csv(RESULTS / "changepoint_choice.csv")
    rows = md_rows(hooks.table_changepoint_choice())
    assert [r["compute lines"] for r in rows] == list(b["candidate"])
    for r, (_, row) in zip(rows, b.iterrows(), strict=True):
        assert_cell(r["CRPS (CV and NLP)"], [row["compute crps"]], "crps")
        assert_cell(r["frontier pinball (CV and NLP)"], [row["frontier pinball"]], "pinball")
        assert (r["chosen"] == "**yes**") == bool(row["chosen"])
    f = pd.read_csv(RESULTS / "frontier_choice.csv")
    rows = md_rows(hooks.table_frontier_choice())
    assert [r["frontier"] for r in rows] == list(f["candidate"])
    for r, (_, row) in zip(rows, f.iterrows(), strict=True):
        assert_cell(r["pinball (CV and NLP)"], [row["frontier pinball"]], "pinball")
        assert_cell(r["P(NLP frontier faster)"], [row["P(nlp frontier faster)"]], "p")
        assert (r["chosen"] == "**yes**") == bool(row["chosen"])
    p = pd.read_csv(RESULTS / "efficiency_pooling.csv")
    rows = md_rows(hooks.table_efficiency_pooling())
    assert [r["pooling"] for r in rows] == list(p["candidate"])
    for r, (_, row) in zip(rows, p.iterrows(), strict=True):
        assert_cell(r["all points CRPS"], [row["efficiency crps"]], "crps")
        assert (r["chosen"] == "**yes**") == bool(row["chosen"])
    shrink = pd.read_csv(RESULTS / "efficiency_shrinkage.csv")
    text = hooks.table_efficiency_shrinkage()
    for m in shrink["median"]:
        assert f"{m:.3f}" in text


def test_sensitivity_table() -> None:
    s = pd.read_csv(RESULTS / "sensitivity.csv")
    s = s[s["metric"] == "joules"]
    rows = md_rows(hooks.table_sensitivity())
    assert len(rows) == len(s.groupby(["prior", "rule"]))
    for r in rows:
        g = s[(s["prior"] == r["prior"]) & (s["rule"] == r["rule"])]
        for f in g.itertuples():
            assert_cell(r[f"energy {f.domain} {f.group}"], [f.median], r["prior"])
        assert r["diagnostics"] == ("passed" if g["passed"].all() else "FAILED")


def test_benchmark_is_the_file() -> None:
    assert hooks.table_benchmark() == (RESULTS / "benchmark.md").read_text().strip()


def test_peer_benchmark_is_the_file() -> None:
    text = (RESULTS / "peer_benchmark.md").read_text().strip()
    assert hooks.table_peer_benchmark() == text


def _curation(name: str) -> pd.DataFrame:
    path = REPO / "data" / "curation" / f"{name}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    skip = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    return pd.read_csv(path, skiprows=skip)


def test_query_tables() -> None:
    s = _curation("llm_query_scenarios")
    rows = md_rows(hooks.table_query_scenarios())
    assert [r["scenario"].strip("`") for r in rows] == list(s["scenario"])
    for r, f in zip(rows, s.itertuples(), strict=True):
        assert_cell(r["prompt tokens"], [f.prompt_tokens], "prompt")
        assert_cell(r["output tokens"], [f.output_tokens], "output")
    p = _curation("llm_query_energy_published")
    rows = md_rows(hooks.table_published_query_energy())
    assert len(rows) == len(p)
    for r, f in zip(rows, p.itertuples(), strict=True):
        assert_cell(r["Wh"], [f.wh_per_query], "Wh")


# ----------------------------------------------------------------------------- values
def _file_value(kind: str, args: list[str]) -> Callable[[str], None]:
    """A check of the text a placeholder shows, from the files read here."""
    if kind in ("holdout", "freeze"):
        log = pd.read_csv(RESULTS / "holdout_log.csv", dtype=str, keep_default_na=False)
        record = json.loads((RESULTS / "freeze.json").read_text(encoding="utf-8"))
        scored = log[log["scores"] != "{}"]
        expected = {
            "count": str(len(scored)),
            "refrozen": str(len(log) - len(scored)),
            "since": str(sum(h == record["freeze_hash"] for h in scored["freeze_hash"])),
            "before": str(sum(h.startswith("none") for h in log["freeze_hash"])),
            "date": record["date"],
            "hash": record["freeze_hash"][:12],
        }[args[0]]
        return lambda shown: None if shown == expected else pytest.fail(f"{args}: {shown}")
    if kind == "serving":
        what = args[0]
        m = pd.read_csv(RESULTS / "serving_mlperf.csv")
        if what == "inside":
            expected = f"{int(m['inside'].sum())} of {len(m)}"
            return lambda shown: None if shown == expected else pytest.fail(f"{args}: {shown}")
        if what in ("ess", "train"):
            c = pd.read_csv(RESULTS / "serving_calibration_parameters.csv")
            v = c["effective_draws" if what == "ess" else "train_runs"].iloc[0]
            return lambda shown: assert_shows(shown, float(v), str(args))
        if what == "ratio":
            v = m["ratio_measured_to_median"]
        elif what == "vision":
            t = pd.read_csv(RESULTS / "serving_vision.csv")
            v = t.loc[t["batch"] == 1, "ratio_to_batch_256"]
        else:  # a regime's median over the benchmark line's
            t = pd.read_csv(RESULTS / "serving_regimes.csv")
            v = t.loc[t["regime"] == what, "ratio_to_benchmark"]

        def check_range(shown: str) -> None:
            lo, _, hi = shown.partition(" to ")
            assert_shows(lo, float(v.min()), str(args))
            assert_shows(hi or lo, float(v.max()), str(args))

        return check_range
    if kind == "bt":
        model, set_, series, column = args
        v = _coverage().loc[(model, set_, series), column.replace("_", " ")
                            if column not in _coverage().columns else column]  # fmt: skip
        return lambda shown: assert_shows(shown, float(v), str(args))
    if kind == "sbc":
        domain, column = args
        v = pd.read_csv(RESULTS / "sbc_summary.csv").set_index("domain").loc[domain, column]
        return lambda shown: assert_shows(shown, float(v), str(args))
    if kind == "sbcset":
        domain, key = args
        first = (RESULTS / f"sbc_{domain}.csv").read_text(encoding="utf-8").splitlines()[0]
        v = json.loads(first.removeprefix("# "))[key]
        if isinstance(v, str):
            return lambda shown: None if shown == v else pytest.fail(f"{args}: {shown}")
        return lambda shown: assert_shows(shown, float(v), str(args))
    if kind == "ext":
        row, column = args
        c = pd.read_csv(RESULTS / "extrapolation_choice.csv")
        col = column if column in c.columns else column.replace("_", " ")
        values = {
            "chosen": c.loc[c["chosen"], col].iloc[0],
            "min": c[col].min(),
            "max": c[col].max(),
        }
        return lambda shown: assert_shows(shown, float(values[row]), str(args))
    if kind == "sens":
        domain, group = args
        s = pd.read_csv(RESULTS / "sensitivity.csv")
        v = s[
            (s["metric"] == "joules")
            & (s["domain"] == domain)
            & (s["group"] == group)
            & ~s["prior"].str.startswith("v1")
        ]["median"]

        def check(shown: str) -> None:
            lo, hi = shown.split(" to ")
            assert_shows(lo, v.min(), str(args))
            assert_shows(hi, v.max(), str(args))

        return check
    if kind == "prior":
        node = tomllib.loads((REPO / "models" / "priors.toml").read_text(encoding="utf-8"))
        for key in args[0].split("."):
            node = node[key]
        expected = [float(x) for x in node.values()] if isinstance(node, dict) else None

        def check_prior(shown: str) -> None:
            if expected is None:
                assert shown == (format(node, "g") if isinstance(node, float) else str(node))
                return
            got = [float(n) for n in numbers(shown)]
            assert all(math.isclose(a, b) for a, b in zip(got, expected, strict=True)), args

        return check_prior
    if kind in ("rows", "dates"):
        data = hooks.read_data(args[0])
        path = REPO / "data" / f"{args[0]}.csv"
        data_lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")
        ]
        if kind == "rows":
            return lambda shown: assert_shows(shown, len(data), args[0])
        dates = pd.to_datetime(data[args[1]])
        want = f"{dates.min():%Y-%m} to {dates.max():%Y-%m}"
        assert len(data_lines) > len(data) > 0  # a header and at least one row
        return lambda shown: None if shown == want else pytest.fail(f"{args}: {shown}")
    raise AssertionError(f"no check for placeholder kind {kind}")


def placeholders() -> list[tuple[str, str]]:
    out = []
    for page in sorted((REPO / "docs").glob("*.md")):
        for m in hooks.PLACEHOLDER.finditer(page.read_text(encoding="utf-8")):
            out.append((page.name, m.group(1)))
    return out


def test_every_placeholder_kind_is_checked() -> None:
    kinds = {p.split()[0] for _, p in placeholders()}
    assert kinds <= {
        "table", "bt", "sbc", "sbcset", "ext", "sens", "prior", "rows", "dates", "holdout",
        "freeze", "serving",
    }  # fmt: skip
    assert len(placeholders()) > 50


@pytest.mark.parametrize(("page", "placeholder"), placeholders())
def test_placeholder_shows_the_file_value(page: str, placeholder: str) -> None:
    kind, *args = placeholder.split()
    if kind == "table":
        assert args[0] in hooks.TABLES  # each table has its own test above
        return
    if args and args[-1].startswith(":"):
        args = args[:-1]
    if kind == "prior" and len(args) == 2:
        args = args[:1]
    shown = hooks.fill(placeholder)
    _file_value(kind, args)(shown)


def test_holdout_log_table_lists_every_logged_scoring() -> None:
    log = pd.read_csv(RESULTS / "holdout_log.csv", dtype=str, keep_default_na=False)
    text = hooks.TABLES["holdout_log"]()
    assert len(text.splitlines()) == 2 + len(log)  # heading, rule, one line per scoring
    for note in log["note"]:
        assert note in text


def test_backtest_differences_table_shows_each_v2_row() -> None:
    """One line per set, series and origin of v2's rows, a column per fair baseline; every
    v2 row of the file is shown once, with its interval."""
    d = pd.read_csv(RESULTS / "backtest_differences.csv")
    d = d[d["model"] == "v2"]
    rows = md_rows(hooks.TABLES["backtest_differences"]())
    assert len(rows) == len(d.assign(o=d["origin"].fillna(-1))[["set", "series", "o"]]
                            .drop_duplicates())  # fmt: skip
    shown = 0
    for row in rows:
        for base, name in hooks.BASELINES.items():
            score = "pinball" if base == "top_decile" else "CRPS"
            cell = row[f"v2 - {name} {score}"]
            r = d[(d["set"] == row["set"]) & (d["series"] == row["series"])
                  & (d["baseline"] == base)]  # fmt: skip
            r = r[r["origin"].isna()] if row["origin"] == "pooled" else r[
                r["origin"].map("{:g}".format) == row["origin"]]  # fmt: skip
            if r.empty:
                assert cell == "-"
                continue
            assert cell.startswith(f"{r['difference'].iloc[0]:+.3f} [")
            shown += 1
    assert shown == len(d)
