"""The graphical uniformity test of SBC ranks: ECDF differences with simultaneous bands.

Säilynoja, Bürkner and Vehtari (2022), "Graphical test for discrete uniformity and its
applications in goodness-of-fit evaluation and multiple sample comparison" (Statistics and
Computing 32, 32). With ``N`` ranks on ``0..L``, the ECDF of the normalised ranks at
``z_i = i / (L + 1)`` (the share of ranks below ``i``) is, under uniformity,
``Binomial(N, z_i) / N``. A *simultaneous* ``1 - alpha`` band is the set of ECDFs whose every
point has a two-sided binomial tail probability ``2 min(F(c_i), 1 - F(c_i - 1))`` of at least
``gamma``, where the adjusted level ``gamma`` is chosen so that a uniform sample leaves the band
with probability ``alpha``. We find ``gamma`` by simulation (the paper's simulation method):
``n_rep`` uniform rank samples of the same size from a fixed seed, ``gamma`` the
``alpha``-quantile of their smallest tail probability. It is deterministic and takes a fraction
of a second; the paper's optimisation method would give the same band to Monte Carlo error.

A quantity is "outside" when its ECDF leaves the band somewhere. Each quantity is tested at
``alpha``; over ``Q`` quantities about ``alpha Q`` fall outside under calibration (fewer,
since the quantities are correlated), and a Bonferroni family-wise verdict uses ``alpha / Q``
on the simultaneous p-value (the share of uniform samples with a smaller smallest tail).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

#: Per-quantity level of the simultaneous band.
ALPHA = 0.05
#: Uniform rank samples simulated to find the band's adjusted level, and their seed.
N_REP = 4000
BAND_SEED = 20220331


@dataclass(frozen=True)
class Band:
    """A simultaneous band of the ECDF of ``n`` ranks on ``0..n_values - 1``: at each
    ``z``, the count of ranks below ``z * n_values`` lies in ``[lower, upper]``."""

    n: int
    n_values: int
    alpha: float
    gamma: float
    z: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    null_min_tail: np.ndarray  # smallest tail probability of each simulated uniform sample


def _counts(ranks: np.ndarray, n_values: int) -> np.ndarray:
    """Number of ranks below ``i`` for ``i = 1..n_values - 1`` (last axis)."""
    r = np.asarray(ranks, dtype=int)
    one_hot = np.apply_along_axis(np.bincount, -1, r, minlength=n_values)
    out: np.ndarray = np.cumsum(one_hot, axis=-1)[..., :-1]
    return out


def _min_tail(counts: np.ndarray, n: int, z: np.ndarray) -> np.ndarray:
    """Smallest two-sided binomial tail probability over the ECDF's points."""
    tail = 2.0 * np.minimum(stats.binom.cdf(counts, n, z), stats.binom.sf(counts - 1, n, z))
    out: np.ndarray = np.minimum(tail, 1.0).min(axis=-1)
    return out


@functools.lru_cache(maxsize=32)
def band(
    n: int, n_values: int, alpha: float = ALPHA, n_rep: int = N_REP, seed: int = BAND_SEED
) -> Band:
    """The simultaneous ``1 - alpha`` band for ``n`` ranks on ``0..n_values - 1``
    (deterministic: simulated from ``seed``)."""
    if n < 1 or n_values < 2:
        raise ValueError(f"need n >= 1 and n_values >= 2, got {n}, {n_values}")
    z = np.arange(1, n_values) / n_values
    rng = np.random.default_rng(seed)
    null = _min_tail(_counts(rng.integers(0, n_values, (n_rep, n)), n_values), n, z)
    ordered = np.sort(null)
    gamma = float(ordered[int(np.floor(alpha * n_rep))])
    c = np.arange(n + 1)[:, None]
    inside = (stats.binom.cdf(c, n, z) >= gamma / 2) & (stats.binom.sf(c - 1, n, z) >= gamma / 2)
    lower = np.where(inside.any(axis=0), inside.argmax(axis=0), 0)
    upper = n - np.where(inside.any(axis=0), inside[::-1].argmax(axis=0), 0)
    return Band(n, n_values, alpha, gamma, z, lower, upper, null)


@dataclass(frozen=True)
class ECDFTest:
    """Outcome of the test for one rank sample."""

    inside: bool
    p_value: float  # share of uniform samples whose smallest tail is at most this one's
    min_tail: float
    max_abs_diff: float  # largest |ECDF - uniform CDF|


def ecdf_test(ranks: np.ndarray, n_values: int, alpha: float = ALPHA) -> ECDFTest:
    """Whether the ECDF of ``ranks`` (integers on ``0..n_values - 1``) stays inside the
    simultaneous ``1 - alpha`` band of uniform ranks."""
    r = np.asarray(ranks, dtype=int)
    if r.size == 0 or r.min() < 0 or r.max() >= n_values:
        raise ValueError(f"ranks must be non-empty integers in 0..{n_values - 1}")
    b = band(r.size, n_values, alpha)
    counts = _counts(r, n_values)
    m = float(_min_tail(counts, r.size, b.z))
    return ECDFTest(
        inside=bool(m >= b.gamma),
        p_value=float(np.mean(b.null_min_tail <= m)),
        min_tail=m,
        max_abs_diff=float(np.abs(counts / r.size - b.z).max()),
    )


def plot_ecdf_differences(
    ranks: dict[str, np.ndarray],
    n_values: int,
    title: str,
    alpha: float = ALPHA,
    ncols: int = 5,
) -> Figure:
    """ECDF minus uniform CDF of each quantity's normalised ranks, with the simultaneous
    ``1 - alpha`` band (grey); a quantity whose curve leaves the band is titled in red.
    A curve above zero at the left means ranks too low (the posterior above the truth: an
    over-estimate), a hump in the middle too wide a posterior, a dip too narrow one."""
    names = list(ranks)
    nrows = max(1, -(-len(names) // ncols))
    fig = Figure(figsize=(2.5 * ncols, 1.8 * nrows + 0.7), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    for ax, name in zip(axes.flat, names, strict=False):
        r = np.asarray(ranks[name], dtype=int)
        b = band(r.size, n_values, alpha)
        diff = _counts(r, n_values) / r.size - b.z
        ax.fill_between(b.z, b.lower / b.n - b.z, b.upper / b.n - b.z, color="0.85", step="mid")
        ax.axhline(0.0, color="0.5", lw=0.6)
        inside = ecdf_test(r, n_values, alpha).inside
        ax.step(b.z, diff, where="mid", color="#2c7fb8" if inside else "#d62728", lw=1.1)
        ax.set_title(name, fontsize=7, color="black" if inside else "#d62728")
        ax.tick_params(labelsize=6)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=10)
    fig.supxlabel("normalised rank", fontsize=8)
    fig.supylabel("ECDF - uniform CDF", fontsize=8)
    return fig
