"""The immutable result of a fit, and the tidy tables of its posterior.

A :class:`TrendFit` holds data: the InferenceData, the configuration, the tables the model
saw, the diagnostics and the model parts. Every table is computed from the posterior draws
alone, so a result loaded from disk gives exactly the same tables as the fit that made it.
Forecasts, crossings, queries and figures are functions of a result in the later stages
(:mod:`energytrend.forecast`, :mod:`energytrend.report`).
"""

from __future__ import annotations

import functools
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from energytrend.inference.config import FitConfig
from energytrend.inference.diagnostics import Diagnostics, DiagnosticsWarning
from energytrend.inference.intervals import (
    CI_PROB,
    check_prob,
    doubling_mcse,
    doubling_row,
    interval,
    interval_mcse,
)
from energytrend.inference.mcse import mean_mcse
from energytrend.inference.persist import save_result
from energytrend.inference.ppc import ppc_table
from energytrend.inference.summary import summary_table
from energytrend.model.draws import Draws
from energytrend.model.parts import ModelParts

#: Readings of the posterior probability that energy per inference grows.
GROWING, FALLING = 0.95, 0.05


@dataclass(frozen=True, eq=False, repr=False)
class TrendFit:
    """A fitted trend model: posterior, the data it saw, its configuration, diagnostics and
    model parts.

    Build it with :func:`energytrend.fit` or :func:`energytrend.load`; never by hand.

    Examples:
        >>> import energytrend as et
        >>> result = et.fit("cv")
        >>> result.passed, result.groups
        (True, ['cv/frontier', 'cv/all'])
    """

    idata: xr.DataTree
    config: FitConfig
    models: pd.DataFrame
    gpus: pd.DataFrame
    diagnostics: Diagnostics
    parts: ModelParts

    def __repr__(self) -> str:
        post = self.idata["posterior"]
        failed = len(self.diagnostics.failures)
        verdict = "passed" if self.passed else f"FAILED ({failed}; see .diagnostics.failures)"
        return (
            f"TrendFit({self.config.domain!r}, data={self.config.data!r}: "
            f"{len(self.models)} model rows, {len(self.gpus)} GPU points; "
            f"{post.sizes['chain']} chains x {post.sizes['draw']} draws; "
            f"diagnostics {verdict})"
        )

    # ----------------------------------------------------------------- draws
    def draws(self, var: str) -> xr.DataArray:
        """Posterior draws of ``var`` stacked along ``sample``."""
        return self.idata["posterior"][var].stack(sample=("chain", "draw")).transpose("sample", ...)

    @functools.cached_property
    def posterior_draws(self) -> Draws:
        """The posterior as numpy draws by name (what the model parts predict from)."""
        return Draws(self.idata["posterior"].to_dataset())

    def _by_chain(self, stacked: np.ndarray) -> np.ndarray:
        """Draws stacked by :meth:`draws` (chain-major) back in (chain, draw) shape."""
        return self.posterior_draws.by_chain(stacked)

    @property
    def groups(self) -> list[str]:
        """The fitted model groups, ``"<domain>/<frontier|all>"``."""
        return [str(g) for g in self.idata["posterior"].to_dataset()["group"].to_numpy()]

    @property
    def domains(self) -> list[str]:
        """The domains of the fitted groups (``cv``, ``nlp``), in order."""
        return list(dict.fromkeys(g.split("/")[0] for g in self.groups))

    @property
    def series(self) -> list[str]:
        """The fitted GPU-efficiency series: one per numeric precision (``fp32``, ``fp16``,
        ``int8``), or one per domain in v1's thesis efficiency model."""
        return [str(s) for s in self.idata["posterior"].to_dataset()["series"].to_numpy()]

    @property
    def own_tables(self) -> list[str]:
        """The tables of the fit that were the user's own (``[]``: all the dataset's)."""
        return [str(t) for t in json.loads(self.idata.attrs.get("own_tables", "[]"))]

    @property
    def passed(self) -> bool:
        """Whether the fit passed the diagnostics gate
        (see :mod:`energytrend.inference.diagnostics`)."""
        return self.diagnostics.passed

    def warn_if_failed(self) -> None:
        """Warn (:class:`DiagnosticsWarning`) when the fit failed its diagnostics gate."""
        if not self.passed:
            warnings.warn(
                "this fit failed its diagnostics ("
                + "; ".join(self.diagnostics.failures)
                + "); treat its numbers as unreliable",
                DiagnosticsWarning,
                stacklevel=3,
            )

    def unit(self, metric: str, domain: str) -> str:
        """The unit of ``metric`` (``gflops``, ``joules`` or ``gflops_per_watt``) in
        ``domain``, e.g. ``"GFLOPs per token"``."""
        per_token = domain == "llm" or (domain == "nlp" and self.config.per_token)
        per = "token" if per_token else "forward pass"
        return {
            "gflops": f"GFLOPs per {per}",
            "joules": f"J per {per}",
            "gflops_per_watt": "GFLOPS/W",
        }[metric]

    def _slopes(self) -> list[tuple[str, str, str, np.ndarray]]:
        """(metric, domain, group, slope draws) of every line."""
        out = []
        slope, energy, eff = (
            self.draws("slope"),
            self.draws("energy_slope"),
            self.draws("eff_slope"),
        )
        for s in self.series:
            out.append(("gflops_per_watt", s, "hardware", eff.sel(series=s).to_numpy()))
        for g in self.groups:
            domain, group = g.split("/")
            out.append(("gflops", domain, group, slope.sel(group=g).to_numpy()))
            out.append(("joules", domain, group, energy.sel(group=g).to_numpy()))
        return out

    # ----------------------------------------------------------------- tables
    def growth_rates(self, prob: float = CI_PROB) -> pd.DataFrame:
        """Growth rate of every metric and group, with median and ``prob`` credible interval.

        One row per (metric, domain, group, quantity); quantities are
        ``slope_log10_per_year`` (orders of magnitude per year), ``factor_per_year``
        (10**slope) and ``doubling_time_months`` (see
        :func:`doubling_row` for halving and unbounded cases). ``mcse_median``,
        ``mcse_lower`` and ``mcse_upper`` are the Monte Carlo standard errors of the three
        numbers (:mod:`energytrend.inference.mcse`; NaN where a number is unbounded).
        """
        check_prob(prob)
        self.warn_if_failed()
        rows = []
        for metric, domain, group, s in self._slopes():
            base = {
                "metric": metric,
                "unit": self.unit(metric, domain),
                "domain": domain,
                "group": group,
            }
            chains = self._by_chain(s)
            med, lo, hi = interval(s, prob)
            e_med, e_lo, e_hi = interval_mcse(chains, prob)
            ln10 = float(np.log(10.0))
            for quantity, (m, low, high), (em, el, eh) in (
                ("slope_log10_per_year", (med, lo, hi), (e_med, e_lo, e_hi)),
                (
                    "factor_per_year",
                    (10**med, 10**lo, 10**hi),
                    (ln10 * 10**med * e_med, ln10 * 10**lo * e_lo, ln10 * 10**hi * e_hi),
                ),
            ):
                rows.append(
                    {
                        **base,
                        "quantity": quantity,
                        "median": m,
                        "lower": low,
                        "upper": high,
                        "direction": "",
                        "mcse_median": em,
                        "mcse_lower": el,
                        "mcse_upper": eh,
                    }
                )
            d = doubling_row(s, prob)
            mcse_of = doubling_mcse(d["direction"], (med, lo, hi), (e_med, e_lo, e_hi))
            rows.append({**base, "quantity": "doubling_time_months", **d, **mcse_of})
        out = pd.DataFrame(rows)
        out["prob"] = prob
        return out

    def contrasts(self, prob: float = CI_PROB) -> pd.DataFrame:
        """Differences of slopes (log10 per year), with ``prob_positive`` = P(difference > 0).

        * ``frontier - all`` per domain, for compute and energy;
        * ``cv - nlp`` per group, when both domains were fitted;
        * ``compute - efficiency`` per group: compute growth minus hardware-efficiency growth,
          which is the energy trend; its ``prob_positive`` is the posterior probability that
          energy per inference is growing.

        ``mcse_median``, ``mcse_lower``, ``mcse_upper`` and ``mcse_prob`` are the Monte Carlo
        standard errors of the median, the bounds and ``prob_positive``.
        """
        check_prob(prob)
        self.warn_if_failed()
        slope, energy, eff = (
            self.draws("slope"),
            self.draws("energy_slope"),
            self.draws("eff_slope"),
        )
        by_metric = {"gflops": slope, "joules": energy}
        rows = []

        def add(contrast: str, metric: str, domain: str, group: str, d: np.ndarray) -> None:
            med, lo, hi = interval(d, prob)
            e_med, e_lo, e_hi = interval_mcse(self._by_chain(d), prob)
            rows.append(
                {
                    "contrast": contrast,
                    "metric": metric,
                    "domain": domain,
                    "group": group,
                    "median": med,
                    "lower": lo,
                    "upper": hi,
                    "prob_positive": float(np.mean(d > 0)),
                    "mcse_median": e_med,
                    "mcse_lower": e_lo,
                    "mcse_upper": e_hi,
                    "mcse_prob": mean_mcse(self._by_chain(d > 0)),
                }
            )

        # with a frontier that is a quantile of new models, frontier and typical models grow
        # at the same rate by construction: no contrast to report
        if self.parts.compute.frontier_has_own_slope:
            for domain in self.domains:
                for metric, draws in by_metric.items():
                    d = draws.sel(group=f"{domain}/frontier") - draws.sel(group=f"{domain}/all")
                    add("frontier - all", metric, domain, "", d.to_numpy())
        if set(self.domains) == {"cv", "nlp"}:
            for group in ("frontier", "all"):
                for metric, draws in by_metric.items():
                    d = draws.sel(group=f"cv/{group}") - draws.sel(group=f"nlp/{group}")
                    add("cv - nlp", metric, "", group, d.to_numpy())
            if set(self.series) == {"cv", "nlp"}:
                d = eff.sel(series="cv") - eff.sel(series="nlp")
                add("cv - nlp", "gflops_per_watt", "", "hardware", d.to_numpy())
        for g in self.groups:
            domain, group = g.split("/")
            add(
                "compute - efficiency",
                "gflops - gflops_per_watt",
                domain,
                group,
                energy.sel(group=g).to_numpy(),
            )
        return pd.DataFrame(rows)

    def energy_verdict(self) -> pd.DataFrame:
        """The thesis's question per group: does hardware progress cancel the FLOP growth?

        ``prob_growing`` is P(energy slope > 0), ``mcse`` its Monte Carlo standard error.
        The reading is "growing" when it is at least
        0.95, "falling" when at most 0.05, and "uncertain" otherwise.
        """
        self.warn_if_failed()
        energy = self.draws("energy_slope")
        rows = []
        for g in self.groups:
            domain, group = g.split("/")
            growing = energy.sel(group=g).to_numpy() > 0
            p = float(np.mean(growing))
            if p >= GROWING:
                reading = "growing: hardware efficiency gains do not cancel the growth in FLOPs"
            elif p <= FALLING:
                reading = "falling: hardware efficiency gains outpace the growth in FLOPs"
            else:
                reading = "uncertain: the data cannot tell whether energy per inference grows"
            rows.append(
                {
                    "domain": domain,
                    "group": group,
                    "prob_growing": p,
                    "mcse": mean_mcse(self._by_chain(growing)),
                    "reading": reading,
                }
            )
        return pd.DataFrame(rows)

    def summary(self, prob: float = CI_PROB) -> pd.DataFrame:
        """Every reported parameter: median, ``prob`` interval, mean, sd, their Monte Carlo
        standard errors, R-hat, bulk and tail ESS.

        Columns: parameter, median, lower, upper, mean, sd, mcse_median, mcse_lower,
        mcse_upper, mcse_mean, mcse_sd (ArviZ's estimators, as ``az.summary``'s
        ``mcse_mean`` and ``mcse_sd``; see :mod:`energytrend.inference.mcse`), ess_bulk, ess_tail,
        r_hat, prob.
        """
        return summary_table(self.idata, self.diagnostics, prob)

    def ppc(self) -> pd.DataFrame:
        """Posterior predictive checks per line, from the stored ``posterior_predictive``
        group (drawn by PyMC with the fit's seed + 1).

        For each group with observations (compute; in model v2 every model is on its
        domain's ``all`` line) and GPU series (efficiency): the share of observed points
        inside their 50% and 90% posterior predictive intervals (well calibrated: about 0.5
        and 0.9), and posterior predictive p-values of the standard deviation and maximum of
        the observations (extreme values, below 0.05 or above 0.95, flag misfit).
        """
        return ppc_table(self.idata, self.groups, self.series)

    # ----------------------------------------------------------------- saving
    def save(self, path: str | Path) -> Path:
        """Write the result to a netCDF file (atomically); see :func:`energytrend.load`.

        Examples:
            >>> import energytrend as et, tempfile, pathlib
            >>> folder = pathlib.Path(tempfile.mkdtemp())
            >>> et.fit("cv").save(folder / "cv.nc").name
            'cv.nc'

        Raises:
            ValueError: ``path`` does not end in ``.nc``, or its folder does not exist
                (energytrend never creates folders).
        """
        path = Path(path)
        if path.suffix != ".nc":
            raise ValueError(
                f"{path}: a result is saved as netCDF; give a name ending in .nc, "
                f"e.g. {path.with_suffix('.nc').name} (tables go to CSV with "
                "result.growth_rates().to_csv(...))"
            )
        if not path.parent.is_dir():
            raise ValueError(
                f"{path}: the folder {path.parent} does not exist; create it first "
                "(energytrend never creates folders)"
            )
        return save_result(self, path)
