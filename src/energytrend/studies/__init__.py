"""Stage 5, studies of the model: simulation-based calibration
(:mod:`~energytrend.studies.calibration`), rolling-origin backtests
(:mod:`~energytrend.studies.backtest`, scored by :mod:`~energytrend.studies.scoring`),
prior checks at the horizon, model comparisons, and the parallel sweeps that run them. The
results-folder functions (:mod:`~energytrend.studies.results`) are re-exported here.
"""

from energytrend.studies.results import (
    PRIOR_VARIANTS,
    RULE_DEPENDENT,
    SensitivityTask,
    backtest_block,
    backtest_study,
    calibration_study,
    readme_tables,
    sensitivity_study,
    write_calibration,
    write_csv,
    write_figure,
)

__all__ = [
    "PRIOR_VARIANTS",
    "RULE_DEPENDENT",
    "SensitivityTask",
    "backtest_block",
    "backtest_study",
    "calibration_study",
    "readme_tables",
    "sensitivity_study",
    "write_calibration",
    "write_csv",
    "write_figure",
]
