"""The fit cache stays under its cap, least recently used fits going first, says what it
writes, and can be shown and emptied (issue 25, item 3)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from energytrend.cli import main
from energytrend.inference import cache


def _entry(folder: Path, name: str, mb: float, age: float) -> Path:
    path = folder / f"fit-{name}.nc"
    path.write_bytes(b"\0" * int(mb * 1_000_000))
    os.utime(path, (1_000_000.0 - age, 1_000_000.0 - age))
    return path


def test_the_least_recently_used_fits_go_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(cache.MAX_MB_VARIABLE, "2.5")
    old, middle = _entry(tmp_path, "old", 1.0, 30), _entry(tmp_path, "middle", 1.0, 20)
    cache.used(old)  # a cache hit: now the most recently used of the two
    new = _entry(tmp_path, "new", 1.0, 0)
    os.utime(new)
    with caplog.at_level(logging.INFO, logger="energytrend"):
        assert cache.kept(new)
    assert old.exists() and new.exists() and not middle.exists()
    assert "removed the least recently used cached fit fit-middle.nc" in caplog.text
    assert f"cached the fit in {new} (1.0 MB)" in caplog.text
    assert cache.info(tmp_path).size <= 2.5e6


def test_a_fit_larger_than_the_cap_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(cache.MAX_MB_VARIABLE, "0.5")
    big = _entry(tmp_path, "big", 1.0, 0)
    with caplog.at_level(logging.INFO, logger="energytrend"):
        assert not cache.kept(big)
    assert not big.exists() and "larger than the cache cap" in caplog.text


def test_a_bad_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.MAX_MB_VARIABLE, "lots")
    with pytest.raises(ValueError, match="positive number of megabytes"):
        cache.limit_bytes()


def test_the_command_shows_and_empties_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENERGYTREND_CACHE_DIR", str(tmp_path))
    _entry(tmp_path, "a", 0.2, 1)
    _entry(tmp_path, "b", 0.3, 2)
    (tmp_path / "numba-wrappers").mkdir()  # compiled code: not a cached fit
    assert main(["cache"]) == 0
    assert "2 cached fit(s), 0.5 MB of 1,000 MB" in capsys.readouterr().out
    assert main(["cache", "clear"]) == 0
    assert "removed 2 cached fit(s)" in capsys.readouterr().out
    assert cache.info(tmp_path).entries == 0 and (tmp_path / "numba-wrappers").is_dir()
