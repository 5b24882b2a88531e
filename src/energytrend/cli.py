"""The ``energytrend`` command line.

Subcommands print tables; on bad input they print one line ``energytrend: error: ...`` to
standard error and exit with status 1, writing nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import sys
import time
import tomllib
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from energytrend.data import baseline, hardware
from energytrend.data.datasets import DATASETS, DEFAULT_DATA, datasets, tables_of
from energytrend.data.frontier import get_rule, rules_table
from energytrend.data.schema import DATASET_TABLES, TABLES
from energytrend.data.tables import load_table
from energytrend.data.validation import DataValidationError
from energytrend.forecast.forecasts import crossing_dates, forecast
from energytrend.forecast.query import energy_per_query, query_shape
from energytrend.forecast.query_regimes import REGIMES
from energytrend.forecast.serving import BOUNDARIES, query_energy
from energytrend.forecast.trend import SCENARIOS, has_calibration
from energytrend.inference import cache
from energytrend.inference.config import FitConfig, check_settings
from energytrend.inference.diagnostics import DiagnosticsWarning
from energytrend.inference.fit import fit, load
from energytrend.inference.formatting import (
    format_energy,
    format_estimate,
    format_wh,
    growth_text_table,
    query_text_table,
    verdict_text_table,
)
from energytrend.inference.intervals import CI_PROB, check_prob
from energytrend.inference.result import TrendFit
from energytrend.inference.store import atomic_path
from energytrend.model.design import FitDomain, tables_used
from energytrend.model.spec import V1_PRIORS, merge_spec, resolve_spec
from energytrend.studies.holdout import holdout


def _print_table(title: str, df: pd.DataFrame, digits: int = 4) -> None:
    print(f"\n{title}\n{'-' * len(title)}")
    print(df.to_string(index=False, float_format=lambda v: f"{v:.{digits}g}"))


def cmd_baseline(args: argparse.Namespace) -> int:
    """Print the thesis's tables recomputed from the shipped data with its OLS method."""
    _print_table(
        "Table 5.1: inference speed-ups from Table B.2 (mean over benchmarks)",
        hardware.speedup_table(),
        3,
    )
    for domain in hardware.DOMAINS:
        s = hardware.efficiency_series(domain)
        _print_table(
            f"Table B.3 ({domain.upper()}): adapted rows of the GFLOPS/W series "
            f"({(~s['adapted']).sum()} FP32 rows not shown)",
            s[s["adapted"]][
                ["gpu", "precision", "tflops", "watts", "launch_date", "gflops_per_watt"]
            ],
        )
    _print_table(
        "Table 5.2: models with GFLOPs similar to AlexNet, Joules per forward pass",
        baseline.thesis_table_5_2(),
        3,
    )
    _print_table("Table 5.3: models with energy similar to AlexNet", baseline.thesis_table_5_3(), 3)
    lines = pd.concat(
        [baseline.baseline_lines(d, rule=args.rule) for d in hardware.DOMAINS],
        ignore_index=True,
    )
    _print_table(
        "OLS trend lines (slope in log10 per year; the thesis's plug-in method)",
        lines[
            [
                "domain",
                "metric",
                "group",
                "slope",
                "slope_se",
                "factor_per_year",
                "doubling_time_months",
                "n",
            ]
        ],
        3,
    )
    return 0


#: The table options of the fitting commands: option dest and table name.
TABLE_OPTIONS = (
    ("cv_models", "cv_models"),
    ("nlp_models", "nlp_models"),
    ("gpus", "gpus"),
    ("throughput", "inference_throughput"),
    ("language_models", "language_models"),
)


def _fit_args(args: argparse.Namespace) -> dict[str, Any]:
    """Validate every fitting option and return the keyword arguments of :func:`fit`.

    Runs before any fitting: the user's tables are read and validated (errors name the
    file, line and column), the priors file is parsed and checked, the settings, frontier
    rule and ``--prob`` are checked, and every output path must end in a known suffix and
    lie in an existing folder.
    """
    rule = getattr(args, "rule", "thesis")
    config = FitConfig(
        rule=rule,
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        seed=args.seed,
        per_token=True if getattr(args, "per_token", False) else None,
        cache=not args.no_cache,
    )
    check_settings(args.draws, args.tune, args.chains, "nutpie", "partial", 0.99)
    check_prob(args.prob, "--prob")
    for d in ("cv", "nlp"):
        get_rule(d, rule)
    tables = {}
    for dest, table in TABLE_OPTIONS:
        path = getattr(args, dest, None)
        if path is not None:
            tables[table] = load_table(path, table)
    kwargs: dict[str, Any] = {"data": args.data, "config": config}
    if tables:
        kwargs["tables"] = tables
    overrides = _read_priors(Path(args.priors)) if args.priors is not None else {}
    if getattr(args, "model", "v2") == "v1":
        overrides = merge_spec(resolve_spec(V1_PRIORS), overrides)
    if overrides:
        kwargs["priors"] = overrides
    domain: FitDomain = getattr(args, "domain", None) or "all"  # `run` fits both domains
    used = tables_used(domain, resolve_spec(overrides), args.data)
    unused = [t for t in tables if t not in used]
    if unused:
        options = ", ".join("--" + t.replace("_", "-") for t in unused)
        raise ValueError(
            f"{options.replace('--inference-throughput', '--throughput')}: a fit of "
            f"{domain!r} does not use {', '.join(unused)}; it uses {', '.join(used)}"
        )
    return kwargs


