"""Stage 6, presentation: number formatting (:mod:`~energytrend.report.formatting`), figures
(:mod:`~energytrend.report.plots`) and the self-contained HTML report
(:mod:`~energytrend.report.html`, whose writers are re-exported here).
"""

from energytrend.report.html import (
    render_report,
    write_report,
)

__all__ = [
    "render_report",
    "write_report",
]
