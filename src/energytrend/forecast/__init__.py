"""Stage 4, forecasts: the trends as paths in time, draw by draw
(:mod:`~energytrend.forecast.trend`), the bands, human energy levels and first-passage
crossing dates made of them (:mod:`~energytrend.forecast.forecasts`), and the energy of one
LLM query (:mod:`~energytrend.forecast.query`). Every function takes a fitted result.
"""
