"""Stage 6, presentation: figures (:mod:`~energytrend.report.plots`,
:mod:`~energytrend.report.figures_forecast`, ...) and the self-contained HTML report
(:mod:`~energytrend.report.html`). Every figure function takes a fitted result and returns a
matplotlib Figure.
"""
