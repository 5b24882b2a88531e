"""Build the derived tables of dataset "2025" (``data/2025/*.csv``) from the raw snapshots.

Inputs (all committed, no network): ``data/raw/*.csv`` (each starts with a ``#`` provenance
header) and the hand-curated files in ``data/curation/``. Curated files that do not exist yet
are skipped, so the build runs with whatever exists and can be rerun when they arrive. The same
inputs give byte-identical outputs; every file is written to a temporary file and moved into
place with ``os.replace``.

Usage: ``python scripts/build_data.py [--repo DIR] [--out DIR]`` (default: this checkout,
``data/2025``).

Rules, also stated in ``data/README.md``:

accelerators (Epoch AI, *Data on Machine Learning Hardware*)
    Rows dated 2010-2025. Corrections from ``data/curation/accelerator_corrections.csv`` are
    applied when the listed Epoch value matches (1% tolerance); flags from
    ``accelerator_flags.csv`` set ``tdp_estimated`` / ``date_is_availability``. Peaks are
    converted to TFLOPS/TOPS (value / 1e12); memory size and bandwidth come from
    ``data/raw/epoch_ml_hardware_memory.csv`` (the same Epoch file's memory columns), in GB and
    TB/s (value / 1e9, / 1e12), the kept row's values. Deduplication: the ``duplicate_of:<kept
    row>`` flags of ``accelerator_flags.csv`` (curated; the rule is stated in that file: same
    model number and TDP, peaks within 5%, keep the row citing the vendor datasheet, else the
    earliest). Only while that file has no such flags, an automatic rule applies: two rows are
    one chip variant when they have the same manufacturer, every peak and the TDP agree within
    1% (missing only where missing), and the word set of one name (after dropping the
    manufacturer, "Tesla" and memory sizes such as "32 GB") is a subset of the other's; variants
    are joined transitively and represented by the earliest-released row (then the shortest
    name). Merged rows are listed in ``merged_names``. ``type`` is the market segment as in the
    thesis: Desktop (GeForce, TITAN, Radeon RX), Workstation (Quadro, RTX A-series, RTX Ada),
    otherwise Server; Epoch's own type (GPU, TPU, ...) is ``chip_type``.

vision_models (timm ImageNet-1k results)
    Dated by the architecture paper's arXiv id (corrected by
    ``data/curation/vision_arxiv_ids.csv``); ``release_date`` is the 15th of the id's month.
    Kept: arXiv months 2021-01..2025-12; dropped: ``test_*`` architectures and timm's own
    variants (architecture names with a ``rw``/``rw2``/``ols``/``hnf``/``legacy``/``aa``/``blur``
    token). One row
    per model as its paper presents it: weights of one architecture that differ only in
    resolution (a ``_224``..``_560`` suffix, Swin's ``window``/``192to384`` parts), training
    recipe, fine-tune or RoPE-ViT position-embedding variant (``_mixed``/``_ape``) are one
    model, identified by (``model``, ``extra_data``), where
    ``extra_data`` is the pre-training data named by the weight tag (No for ImageNet-1k only).
    Of each group the weight with the highest top-1 is kept (then fewest GMACs, then name).
    Alternative implementations with identical params, GMACs and top-1 keep the shorter name.
    ``gflops`` = 2 x timm GMACs (multiply-add = 2 FLOPs, the thesis convention). Hand additions
    from ``data/curation/vision_additions.csv`` are appended.

language_models (Epoch AI, *Notable AI Models*, language domain 2018-2025)
    ``params_millions`` is Epoch's total. ``active_params_millions``: the curated value of
    ``data/curation/llm_active_params.csv`` when the model is listed there; else missing when
    Epoch's parameter notes mention mixture-of-experts, experts or active parameters; else (a
    dense model) the total. ``gflops_per_token`` = 2 x active parameters, plus the attention
    term 2 x n_layers x 2,048 x d_model (Kaplan et al. 2020, at a fixed 2,048-token context,
    the thesis's longest NLP sequence) where n_layers and d_model are curated; that term is also
    in its own column. ``kv_dim`` (keys' or values' width per layer: KV heads x head dim),
    ``n_experts`` and ``experts_per_token`` come from ``data/curation/llm_architecture.csv``
    (each row citing repository, path, commit and licence), which also fills n_layers and
    d_model where ``llm_active_params.csv`` has none and must agree with it where it has.

mlperf_power (MLCommons MLPerf Inference, every ``data/raw/mlperf_power_v*.csv``)
    One row per power-measured run. Result folders of one run (same system, benchmark,
    LoadGen effective scenario, power window and power) become one row: the accuracy variants
    ``-99``/``-99.9`` (listed in ``accuracy_targets``), scenario folders repeating one
    SingleStream run (``result_dir_scenario``) and one run filed in both divisions
    (``division`` = closed;open). ``accelerator``/``accelerator_count`` come from the system
    description when the raw file has it, else from a system name of the form
    ``<accelerator>x<count>_...``. For throughput scenarios (Offline, Server)
    ``joules_per_sample`` = mean system watts / samples per second and ``joules_per_token`` =
    watts / tokens per second; for latency-bound ones (SingleStream, MultiStream) it is the
    energy per query (watts x power window / result_query_count, as MLCommons' submission
    checker) over the samples per query (1, or 8 for MultiStream); ``energy_basis`` says which.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
EPOCH_LICENCE = "CC BY 4.0"
TIMM_LICENCE = "Apache-2.0"
MLPERF_LICENCE = "Apache-2.0"
ATTENTION_CONTEXT = 2048
REL_TOL = 0.01


# ----------------------------------------------------------------------------------- helpers


def read_raw(path: Path) -> tuple[list[str], pd.DataFrame]:
    """Leading ``#`` lines and the table below them, every cell as text ('' when empty).

    ``comment='#'`` is not used on purpose: URLs inside the data contain ``#``.
    """
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        i += 1
    df = pd.read_csv(io.StringIO("".join(lines[i:])), dtype=str, keep_default_na=False)
    return [ln.rstrip("\n") for ln in lines[:i]], df


def read_curation(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return read_raw(path)[1]


def warn(msg: str) -> None:
    print(f"build_data: {msg}", file=sys.stderr)


def num(text: str) -> float:
    text = str(text).strip().replace(",", "")
    return float(text) if text else math.nan


def fmt(x: float, nd: int = 4) -> str:
    """A number rounded to ``nd`` decimals, trailing zeros removed; '' for missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return ""
    s = f"{round(float(x), nd):.{nd}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def sig(x: float, digits: int = 7) -> str:
    """A computed number to ``digits`` significant digits, positional notation; '' if missing."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return ""
    return np.format_float_positional(
        float(x), precision=digits, unique=False, fractional=False, trim="-"
    )


def close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write atomically: a temporary file in the same folder, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = df.to_csv(index=False, lineterminator="\n")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        Path(tmp).chmod(0o644)
        os.replace(tmp, path)  # noqa: PTH105 (atomic rename, as documented)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------------ accelerators

PEAKS = {  # raw Epoch column (FLOP/s or OP/s) -> derived column (TFLOPS or TOPS)
    "fp32_flops": "fp32_tflops",
    "tf32_flops": "tf32_tflops",
    "tensor_fp16_bf16_flops": "tensor_fp16_bf16_tflops",
    "fp16_flops": "fp16_tflops",
    "int8_ops": "int8_tops",
    "fp8_flops": "fp8_tflops",
    "fp4_flops": "fp4_tflops",
}
TEXT_COLUMNS = ("manufacturer", "type", "release_date")
ACCELERATOR_COLUMNS = [
    "hardware_name",
    "manufacturer",
    "chip_type",
    "type",
    "release_date",
    *PEAKS.values(),
    "tdp_watts",
    "memory_gb",
    "memory_bandwidth_tbps",
    "tdp_estimated",
    "date_is_availability",
    "flags",
    "corrected_columns",
    "merged_names",
    "datasheet_link",
    "source",
    "licence",
    "reference",
    "curation_ref",
]


def segment(name: str) -> str:
    n = name.lower()
    if re.search(r"geforce|titan|radeon rx", n):
        return "Desktop"
    if re.search(r"quadro|rtx a\d|rtx \d+ ada", n):
        return "Workstation"
    return "Server"


def _name_words(name: str, manufacturer: str) -> frozenset[str]:
    n = name.lower()
    for w in manufacturer.lower().split():
        n = re.sub(rf"\b{re.escape(w)}\b", " ", n)
    n = re.sub(r"\b\d+\s*gb\b", " ", n)
    n = re.sub(r"\btesla\b", " ", n)
    return frozenset(w for w in re.split(r"[\s/\-()]+", n) if w)


def read_memory(repo: Path) -> dict[str, dict[str, str]]:
    """Memory size and bandwidth per Epoch name (``epoch_ml_hardware_memory.csv``); empty
    when that snapshot is absent."""
    path = repo / "data/raw/epoch_ml_hardware_memory.csv"
    if not path.is_file():
        return {}
    _, mem = read_raw(path)
    return {r["hardware_name"]: dict(r) for _, r in mem.iterrows()}


def build_accelerators(repo: Path) -> pd.DataFrame:
    _, raw = read_raw(repo / "data/raw/epoch_ml_hardware.csv")
    raw = raw[(raw["release_date"] >= "2010-01-01") & (raw["release_date"] <= "2025-12-31")]
    memory = read_memory(repo)
    for name in sorted(set(memory) - set(raw["hardware_name"])):
        warn(f"memory row for unknown hardware '{name}' skipped")
    rows = {r["hardware_name"]: dict(r) for _, r in raw.iterrows()}
    corrected: dict[str, list[str]] = {n: [] for n in rows}
    curation: dict[str, set[str]] = {n: set() for n in rows}
    flags: dict[str, set[str]] = {n: set() for n in rows}
    derived_to_raw = {v: k for k, v in PEAKS.items()} | {"tdp_watts": "tdp_w"}

    corr = read_curation(repo / "data/curation/accelerator_corrections.csv")
    for _, c in (corr if corr is not None else pd.DataFrame()).iterrows():
        name, col = c["hardware_name"].strip(), c["column"].strip()
        if name not in rows:
            warn(f"accelerator correction for unknown hardware '{name}' skipped")
            continue
        scale = 1.0
        if col in derived_to_raw:
            col, scale = derived_to_raw[col], (1.0 if col == "tdp_watts" else 1e12)
        if col not in rows[name] or col in ("hardware_name", "datasheet_link"):
            warn(f"accelerator correction of unknown column '{c['column']}' skipped")
            continue
        if col in TEXT_COLUMNS:
            ok = rows[name][col].strip() == c["epoch_value"].strip()
            new_text = c["corrected_value"].strip()
        else:
            ok = close(num(rows[name][col]), num(c["epoch_value"]) * scale)
            new = num(c["corrected_value"]) * scale
            new_text = "" if math.isnan(new) else repr(new)
        if not ok:
            warn(
                f"correction {name}/{col}: Epoch value is {rows[name][col]!r}, not the listed "
                f"{c['epoch_value']!r}; skipped"
            )
            continue
        rows[name][col] = new_text
        corrected[name].append(c["column"].strip())
        curation[name].add("data/curation/accelerator_corrections.csv")

    duplicate_of: dict[str, str] = {}
    fl = read_curation(repo / "data/curation/accelerator_flags.csv")
    for _, f in (fl if fl is not None else pd.DataFrame()).iterrows():
        name, flag = f["hardware_name"].strip(), f["flag"].strip()
        if name not in rows:
            warn(f"accelerator flag for unknown hardware '{name}' skipped")
            continue
        if flag.startswith("duplicate_of:"):
            target = flag.split(":", 1)[1].strip()
            if target not in rows:
                warn(f"{name} is a duplicate of unknown hardware '{target}'; ignored")
                continue
            duplicate_of[name] = target
        else:
            flags[name].add(flag)
        curation[name].add("data/curation/accelerator_flags.csv")

    # deduplicate chip variants
    names = sorted(rows, key=lambda n: (rows[n]["release_date"], len(n), n))
    parent = {n: n for n in names}

    def find(n: str) -> str:
        seen = set()
        while parent[n] != n and n not in seen:
            seen.add(n)
            n = parent[n]
        return n

    if duplicate_of:
        # the curated groups of accelerator_flags.csv (rule stated in that file)
        for name, target in sorted(duplicate_of.items()):
            parent[name] = target
    else:
        # automatic rule, used only while no curated duplicates exist
        def same(a: dict[str, str], b: dict[str, str]) -> bool:
            if a["manufacturer"] != b["manufacturer"]:
                return False
            if not all(close(num(a[c]), num(b[c])) for c in [*PEAKS, "tdp_w"]):
                return False
            wa = _name_words(a["hardware_name"], a["manufacturer"])
            wb = _name_words(b["hardware_name"], b["manufacturer"])
            return bool(wa) and bool(wb) and (wa <= wb or wb <= wa)

        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if same(rows[a], rows[b]):
                    ra, rb = find(a), find(b)
                    if ra != rb:
                        first, second = sorted((ra, rb), key=names.index)
                        parent[second] = first

    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(find(n), []).append(n)
    groups = {rep: groups[rep] for rep in sorted(groups)}

    out = []
    for rep, members in groups.items():
        r = rows[rep]
        fset = set().union(*(flags[m] for m in members))
        cset = sorted({c for m in members for c in corrected[m]})
        cur = sorted(set().union(*(curation[m] for m in members)))
        rec = {
            "hardware_name": rep,
            "manufacturer": r["manufacturer"],
            "chip_type": r["type"],
            "type": segment(rep),
            "release_date": r["release_date"],
        }
        for rc, dc in PEAKS.items():
            rec[dc] = sig(num(r[rc]) / 1e12)
        mem = memory.get(rep, {})
        rec |= {
            "tdp_watts": fmt(num(r["tdp_w"]), 1),
            "memory_gb": sig(num(mem.get("memory_bytes", "")) / 1e9),
            "memory_bandwidth_tbps": sig(num(mem.get("memory_bandwidth_bytes_per_s", "")) / 1e12),
            "tdp_estimated": str("tdp_estimated_by_epoch" in fset).lower(),
            "date_is_availability": str("date_is_availability" in fset).lower(),
            "flags": ";".join(sorted(fset)),
            "corrected_columns": ";".join(cset),
            "merged_names": ";".join(m for m in members if m != rep),
            "datasheet_link": r["datasheet_link"],
            "source": "epoch_ml_hardware",
            "licence": EPOCH_LICENCE,
            "reference": "https://epoch.ai/data/machine-learning-hardware ml_hardware.csv, "
            f"row last modified {r['epoch_last_modified']}; data/raw/epoch_ml_hardware.csv"
            + ("; memory: data/raw/epoch_ml_hardware_memory.csv" if mem else ""),
            "curation_ref": ";".join(cur),
        }
        out.append(rec)
    df = pd.DataFrame(out, columns=ACCELERATOR_COLUMNS)
    return df.sort_values(["release_date", "hardware_name"], kind="mergesort").reset_index(
        drop=True
    )


# ----------------------------------------------------------------------------- vision models

VISION_COLUMNS = [
    "model",
    "paper",
    "arxiv_id",
    "timm_model",
    "n_weight_variants",
    "img_size",
    "top1_accuracy",
    "top5_accuracy",
    "params_millions",
    "gmacs",
    "gflops",
    "extra_data",
    "release_date",
    "date_basis",
    "architecture",
    "source",
    "licence",
    "reference",
]
RESOLUTIONS = "160|192|196|224|240|256|288|320|336|378|384|408|448|480|512|560"
TIMM_OWN_TOKENS = {"rw", "rw2", "ols", "hnf", "legacy", "aa", "blur"}
# weight-tag tokens naming pre-training data beyond ImageNet-1k (timm tag conventions)
EXTRA_DATA_TOKENS = {
    "in21k": "ImageNet-21k",
    "in22k": "ImageNet-21k",
    "in12k": "ImageNet-12k",
    "m38m": "Merged-38M",
    "m30m": "Merged-30M",
    "laion2b": "LAION-2B",
    "laiona": "LAION-2B",
    "openai": "OpenAI CLIP data",
    "webli": "WebLI",
    "jft300m": "JFT-300M",
    "ig1b": "Instagram-1B",
    "ssld": "SSLD 6M",
}


def base_model(arch: str) -> str:
    m = re.sub(rf"_(?:{RESOLUTIONS})(?:to(?:{RESOLUTIONS}))?$", "", arch)
    m = re.sub(r"_window\d+(?:to\d+)?", "", m)
    if "_rope" in m:  # RoPE-ViT: axial/mixed and with/without absolute embedding are one model
        m = re.sub(r"_(?:mixed|ape)(?=_|$)", "", m)
    return m


def extra_data(tag: str) -> str:
    found = []
    for tok in re.split(r"[_.]", tag):
        label = EXTRA_DATA_TOKENS.get(tok)
        if label and label not in found:
            found.append(label)
    if not found and "clip" in tag.split("_"):
        found.append("CLIP pre-training")
    return "; ".join(found) if found else "No"


def build_vision_models(repo: Path) -> pd.DataFrame:
    hdr, raw = read_raw(repo / "data/raw/timm_imagenet.csv")
    commit = "aa4b5850c1543fa488abf260f18390eda46cf85d"
    for line in hdr:
        m = re.search(r"commit ([0-9a-f]{40})", line)
        if m:
            commit = m.group(1)
            break
    df = raw.copy()
    df["basis"] = "arXiv id from the timm module source (shared extract: " + df["date_basis"] + ")"
    ids = read_curation(repo / "data/curation/vision_arxiv_ids.csv")
    if ids is not None:
        for i, arch in df["arch"].items():
            for _, c in ids.iterrows():
                if re.fullmatch(c["arch_pattern"], arch):
                    df.loc[i, "arxiv_id"] = c["arxiv_id"]
                    df.loc[i, "basis"] = (
                        "arXiv id curated in data/curation/vision_arxiv_ids.csv "
                        f"({c['timm_source']})"
                    )
                    break
    df = df[df["arxiv_id"].str.fullmatch(r"\d{4}\.\d{4,5}")].copy()
    df["month"] = "20" + df["arxiv_id"].str[:2] + "-" + df["arxiv_id"].str[2:4]
    df = df[(df["month"] >= "2021-01") & (df["month"] <= "2025-12")]
    df = df[~df["arch"].str.startswith("test_")]
    df = df[~df["arch"].map(lambda a: bool(TIMM_OWN_TOKENS & set(a.split("_"))))]
    df["tag"] = df["model"].str.split(".", n=1).str[1].fillna("")
    df["extra"] = df["tag"].map(extra_data)
    df["base"] = df["arch"].map(base_model)
    df["top1_f"] = df["top1"].map(num)
    df["gmacs_f"] = df["gmacs_at_img_size"].map(num)
    df = df.sort_values(
        ["base", "extra", "top1_f", "gmacs_f", "model", "img_size"],
        ascending=[True, True, False, True, True, True],
        kind="mergesort",
    )
    counts = df.groupby(["base", "extra"]).size()
    best = df.drop_duplicates(["base", "extra"], keep="first").copy()
    best["n_variants"] = [counts[(b, e)] for b, e in zip(best["base"], best["extra"], strict=True)]
    # alternative implementations of one model (e.g. levit_conv_128 = levit_128)
    best["len"] = best["base"].str.len()
    best = best.sort_values(["len", "base"], kind="mergesort")
    best = best.drop_duplicates(
        ["arxiv_id", "params_millions", "gmacs_at_img_size", "top1", "img_size", "extra"]
    )

    papers = read_curation(repo / "data/curation/vision_papers.csv")
    pmap = {} if papers is None else {r["arxiv_id"]: r for _, r in papers.iterrows()}
    out = []
    for _, r in best.iterrows():
        p = pmap.get(r["arxiv_id"])
        out.append(
            {
                "model": r["base"],
                "paper": "" if p is None else p["paper"],
                "arxiv_id": r["arxiv_id"],
                "timm_model": r["model"],
                "n_weight_variants": str(r["n_variants"]),
                "img_size": r["img_size"],
                "top1_accuracy": fmt(r["top1_f"], 3),
                "top5_accuracy": fmt(num(r["top5"]), 3),
                "params_millions": fmt(num(r["params_millions"]), 2),
                "gmacs": fmt(r["gmacs_f"], 2),
                "gflops": fmt(2 * r["gmacs_f"], 2),
                "extra_data": r["extra"],
                "release_date": r["month"] + "-15",
                "date_basis": "arXiv first-submission month of the architecture paper, day set "
                "to 15; " + r["basis"],
                "architecture": "" if p is None else p["architecture"],
                "source": "timm",
                "licence": TIMM_LICENCE,
                "reference": f"https://github.com/huggingface/pytorch-image-models/tree/{commit}"
                "/results results-imagenet.csv + benchmark-infer-amp-nchw-pt291-cu130-5090.csv; "
                f"https://arxiv.org/abs/{r['arxiv_id']}",
            }
        )
    res = pd.DataFrame(out, columns=VISION_COLUMNS)

    add = read_curation(repo / "data/curation/vision_additions.csv")
    if add is not None and len(add):
        extra_rows = []
        for _, a in add.iterrows():
            g = num(a["gflops"])
            extra_rows.append(
                {
                    "model": a["model"],
                    "paper": a["paper"],
                    "arxiv_id": a["arxiv_id"],
                    "timm_model": "",
                    "n_weight_variants": "1",
                    "img_size": a["img_size"],
                    "top1_accuracy": fmt(num(a["top1_accuracy"]), 3),
                    "top5_accuracy": "",
                    "params_millions": fmt(num(a["params_millions"]), 2),
                    "gmacs": "",
                    "gflops": fmt(g, 2),
                    "extra_data": a["extra_data"],
                    "release_date": a["release_date"],
                    "date_basis": a["date_basis"],
                    "architecture": a["architecture"],
                    "source": a.get("source", "") or "curated",
                    "licence": a.get("licence", "") or "facts from the cited paper",
                    "reference": f"{a['source_url']} (read {a['source_read']}); "
                    "data/curation/vision_additions.csv",
                }
            )
        res = pd.concat([res, pd.DataFrame(extra_rows, columns=VISION_COLUMNS)])
    return res.sort_values(["release_date", "model", "extra_data"], kind="mergesort").reset_index(
        drop=True
    )


# --------------------------------------------------------------------------- language models

LANGUAGE_COLUMNS = [
    "model",
    "organization",
    "release_date",
    "params_millions",
    "active_params_millions",
    "active_params_basis",
    "is_moe",
    "context_length",
    "n_layers",
    "d_model",
    "kv_dim",
    "n_experts",
    "experts_per_token",
    "attention_context_tokens",
    "attention_gflops_per_token",
    "gflops_per_token",
    "gflops_includes_attention",
    "training_compute_flop",
    "accessibility",
    "frontier_model",
    "confidence",
    "source",
    "licence",
    "reference",
    "curation_ref",
]
MOE_NOTE = re.compile(r"mixture|\bmoe\b|expert|activ", re.IGNORECASE)
ARCHITECTURE = "data/curation/llm_architecture.csv"


def read_architecture(repo: Path, models: set[str]) -> dict[str, pd.Series]:
    """Rows of ``llm_architecture.csv`` by model; every row cites its source. A row whose
    model is not an Epoch language model must name an MLPerf benchmark (else it is unused)."""
    arch = read_curation(repo / ARCHITECTURE)
    if arch is None:
        return {}
    out = {}
    for i, r in arch.iterrows():
        line = f"{ARCHITECTURE} line {i + 2}"
        for col in ("repository", "path", "commit", "licence", "read"):
            if not r[col].strip():
                raise ValueError(f"{line}: column {col} is empty; every row cites its source")
        for col in ("n_layers", "d_model", "kv_dim", "n_experts", "experts_per_token"):
            v = num(r[col])
            if not math.isnan(v) and (v <= 0 or v != int(v)):
                raise ValueError(f"{line}: {col} must be a whole number > 0 or empty, got {v}")
        e, k = num(r["n_experts"]), num(r["experts_per_token"])
        if math.isnan(e) != math.isnan(k) or k > e:
            raise ValueError(
                f"{line}: give n_experts and experts_per_token together, experts_per_token <= "
                "n_experts"
            )
        name = r["model"].strip()
        if name not in models and not r["mlperf_benchmark"].strip():
            warn(f"llm_architecture.csv: '{name}' is not an Epoch language model; not used")
        out[name] = r
    return out


def build_language_models(repo: Path) -> pd.DataFrame:
    _, raw = read_raw(repo / "data/raw/epoch_notable_language_models.csv")
    raw = raw[(raw["publication_date"] >= "2018-01-01") & (raw["publication_date"] <= "2025-12-31")]
    cur = read_curation(repo / "data/curation/llm_active_params.csv")
    cmap = {} if cur is None else {r["model"].strip(): r for _, r in cur.iterrows()}
    for name in sorted(set(cmap) - set(raw["model"])):
        warn(f"llm_active_params.csv: '{name}' is not an Epoch language model; not used")
    arch = read_architecture(repo, set(raw["model"]))
    out = []
    for _, r in raw.iterrows():
        total = num(r["parameters"]) / 1e6
        c = cmap.get(r["model"])
        basis = ""
        is_moe = ""
        n_layers = d_model = ctx = math.nan
        curation_ref = ""
        if c is not None:
            active = num(c["active_params_millions"])
            if math.isnan(total) and not math.isnan(num(c["total_params_millions"])):
                total = num(c["total_params_millions"])
            basis = "curated" if not math.isnan(active) else ""
            is_moe = c["is_moe"].strip().lower()
            n_layers, d_model, ctx = num(c["n_layers"]), num(c["d_model"]), num(c["context_length"])
            curation_ref = f"data/curation/llm_active_params.csv: {c['source_url']}"
        elif math.isnan(total):
            active = math.nan
        elif MOE_NOTE.search(r["parameters_notes"]):
            active = math.nan
            basis = "missing: Epoch notes mention experts or active parameters, not curated"
        else:
            active = total
            basis = "dense: equals total"
        kv_dim = n_experts = per_token = math.nan
        a = arch.get(r["model"])
        if a is not None:
            for col, have in (("n_layers", n_layers), ("d_model", d_model)):
                if not math.isnan(have) and num(a[col]) != have:
                    raise ValueError(
                        f"{ARCHITECTURE}: {r['model']!r} {col} {a[col]} differs from "
                        f"{have:g} in llm_active_params.csv; check both sources"
                    )
            n_layers, d_model = num(a["n_layers"]), num(a["d_model"])
            kv_dim, n_experts, per_token = (
                num(a["kv_dim"]),
                num(a["n_experts"]),
                num(a["experts_per_token"]),
            )
            ref = f"{ARCHITECTURE}: {a['repository']} {a['path']} at {a['commit']}"
            curation_ref = f"{curation_ref}; {ref}" if curation_ref else ref
        attn = math.nan
        if not math.isnan(n_layers) and not math.isnan(d_model):
            attn = 2 * n_layers * ATTENTION_CONTEXT * d_model / 1e9
        gflops = 2 * active * 1e6 / 1e9 if not math.isnan(active) else math.nan
        includes = not math.isnan(attn) and not math.isnan(gflops)
        if includes:
            gflops += attn
        out.append(
            {
                "model": r["model"],
                "organization": r["organization"],
                "release_date": r["publication_date"],
                "params_millions": fmt(total, 3),
                "active_params_millions": fmt(active, 3),
                "active_params_basis": basis,
                "is_moe": is_moe,
                "context_length": fmt(ctx, 0),
                "n_layers": fmt(n_layers, 0),
                "d_model": fmt(d_model, 0),
                "kv_dim": fmt(kv_dim, 0),
                "n_experts": fmt(n_experts, 0),
                "experts_per_token": fmt(per_token, 0),
                "attention_context_tokens": str(ATTENTION_CONTEXT) if includes else "",
                "attention_gflops_per_token": sig(attn),
                "gflops_per_token": sig(gflops),
                "gflops_includes_attention": str(includes).lower(),
                "training_compute_flop": r["training_compute_flop"],
                "accessibility": r["model_accessibility"],
                "frontier_model": r["frontier_model"],
                "confidence": r["confidence"],
                "source": "epoch_notable_ai_models",
                "licence": EPOCH_LICENCE,
                "reference": f"https://epoch.ai/data/notable-ai-models; {r['link']}",
                "curation_ref": curation_ref,
            }
        )
    df = pd.DataFrame(out, columns=LANGUAGE_COLUMNS)
    return df.sort_values(["release_date", "model"], kind="mergesort").reset_index(drop=True)


# ------------------------------------------------------------------------------ MLPerf power

MLPERF_COLUMNS = [
    "round",
    "round_date",
    "division",
    "submitter",
    "system",
    "accelerator",
    "accelerator_count",
    "benchmark",
    "accuracy_targets",
    "scenario",
    "result_dir_scenario",
    "valid",
    "throughput",
    "throughput_units",
    "tokens_per_second",
    "mean_system_watts",
    "joules_per_sample",
    "joules_per_token",
    "energy_basis",
    "latency_ms",
    "n_power_samples",
    "power_window_start",
    "source",
    "licence",
    "reference",
]
SCENARIOS = {
    "offline": "Offline",
    "server": "Server",
    "singlestream": "SingleStream",
    "multistream": "MultiStream",
    "interactive": "Interactive",
}
REQUIRED_MLPERF = ("submitter", "system", "benchmark", "scenario", "mean_system_watts")


def _version_key(path: Path) -> tuple[int, ...]:
    m = re.search(r"mlperf_power_v(\d+(?:\.\d+)*)\.csv$", path.name)
    return tuple(int(x) for x in m.group(1).split(".")) if m else (999,)


def parse_system(system: str) -> tuple[str, str]:
    """``H200-SXM-141GBx8_TRT_MaxQ`` -> (``H200-SXM-141GB``, ``8``); ('', '') if no match."""
    m = re.match(r"^(.+?)[-_ ]?x(\d+)(?:[_\-]|$)", system)
    return (m.group(1), m.group(2)) if m else ("", "")


def _licence(hdr: list[str]) -> str:
    """Apache-2.0 when the raw header says so; otherwise a pointer to the header's statement."""
    for line in hdr:
        m = re.search(r"Licen[cs]e:\s*(\S+)", line)
        if m:
            if m.group(1).rstrip(".;,") == "Apache-2.0":
                return MLPERF_LICENCE
            return "not stated in the upstream repository at the commit read (see raw header)"
    return "not stated (see raw header)"


