"""A researcher's own data end to end: tables from anywhere, a fit of extra rows that saves
and loads on its own, and result files that cannot be modified silently (issue 15)."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import energytrend as et
from conftest import REPO
from energytrend import thesis

SMALL = et.FitConfig(draws=200, tune=200, chains=2)
pytestmark = pytest.mark.filterwarnings("ignore::energytrend.DiagnosticsWarning")

#: Three 2022-2023 models, as a new user would add them.
NEW_ROWS = """model,top1_accuracy,gflops,release_date,extra_data,architecture
ConvNeXt-XL,87.8,179.0,2022-01-10,ImageNet-22k,CNN
EVA-02-L,90.0,310.0,2023-03-20,Merged-38M,Transformer
ViT-22B,89.5,8000.0,2023-02-10,JFT-4B,Transformer
"""


@pytest.fixture(scope="module")
def own_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped CV table plus three new models, as a CSV file."""
    folder = tmp_path_factory.mktemp("own")
    shipped = (REPO / "data" / "cv_models.csv").read_text(encoding="utf-8")
    extra = pd.read_csv(pd.io.common.StringIO(NEW_ROWS), dtype=str)
    frame = pd.read_csv(REPO / "data" / "cv_models.csv", dtype=str, keep_default_na=False)
    path = folder / "mine.csv"
    pd.concat([frame, extra], ignore_index=True).fillna("").to_csv(path, index=False)
    assert path.read_text(encoding="utf-8").startswith(shipped.splitlines()[0])
    return path


@pytest.fixture(scope="module")
def own_fit(own_csv: Path) -> et.TrendFit:
    return et.fit("cv", tables={"cv_models": str(own_csv)}, config=SMALL)


