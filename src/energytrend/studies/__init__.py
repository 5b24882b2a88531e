"""Stage 5, studies of the model: simulation-based calibration
(:mod:`~energytrend.studies.calibration`), rolling-origin backtests
(:mod:`~energytrend.studies.backtest`, scored by :mod:`~energytrend.studies.scoring`),
prior checks at the horizon, model comparisons, the parallel sweeps that run them, and the
results folder (:mod:`~energytrend.studies.results`).
"""