def _text(r: pd.Series, name: str) -> str:
    value = str(r[name]).strip() if name in r.index else ""
    return "" if value in ("-", "N/A", "n/a", "None") else value


def _mlperf_record(r: pd.Series, rnd: str, rdate: str, licence: str, ref: str) -> dict[str, str]:
    scen_dir = SCENARIOS.get(_text(r, "scenario").lower(), _text(r, "scenario"))
    scen = SCENARIOS.get(_text(r, "effective_scenario").lower(), "") or scen_dir
    acc = _text(r, "accelerator_model_name") or _text(r, "accelerator")
    count = math.nan
    per_node, nodes = num(_text(r, "accelerators_per_node")), num(_text(r, "number_of_nodes"))
    if not math.isnan(per_node):
        count = per_node * (1 if math.isnan(nodes) or nodes <= 0 else nodes)
    elif _text(r, "accelerator_count"):
        count = num(_text(r, "accelerator_count"))
    if not acc or not count > 0:
        pa, pc = parse_system(_text(r, "system"))
        acc = acc or pa
        count = count if count > 0 else num(pc)
    latency_bound = scen in ("SingleStream", "MultiStream")
    thr = math.nan if latency_bound else num(_text(r, "throughput"))
    tok = math.nan if latency_bound else num(_text(r, "tokens_per_second"))
    watts = num(_text(r, "mean_system_watts"))
    j_sample = watts / thr if thr > 0 else math.nan
    basis = "mean_system_watts / throughput" if thr > 0 else ""
    if latency_bound:
        # energy per query, the submission checker's rule: watts x window / result_query_count
        j_query, basis = num(_text(r, "joules_per_query")), _text(r, "joules_per_query_basis")
        queries = num(_text(r, "result_query_count"))
        t0, t1 = _text(r, "power_window_start"), _text(r, "power_window_end")
        if math.isnan(j_query) and queries > 0 and t0 and t1:
            fmt_t = "%m-%d-%Y %H:%M:%S.%f"
            seconds = (
                pd.to_datetime(t1, format=fmt_t) - pd.to_datetime(t0, format=fmt_t)
            ).total_seconds()
            j_query, basis = watts * seconds / queries, "result_query_count"
        per_query = 8 if scen == "MultiStream" else 1
        j_sample = j_query / per_query
        if basis:
            basis = f"joules per query ({basis}) / {per_query} sample(s) per query"
    bench = _text(r, "benchmark")
    m = re.fullmatch(r"(.+?)-(99(?:\.9)?)", bench)
    return {
        "round": (_text(r, "round") or rnd).removeprefix("v"),
        "round_date": _text(r, "round_date") or rdate,
        "division": _text(r, "division"),
        "submitter": _text(r, "submitter"),
        "system": _text(r, "system"),
        "accelerator": acc,
        "accelerator_count": fmt(count, 0) if count > 0 else "",
        "benchmark": m.group(1) if m else bench,
        "accuracy_targets": m.group(2) if m else "",
        "scenario": scen,
        "result_dir_scenario": scen_dir,
        "valid": _text(r, "valid"),
        "throughput": fmt(thr, 4),
        "throughput_units": "samples/s" if thr > 0 else "",
        "tokens_per_second": fmt(tok, 4),
        "mean_system_watts": fmt(watts, 2),
        "joules_per_sample": sig(j_sample),
        "joules_per_token": sig(watts / tok) if tok > 0 else "",
        "energy_basis": basis,
        "latency_ms": fmt(num(_text(r, "latency_ns")) / 1e6, 6),
        "n_power_samples": _text(r, "n_power_samples"),
        "power_window_start": _text(r, "power_window_start"),
        "power_window_end": _text(r, "power_window_end"),
        "source": "mlperf_inference",
        "licence": licence,
        "reference": "; ".join(x for x in (ref, _text(r, "source_dir")) if x),
    }


