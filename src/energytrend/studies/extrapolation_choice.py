"""How the extrapolation priors are chosen: by proper scores on the early backtest origins.

After a domain's last data date its compute trend relaxes from the fitted slope to a long-run
slope ``L ~ Normal(mu, sigma)`` by a yearly ``damping ~ Beta(alpha, beta)``
(:mod:`energytrend.forecast.trend`). Both are priors: the data end before the forecast
begins. Each candidate is backtested on the compute of the early origins (before 2021: CV
2016-2020, NLP 2019-2020; the efficiency series do not depend on these priors), and the
candidate with the lowest CV CRPS (394 later models; NLP's 13 are too few to rank by) is
chosen (:func:`choose`); the log score is reported beside it, and the table says whether the
two rank the same candidate first. The late origins stay confirmatory.

A band's width is not a proper score: each candidate's 2040 band of a new NLP model's energy
is reported as information (``nlp_band``), never used as a filter. (Until issue 22 a width
cap of 8 orders excluded the candidate with the best early scores; that cap is retired.)

``scripts/extrapolation_choice.py`` runs this and writes ``results/extrapolation_choice.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Unpack

import pandas as pd

from energytrend.data.datasets import DEFAULT_DATA
from energytrend.model.design import FitDomain
from energytrend.studies.choice import Sampling, candidate_fits, early_origins
from energytrend.studies.prior_checks import horizon_checks

#: Candidates: long-run slope centre and sd (log10/yr), damping Beta(alpha, beta). "v2.0" is
#: the specification before the choice.
CANDIDATES: dict[str, tuple[float, float, float, float]] = {
    "v2.0": (0.1, 0.05, 2.0, 2.0),
    "damping Beta(2, 4)": (0.1, 0.05, 2.0, 4.0),
    "sd 0.04, Beta(2, 3)": (0.1, 0.04, 2.0, 3.0),
    "sd 0.03, Beta(2, 3)": (0.1, 0.03, 2.0, 3.0),
    "centre 0.05, sd 0.04, Beta(2, 3)": (0.05, 0.04, 2.0, 3.0),
    "centre 0, sd 0.04, Beta(2, 3)": (0.0, 0.04, 2.0, 3.0),
    "centre 0, sd 0.05, Beta(2, 3)": (0.0, 0.05, 2.0, 3.0),
}


def candidate_priors(mu: float, sigma: float, alpha: float, beta: float) -> dict[str, Any]:
    """The prior overrides (as for :func:`energytrend.fit`'s ``priors``) of one candidate."""
    return {
        "extrapolation": {
            "longrun_slope": {"mu": mu, "sigma": sigma},
            "damping": {"alpha": alpha, "beta": beta},
        }
    }


def extrapolation_choice(
    candidates: Mapping[str, tuple[float, float, float, float]] = CANDIDATES,
    *,
    data: str = DEFAULT_DATA,
    domains: Sequence[FitDomain] = ("cv", "nlp"),
    origins: Mapping[str, Sequence[float]] | None = None,
    **settings: Unpack[Sampling],
) -> pd.DataFrame:
    """Every candidate's 2040 checks and early-origin scores, and which one is chosen.

    Args:
        candidates: name -> (long-run slope centre, its sd, damping alpha, damping beta).
        data: the named dataset.
        domains, origins: what the backtest scores (default: the compute of CV and NLP at the
            early origins, :data:`energytrend.studies.choice.EARLY_ORIGINS`); only origins
            before 2021 may be given.
        **settings: ``draws``, ``tune``, ``chains``, ``seed`` of every fit (cached) and
            ``workers`` of the backtest (:class:`energytrend.studies.choice.Sampling`).

    Returns:
        One row per candidate: ``candidate``, ``mu``, ``sigma``, ``alpha``, ``beta``;
        ``nlp_band`` and ``nlp_band_mcse`` (a new NLP model's 90% energy band at 2040, in
        orders of magnitude: information only); ``passed`` (the fit's diagnostics); per
        scored series ``<series> crps``, ``<series> log score``, ``<series> 50%`` and
        ``<series> 90%``; and ``chosen`` (:func:`choose`).
    """
    origins = early_origins(origins)
    priors = {name: candidate_priors(*c) for name, c in candidates.items()}
    rows = []
    for scores, result in candidate_fits(
        priors, "all", data=data, domains=domains, origins=origins, **settings
    ):
        name = scores["candidate"]
        mu, sigma, alpha, beta = candidates[name]
        checks = horizon_checks(result)
        band = checks[(checks["criterion"] == "new_model_energy") & (checks["line"] == "nlp/all")]
        row: dict[str, Any] = {
            "candidate": name, "mu": mu, "sigma": sigma, "alpha": alpha, "beta": beta,
            "nlp_band": float(band["value"].iloc[0]), "nlp_band_mcse": float(band["mcse"].iloc[0]),
            "passed": scores["passed"],
        }  # fmt: skip
        row.update({k: v for k, v in scores.items() if k.endswith(("crps", "score", "%"))})
        rows.append(row)
    return choose(pd.DataFrame(rows))


def choose(table: pd.DataFrame) -> pd.DataFrame:
    """Mark the chosen candidate of a candidates' table: the lowest CV CRPS (NLP's when there
    is no CV column) among the candidates whose fit passed its diagnostics. Adds ``chosen``
    and ``log_score_agrees`` (whether the log score ranks the same candidate first; higher
    is better).

    Examples:
        >>> import pandas as pd
        >>> t = pd.DataFrame({"candidate": ["a", "b"], "passed": [True, True],
        ...                   "cv/all crps": [0.51, 0.50], "cv/all log score": [-1.4, -1.3]})
        >>> choose(t)[["candidate", "chosen", "log_score_agrees"]].values.tolist()
        [['a', False, True], ['b', True, True]]
    """
    out = table.drop(columns=["chosen", "log_score_agrees", "admissible"], errors="ignore")
    series = next(s for s in ("cv/all", "nlp/all") if f"{s} crps" in out)
    ok = out[out["passed"].astype(bool)]
    out["chosen"] = False
    out["log_score_agrees"] = False
    if len(ok):
        best = ok[f"{series} crps"].idxmin()
        out.loc[best, "chosen"] = True
        out["log_score_agrees"] = bool(ok[f"{series} log score"].idxmax() == best)
    return out