def _read_priors(path: Path) -> dict[str, Any]:
    """A TOML file of prior overrides (as in ``models/priors.toml``), parsed and checked."""
    if path.suffix != ".toml":
        raise ValueError(f"--priors {path}: expected a .toml file (see models/priors.toml)")
    try:
        with path.open("rb") as f:
            priors = tomllib.load(f)
    except FileNotFoundError:
        raise ValueError(f"--priors {path}: the file does not exist") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"--priors {path}: not valid TOML ({e})") from None
    try:
        resolve_spec(priors)
    except ValueError as e:
        hint = "; write only keys that models/priors.toml has" if "unknown" in str(e) else ""
        raise ValueError(f"--priors {path}: {e}{hint}") from None
    return priors


def _fit_with_progress(args: argparse.Namespace, domain: str, kwargs: dict[str, Any]) -> TrendFit:
    """:func:`fit`, with one progress line on stderr when it is a terminal (not with
    ``--quiet``): which fit, chains and draws, then the time it took. The sampler's own
    bars stay off."""
    config = dataclasses.replace(kwargs["config"], progressbar=False)
    show = sys.stderr.isatty() and not getattr(args, "quiet", False)
    if show:
        print(
            f"energytrend: fitting {domain!r} ({config.chains} chains x {config.draws:,} draws "
            f"after {config.tune:,} tuning steps)...",
            end="",
            file=sys.stderr,
            flush=True,
        )
    start = time.perf_counter()
    result = fit(domain, **{**kwargs, "config": config})  # type: ignore[arg-type]
    if show:
        print(f" done in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return result


def _fit_checked(args: argparse.Namespace, kwargs: dict[str, Any]) -> TrendFit | None:
    """Fit with ``kwargs``; on failed diagnostics print why and return None (nothing is
    written) unless ``--allow-failed``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiagnosticsWarning)  # reported below
        result = _fit_with_progress(args, args.domain, kwargs)
    if result.passed or getattr(args, "allow_failed", False):
        return result
    print(
        "energytrend: error: the fit failed its diagnostics ("
        + "; ".join(result.diagnostics.failures)
        + "); nothing is written"
        + (
            " (pass --allow-failed for a report marked as failed)"
            if args.func is cmd_report
            else ""
        ),
        file=sys.stderr,
    )
    return None


def _print_fit(result: TrendFit, prob: float = CI_PROB) -> None:
    status = "passed" if result.passed else "FAILED: " + "; ".join(result.diagnostics.failures)
    print(
        f"\nBayesian fit of {result.config.domain!r} (seed {result.config.seed}, "
        f"{result.config.chains} chains x {result.config.draws} draws): diagnostics {status}"
    )
    if not result.passed:
        print("The posterior did not pass its diagnostics; no numbers are reported.")
        return
    rates = growth_text_table(result.growth_rates(prob))
    verdict = verdict_text_table(
        result.energy_verdict(), result.config.chains * result.config.draws
    )
    _print_text_table(f"Posterior growth rates (medians, {prob:.0%} credible intervals)", rates)
    _print_text_table(
        "Does hardware progress cancel the growth in FLOPs? (energy per inference)", verdict
    )


def _print_text_table(title: str, df: pd.DataFrame) -> None:
    print(f"\n{title}\n{'-' * len(title)}")
    print(df.to_string(index=False))


def cmd_fit(args: argparse.Namespace) -> int:
    """Fit the Bayesian model and print its growth rates; optionally write them to a file."""
    kwargs = _fit_args(args)
    output = _output(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiagnosticsWarning)  # printed as the status line
        result = _fit_with_progress(args, args.domain, kwargs)
        _print_fit(result, args.prob)
        if output and result.passed:
            _write_table(result.growth_rates(args.prob), output)
            print(f"\ngrowth rates written to {output}")
        elif output:
            print(f"\nnothing written to {output}: the fit failed its diagnostics")
    return 0 if result.passed else 2


def _output(args: argparse.Namespace) -> Path | None:
    """The ``--output`` path, checked (suffix, existing folder) before anything is fitted."""
    if not getattr(args, "output", None):
        return None
    path = Path(args.output)
    _check_output(path, (".csv", ".json"), "--output")
    return path


def _write_table(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as CSV or JSON records, dates as ISO ``YYYY-MM-DD`` strings."""
    _check_output(path, (".csv", ".json"), "--output")
    df = df.copy()
    for col in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[col]):
            df[col] = df[col].dt.strftime("%Y-%m-%d").fillna("")
    with atomic_path(path) as tmp:
        if path.suffix == ".csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_json(tmp, orient="records", indent=1)


