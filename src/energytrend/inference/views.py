"""The methods of :class:`~energytrend.inference.result.TrendFit` that present its posterior
through the later stages: forecasts and crossings (:mod:`energytrend.forecast`), the energy of
one LLM query, and figures (:mod:`energytrend.report`).

Each imports its stage when called, as pandas' ``DataFrame.plot`` imports matplotlib, so that
importing the inference stage never imports a later one (``tests/test_layout.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

import pandas as pd

from energytrend.inference.intervals import CI_PROB

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from energytrend.inference.result import TrendFit


def _fit(views: Views) -> TrendFit:
    return cast("TrendFit", views)


class Views:
    """Forecasts, crossings, energy per query and figures of a fit (mixed into
    :class:`~energytrend.inference.result.TrendFit`)."""

    def _warn_if_failed(self) -> None:
        raise NotImplementedError  # TrendFit's

    # ----------------------------------------------------------------- forecasts
    def forecast(
        self,
        *,
        start: float | None = None,
        end: float = 2040.0,
        step: float = 0.25,
        prob: float = CI_PROB,
    ) -> pd.DataFrame:
        """Median and credible bands of every trend, from ``start`` to ``end``.

        Args:
            start: first decimal year (default: the year of the first data point).
            end: last decimal year (default 2040).
            step: spacing of the years, in years (default a quarter).
            prob: probability of the credible bands (default :data:`CI_PROB`).

        Returns:
            One row per (metric, domain, group, year, band): columns metric, domain, group,
            year, date, band, median, lower, upper, lower_50, upper_50, prob, in natural
            units (GFLOPs, GFLOPS/W, J per forward pass). The ``band`` column holds
            ``"mean"`` (uncertainty of the trend line) and ``"predictive"`` (plus the scatter
            of a new model or GPU); filter it, e.g. ``fc[fc["band"] == "predictive"]``. See
            :func:`energytrend.forecast.forecasts.forecast`.
        """
        from energytrend.forecast.forecasts import forecast

        self._warn_if_failed()
        return forecast(_fit(self), start=start, end=end, step=step, prob=prob)

    def crossing_dates(
        self,
        *,
        levels: Mapping[str, float] | None = None,
        horizon: float = 2040.0,
        prob: float = CI_PROB,
    ) -> pd.DataFrame:
        """When each group's energy trend first reaches each energy level after the forecast
        origin (the domain's last model).

        Args:
            levels: ``{name: joules}``; default the thesis's two human levels
                (:func:`energytrend.forecast.forecasts.human_levels`).
            horizon: last decimal year considered (default 2040).
            prob: probability of the credible interval (default :data:`CI_PROB`).

        Returns:
            One row per (domain, group, level). ``crossing`` says in words "already
            crossed", the median year, or "not by <horizon>"; the numbers are in
            ``median_year``, ``lower_year``, ``upper_year`` and the probabilities
            ``p_already``, ``p_by_horizon`` and ``p_not_by_horizon``. See
            :func:`energytrend.forecast.forecasts.crossing_dates`.
        """
        from energytrend.forecast.forecasts import crossing_dates

        self._warn_if_failed()
        return crossing_dates(_fit(self), levels=levels, horizon=horizon, prob=prob)

    def crossing_curve(
        self,
        *,
        levels: Mapping[str, float] | None = None,
        end: float = 2040.0,
    ) -> pd.DataFrame:
        """P(crossed by year) for each group and level, from the forecast origin to ``end``;
        it never falls (first passage along each draw's path).

        Args:
            levels: ``{name: joules}``; default the thesis's two human levels.
            end: last whole year (default 2040).

        Returns:
            Columns domain, group, level, joules, year, p_crossed. See
            :func:`energytrend.forecast.forecasts.crossing_curve`.
        """
        from energytrend.forecast.forecasts import crossing_curve

        self._warn_if_failed()
        return crossing_curve(_fit(self), levels=levels, end=end)

    # ----------------------------------------------------------------- LLM queries
    def energy_per_query(
        self,
        *,
        prompt_tokens: int | None = None,
        output_tokens: int | None = None,
        scenario: str | None = None,
        year: float | Sequence[float] = 2025.0,
        group: str | None = None,
        basis: str = "calibrated",
        prob: float = CI_PROB,
    ) -> pd.DataFrame:
        """Energy of one query to a language model (a fit of ``"llm"``), in J and Wh.

        Args:
            prompt_tokens, output_tokens: the query's tokens read and written; either one
                left out comes from ``scenario`` (default: the default scenario of
                :func:`energytrend.data.llm_queries.query_scenarios`).
            scenario: ``"short_chat"``, ``"long_document"`` or ``"reasoning"`` (or another
                name of that table).
            year: a decimal year or a list of them, from the first language model on.
            group: ``"all"`` (the typical new model), ``"frontier"``, or ``None`` (both).
            basis: ``"calibrated"`` (to MLPerf's measured energy) or ``"peak"`` (the
                peak-based lower bound).
            prob: probability of the credible band.

        Returns:
            One row per (year, group): median, lower and upper in J (``*_j``) and Wh
            (``*_wh``), with the MCSEs in J. See :mod:`energytrend.forecast.query` for the
            decomposition and its assumptions.
        """
        from energytrend.forecast.query import energy_per_query

        self._warn_if_failed()
        return energy_per_query(
            _fit(self),
            prompt_tokens=prompt_tokens,
            output_tokens=output_tokens,
            scenario=scenario,
            year=year,
            group=group,
            basis=basis,
            prob=prob,
        )

    def query_crossing_dates(
        self,
        *,
        scenarios: Sequence[str] | None = None,
        levels: Mapping[str, float] | None = None,
        horizon: float = 2040.0,
        prob: float = CI_PROB,
    ) -> pd.DataFrame:
        """When the typical and frontier query of each scenario crosses each human level
        (calibrated energy; columns of :meth:`crossing_dates` plus ``scenario``)."""
        from energytrend.forecast.query import query_crossing_dates

        self._warn_if_failed()
        return query_crossing_dates(
            _fit(self), scenarios=scenarios, levels=levels, horizon=horizon, prob=prob
        )

    def query_crossing_curve(
        self,
        *,
        scenarios: Sequence[str] | None = None,
        levels: Mapping[str, float] | None = None,
        end: float = 2040.0,
    ) -> pd.DataFrame:
        """P(crossed by year) of every scenario's query energy (see
        :func:`energytrend.forecast.query.query_crossing_curve`)."""
        from energytrend.forecast.query import query_crossing_curve

        self._warn_if_failed()
        return query_crossing_curve(_fit(self), scenarios=scenarios, levels=levels, end=end)

    # ----------------------------------------------------------------- figures
    def plot_forecast(
        self,
        *,
        metric: str = "joules",
        domain: str | None = None,
        end: float = 2040.0,
        levels: Mapping[str, float] | None = None,
        ax: Axes | None = None,
    ) -> Figure:
        """The forecast fan of ``metric`` (``"joules"``, ``"gflops"`` or
        ``"gflops_per_watt"``) for ``domain`` (default the first; for efficiency, a series or
        every series) to ``end``, with the data, the human ``levels`` for energy, and the
        forecast origin; drawn into ``ax`` when given. See
        :func:`energytrend.report.figures_forecast.plot_forecast`."""
        from energytrend.report.figures_forecast import plot_forecast

        self._warn_if_failed()
        return plot_forecast(
            _fit(self), metric=metric, domain=domain, end=end, levels=levels, ax=ax
        )

    def plot_crossing_curve(
        self,
        *,
        levels: Mapping[str, float] | None = None,
        end: float = 2040.0,
        domain: str | None = None,
        ax: Axes | None = None,
    ) -> Figure:
        """P(crossed by year) of each energy level (default the human levels) and group,
        from the forecast origin to ``end``: the figure of :meth:`crossing_curve`, one panel
        per domain (or all in ``ax``). See
        :func:`energytrend.report.figures_forecast.plot_crossing_curve`."""
        from energytrend.report.figures_forecast import plot_crossing_curve

        self._warn_if_failed()
        return plot_crossing_curve(_fit(self), levels=levels, end=end, domain=domain, ax=ax)
