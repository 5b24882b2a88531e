"""The arrays and coordinates of one fit (:class:`ModelData`), and the types the model
builders share: the input of :func:`energytrend.model.build.build_model`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pytensor.tensor.variable import TensorVariable

#: A symbolic tensor of the model graph.
Tensor = TensorVariable[Any, Any]

Pooling = Literal["partial", "none", "complete"]
POOLINGS: tuple[Pooling, ...] = ("partial", "none", "complete")


@dataclass(frozen=True, eq=False)
class ModelData:
    """Arrays and coordinates of one fit. ``obs`` are (group, model) pairs, ``gpu`` are points
    of the efficiency series."""

    groups: tuple[str, ...]
    group_series: np.ndarray  # index into ``series`` for every group
    series: tuple[str, ...]
    obs: tuple[str, ...]
    obs_group: np.ndarray
    obs_t: np.ndarray  # years minus year_origin
    obs_y: np.ndarray  # log10 GFLOPs (per token when normalised)
    gpu: tuple[str, ...]
    gpu_series: np.ndarray
    gpu_t: np.ndarray
    gpu_y: np.ndarray  # log10 GFLOPS/W
    year_origin: float
    # the precision efficiency model's extra data (energytrend.model.efficiency)
    gpu_server: np.ndarray = field(default_factory=lambda: np.zeros(0))
    eff_knot_series: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    eff_knot_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    sp_series: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    sp_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    sp_y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    real_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    real_y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # sd of an imputed log10 GFLOPs (0 where measured), per ``obs``; empty when none is
    obs_sd: np.ndarray = field(default_factory=lambda: np.zeros(0))

    #: the fields of the precision model's extra data, in order
    EXTRA = (
        "gpu_server",
        "eff_knot_series",
        "eff_knot_t",
        "sp_series",
        "sp_t",
        "sp_y",
        "real_t",
        "real_y",
        "obs_sd",
    )

    @property
    def domains(self) -> tuple[str, ...]:
        """The domains of the model groups, in order."""
        return tuple(dict.fromkeys(g.split("/")[0] for g in self.groups))

    @property
    def eff_last_t(self) -> np.ndarray:
        """Time of each efficiency series' last data point (years from the origin)."""
        return np.array(
            [
                self.gpu_t[self.gpu_series == k].max() if (self.gpu_series == k).any() else 0.0
                for k in range(len(self.series))
            ]
        )

    @property
    def line_centre(self) -> np.ndarray:
        """Mean time of each domain's models (years from the origin): where a domain's line
        is sampled (:func:`energytrend.model.compute.centred_line`)."""
        return self._domain_times(np.mean)

    @property
    def front_centre(self) -> np.ndarray:
        """Where a quantile-regression frontier line is sampled: :attr:`line_centre`."""
        return self.line_centre

    @property
    def front_y(self) -> np.ndarray:
        """The quantile regression's observations (``pm.Data`` of their own): :attr:`obs_y`."""
        return self.obs_y

    def _domain_times(self, reduce: Any) -> np.ndarray:
        domain = np.array([self.domains.index(g.split("/")[0]) for g in self.groups])
        obs_domain = domain[self.obs_group]
        return np.array(
            [
                float(reduce(self.obs_t[obs_domain == d])) if (obs_domain == d).any() else 0.0
                for d in range(len(self.domains))
            ]
        )

    @property
    def line_first(self) -> np.ndarray:
        """Time of each domain's first model (years from the origin)."""
        return self._domain_times(np.min)

    @property
    def line_last(self) -> np.ndarray:
        """Time of each domain's last model (years from the origin): its forecast origin."""
        return self._domain_times(np.max)

    def line_knots(self, spacing: float) -> tuple[np.ndarray, np.ndarray]:
        """Changepoint knots of the compute lines: (domain index, time from the origin), every
        ``spacing`` years from a whole year one year after a domain's first model, while at
        least one year of data follows (a bend needs data on both sides: the forecast after the
        data is the extrapolation's). ``spacing`` 0 or less: none.

        Examples:
            >>> from energytrend.model.design import prepare
            >>> domain, t = prepare("nlp").arrays.line_knots(2.0)
            >>> (t + 2018.0).tolist()
            [2019.0, 2021.0, 2023.0]
        """
        idx: list[int] = []
        ts: list[float] = []
        if spacing > 0:
            origin = self.year_origin
            for d, (first, last) in enumerate(zip(self.line_first, self.line_last, strict=True)):
                grid = np.arange(np.ceil(first + origin) + 1.0, last + origin - 1.0 + 1e-9, spacing)
                idx += [d] * grid.size
                ts += (grid - origin).tolist()
        return np.asarray(idx, dtype=int), np.asarray(ts, dtype=float)

    @property
    def eff_centre(self) -> np.ndarray:
        """Mean time of each efficiency series' points (years from the origin): where its
        line is sampled (:class:`energytrend.model.efficiency.PrecisionEfficiency`)."""
        return np.array(
            [
                self.gpu_t[self.gpu_series == k].mean() if (self.gpu_series == k).any() else 0.0
                for k in range(len(self.series))
            ]
        )

    @property
    def coords(self) -> dict[str, list[str]]:
        out = {
            "group": list(self.groups),
            "series": list(self.series),
            "obs": list(self.obs),
            "gpu": list(self.gpu),
            "domain": list(self.domains),
        }
        if self.eff_knot_t.size:
            out["eff_knot"] = [
                f"{self.series[s]}@{t:g}"
                for s, t in zip(self.eff_knot_series, self.eff_knot_t, strict=True)
            ]
        if self.sp_y.size:
            out["speedup"] = [str(i) for i in range(self.sp_y.size)]
        if self.real_y.size:
            out["mlperf"] = [str(i) for i in range(self.real_y.size)]
        return out

    def fingerprint(self) -> dict[str, Any]:
        """Everything that defines the data, as JSON-able values (for hashing)."""
        return {
            "groups": list(self.groups),
            "group_series": self.group_series.tolist(),
            "series": list(self.series),
            "obs": list(self.obs),
            "obs_group": self.obs_group.tolist(),
            "obs_t": np.round(self.obs_t, 10).tolist(),
            "obs_y": np.round(self.obs_y, 10).tolist(),
            "gpu": list(self.gpu),
            "gpu_series": self.gpu_series.tolist(),
            "gpu_t": np.round(self.gpu_t, 10).tolist(),
            "gpu_y": np.round(self.gpu_y, 10).tolist(),
            "year_origin": self.year_origin,
            **{
                name: np.round(getattr(self, name), 10).tolist()
                for name in self.EXTRA
                if getattr(self, name).size
            },
        }
