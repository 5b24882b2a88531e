"""Fitting machinery: parameter recovery, reproducibility, the gate's warning, invalid input,
save/load, and the cache (hit, corrupt entry, atomic write)."""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import energytrend as et
from energytrend.inference.fit import sample
from energytrend.model.arrays import ModelData
from energytrend.model.spec import V1_PRIORS, resolve_spec

fit_module = importlib.import_module("energytrend.inference.fit")  # the module, not et.fit
SMALL = {"draws": 300, "tune": 300, "chains": 2}


def small(**settings: object) -> et.FitConfig:
    """The small sampler settings, with ``settings`` (seed, cache, ...)."""
    return et.FitConfig(**{**SMALL, **settings})  # type: ignore[arg-type]


# Small draws are for speed; such fits fail the gate on purpose-irrelevant grounds.
pytestmark = pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")


def test_parameter_recovery_four_groups() -> None:
    """Synthetic data with known lines for four groups and two GPU series.

    Of the 14 true values (4 intercepts, 4 slopes, 4 noise scales, 2 efficiency slopes),
    calibrated 90% intervals miss about 1.4; at least 11 must be covered (a binomial(14, 0.9)
    count falls below that 4% of the time), and every one lies in its 99% interval."""
    rng = np.random.default_rng(7)
    true = {
        "intercept": [2.0, 1.0, 3.0, 1.5],
        "slope": [0.4, 0.15, 1.0, 0.2],
        "sigma": [0.3, 0.7, 0.6, 1.2],
    }
    n = [15, 60, 10, 25]
    group = np.repeat(np.arange(4), n)
    t = rng.uniform(-6, 3, group.size)
    y = (
        np.take(true["intercept"], group)
        + np.take(true["slope"], group) * t
        + np.take(true["sigma"], group) * rng.standard_normal(group.size)
    )
    gpu_series = np.repeat([0, 1], 30)
    gpu_t = rng.uniform(-8, 3, 60)
    gpu_y = (
        np.array([1.8, 1.9])[gpu_series]
        + np.array([0.11, 0.13])[gpu_series] * gpu_t
        + 0.15 * rng.standard_normal(60)
    )
    data = ModelData(
        groups=("cv/frontier", "cv/all", "nlp/frontier", "nlp/all"),
        group_series=np.array([0, 0, 1, 1]),
        series=("cv", "nlp"),
        obs=tuple(f"m{i}" for i in range(group.size)),
        obs_group=group,
        obs_t=t,
        obs_y=y,
        gpu=tuple(f"g{i}" for i in range(60)),
        gpu_series=gpu_series,
        gpu_t=gpu_t,
        gpu_y=gpu_y,
        year_origin=2018.0,
    )
    # v1's four-line structure with a constant scatter: one line per group
    spec = resolve_spec({**V1_PRIORS, "likelihood": {"scatter": "constant"}})
    config = et.FitConfig(draws=1000, tune=1000, chains=2, seed=3, spec=spec, progressbar=False)
    tree = sample(data, config)
    post = tree["posterior"]
    covered = []
    for name, values in {**true, "eff_slope": [0.11, 0.13]}.items():
        draws = post[name].stack(sample=("chain", "draw")).to_numpy()
        q = np.quantile(draws, [0.005, 0.05, 0.95, 0.995], axis=-1)
        covered.extend((q[1] <= values) & (values <= q[2]))
        assert np.all((q[0] <= values) & (values <= q[3])), (name, q, values)
    assert len(covered) == 14 and sum(covered) >= 11, covered
    assert int(tree["sample_stats"]["diverging"].sum()) == 0


