"""The thesis's own plug-in method, kept as the baseline the Bayesian fits are compared with.

1. Ordinary least squares of log10 GFLOPS/W on release date for each domain's adapted GPU
   series (thesis Figure 5.2).
2. Joules per forward pass = GFLOPs / the fitted GFLOPS/W at the model's release date
   (Equations 5.1-5.2): a point estimate plugged in, its uncertainty dropped.
3. Ordinary least squares of log10 GFLOPs and log10 Joules on date, separately for the
   frontier models and for all models (Figures 4.3, 4.8, 5.3, 5.4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from energytrend.data.frontier import frontier_mask
from energytrend.data.growth import doubling_time_months, factor_per_year
from energytrend.data.hardware import DOMAINS, Domain, Selection, efficiency_series
from energytrend.data.tables import decimal_year, load_cv_models, load_nlp_models

#: Years are measured from this origin inside the regressions (keeps intercepts readable).
YEAR_ORIGIN = 2000.0

#: Models of thesis Table 5.2 ("similar number of FLOPs to AlexNet"), as (model, extra_data).
TABLE_5_2_MODELS = (
    ("AlexNet", "No"),
    ("ZFNet", "No"),
    ("Inception V1/GoogleLeNet", "No"),
    ("MobileNet", "No"),
    ("MobileNetV2 1.4", "No"),
    ("EfficientNet-B1", "No"),
    ("NoisyStudent-B1", "JFT 300M"),
)
#: Models of thesis Table 5.3 ("similar energy consumption to AlexNet").
TABLE_5_3_MODELS = (
    ("AlexNet", "No"),
    ("ResNeXt-50 32x4d", "Custom 940M"),
    ("EfficientNet-B4", "No"),
    ("NoisyStudent-B4", "JFT 300M"),
    ("ResNeSt-50", "No"),
    ("T2T-ViT-14", "No"),
    ("CrossViT-15", "No"),
    ("EfficientNetV2-S", "No"),
)


@dataclass(frozen=True)
class OLSLine:
    """A least-squares line of log10(value) on decimal years.

    ``intercept`` is the log10 value at ``YEAR_ORIGIN``; ``slope`` is in log10 units per year.
    """

    slope: float
    intercept: float
    slope_se: float
    residual_sd: float
    n: int

    def predict_log10(self, years: npt.ArrayLike) -> np.ndarray:
        """Fitted log10 value at the given decimal years."""
        return self.intercept + self.slope * (np.asarray(years, dtype=float) - YEAR_ORIGIN)

    @property
    def factor_per_year(self) -> float:
        """Growth factor per year, ``10 ** slope``."""
        return float(factor_per_year(self.slope))

    @property
    def doubling_time_months(self) -> float:
        """Doubling (or, for a negative slope, halving) time in months."""
        return float(doubling_time_months(self.slope))


def fit_ols(years: npt.ArrayLike, values: npt.ArrayLike) -> OLSLine:
    """Least squares of log10(``values``) on ``years`` (values must be positive)."""
    x = np.asarray(years, dtype=float) - YEAR_ORIGIN
    v = np.asarray(values, dtype=float)
    if x.shape != v.shape or x.size < 3:
        raise ValueError(f"need at least 3 paired points for a line, got {x.size}")
    if np.any(v <= 0) or not np.all(np.isfinite(v)):
        raise ValueError("values must be positive and finite to take log10")
    y = np.log10(v)
    design = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    dof = x.size - 2
    sigma2 = float(resid @ resid) / dof
    cov = sigma2 * np.linalg.inv(design.T @ design)
    return OLSLine(
        slope=float(coef[1]),
        intercept=float(coef[0]),
        slope_se=float(np.sqrt(cov[1, 1])),
        residual_sd=float(np.sqrt(sigma2)),
        n=int(x.size),
    )


def efficiency_line(domain: Domain, *, selection: Selection = "thesis") -> OLSLine:
    """The thesis's fitted GFLOPS/W trend for a domain's adapted GPU series."""
    s = efficiency_series(domain, selection=selection)
    return fit_ols(s["year"], s["gflops_per_watt"])


def models_frame(
    domain: Domain, models: pd.DataFrame | None = None, *, rule: str = "thesis"
) -> pd.DataFrame:
    """A domain's models with ``year`` (decimal) and the ``frontier`` flag of ``rule``."""
    if domain not in DOMAINS:
        raise ValueError(f"domain must be one of {DOMAINS}, got {domain!r}")
    df = (load_cv_models() if domain == "cv" else load_nlp_models()) if models is None else models
    df = df.copy()
    df["year"] = decimal_year(df["release_date"])
    df["frontier"] = frontier_mask(df, domain, rule)
    return df


def plugin_joules(models: pd.DataFrame, line: OLSLine) -> pd.Series:
    """Joules per forward pass: GFLOPs divided by the fitted GFLOPS/W at the release date."""
    years = decimal_year(models["release_date"])
    return pd.Series(
        models["gflops"].to_numpy() / 10.0 ** line.predict_log10(years),
        index=models.index,
        name="joules",
    )


def baseline_lines(
    domain: Domain, *, rule: str = "thesis", selection: Selection = "thesis"
) -> pd.DataFrame:
    """Every OLS line of the thesis for one domain, as a tidy DataFrame.

    One row per (metric, group): ``gflops_per_watt`` (group ``hardware``), ``gflops`` and
    ``joules`` (groups ``frontier`` and ``all``), with the slope in log10 per year, its
    standard error, the intercept at ``YEAR_ORIGIN``, the factor per year, the doubling time
    in months and the number of points.
    """
    eff = efficiency_line(domain, selection=selection)
    models = models_frame(domain, rule=rule)
    models["joules"] = plugin_joules(models, eff)
    lines: list[tuple[str, str, OLSLine]] = [("gflops_per_watt", "hardware", eff)]
    for metric in ("gflops", "joules"):
        for group, sub in (("frontier", models[models["frontier"]]), ("all", models)):
            lines.append((metric, group, fit_ols(sub["year"], sub[metric])))
    return pd.DataFrame(
        [
            {
                "domain": domain,
                "metric": metric,
                "group": group,
                "slope": line.slope,
                "slope_se": line.slope_se,
                "intercept": line.intercept,
                "factor_per_year": line.factor_per_year,
                "doubling_time_months": line.doubling_time_months,
                "residual_sd": line.residual_sd,
                "n": line.n,
            }
            for metric, group, line in lines
        ]
    )


def _cv_table(keys: tuple[tuple[str, str], ...], columns: list[str]) -> pd.DataFrame:
    models = load_cv_models()
    models["joules"] = plugin_joules(models, efficiency_line("cv"))
    models["year"] = models["release_date"].dt.year
    index = pd.MultiIndex.from_tuples(keys, names=["model", "extra_data"])
    table = models.set_index(["model", "extra_data"]).loc[index].reset_index()
    return table[columns]


def thesis_table_5_2() -> pd.DataFrame:
    """Thesis Table 5.2 recomputed: models with GFLOPs similar to AlexNet, with Joules."""
    return _cv_table(
        TABLE_5_2_MODELS, ["model", "top1_accuracy", "gflops", "joules", "extra_data", "year"]
    )


def thesis_table_5_3() -> pd.DataFrame:
    """Thesis Table 5.3 recomputed: models with energy similar to AlexNet's."""
    return _cv_table(TABLE_5_3_MODELS, ["model", "top1_accuracy", "joules", "extra_data", "year"])