def _check_output(path: Path, suffixes: tuple[str, ...], option: str) -> None:
    """Refuse an output path with another suffix or in a folder that does not exist."""
    if path.suffix not in suffixes:
        raise ValueError(
            f"{option} must end in {' or '.join(suffixes)}, got {path.name}; "
            f"choose e.g. {path.with_suffix(suffixes[0]).name}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(
            f"{option} {path}: the folder {folder} does not exist; create it first "
            "(energytrend does not create folders)"
        )
    if path.is_dir():
        raise ValueError(f"{option} {path} is a folder; give a file name")


def cmd_run(args: argparse.Namespace) -> int:
    """The main job: the thesis's tables, the Bayesian fit of both domains, the report."""
    _fit_args(args)  # every option checked before the baseline tables are printed
    _check_output(Path(args.out), (".html",), "--output")
    cmd_baseline(args)
    args.domain, args.output = "all", None
    code = cmd_fit(args)
    return cmd_report(args) if code == 0 or args.allow_failed else code


def _table_command(args: argparse.Namespace, title: str, make: str) -> int:
    kwargs = _fit_args(args)
    output = _output(args)
    levels = dict(_level(x) for x in args.level) if getattr(args, "level", None) else None
    if make == "forecast" and not 1900 < args.end < 10_000:
        raise ValueError(f"--end must be a year such as 2040, got {args.end}")
    if make == "crossing" and not 1900 < args.horizon < 10_000:
        raise ValueError(f"--horizon must be a year such as 2100, got {args.horizon}")
    result = _fit_checked(args, kwargs)
    if result is None:
        return 2
    if make == "forecast":
        table = forecast(result, end=args.end, prob=args.prob)
    else:
        scenarios = args.scenario or list(SCENARIOS)
        energy = args.energy or (["calibrated", "peak"] if has_calibration(result) else ["peak"])
        table = crossing_dates(
            result,
            levels=levels,
            horizon=args.horizon,
            prob=args.prob,
            scenarios=scenarios,
            energy=energy,
        )
    if output:
        _write_table(table, output)
        print(f"{title} written to {output}")
    else:
        _print_table(title, _shown(table), 4)
    return 0


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    """A table as printed: dates as ISO dates, missing numbers blank (never NaN or NaT)."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_float_dtype(out[col]) and out[col].isna().any():
            out[col] = [f"{v:.4g}" if v == v else "" for v in out[col]]
    return out


def _level(text: str) -> tuple[str, float]:
    name, _, joules = text.rpartition("=")
    try:
        value = float(joules)
    except ValueError:
        value = float("nan")
    if not (value > 0 and value < float("inf")):
        raise ValueError(
            f"--level must look like NAME=JOULES with JOULES a positive number "
            f"(e.g. 'a kettle=2000'), got {text!r}"
        )
    return name or f"{joules} J", value


def cmd_forecast(args: argparse.Namespace) -> int:
    """Trend medians with mean and predictive bands."""
    return _table_command(args, "Forecast (natural units)", "forecast")


def cmd_crossing(args: argparse.Namespace) -> int:
    """Dates at which energy per forward pass crosses the levels."""
    return _table_command(args, "Crossing dates of the energy trends", "crossing")


def _serving_text_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`query_energy` as printed: each number to the digits its MCSE supports."""
    rows = []
    for _, r in table.iterrows():
        pct = f"{r['prob']:.0%}"
        if r["unit"] == "J":
            value = format_energy(r["median"], r["mcse_median"])
            band = f"{format_energy(r['lower'], r['mcse_lower'])} to "
            band += format_energy(r["upper"], r["mcse_upper"])
            wh = format_wh(r["median"], r["mcse_median"])
        else:  # a share in percent (never finer than 1%), or watts
            k, unit = (100.0, "%") if r["unit"] == "share" else (1.0, " W")
            floor = 0.5 if r["unit"] == "share" else 0.0

            def fmt(v: float, e: float, k: float = k, floor: float = floor) -> str:
                return format_estimate(k * v, max(k * e, floor))

            value = fmt(r["median"], r["mcse_median"]) + unit
            band = f"{fmt(r['lower'], r['mcse_lower'])} to {fmt(r['upper'], r['mcse_upper'])}"
            band += unit
            wh = ""
        rows.append({"quantity": r["quantity"], "median": value, f"{pct} band": band, "Wh": wh})
    return pd.DataFrame(rows)


