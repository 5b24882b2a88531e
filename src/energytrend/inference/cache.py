"""The fit cache's size: a cap with least-recently-used eviction, and what is in it.

Every fit is cached as one netCDF file, ``fit-<key>.nc``, in :func:`cache_dir`. The folder
never grows past ``$ENERGYTREND_CACHE_MAX_MB`` megabytes (default :data:`DEFAULT_MAX_MB`):
after each write the least recently used entries are removed until it fits (a cache hit
counts as a use). A fit larger than the cap on its own is not kept. ``energytrend cache
info`` and ``energytrend cache clear`` show and empty the folder.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from energytrend.inference.store import cache_dir

#: The cache's default cap, in megabytes.
DEFAULT_MAX_MB = 1000
#: The environment variable that sets the cap, in megabytes.
MAX_MB_VARIABLE = "ENERGYTREND_CACHE_MAX_MB"

log = logging.getLogger("energytrend")


@dataclass(frozen=True)
class CacheInfo:
    """What the cache holds: its folder, entries, their total size and the cap (bytes)."""

    folder: Path
    entries: int
    size: int
    limit: int

    def __str__(self) -> str:
        return (
            f"{self.folder}: {self.entries} cached fit(s), {self.size / 1e6:,.1f} MB of "
            f"{self.limit / 1e6:,.0f} MB (set {MAX_MB_VARIABLE} to change the cap)"
        )


def limit_bytes() -> int:
    """The cap, from ``$ENERGYTREND_CACHE_MAX_MB`` (default :data:`DEFAULT_MAX_MB`).

    Raises:
        ValueError: the variable is not a positive number.
    """
    text = os.environ.get(MAX_MB_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_MB * 1_000_000
    try:
        mb = float(text)
    except ValueError:
        mb = float("nan")
    if not mb > 0:
        raise ValueError(
            f"{MAX_MB_VARIABLE}={text!r}: the cache cap must be a positive number of "
            "megabytes, e.g. 500"
        )
    return int(mb * 1_000_000)


def entries(folder: Path) -> list[Path]:
    """The cached fits in ``folder``, least recently used first."""
    files = [p for p in folder.glob("fit-*.nc") if p.is_file()]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def info(folder: str | Path | None = None) -> CacheInfo:
    """What the cache in ``folder`` (default :func:`cache_dir`) holds.

    Examples:
        >>> import tempfile
        >>> info(tempfile.mkdtemp()).entries
        0
    """
    path = cache_dir(folder)
    files = entries(path) if path.is_dir() else []
    return CacheInfo(path, len(files), sum(p.stat().st_size for p in files), limit_bytes())


def used(path: Path) -> None:
    """Mark a cached fit as just used (its modification time orders the eviction)."""
    os.utime(path)


def kept(path: Path) -> bool:
    """After ``path`` was written: remove the least recently used entries until the folder
    is within the cap, saying so; ``path`` itself goes last, only when it alone is larger
    than the cap. Returns whether ``path`` is still cached."""
    limit = limit_bytes()
    files = entries(path.parent)
    total = sum(p.stat().st_size for p in files)
    size = path.stat().st_size
    for old in [p for p in files if p != path]:
        if total <= limit:
            break
        total -= old.stat().st_size
        old.unlink(missing_ok=True)
        log.info("energytrend: removed the least recently used cached fit %s", old.name)
    if total > limit:
        path.unlink(missing_ok=True)
        log.info(
            "energytrend: the fit (%.0f MB) is larger than the cache cap (%.0f MB) and was not "
            "kept; raise %s to keep such fits",
            size / 1e6,
            limit / 1e6,
            MAX_MB_VARIABLE,
        )
        return False
    log.info("energytrend: cached the fit in %s (%.1f MB)", path, size / 1e6)
    return True


def clear(folder: str | Path | None = None) -> int:
    """Remove every cached fit from ``folder`` (default :func:`cache_dir`); returns how many.
    Other files there (the compiled code's cache) are left alone."""
    path = cache_dir(folder)
    files = entries(path) if path.is_dir() else []
    for p in files:
        p.unlink(missing_ok=True)
    return len(files)
