"""Frontier selection as named rules.

The thesis fits one line to "frontier" models and one to all models. Its definitions are:

* CV (section 4.1.2): the model with the highest top-1 accuracy in each calendar year;
* NLP (section 4.2.2): the models that, when released, were the most compute-demanding so far.

Alternatives are offered so fits can show how much the answer depends on the definition.
Each rule maps a validated model table to a boolean mask (``True`` = frontier).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

RuleFunc = Callable[[pd.DataFrame], np.ndarray]


def best_per_year(df: pd.DataFrame, metric: str) -> np.ndarray:
    """Models with the highest ``metric`` in their calendar year (ties all kept)."""
    year = df["release_date"].dt.year
    best = df.groupby(year)[metric].transform("max")
    return np.asarray((df[metric] == best) & df[metric].notna(), dtype=bool)


def top_k_per_year(df: pd.DataFrame, metric: str, k: int) -> np.ndarray:
    """The ``k`` models with the highest ``metric`` in each calendar year (ties at the k-th
    value all kept)."""
    year = df["release_date"].dt.year
    rank = df.groupby(year)[metric].rank(method="min", ascending=False)
    return np.asarray(rank <= k, dtype=bool)


def running_record(df: pd.DataFrame, metric: str) -> np.ndarray:
    """Models that set a new record of ``metric`` when released: strictly above every model
    released on an earlier date, and the highest of their own release date."""
    values = df[metric].to_numpy(dtype=float)
    dates = df["release_date"].to_numpy()
    mask = np.zeros(len(df), dtype=bool)
    record = -np.inf
    for date in np.unique(dates):
        same = (dates == date) & ~np.isnan(values)
        if not same.any():
            continue
        best = values[same].max()
        if best > record:
            mask |= same & (values == best)
            record = best
    return mask


@dataclass(frozen=True)
class FrontierRule:
    """A named frontier definition for one domain."""

    name: str
    domain: str
    description: str
    func: RuleFunc

    def __call__(self, df: pd.DataFrame) -> np.ndarray:
        if df.empty:
            return np.zeros(0, dtype=bool)
        return np.asarray(self.func(df), dtype=bool)


_RULES = (
    FrontierRule(
        "thesis",
        "cv",
        "highest top-1 accuracy in each calendar year (the thesis)",
        lambda d: best_per_year(d, "top1_accuracy"),
    ),
    FrontierRule(
        "accuracy_record",
        "cv",
        "models that set a new top-1 accuracy record when released",
        lambda d: running_record(d, "top1_accuracy"),
    ),
    FrontierRule(
        "top3_accuracy_per_year",
        "cv",
        "the three most accurate models of each calendar year",
        lambda d: top_k_per_year(d, "top1_accuracy", 3),
    ),
    FrontierRule(
        "thesis",
        "nlp",
        "most compute-demanding model so far when released (the thesis)",
        lambda d: running_record(d, "gflops"),
    ),
    FrontierRule(
        "top3_compute_per_year",
        "nlp",
        "the three most compute-demanding models of each calendar year",
        lambda d: top_k_per_year(d, "gflops", 3),
    ),
    FrontierRule(
        "glue_record",
        "nlp",
        "models that set a new GLUE record when released (models with a score)",
        lambda d: running_record(d, "glue_score"),
    ),
    FrontierRule(
        "thesis",
        "llm",
        "most compute per token so far when released (the thesis's NLP rule, per token)",
        lambda d: running_record(d, "gflops"),
    ),
    FrontierRule(
        "epoch_frontier",
        "llm",
        "Epoch AI's 'Frontier model' flag (Notable AI Models documentation)",
        lambda d: d["frontier_model"].astype(str).str.lower().eq("true").to_numpy(),
    ),
)

#: Every rule, by domain and name.
RULES: dict[str, dict[str, FrontierRule]] = {}
for _rule in _RULES:
    RULES.setdefault(_rule.domain, {})[_rule.name] = _rule


def get_rule(domain: str, name: str = "thesis") -> FrontierRule:
    """Look up a frontier rule; raises ``ValueError`` listing the valid names."""
    try:
        return RULES[domain][name]
    except KeyError:
        valid = ", ".join(f"{d}: {sorted(r)}" for d, r in RULES.items())
        raise ValueError(
            f"unknown frontier rule {name!r} for domain {domain!r}; valid rules are {valid}"
        ) from None


def frontier_mask(df: pd.DataFrame, domain: str, rule: str = "thesis") -> np.ndarray:
    """Boolean mask of the frontier models of ``df`` under the named ``rule``."""
    return get_rule(domain, rule)(df)


def rules_table() -> pd.DataFrame:
    """Every available rule with its description, as a tidy DataFrame."""
    return pd.DataFrame(
        [{"domain": r.domain, "rule": r.name, "description": r.description} for r in _RULES]
    )
