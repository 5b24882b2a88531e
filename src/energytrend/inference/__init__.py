"""Stage 3, inference: compiling and sampling (:mod:`~energytrend.inference.engine`,
:mod:`~energytrend.inference.fastcompile`), the cached fit (:mod:`~energytrend.inference.fit`,
:mod:`~energytrend.inference.store`), the diagnostics gate, and the immutable result
(:mod:`~energytrend.inference.result`) with its ArviZ groups and Monte Carlo errors."""
