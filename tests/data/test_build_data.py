"""Dataset "2025": the committed derived tables equal a fresh build, validate, and keep the
rules stated in docs/data.md (scripts/build_data.py)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from energytrend.data.schema import CV_MODELS, DATASET_TABLES
from energytrend.data.validation import DataValidationError, read_table

DATA = REPO / "data"


def _load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_data", REPO / "scripts" / "build_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_data"] = module
    spec.loader.exec_module(module)
    return module


build_data = _load_build()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("build")
    return dict(build_data.build(REPO, out))


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: read_table(DATA / spec.filename, spec) for name, spec in DATASET_TABLES.items()}


def _raw(name: str) -> pd.DataFrame:
    return build_data.read_raw(DATA / "raw" / name)[1]


# ---------------------------------------------------------------------------- build and files


@pytest.mark.parametrize("name", DATASET_TABLES)
def test_committed_table_equals_a_fresh_build(name: str, fresh: dict[str, Path]) -> None:
    committed = (DATA / DATASET_TABLES[name].filename).read_bytes()
    assert fresh[name].read_bytes() == committed, (
        f"data/2025/{name}.csv differs from the build; run scripts/build_data.py"
    )


def test_build_is_deterministic(tmp_path: Path, fresh: dict[str, Path]) -> None:
    again = build_data.build(REPO, tmp_path)
    for name, path in again.items():
        assert path.read_bytes() == fresh[name].read_bytes(), name
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"


def test_build_runs_without_the_curation_files(tmp_path: Path) -> None:
    """Curated files may arrive later: the build must run without them."""
    repo = tmp_path / "repo"
    shutil.copytree(DATA / "raw", repo / "data" / "raw")
    out = build_data.build(repo, tmp_path / "out")
    lm = pd.read_csv(out["language_models"], dtype=str, keep_default_na=False)
    assert (lm["active_params_basis"] == "curated").sum() == 0
    assert len(lm) == len(pd.read_csv(DATA / "2025" / "language_models.csv"))


@pytest.mark.parametrize("name", DATASET_TABLES)
def test_every_derived_table_validates(name: str, tables: dict[str, pd.DataFrame]) -> None:
    df = tables[name]
    assert len(df) > 0
    assert list(df.columns) == list(DATASET_TABLES[name].column_names)
    assert (df["source"] != "").all() and (df["licence"] != "").all()
    assert (df["reference"] != "").all()


def test_a_bad_row_gets_a_one_line_error(tmp_path: Path) -> None:
    spec = DATASET_TABLES["vision_models"]
    bad = pd.read_csv(DATA / spec.filename, dtype=str, keep_default_na=False)
    bad.loc[3, "gflops"] = "-1"
    path = tmp_path / "vision_models.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        read_table(path, spec)
    assert err.value.row == 5 and err.value.column == "gflops"
    assert "\n" not in str(err.value)


def test_raw_snapshots_carry_provenance() -> None:
    for path in sorted((DATA / "raw").glob("*.csv")):
        header, df = build_data.read_raw(path)
        text = "\n".join(header)
        assert header, f"{path.name} has no # header"
        assert re.search(r"https?://", text), f"{path.name}: no upstream URL"
        assert re.search(r"[Ll]icen[cs]e", text), f"{path.name}: no licence"
        assert re.search(r"\b[0-9a-f]{40}\b|\b20\d\d-\d\d-\d\d\b", text), f"{path.name}: no commit"
        assert len(df) > 0


def test_notice_credits_every_source() -> None:
    notice = (REPO / "NOTICE").read_text(encoding="utf-8")
    for needle in ("Epoch AI", "CC BY 4.0", "timm", "Apache", "MLCommons", "thesis"):
        assert needle in notice, needle


# -------------------------------------------------------------------------------- accelerators


def test_at_least_50_accelerators_from_2021(tables: dict[str, pd.DataFrame]) -> None:
    acc = tables["accelerators"]
    assert (acc["release_date"] >= "2021-01-01").sum() >= 50
    assert acc["release_date"].min() >= pd.Timestamp("2010-01-01")
    assert acc["release_date"].max() <= pd.Timestamp("2025-12-31")
    makers = set(acc["manufacturer"])
    assert {"NVIDIA", "AMD", "Google", "Intel"} <= makers and len(makers) >= 10


def test_accelerator_peaks_are_epoch_values_in_tflops(tables: dict[str, pd.DataFrame]) -> None:
    raw = _raw("epoch_ml_hardware.csv").set_index("hardware_name")
    acc = tables["accelerators"].set_index("hardware_name")
    corrected = acc["corrected_columns"]
    checked = 0
    for name, row in acc.iterrows():
        for raw_col, col in build_data.PEAKS.items():
            if raw_col in corrected[name] or col in corrected[name]:
                continue
            value = build_data.num(raw.loc[name, raw_col])
            if np.isnan(value):
                assert np.isnan(row[col]), (name, col)
            else:
                assert row[col] == pytest.approx(value / 1e12, rel=1e-6), (name, col)
                checked += 1
    assert checked > 300


def test_accelerator_duplicates_are_merged(tables: dict[str, pd.DataFrame]) -> None:
    acc = tables["accelerators"]
    names = set(acc["hardware_name"])
    raw = _raw("epoch_ml_hardware.csv")
    v100_raw = raw["hardware_name"].str.contains(r"^NVIDIA .*V100(?!S)")
    v100 = acc["hardware_name"].str.contains(r"^NVIDIA .*V100(?!S)")
    assert v100_raw.sum() == 9 and 2 <= v100.sum() < 9
    if build_data.read_curation(DATA / "curation" / "accelerator_flags.csv") is not None:
        assert v100.sum() == 3  # SXM2/SXM3 300 W, PCIe 250 W, DGXS 250 W
    merged = {m for ms in acc["merged_names"] for m in ms.split(";") if m}
    assert not merged & names
    dated = raw[(raw["release_date"] >= "2010-01-01") & (raw["release_date"] <= "2025-12-31")]
    assert merged | names == set(dated["hardware_name"])
    assert {"NVIDIA H100 SXM5 80GB", "NVIDIA H200 SXM", "NVIDIA B200"} <= names


def test_accelerator_curation_is_applied(tables: dict[str, pd.DataFrame]) -> None:
    acc = tables["accelerators"].set_index("hardware_name")
    flags = build_data.read_curation(DATA / "curation" / "accelerator_flags.csv")
    if flags is not None:
        est = flags.loc[flags["flag"] == "tdp_estimated_by_epoch", "hardware_name"]
        for name in est:
            if name in acc.index:
                assert acc.loc[name, "tdp_estimated"], name
        assert acc["tdp_estimated"].sum() == sum(n in acc.index for n in est)
    corr = build_data.read_curation(DATA / "curation" / "accelerator_corrections.csv")
    if corr is None:
        pytest.skip("no accelerator_corrections.csv yet")
    for _, c in corr.iterrows():
        if c["hardware_name"] in acc.index:
            assert c["column"] in acc.loc[c["hardware_name"], "corrected_columns"].split(";")


def test_tpu_tdps_are_flagged_as_estimates(tables: dict[str, pd.DataFrame]) -> None:
    if build_data.read_curation(DATA / "curation" / "accelerator_flags.csv") is None:
        pytest.skip("no accelerator_flags.csv yet")
    acc = tables["accelerators"].set_index("hardware_name")
    assert acc.loc["Google TPU v5p", "tdp_estimated"]
    assert not acc.loc["NVIDIA B200", "tdp_estimated"]


def test_segment_rule() -> None:
    assert build_data.segment("NVIDIA GeForce RTX 4090") == "Desktop"
    assert build_data.segment("NVIDIA Quadro RTX 8000") == "Workstation"
    assert build_data.segment("NVIDIA RTX 6000 Ada Generation") == "Workstation"
    assert build_data.segment("NVIDIA H100 SXM5 80GB") == "Server"


# ------------------------------------------------------------------------------ vision models


def test_at_least_100_vision_models_from_2021(tables: dict[str, pd.DataFrame]) -> None:
    vm = tables["vision_models"]
    assert (vm["release_date"] >= "2021-01-01").sum() >= 100
    assert vm["release_date"].min() >= pd.Timestamp("2021-01-01")
    assert vm["release_date"].max() <= pd.Timestamp("2025-12-31")


def test_gflops_are_twice_timm_gmacs(tables: dict[str, pd.DataFrame]) -> None:
    vm = tables["vision_models"]
    timm = vm[vm["source"] == "timm"]
    assert np.allclose(timm["gflops"], 2 * timm["gmacs"], rtol=0, atol=0.006)


@pytest.mark.parametrize(
    ("thesis_model", "timm_model", "gmacs"),
    [
        ("ResNet-50", "resnet50.tv_in1k", 4.11),
        ("MobileNetV2", "mobilenetv2_100.ra_in1k", 0.31),
        ("EfficientNet-B0", "tf_efficientnet_b0.in1k", 0.40),
    ],
)
def test_gmac_conversion_on_models_in_both_tables(
    thesis_model: str, timm_model: str, gmacs: float
) -> None:
    """Thesis Table A.3 GFLOPs are about 2 x timm GMACs at 224 px: the conversion is right."""
    thesis = read_table(DATA / CV_MODELS.filename, CV_MODELS).set_index("model")
    raw = _raw("timm_imagenet.csv")
    row = raw[(raw["model"] == timm_model) & (raw["img_size"] == "224")]
    assert len(row) == 1
    timm_gmacs = float(row["gmacs_at_img_size"].iloc[0])
    assert timm_gmacs == gmacs
    printed = thesis.loc[thesis_model, "gflops"]
    assert printed == pytest.approx(2 * timm_gmacs, rel=0.10)
    assert printed != pytest.approx(timm_gmacs, rel=0.25)  # GMACs alone would be half


def test_one_row_per_model_not_per_weight(tables: dict[str, pd.DataFrame]) -> None:
    vm = tables["vision_models"]
    timm = vm[vm["source"] == "timm"]
    assert not timm.duplicated(["model", "extra_data"]).any()
    assert not timm["model"].str.contains(r"_(?:224|384|448|512)$").any()
    assert timm["n_weight_variants"].sum() > len(timm)
    raw = _raw("timm_imagenet.csv")
    assert raw["arch"].str.startswith("convnextv2_huge").sum() > 1
    assert (timm["model"] == "convnextv2_huge").sum() == 2  # ImageNet-1k only and 21k


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_no_paper_dominates_a_year(year: int, tables: dict[str, pd.DataFrame]) -> None:
    vm = tables["vision_models"]
    rows = vm[vm["release_date"].dt.year == year]
    assert len(rows) >= 40
    family = rows["paper"].where(rows["paper"] != "", rows["arxiv_id"])
    assert family.value_counts(normalize=True).iloc[0] <= 0.25


def test_vision_dates_are_arxiv_months(tables: dict[str, pd.DataFrame]) -> None:
    timm = tables["vision_models"]  # timm rows and hand additions follow one rule
    ym = timm["arxiv_id"].str.slice(0, 2).map(lambda y: f"20{y}") + "-" + timm["arxiv_id"].str[2:4]
    assert (timm["release_date"].dt.strftime("%Y-%m") == ym).all()
    assert (timm["release_date"].dt.day == 15).all()
    timm = timm[timm["source"] == "timm"]
    mnv4 = timm[timm["model"].str.startswith("mobilenetv4")]
    assert len(mnv4) and (mnv4["release_date"] == "2024-04-15").all()  # not MobileNetV3's


def test_hand_additions(tables: dict[str, pd.DataFrame]) -> None:
    add = build_data.read_curation(DATA / "curation" / "vision_additions.csv")
    if add is None:
        pytest.skip("no vision_additions.csv")
    vm = tables["vision_models"].set_index(["model", "extra_data"])
    for _, a in add.iterrows():
        row = vm.loc[(a["model"], a["extra_data"])]
        assert row["gflops"] == float(a["gflops"]) and row["source"] != "timm"
        assert a["source_url"] in row["reference"]
    assert vm.loc[("ViT-G/14", "JFT 3B"), "gflops"] == 5270.0  # thesis Table A.3


def test_extra_data_and_base_names() -> None:
    assert build_data.extra_data("fcmae_ft_in22k_in1k_384") == "ImageNet-21k"
    assert build_data.extra_data("fb_in1k") == "No"
    assert build_data.extra_data("clip_laion2b_augreg_ft_in12k_in1k") == "LAION-2B; ImageNet-12k"
    assert build_data.base_model("swinv2_base_window12to24_192to384") == "swinv2_base"
    assert build_data.base_model("volo_d5_512") == "volo_d5"
    assert build_data.base_model("repghostnet_200") == "repghostnet_200"


# ---------------------------------------------------------------------------- language models


def test_language_models_keep_every_epoch_row(tables: dict[str, pd.DataFrame]) -> None:
    lm = tables["language_models"]
    assert len(lm) == len(_raw("epoch_notable_language_models.csv"))
    assert lm["release_date"].min() >= pd.Timestamp("2018-01-01")
    assert lm["release_date"].max() <= pd.Timestamp("2025-12-31")
    gpt4 = lm.set_index("model").loc["GPT-4"]
    assert np.isnan(gpt4["active_params_millions"])  # Epoch's speculative total, MoE: not guessed
    closed = lm[lm["params_millions"].isna() & (lm["active_params_basis"] != "curated")]
    assert len(closed) > 50 and closed["active_params_millions"].isna().all()
    assert closed["gflops_per_token"].isna().all()


def test_deepseek_v3_has_37b_active_parameters(tables: dict[str, pd.DataFrame]) -> None:
    if build_data.read_curation(DATA / "curation" / "llm_active_params.csv") is None:
        pytest.skip("no llm_active_params.csv yet")
    ds = tables["language_models"].set_index("model").loc["DeepSeek-V3"]
    assert ds["params_millions"] == 671000
    assert ds["active_params_millions"] == 37000
    assert ds["gflops_per_token"] == pytest.approx(
        2 * 37000 * 1e6 / 1e9 + 2 * ds["n_layers"] * 2048 * ds["d_model"] / 1e9, rel=1e-6
    )


def test_gflops_per_token_rule(tables: dict[str, pd.DataFrame]) -> None:
    lm = tables["language_models"]
    dense = lm[lm["active_params_basis"] == "dense: equals total"]
    assert (dense["active_params_millions"] == dense["params_millions"]).all()
    with_attn = lm[lm["gflops_includes_attention"]]
    expect = with_attn["active_params_millions"] * 2e-3 + with_attn["attention_gflops_per_token"]
    assert np.allclose(with_attn["gflops_per_token"], expect, rtol=1e-4)
    assert (with_attn["attention_context_tokens"] == 2048).all()
    plain = lm[~lm["gflops_includes_attention"] & lm["active_params_millions"].notna()]
    assert np.allclose(plain["gflops_per_token"], plain["active_params_millions"] * 2e-3)
    moe = lm[(lm["is_moe"] == "true")].dropna(subset=["active_params_millions", "params_millions"])
    assert len(moe) and (moe["active_params_millions"] < moe["params_millions"]).all()


# ------------------------------------------------------------------------------- MLPerf power


def test_mlperf_rows_from_at_least_two_rounds(tables: dict[str, pd.DataFrame]) -> None:
    mp = tables["mlperf_power"]
    rounds = set(mp["round"])
    raws = sorted((DATA / "raw").glob("mlperf_power_v*.csv"))
    assert "4.1" in rounds and len(rounds) == len(raws)
    if len(raws) < 2:
        pytest.skip("only one MLPerf round extracted so far")
    assert len(rounds) >= 2


def test_mlperf_energy_columns(tables: dict[str, pd.DataFrame]) -> None:
    mp = tables["mlperf_power"]
    thr = mp[mp["throughput"].notna()]
    assert np.allclose(thr["joules_per_sample"], thr["mean_system_watts"] / thr["throughput"],
                       rtol=1e-4)  # fmt: skip
    tok = mp[mp["tokens_per_second"].notna()]
    assert len(tok) and tok["benchmark"].str.contains("llama|gptj|mixtral|whisper").all()
    assert np.allclose(tok["joules_per_token"], tok["mean_system_watts"] / tok["tokens_per_second"],
                       rtol=1e-4)  # fmt: skip
    assert mp.loc[mp["tokens_per_second"].isna(), "joules_per_token"].isna().all()


def test_mlperf_v41_spot_values(tables: dict[str, pd.DataFrame]) -> None:
    """Checked against the raw logs of inference_results_v4.1 (see data/raw header)."""
    mp = tables["mlperf_power"]
    row = mp[(mp["round"] == "4.1") & (mp["benchmark"] == "llama2-70b")
             & (mp["scenario"] == "Offline")].iloc[0]  # fmt: skip
    assert row["accelerator"] == "NVIDIA H200-SXM-141GB" and row["accelerator_count"] == 8
    assert row["accuracy_targets"] == "99;99.9"  # one run, two published results
    assert row["throughput"] == 86.7369 and row["tokens_per_second"] == 25262.1
    assert row["mean_system_watts"] == 6152.98
    assert row["joules_per_token"] == pytest.approx(6152.98 / 25262.1, rel=1e-5)
    assert row["round_date"] == pd.Timestamp("2024-08-28")


def test_parse_system_rule() -> None:
    assert build_data.parse_system("H200-SXM-141GBx8_TRT_MaxQ") == ("H200-SXM-141GB", "8")
    assert build_data.parse_system("R7525_A100_PCIe-40GBx3_TRT") == ("R7525_A100_PCIe-40GB", "3")
    assert build_data.parse_system("h13_u3_slim") == ("", "")


def test_mlperf_power_equals_mlcommons_published_power(tables: dict[str, pd.DataFrame]) -> None:
    """The energies computed from the raw logs equal MLCommons' published power results
    (v5.1 summary_results.json): mean Watts, and millijoules per query for latency scenarios."""
    published = _raw("mlcommons_published_power_v5.1.csv")
    mp = tables["mlperf_power"]
    mp = mp[mp["round"] == "5.1"]
    matched = 0
    for _, p in published.iterrows():
        hits = mp[mp["reference"].str.contains(p["location"] + "/performance", regex=False)]
        for _, h in hits.iterrows():
            value = float(p["power_result"])
            if p["power_units"] == "Watts":
                assert h["mean_system_watts"] == pytest.approx(value, abs=0.006)
            else:
                assert p["power_units"] == "millijoules"
                per_query = 8 if p["scenario"] == "MultiStream" else 1
                assert h["joules_per_sample"] * per_query * 1000 == pytest.approx(value, rel=1e-5)
            matched += 1
    assert matched >= 10