def cmd_serving_query(args: argparse.Namespace) -> int:
    """Energy of one query from how it is served (:func:`query_energy`)."""
    if args.model is None or args.hardware is None:
        raise ValueError(
            "--model and --hardware go together: give both (and --batch), or --hardware with "
            "--regime interactive or batch1 for the trend's model on that chip"
        )
    if args.batch is None:
        raise ValueError("--batch N: the sequences served together (1 for a lone user)")
    output = _output(args)
    shape = query_shape(args.scenario, args.prompt_tokens, args.output_tokens)
    table = query_energy(
        args.model,
        args.hardware,
        batch=args.batch,
        prompt_tokens=shape.prompt_tokens,
        output_tokens=shape.output_tokens,
        precision=args.precision,
        boundary=args.boundary,
        accelerators=args.accelerators,
        seed=args.seed,
        prob=args.prob,
        data=args.data,
    )
    if output:
        _write_table(table, output)
        print(f"Energy per query written to {output}")
        return 0
    r = table.iloc[0]
    title = (
        f"Energy of one query to {r['model']} on {r['accelerators']} x {r['hardware']} "
        f"({r['precision']}, batch {r['batch']}, {r['prompt_tokens']:,} prompt and "
        f"{r['output_tokens']:,} output tokens, {r['boundary']} boundary)"
    )
    _print_text_table(title, _serving_text_table(table))
    print(f"weights read per step: {r['weights_read']}; KV cache: {r['kv_cache']}")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    """Energy of one LLM query: a table with J and Wh, to the digits their MCSE supports."""
    if args.model is not None or (args.hardware is not None and args.regime == "benchmark"):
        return cmd_serving_query(args)
    kwargs = _fit_args(args)
    output = _output(args)
    shape = query_shape(args.scenario, args.prompt_tokens, args.output_tokens)  # checked first
    years = args.year or [2025.0]
    result = _fit_checked(args, kwargs)
    if result is None:
        return 2
    table = energy_per_query(
        result,
        prompt_tokens=shape.prompt_tokens,
        output_tokens=shape.output_tokens,
        scenario=None if shape.scenario == "custom" else shape.scenario,
        year=years,
        basis=args.basis,
        prob=args.prob,
        regime=args.regime,
        hardware=args.hardware,
    )
    if output:
        _write_table(table, output)
        print(f"Energy per query written to {output}")
    else:
        how = args.basis if args.regime == "benchmark" else f"{args.regime} regime"
        title = (
            f"Energy of one query ({shape.scenario}: {shape.prompt_tokens:,} prompt and "
            f"{shape.output_tokens:,} output tokens, {how})"
        )
        text = query_text_table(table)
        if args.regime != "benchmark":
            text.insert(
                2,
                "chip",
                [f"{h} {p}" for h, p in zip(table["hardware"], table["precision"], strict=True)],
            )
        _print_table(title, text)
    return 0


def _llm_fit(args: argparse.Namespace, kwargs: dict[str, Any]) -> TrendFit | None:
    """The language-model fit for the report's per-query section: with the same settings,
    when the v2 model is used and the language models come from where the report's other
    data come from (the dataset when no table is the user's own; else the user's
    ``--language-models``). Otherwise None: the report leaves the section out."""
    tables = dict(kwargs.get("tables", {}))
    own_llm = tables.pop("language_models", None)
    if tables and own_llm is None:
        return None  # the user's own CV/NLP data: no shipped language models beside them
    if own_llm is None and "language_models" not in tables_of(args.data):
        return None
    if getattr(args, "model", "v2") != "v2":
        return None
    config = dataclasses.replace(kwargs["config"], rule="thesis", per_token=False)
    llm_kwargs: dict[str, Any] = {**kwargs, "config": config}
    llm_kwargs.pop("tables", None)
    if own_llm is not None:
        gpus = {k: v for k, v in tables.items() if k == "gpus"}
        llm_kwargs["tables"] = {"language_models": own_llm, **gpus}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiagnosticsWarning)  # the report says so
        return _fit_with_progress(args, "llm", llm_kwargs)


