"""Stage 4, forecasts: the trends as paths in time, draw by draw
(:mod:`~energytrend.forecast.trend`), and the bands, human energy levels and first-passage
crossing dates made of them (:mod:`~energytrend.forecast.forecasts`, re-exported here).
"""

from energytrend.forecast.forecasts import (
    KCAL,
    KWH,
    SECONDS_PER_DAY,
    SECONDS_PER_YEAR,
    STEP,
    EnergyLevel,
    crossing_curve,
    crossing_dates,
    forecast,
    human_levels,
    passage_times,
)

__all__ = [
    "KCAL",
    "KWH",
    "SECONDS_PER_DAY",
    "SECONDS_PER_YEAR",
    "STEP",
    "EnergyLevel",
    "crossing_curve",
    "crossing_dates",
    "forecast",
    "human_levels",
    "passage_times",
]