@pytest.fixture(scope="module")
def saved(own_fit: et.TrendFit, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return own_fit.save(tmp_path_factory.mktemp("saved") / "mine.nc")


# ----------------------------------------------------------------- tables from anywhere
def test_fit_takes_a_path_a_pandas_frame_or_a_typed_table(
    own_csv: Path, own_fit: et.TrendFit
) -> None:
    """The same data as a path, a frame read with plain pandas, or a validated table give the
    same fit (the cache key is the data's, so the later two are cache hits)."""
    assert any(own_fit.models["model"] == "ViT-22B")
    for source in (own_csv, pd.read_csv(own_csv), et.load_data("cv_models", source=own_csv)):
        again = et.fit("cv", tables={"cv_models": source}, config=SMALL)
        pd.testing.assert_frame_equal(again.summary(), own_fit.summary())


def test_the_shipped_table_read_with_pandas_fits() -> None:
    """The issue's first "done when": the shipped file through plain ``pd.read_csv``."""
    raw = pd.read_csv(REPO / "data" / "cv_models.csv")
    own = et.fit("cv", tables={"cv_models": raw}, config=SMALL)
    assert own.models["model"].isin(raw["model"]).all()
    r = et.fit("cv", data="thesis", tables={"cv_models": raw}, config=SMALL)
    shipped = et.fit("cv", data="thesis", config=SMALL)
    pd.testing.assert_frame_equal(r.summary(), shipped.summary())


def test_a_bad_table_path_names_the_file(tmp_path: Path) -> None:
    cached_in = et.FitConfig(cache_path=tmp_path)
    with pytest.raises(et.DataValidationError, match=r"nope\.csv.*does not exist"):
        et.fit("cv", tables={"cv_models": tmp_path / "nope.csv"}, config=cached_in)
    with pytest.raises(TypeError, match="CSV path or a pandas DataFrame"):
        et.fit("cv", tables={"cv_models": 42}, config=cached_in)  # type: ignore[dict-item]


# ----------------------------------------------------------------- round trip
def test_a_fit_of_own_data_loads_on_its_own(own_fit: et.TrendFit, saved: Path) -> None:
    loaded = et.load(saved)
    pd.testing.assert_frame_equal(loaded.growth_rates(), own_fit.growth_rates())
    pd.testing.assert_frame_equal(loaded.models, own_fit.models)
    assert "ViT-22B" in set(loaded.models["model"])


def test_own_data_is_checked_against_the_tables_passed(own_csv: Path, saved: Path) -> None:
    et.load(saved, tables={"cv_models": own_csv})  # the same tables: no difference
    with pytest.raises(et.ResultFileError) as info:
        et.load(saved, tables={"cv_models": et.load_data("cv_models", "thesis")})
    message = str(info.value)
    assert str(saved) in message
    assert "models only in the file: cv/all/ConvNeXt-XL" in message
    # what to pass: the same tables, as fit() took them
    assert "your own cv_models" in message and "tables={'cv_models': ...}" in message
    assert "verify=False" in message
    assert info.value.path == saved


def test_a_shipped_fit_is_still_checked_against_the_shipped_data(tmp_path: Path) -> None:
    path = et.fit("cv", config=SMALL).save(tmp_path / "shipped.nc")
    et.load(path)
    cv = et.load_data("cv_models")
    cv.loc[cv["model"] == "AlexNet", "gflops"] = 2.0
    with pytest.raises(et.ResultFileError, match=r"log10 GFLOPs differ.*AlexNet"):
        et.load(path, tables={"cv_models": cv})


# ----------------------------------------------------------------- integrity
def _flip_a_byte(path: Path, dataset: str, target: Path) -> Path:
    """Copy ``path`` to ``target`` with one byte of ``dataset``'s raw data changed."""
    with h5py.File(path, "r") as f:
        offset = f[dataset].id.get_offset()
        assert offset is not None, "the dataset must be stored contiguously"
    data = bytearray(path.read_bytes())
    data[offset + 3] ^= 0x01
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize(
    ("dataset", "named"),
    [
        ("posterior/slope", "slope in posterior"),
        ("sample_stats/diverging", "diverging in sample_stats"),
        ("energytrend_data/models/gflops", "gflops in energytrend_data/models"),
        ("log_likelihood/log10_gflops", "log10_gflops in log_likelihood"),
    ],
)
def test_one_changed_byte_is_refused_naming_what_changed(
    saved: Path, tmp_path: Path, dataset: str, named: str
) -> None:
    bad = _flip_a_byte(saved, dataset, tmp_path / "bad.nc")
    for verify in (True, False):
        with pytest.raises(et.ResultFileError, match="modified after energytrend wrote it") as e:
            et.load(bad, verify=verify)
        assert named in str(e.value) and str(bad) in str(e.value)


def test_every_failure_to_open_names_the_path(saved: Path, tmp_path: Path) -> None:
    cases = {
        tmp_path / "missing.nc": "does not exist",
        tmp_path / "truncated.nc": "not a readable energytrend result",
        tmp_path / "foreign.nc": "not an energytrend result",
        tmp_path / "text.nc": "not a readable energytrend result",
        tmp_path: "is a folder",
    }
    (tmp_path / "truncated.nc").write_bytes(saved.read_bytes()[:5000])
    xr.Dataset({"x": ("i", np.arange(3.0))}).to_netcdf(tmp_path / "foreign.nc", engine="h5netcdf")
    (tmp_path / "text.nc").write_text("hello", encoding="utf-8")
    for path, match in cases.items():
        with pytest.raises(et.ResultFileError, match=match) as info:
            et.load(path)
        assert str(path) in str(info.value)
        assert info.value.path == path


def test_a_saved_file_carries_its_content_hash(saved: Path) -> None:
    with h5py.File(saved, "r") as f:
        assert len(f.attrs["content_hash"]) == 64
        assert "posterior/slope" in f.attrs["content_hashes"]


# ----------------------------------------------------------------- ArviZ
def test_arviz_reads_the_result_directly(own_csv: Path, own_fit: et.TrendFit, saved: Path) -> None:
    import arviz as az
    import matplotlib.pyplot as plt

    idata = own_fit.idata
    assert {"log_likelihood", "posterior_predictive"} <= set(idata.children)
    observed = idata["observed_data"]
    # a log-likelihood per observed variable, each along its own points
    assert set(observed.data_vars) <= set(idata["log_likelihood"].data_vars)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pareto k warnings of a tiny fit
        for var in observed.data_vars:  # compute (obs) and efficiency (gpu)
            loo = az.loo(idata, var_name=var)
            assert loo.n_data_points == observed[var].size and np.isfinite(loo.elpd), var
        other = et.fit(
            "cv",
            tables={"cv_models": own_csv},
            config=dataclasses.replace(SMALL, pooling="none"),
        )
        table = az.compare({"partial": idata, "none": other.idata}, var_name="log10_gflops")
    assert set(table.index) == {"partial", "none"}
    az.plot_ppc_dist(idata, var_names=["log10_gflops"])
    plt.close("all")
    loaded = et.load(saved)
    xr.testing.assert_allclose(
        loaded.idata["log_likelihood"].to_dataset(), idata["log_likelihood"].to_dataset()
    )


@pytest.mark.parametrize(
    "priors",
    [
        None,
        {"likelihood": {"family": "student_t"}},
        {**thesis.V1_PRIORS, "likelihood": {"family": "student_t", "scatter": "widening"}},
    ],
)
def test_log_likelihood_is_pymcs(priors: dict | None) -> None:
    """The stored pointwise log-likelihood equals PyMC's for the same model and draws, one
    variable per observed variable."""
    import pymc as pm

    from energytrend.inference.persist import arrays_from_tree
    from energytrend.model.build import build_model

    r = et.fit("cv", priors=priors, config=SMALL)
    model = build_model(arrays_from_tree(r.idata), r.config.spec, r.config.resolved_pooling)
    names = [v.name for v in model.free_RVs] + [v.name for v in model.deterministics]
    post = r.idata["posterior"].to_dataset()[names].isel(draw=slice(0, 20))
    ll = pm.compute_log_likelihood(
        xr.DataTree.from_dict({"posterior": post}),
        model=model,
        extend_inferencedata=False,
        progressbar=False,
    )
    ll = ll["log_likelihood"].to_dataset() if isinstance(ll, xr.DataTree) else ll
    stored = r.idata["log_likelihood"].to_dataset()
    assert set(stored.data_vars) == set(ll.data_vars) >= {"log10_gflops", "log10_gflops_per_watt"}
    for var in ll.data_vars:  # stored in single precision
        ours = stored[var].isel(draw=slice(0, 20)).to_numpy()
        expected = ll[var].to_numpy().astype(np.float32)
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-6, err_msg=var)


def test_summary_has_mcse_columns(own_fit: et.TrendFit) -> None:
    s = own_fit.summary()
    for col in ("mcse_mean", "mcse_sd", "mcse_median", "mcse_lower", "mcse_upper"):
        assert col in s.columns and (s[col] >= 0).all()
    assert (s["mcse_mean"] < s["sd"]).all()


def test_a_fit_with_own_priors_loads_on_its_own(tmp_path: Path) -> None:
    priors = {"compute": {"slope_mu": {"sigma": 1.0}}}
    path = et.fit("cv", priors=priors, config=SMALL).save(tmp_path / "priors.nc")
    assert et.load(path).config.spec["compute"]["slope_mu"]["sigma"] == 1.0
    et.load(path, priors=priors)
    with pytest.raises(et.ResultFileError, match=r"specification compute\.slope_mu\.sigma"):
        et.load(path, priors={})  # the defaults, asked for explicitly