def build_mlperf_power(repo: Path) -> pd.DataFrame:
    files = sorted((repo / "data/raw").glob("mlperf_power_v*.csv"), key=_version_key)
    out: list[dict[str, str]] = []
    for path in files:
        hdr, raw = read_raw(path)
        missing = [c for c in REQUIRED_MLPERF if c not in raw.columns]
        if missing:
            warn(f"{path.name} lacks columns {missing}; skipped")
            continue
        rnd = ".".join(str(v) for v in _version_key(path))
        rdate = ""
        for line in hdr:
            m = re.search(r"round[ _]date\D{0,40}?(\d{4}-\d{2}-\d{2})", line, re.IGNORECASE)
            if m:
                rdate = m.group(1)
                break
        ref = f"data/raw/{path.name}"
        for line in hdr:
            m = re.search(r"(https://github\.com/mlcommons/inference_results_v[\w.]+)", line)
            c = re.search(r"(?:commit|HEAD) ([0-9a-f]{40})", line)
            if m:
                ref = m.group(1) + (f" at {c.group(1)}" if c else "") + f"; {ref}"
                break
        licence = _licence(hdr)
        # one row per run: result dirs that are one measured run are merged (accuracy variants
        # -99/-99.9, edge submissions repeating a SingleStream run in several dirs, and one run
        # filed in both the closed and the open division)
        merged: dict[tuple[str, ...], dict[str, str]] = {}
        for _, r in raw.iterrows():
            rec = _mlperf_record(r, rnd, rdate, licence, ref)
            key = tuple(
                rec[k]
                for k in (
                    "round", "submitter", "system", "benchmark", "scenario",
                    "power_window_start", "power_window_end", "mean_system_watts",
                )
            )  # fmt: skip
            if not rec["power_window_start"]:
                key = (*key, rec["division"], rec["accuracy_targets"], rec["result_dir_scenario"])
            if key in merged:
                prev = merged[key]
                targets = {*prev["accuracy_targets"].split(";"), rec["accuracy_targets"]}
                prev["accuracy_targets"] = ";".join(sorted((t for t in targets if t), key=float))
                dirs = {*prev["result_dir_scenario"].split(";"), rec["result_dir_scenario"]}
                prev["result_dir_scenario"] = ";".join(sorted(dirs))
                divisions = {*prev["division"].split(";"), rec["division"]}
                prev["division"] = ";".join(sorted(d for d in divisions if d))
            else:
                merged[key] = rec
        out.extend(merged.values())
    if not out:
        return pd.DataFrame(columns=MLPERF_COLUMNS)
    df = pd.DataFrame(out)[MLPERF_COLUMNS]
    df["_v"] = df["round"].map(lambda v: tuple(int(x) for x in v.split(".") if x.isdigit()))
    df = df.sort_values(
        ["_v", "division", "submitter", "system", "benchmark", "accuracy_targets", "scenario",
         "power_window_start"],
        kind="mergesort",
    )  # fmt: skip
    return df.drop(columns="_v").reset_index(drop=True)


# --------------------------------------------------------------------------------------- main

BUILDERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "accelerators": build_accelerators,
    "vision_models": build_vision_models,
    "language_models": build_language_models,
    "mlperf_power": build_mlperf_power,
}


def build(repo: Path = REPO, out_dir: Path | None = None) -> dict[str, Path]:
    """Build every derived table of dataset "2025"; return {table: path written}."""
    out_dir = out_dir or repo / "data" / "2025"
    written = {}
    for name, builder in BUILDERS.items():
        path = out_dir / f"{name}.csv"
        write_csv(builder(repo), path)
        written[name] = path
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, default=REPO, help="checkout to read data/ from")
    ap.add_argument("--out", type=Path, default=None, help="output folder (default data/2025)")
    args = ap.parse_args(argv)
    for name, path in build(args.repo, args.out).items():
        n = len(pd.read_csv(path, dtype=str))
        print(f"{name}: {n} rows -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