def cmd_report(args: argparse.Namespace) -> int:
    """Fit (or load from the cache) and write the self-contained HTML report.

    A fit that fails its diagnostics writes nothing (exit status 2) unless
    ``--allow-failed``, which writes a report marked as failed (still exit status 2).
    """
    from energytrend.report.html import write_report

    kwargs = _fit_args(args)
    out = Path(args.out)
    _check_output(out, (".html",), "--output")
    result = _fit_checked(args, kwargs)
    if result is None:
        return 2
    path = write_report(result, out, prob=args.prob, llm=_llm_fit(args, kwargs))
    print(
        f"\nreport written to {path}"
        + ("" if result.passed else " (the fit FAILED its diagnostics; marked there)")
    )
    return 0 if result.passed else 2


def cmd_holdout(args: argparse.Namespace) -> int:
    """Score a saved fit against later tables it has not seen."""
    output = _output(args)
    tables: dict[str, str] = {}
    for item in args.table:
        name, sep, path = item.partition("=")
        if not sep or not path:
            raise ValueError(
                f"--table must look like NAME=PATH (e.g. cv_models=later.csv), got {item!r}"
            )
        tables[name] = path
    result = load(Path(args.fit), verify=False)  # its content hash still protects it
    table = holdout(result, tables)
    if output:
        _write_table(table, output)
        print(f"holdout scores written to {output}")
    else:
        _print_table(f"Holdout scores of {args.fit} (log10 units)", _shown(table), 3)
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    """Show or empty the fit cache."""
    if args.action == "clear":
        removed = cache.clear()
        print(f"removed {removed} cached fit(s) from {cache.info().folder}")
    else:
        print(cache.info())
    return 0


def cmd_check_data(args: argparse.Namespace) -> int:
    """Validate a user CSV file against one of the package's table schemas."""
    df = load_table(args.path, args.table)
    print(f"{args.path}: {len(df)} rows, valid {args.table} table")
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    """List the named datasets and their tables."""
    _print_table("Datasets (energytrend.data.datasets())", datasets())
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    """List the frontier rules."""
    _print_table("Frontier rules", rules_table())
    return 0


@contextlib.contextmanager
def _client(args: argparse.Namespace) -> Iterator[Any]:
    """A Dask distributed client for ``--dask ADDRESS``, closed afterwards (None: local
    processes)."""
    if not args.dask:
        yield None
        return
    from dask.distributed import Client

    client = Client(args.dask)  # type: ignore[no-untyped-call]
    try:
        yield client
    finally:
        client.close()  # type: ignore[no-untyped-call]


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Simulation-based calibration of each domain's model, written to ``--out``."""
    from energytrend.studies.results import calibration_study

    with _client(args) as client:
        summary = calibration_study(
            args.out,
            domains=args.domain,
            data=args.data,
            n_sims=args.sims,
            seed=args.seed,
            client=client,
            workers=args.workers,
        )
    _print_table("Simulation-based calibration", summary, 3)
    print(f"\nwrote {args.out}/sbc_*.csv and sbc_*.png")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Out-of-sample coverage of the forecasts at past cut-offs, written to ``--out``: the
    early origins, or with ``--confirmatory`` the late ones (frozen specification only,
    logged)."""
    from energytrend.studies.results import backtest_study, confirmatory_study

    with _client(args) as client:
        if args.confirmatory:
            b = confirmatory_study(
                args.out, data=args.data, seed=args.seed, client=client, workers=args.workers
            )
        else:
            b = backtest_study(
                args.out, data=args.data, seed=args.seed, client=client, workers=args.workers
            )
    cov = b.coverage()
    cov = cov[(cov["bucket"] == "all") & cov["origin"].isna()]
    cols = ["model", "set", "series", "n_distinct", "coverage_50", "coverage_90", "crps"]
    _print_table("Backtest: share of later points inside the bands", cov[cols], 3)
    _print_table("Backtest targets (v2)", b.targets(), 3)
    if args.confirmatory:
        print(f"\nlogged the scoring in {args.out}/holdout_log.csv; its late rows are in "
              f"{args.out}/backtest_*.csv and backtest.png")  # fmt: skip
    else:
        print(f"\nwrote {args.out}/backtest_*.csv and backtest.png")
    return 0


def cmd_freeze(args: argparse.Namespace) -> int:
    """Record the hashes of the specification, model code, data and lock file."""
    from energytrend.studies.freeze import FREEZE_FILE, freeze, times_scored

    priors = _read_priors(Path(args.priors)) if args.priors is not None else None
    record = freeze(args.out, priors=priors)
    print(f"froze {record['freeze_hash'][:12]} in {Path(args.out) / FREEZE_FILE}")
    for name, value in record["hashes"].items():
        print(f"  {name}: {value}")
    print(f"the confirmatory set has been scored {times_scored(args.out)} time(s) so far")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Growth rates under alternative priors x frontier rules, written to ``--out``."""
    from energytrend.studies.results import sensitivity_study

    with _client(args) as client:
        table = sensitivity_study(
            args.out, data=args.data, seed=args.seed, client=client, workers=args.workers
        )
    _print_table("Sensitivity of the growth rates (log10 per year)", table, 3)
    return 0