def test_parameter_recovery_one_line_per_domain() -> None:
    """Model v2's compute structure: every model once, one line per domain, the frontier a
    quantile. Synthetic data with known lines: the line parameters are recovered (each in
    its 99% interval, at least 5 of 6 in the 90% one), and the frontier intercept is the line
    plus z_0.9 times the scatter, draw by draw."""
    from scipy import stats

    rng = np.random.default_rng(11)
    true = {"line_intercept": [1.2, 2.0], "line_slope": [0.1, 0.5], "line_sigma": [0.8, 1.2]}
    n = [80, 30]
    domain = np.repeat([0, 1], n)
    t = rng.uniform(-6, 3, domain.size)
    y = (
        np.take(true["line_intercept"], domain)
        + np.take(true["line_slope"], domain) * t
        + np.take(true["line_sigma"], domain) * rng.standard_normal(domain.size)
    )
    gpu_series = np.repeat([0, 1], 30)
    gpu_t = rng.uniform(-8, 3, 60)
    gpu_y = 1.8 + 0.12 * gpu_t + 0.15 * rng.standard_normal(60)
    data = ModelData(
        groups=("cv/frontier", "cv/all", "nlp/frontier", "nlp/all"),
        group_series=np.array([0, 0, 1, 1]),
        series=("cv", "nlp"),
        obs=tuple(f"m{i}" for i in range(domain.size)),
        obs_group=np.where(domain == 0, 1, 3),  # every model on its domain's "all" line
        obs_t=t,
        obs_y=y,
        gpu=tuple(f"g{i}" for i in range(60)),
        gpu_series=gpu_series,
        gpu_t=gpu_t,
        gpu_y=gpu_y,
        year_origin=2018.0,
    )
    spec = resolve_spec({"efficiency": {"kind": "thesis"}, "structure": {"frontier": "scatter"}})
    config = et.FitConfig(
        draws=1000, tune=1000, chains=2, seed=5, spec=spec, pooling="none", progressbar=False
    )
    post = sample(data, config)["posterior"]
    covered = []
    for name, values in true.items():
        draws = post[name].stack(sample=("chain", "draw")).to_numpy()
        q = np.quantile(draws, [0.005, 0.05, 0.95, 0.995], axis=-1)
        covered.extend((q[1] <= values) & (values <= q[2]))
        assert np.all((q[0] <= values) & (values <= q[3])), (name, q, values)
    assert sum(covered) >= 5, covered
    z = stats.norm.ppf(spec["structure"]["frontier_quantile"])
    line = post["line_intercept"].to_numpy() + z * post["line_sigma"].to_numpy()
    np.testing.assert_allclose(post["intercept"].to_numpy()[..., [0, 2]], line, rtol=1e-12)


def test_same_seed_gives_identical_summaries() -> None:
    a = et.fit("nlp", config=small(seed=11, cache=False))
    b = et.fit("nlp", config=small(seed=11, cache=False))
    pd.testing.assert_frame_equal(a.summary(), b.summary())
    c = et.fit("nlp", config=small(seed=12, cache=False))
    assert not np.allclose(a.summary()["median"], c.summary()["median"])


