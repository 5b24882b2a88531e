"""Posterior draws by variable name, for the model parts' predictions in numpy."""

from __future__ import annotations

import numpy as np
import xarray as xr


class Draws:
    """The draws of a posterior, each variable stacked along one ``sample`` axis (chain-major:
    all of chain 0's draws, then chain 1's, ...), read once and kept.

    Examples:
        >>> import numpy as np, xarray as xr
        >>> post = xr.Dataset({"slope": (("chain", "draw"), np.arange(6.0).reshape(2, 3))})
        >>> Draws(post)("slope")
        array([0., 1., 2., 3., 4., 5.])
    """

    def __init__(self, posterior: xr.Dataset) -> None:
        self._posterior = posterior
        self._cache: dict[str, np.ndarray] = {}

    def __call__(self, name: str) -> np.ndarray:
        """Draws (sample, ...) of ``name``."""
        if name not in self._cache:
            stacked = self._posterior[name].stack(sample=("chain", "draw"))
            self._cache[name] = np.asarray(stacked.transpose("sample", ...).to_numpy())
        return self._cache[name]

    def at(self, name: str, dim: str, label: str) -> np.ndarray:
        """Draws (sample,) of ``name`` at the coordinate ``label`` of its dimension ``dim``."""
        labels = [str(v) for v in self._posterior[dim].to_numpy()]
        return self(name)[:, labels.index(label)]

    def by_chain(self, stacked: np.ndarray) -> np.ndarray:
        """Draws stacked along ``sample`` (chain-major) back in (chain, draw) shape."""
        return np.asarray(stacked).reshape(self.chains, -1)

    @property
    def n(self) -> int:
        """The number of draws (chains x draws per chain)."""
        return int(self._posterior.sizes["chain"] * self._posterior.sizes["draw"])

    @property
    def chains(self) -> int:
        """The number of chains."""
        return int(self._posterior.sizes["chain"])