def _add_sweep_options(p: argparse.ArgumentParser) -> None:
    _add_data_option(p)
    p.add_argument("--out", default="results", help="folder for the result files")
    p.add_argument("--seed", type=int, default=2021, help="random seed")
    p.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    p.add_argument("--dask", metavar="ADDRESS", help="run on this Dask scheduler instead")


def _add_data_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        default=DEFAULT_DATA,
        choices=DATASETS,
        help=f"named dataset (default {DEFAULT_DATA}; see 'energytrend datasets')",
    )


def _add_fit_options(p: argparse.ArgumentParser, *, llm: bool = False) -> None:
    """The fitting options; for the language-model fit (``llm``) only those that can change
    it (no CV/NLP tables, frontier rule, per-token NLP or v1 model)."""
    _add_data_option(p)
    tables = p.add_argument_group(
        "your own data",
        "CSV files used instead of the shipped tables (check them with 'energytrend "
        "check-data'); docs/data.md documents the columns",
    )
    if not llm:
        tables.add_argument("--cv-models", metavar="FILE", help="computer-vision models table")
        tables.add_argument("--nlp-models", metavar="FILE", help="NLP models table")
    tables.add_argument("--gpus", metavar="FILE", help="GPU table (peak TFLOPS and TDP)")
    if not llm:
        tables.add_argument(
            "--throughput",
            metavar="FILE",
            help="inference throughput table (the speed-ups of v1's efficiency series)",
        )
    tables.add_argument(
        "--language-models",
        metavar="FILE",
        help="language models table (the llm domain, and NLP on --data 2025)",
    )
    p.add_argument(
        "--priors",
        metavar="FILE.toml",
        help="prior overrides in the layout of models/priors.toml",
    )
    if not llm:
        p.add_argument(
            "--model",
            choices=("v2", "v1"),
            default="v2",
            help="v2 (default: every model once, bounded forecasts, efficiency by precision) "
            "or v1 (the thesis's two lines per domain; with --data thesis it prints v1's "
            "numbers)",
        )
    p.add_argument(
        "--prob",
        type=float,
        default=CI_PROB,
        help=f"probability of the credible intervals (default {CI_PROB})",
    )
    if not llm:
        p.add_argument(
            "--rule",
            default="thesis",
            help="frontier rule of v1's two lines (see 'energytrend rules')",
        )
    p.add_argument("--draws", type=int, default=1000, help="posterior draws per chain")
    p.add_argument("--tune", type=int, default=1000, help="tuning steps per chain")
    p.add_argument("--chains", type=int, default=4, help="number of chains")
    p.add_argument("--seed", type=int, default=2021, help="random seed")
    if not llm:
        p.add_argument("--per-token", action="store_true", help="NLP compute per input token")
    p.add_argument("--no-cache", action="store_true", help="always resample")
    p.add_argument(
        "--quiet", action="store_true", help="no progress line while fitting (a terminal shows one)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="energytrend",
        description="Bayesian trend analysis of deep-learning inference compute and energy.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="the main job: validate the shipped data, reproduce the thesis's tables and fit "
        "both domains",
    )
    _add_fit_options(run)
    run.add_argument(
        "--output",
        dest="out",
        default="out/report.html",
        help="where to write the report (.html); its folder must exist",
    )
    run.add_argument(
        "--allow-failed",
        action="store_true",
        help="write a report marked as failed when the fit fails its diagnostics",
    )
    run.set_defaults(func=cmd_run)

    report = sub.add_parser("report", help="write the self-contained HTML forecasting report")
    report.add_argument(
        "domain",
        nargs="?",
        default="all",
        choices=["cv", "nlp", "all"],
        help="which models to fit (default: all)",
    )
    report.add_argument(
        "--output",
        dest="out",
        default="out/report.html",
        help="the HTML file to write; its folder must exist",
    )
    report.add_argument(
        "--allow-failed",
        action="store_true",
        help="write a report marked as failed when the fit fails its diagnostics",
    )
    _add_fit_options(report)
    report.set_defaults(func=cmd_report)

    fit_cmd = sub.add_parser("fit", help="fit the Bayesian trend model and print growth rates")
    fit_cmd.add_argument("domain", choices=["cv", "nlp", "all", "llm"], help="which models to fit")
    fit_cmd.add_argument(
        "--output",
        help="also write the growth rates to this .csv or .json (folder must exist)",
    )
    _add_fit_options(fit_cmd)
    fit_cmd.set_defaults(func=cmd_fit)

    base = sub.add_parser("baseline", help="the thesis's OLS tables recomputed")
    base.add_argument("--rule", default="thesis", help="frontier rule (see 'energytrend rules')")
    base.set_defaults(func=cmd_baseline)

    fc = sub.add_parser("forecast", help="trend forecasts with mean and predictive bands")
    fc.add_argument("domain", choices=["cv", "nlp", "all", "llm"], help="which models to fit")
    fc.add_argument("--end", type=float, default=2040.0, help="last year (default 2040)")
    fc.add_argument("--output", help="write the table to this .csv or .json (folder must exist)")
    _add_fit_options(fc)
    fc.set_defaults(func=cmd_forecast)

    cr = sub.add_parser("crossing", help="when energy per inference crosses human levels")
    cr.add_argument("domain", choices=["cv", "nlp", "all"], help="which models to fit")
    cr.add_argument(
        "--level",
        action="append",
        metavar="NAME=JOULES",
        help="a level of your own (repeatable); default: the thesis's two",
    )
    cr.add_argument(
        "--horizon", type=float, default=2040.0, help="last year considered (default 2040)"
    )
    cr.add_argument(
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        help="growth of compute after the data (repeatable): the fit's own ('fitted'), the "
        "line continued ('straight') or none ('flat'); default: all three",
    )
    cr.add_argument(
        "--energy",
        action="append",
        choices=["calibrated", "peak"],
        help="energy basis (repeatable): calibrated by MLPerf's measured runs, or peak-based "
        "(the thesis's lower bound); default: both where the data have MLPerf runs",
    )
    cr.add_argument("--output", help="write the table to this .csv or .json (folder must exist)")
    _add_fit_options(cr)
    cr.set_defaults(func=cmd_crossing)

    qr = sub.add_parser(
        "query",
        help="energy of one LLM query (prompt and output tokens) at a date",
        description="Energy of one query to a language model: the llm fit's GFLOPs per token "
        "times the tokens, over the efficiency of the era's precision, times the "
        "measured-to-peak factor of MLPerf's language-model benchmarks.",
    )
    qr.add_argument("--scenario", help="a named query (short_chat, long_document, reasoning)")
    qr.add_argument("--prompt-tokens", type=int, metavar="N", help="tokens read")
    qr.add_argument("--output-tokens", type=int, metavar="M", help="tokens written")
    qr.add_argument(
        "--year", type=float, action="append", metavar="Y", help="decimal year (repeatable)"
    )
    qr.add_argument(
        "--basis",
        choices=("calibrated", "peak"),
        default="calibrated",
        help="calibrated to MLPerf's measured energy (default) or the peak-based lower bound",
    )
    qr.add_argument(
        "--regime",
        choices=tuple(REGIMES),
        default="benchmark",
        help="how the trend's model is served: benchmark (the calibrated line, default), "
        "interactive (8-64 sequences at once) or batch1, by the serving model on the best "
        "server chip of the date (or --hardware)",
    )
    qr.add_argument("--output", help="write the table to this .csv or .json (folder must exist)")
    sv = qr.add_argument_group(
        "how it is served",
        "with --model and --hardware: the physical serving model (prefill, decode bound by "
        "compute or memory traffic, power) instead of the trend; no fit is run",
    )
    sv.add_argument("--model", help="a model of the language_models table")
    sv.add_argument(
        "--hardware",
        help="a hardware_name of the accelerators table (also the chip of --regime "
        "interactive or batch1)",
    )
    sv.add_argument("--batch", type=int, metavar="N", help="sequences served together")
    sv.add_argument("--precision", default="FP8", help="FP4, FP8, INT8, FP16 (default FP8)")
    sv.add_argument(
        "--boundary", choices=tuple(BOUNDARIES), default="server", help="energy boundary"
    )
    sv.add_argument("--accelerators", type=int, metavar="N", help="accelerators per replica")
    _add_fit_options(qr, llm=True)
    qr.set_defaults(func=cmd_query, domain="llm")

    ho = sub.add_parser(
        "holdout",
        help="score a saved fit against later data it has not seen",
        description="Score a fit saved with result.save() against tables of models or chips "
        "published after its data end, in the shipped schemas: coverage of the 50%% and 90%% "
        "bands, PIT, CRPS, log score, median error and the share above the frontier line.",
    )
    ho.add_argument("--fit", required=True, metavar="FILE.nc", help="a saved fit")
    ho.add_argument(
        "--table",
        action="append",
        required=True,
        metavar="NAME=PATH",
        help="a later table: cv_models, nlp_models, language_models or accelerators (repeatable)",
    )
    ho.add_argument("--output", help="write the table to this .csv or .json (folder must exist)")
    ho.set_defaults(func=cmd_holdout)

    ca = sub.add_parser(
        "cache",
        help="show or empty the fit cache",
        description="Cached fits live in $ENERGYTREND_CACHE_DIR (default ~/.cache/energytrend), "
        "capped at $ENERGYTREND_CACHE_MAX_MB megabytes (least recently used fits go first).",
    )
    ca.add_argument(
        "action",
        nargs="?",
        default="info",
        choices=("info", "clear"),
        help="info (default) or clear",
    )
    ca.set_defaults(func=cmd_cache)

    check = sub.add_parser("check-data", help="validate your own CSV file")
    check.add_argument(
        "table",
        choices=sorted({**TABLES, **DATASET_TABLES}),
        help="which kind of table the file is",
    )
    check.add_argument("path", help="the CSV file")
    check.set_defaults(func=cmd_check_data)

    ds = sub.add_parser("datasets", help="list the named datasets and their tables")
    ds.set_defaults(func=cmd_datasets)

    rules = sub.add_parser("rules", help="list the frontier rules")
    rules.set_defaults(func=cmd_rules)

    cal = sub.add_parser("calibrate", help="simulation-based calibration of the models")
    cal.add_argument("domain", nargs="*", default=["cv", "nlp", "all"], help="models to calibrate")
    cal.add_argument("--sims", type=int, default=200, help="simulations per model")
    _add_sweep_options(cal)
    cal.set_defaults(func=cmd_calibrate)

    bt = sub.add_parser("backtest", help="out-of-sample coverage of the forecasts")
    _add_sweep_options(bt)
    bt.add_argument(
        "--confirmatory",
        action="store_true",
        help="score the late origins (2021 on) instead: only with the frozen specification "
        "('energytrend freeze'), and logged in holdout_log.csv",
    )
    bt.set_defaults(func=cmd_backtest)

    fr = sub.add_parser(
        "freeze",
        help="record the specification's hashes before a confirmatory scoring",
        description="Write freeze.json: the SHA-256 of the specification (models/priors.toml "
        "and --priors), the model code, the data tables and the lock file. "
        "'energytrend backtest --confirmatory' scores only a frozen specification.",
    )
    fr.add_argument("--out", default="results", help="results folder (default results)")
    fr.add_argument("--priors", metavar="FILE.toml", help="prior overrides to freeze with")
    fr.set_defaults(func=cmd_freeze)

    sens = sub.add_parser("sensitivity", help="growth rates under other priors and rules")
    _add_sweep_options(sens)
    sens.set_defaults(func=cmd_sensitivity)
    return parser


def _say_what_is_cached(*, quiet: bool) -> None:
    """Let the library's notes (a fit cached, and its size; an old one evicted) reach stderr,
    unless ``--quiet``."""
    log = logging.getLogger("energytrend")
    for handler in [h for h in log.handlers if getattr(h, "energytrend_cli", False)]:
        log.removeHandler(handler)
    if quiet:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.energytrend_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``energytrend`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _say_what_is_cached(quiet=getattr(args, "quiet", False))
    try:
        return int(args.func(args))
    except DataValidationError as e:
        if args.func is cmd_check_data:  # the command that lists every problem
            print(f"energytrend: error: {e}", file=sys.stderr)
        else:
            hint = "" if len(e.problems) == 1 else "; 'energytrend check-data' lists them all"
            print(f"energytrend: error: {e.first()}{hint}", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"energytrend: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # unwritable output path, full disk, ...
        print(
            f"energytrend: error: cannot write {e.filename or ''}: {e.strerror or e}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:  # every file is written atomically: nothing half-written
        print("energytrend: interrupted; nothing more was written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