def test_failed_gate_warns_with_numbers_and_is_carried() -> None:
    with pytest.warns(et.DiagnosticsWarning, match=r"failed its diagnostics: .*ess_bulk \d+"):
        r = et.fit("cv", config=et.FitConfig(draws=30, tune=30, chains=2, cache=False))
    assert not r.passed
    assert any("ess" in f for f in r.diagnostics.failures)
    with pytest.warns(et.DiagnosticsWarning, match="treat its numbers as unreliable"):
        r.growth_rates()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"domain": "speech"}, ValueError, "domain must be one of"),
        ({"draws": 0}, ValueError, "draws must be a whole number"),
        ({"chains": 1.5}, ValueError, "chains must be a whole number"),
        ({"sampler": "gibbs"}, ValueError, "sampler must be one of"),
        ({"pooling": "some"}, ValueError, "pooling must be one of"),
        ({"rule": "best"}, ValueError, "unknown frontier rule"),
        ({"rule": "best", "priors": V1_PRIORS}, ValueError, "unknown frontier rule"),
        ({"priors": {"compute": {"slope_mean": 1}}}, ValueError, "unknown prior"),
        ({"priors": {"compute": {"sigma": {"sigma": -1.0}}}}, ValueError, "must be > 0"),
        ({"priors": {"likelihood": {"family": "cauchy"}}}, ValueError, "likelihood family"),
    ],
)
def test_invalid_input_to_fit(tmp_path: Path, kwargs: dict, error: type, match: str) -> None:
    """Nothing is written when ``fit``'s arguments or its :class:`FitConfig` are invalid."""
    kwargs = {"domain": "cv", **kwargs}
    domain, priors = kwargs.pop("domain"), kwargs.pop("priors", None)
    with pytest.raises(error, match=match):
        et.fit(domain, priors=priors, config=et.FitConfig(cache_path=tmp_path, **kwargs))
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_invalid_user_table_names_row_and_column(tmp_path: Path) -> None:
    cv = et.load_data("cv_models", "thesis")
    cv.loc[5, "gflops"] = -1.0
    with pytest.raises(et.DataValidationError, match="row 5, column 'gflops'"):
        et.fit("cv", tables={"cv_models": cv}, config=et.FitConfig(cache_path=tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def small_fit(tmp_path_factory: pytest.TempPathFactory) -> et.TrendFit:
    cache = tmp_path_factory.mktemp("cache")
    return et.fit("cv", config=small(cache_path=cache))


def test_save_load_round_trip(small_fit: et.TrendFit, tmp_path: Path) -> None:
    path = small_fit.save(tmp_path / "fit.nc")
    loaded = et.load(path)
    pd.testing.assert_frame_equal(loaded.growth_rates(), small_fit.growth_rates())
    pd.testing.assert_frame_equal(loaded.summary(), small_fit.summary())
    assert loaded.config == small_fit.config and loaded.config.spec == small_fit.config.spec
    pd.testing.assert_frame_equal(loaded.models, small_fit.models)
    attrs = loaded.idata.attrs
    assert attrs["energytrend_version"] == et.__version__
    assert attrs["seed"] == small_fit.config.seed
    assert len(attrs["data_hash"]) == 64 and "compute" in attrs["spec"]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    from energytrend.inference.store import _umask

    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()  # the usual mode, not 0600
    assert b"pickle" not in path.read_bytes()[:0]  # netCDF/HDF5, never pickle
    assert path.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"


def test_loading_a_file_from_other_data_says_what_differs(
    small_fit: et.TrendFit, tmp_path: Path
) -> None:
    path = small_fit.save(tmp_path / "fit.nc")
    cv = et.load_data("cv_models")  # the fit's own (default) dataset
    cv.loc[cv["model"] == "AlexNet", "gflops"] = 2.0
    with pytest.raises(et.ResultFileError, match="log10 GFLOPs differ for cv/all/AlexNet"):
        et.load(path, tables={"cv_models": cv})
    with pytest.raises(et.ResultFileError, match=r"models missing from the file: .*extra"):
        extra = pd.concat(
            [et.load_data("cv_models"), et.load_data("cv_models").iloc[[0]].assign(model="extra")],
            ignore_index=True,
        )
        et.load(path, tables={"cv_models": extra})
    with pytest.raises(et.ResultFileError, match=r"specification compute\.slope_mu\.sigma"):
        et.load(path, priors={"compute": {"slope_mu": {"sigma": 2.0}}})
    assert et.load(path, verify=False).config == small_fit.config


def test_a_tampered_file_is_refused(small_fit: et.TrendFit, tmp_path: Path) -> None:
    import xarray as xr

    path = small_fit.save(tmp_path / "fit.nc")
    tree = xr.open_datatree(path, engine="h5netcdf").load()
    tree.attrs["spec"] = tree.attrs["spec"].replace('"mu": 0.25', '"mu": 0.5')
    tree.to_netcdf(tmp_path / "tampered.nc", engine="h5netcdf")
    with pytest.raises(et.ResultFileError, match=r"modified after energytrend wrote it.*attrib"):
        et.load(tmp_path / "tampered.nc", verify=False)
    (tmp_path / "junk.nc").write_bytes(b"not a netcdf file")
    with pytest.raises(et.ResultFileError, match="not a readable energytrend result"):
        et.load(tmp_path / "junk.nc")


def _counting_sampler(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = fit_module.sample

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fit_module, "sample", counted)
    return calls


def test_cache_hit_does_not_resample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting_sampler(monkeypatch)
    first = et.fit("cv", config=small(cache_path=tmp_path))
    second = et.fit("cv", config=small(cache_path=tmp_path))
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first.summary(), second.summary())
    entries = list(tmp_path.iterdir())
    assert len(entries) == 1 and entries[0].name.startswith("fit-")
    et.fit("cv", config=small(cache_path=tmp_path, seed=5))  # other settings: other entry
    assert len(calls) == 2 and len(list(tmp_path.iterdir())) == 2
    et.fit("cv", config=small(cache=False, cache_path=tmp_path))  # switched off
    assert len(calls) == 3 and len(list(tmp_path.iterdir())) == 2


def test_corrupt_cache_entry_is_refitted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    et.fit("cv", config=small(cache_path=tmp_path))
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(entry.read_bytes()[:1000])  # truncated, as by a full disk
    calls = _counting_sampler(monkeypatch)
    with pytest.warns(RuntimeWarning, match="corrupt cache entry"):
        r = et.fit("cv", config=small(cache_path=tmp_path))
    assert len(calls) == 1 and r.passed in (True, False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        et.fit("cv", config=small(cache_path=tmp_path))  # the rewritten entry loads cleanly


def test_interrupted_write_leaves_no_file(
    small_fit: et.TrendFit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xarray as xr

    def explode(self, path, **kwargs):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(xr.DataTree, "to_netcdf", explode)
    with pytest.raises(OSError, match="disk full"):
        small_fit.save(tmp_path / "fit.nc")
    assert list(tmp_path.iterdir()) == []


def test_falls_back_to_pymc_nuts_without_nutpie(monkeypatch: pytest.MonkeyPatch) -> None:
    real = fit_module.importlib.util.find_spec
    monkeypatch.setattr(
        fit_module.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "nutpie" else real(name, *a),
    )
    with pytest.warns(RuntimeWarning, match="nutpie is not installed"):
        r = et.fit("nlp", config=et.FitConfig(cache=False, draws=100, tune=100, chains=2))
    assert r.config.sampler == "pymc"
    assert r.idata["posterior"].attrs.get("inference_library") == "pymc"


def test_cache_key_changes_with_library_versions_flags_and_cpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cached fit made under other library versions, numeric flags or CPU is never reused:
    each is part of the cache key (issue: same numbers on every machine)."""
    import importlib

    from energytrend.model.design import prepare

    fit_module = importlib.import_module("energytrend.inference.config")  # where the key is made

    env = fit_module.numeric_environment()
    assert set(env["versions"]) >= {"pymc", "pytensor", "nutpie", "numba", "numpy", "arviz"}
    assert env["flags"] == {"numba__fastmath": False}
    arrays = prepare("cv").arrays
    config = fit_module.FitConfig(domain="cv")
    fit_module.code_version.cache_clear()  # the sources as they are now
    keys = {fit_module.cache_key(arrays, config)}
    for change in (
        {"versions": {**env["versions"], "numba": "0.0.1"}},
        {"flags": {"numba__fastmath": True}},
        {"cpu": "generic"},
    ):
        fit_module.code_version.cache_clear()
        monkeypatch.setattr(fit_module, "numeric_environment", lambda c=change: {**env, **c})
        keys.add(fit_module.cache_key(arrays, config))
    fit_module.code_version.cache_clear()
    monkeypatch.undo()
    assert len(keys) == 4
    assert fit_module.cache_key(arrays, config) in keys
