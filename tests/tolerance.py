"""The test suite's one tolerance policy for numbers that come from sampling.

A sampled number (a posterior median, an interval bound, a probability, a coverage share) has
a Monte Carlo standard error: another seed, or another floating-point order, moves it by
about that much. Two such numbers a and b agree when

    |a - b| <= Z * sqrt(mcse_a**2 + mcse_b**2) + (unit_a + unit_b) / 2

where ``unit`` is the last printed digit's unit of a number read back from text (0 for a
number kept at full precision). Z = 3.5 keeps the chance of a false alarm below 1 in 2,000
per number, so a README block of about 60 numbers fails by chance about once in 35 runs
on another platform; on this platform the draws are bit-identical and the differences are 0.
No test compares sampled numbers with a fixed relative tolerance.
"""

from __future__ import annotations

import math
import re

Z = 3.5


def decimal_unit(text: str) -> float:
    """Unit of the last digit of a number as printed: '0.99' -> 0.01, '1,234' -> 1."""
    digits = text.replace(",", "")
    return 10.0 ** -len(digits.split(".")[1]) if "." in digits else 1.0


def mcse_tolerance(
    mcse_a: float, mcse_b: float | None = None, unit_a: float = 0.0, unit_b: float = 0.0
) -> float:
    """The largest difference the policy allows (``mcse_b`` defaults to ``mcse_a``: two runs
    of the same settings)."""
    b = mcse_a if mcse_b is None else mcse_b
    return Z * math.hypot(mcse_a, b) + (unit_a + unit_b) / 2


def assert_within_mcse(
    a: float,
    b: float,
    mcse_a: float,
    mcse_b: float | None = None,
    *,
    unit_a: float = 0.0,
    unit_b: float = 0.0,
    what: str = "",
) -> None:
    """Fail unless ``a`` and ``b`` agree within :func:`mcse_tolerance`."""
    tol = mcse_tolerance(mcse_a, mcse_b, unit_a, unit_b)
    assert abs(a - b) <= tol, f"{what}: {a} vs {b} differ by {abs(a - b):.3g} > {tol:.3g}"


#: A number standing on its own: never the digits of a name such as ``fp32`` or ``int8``.
NUMBER = re.compile(r"(?<![A-Za-z\d.])(?:-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)")


def numbers_in(text: str) -> list[str]:
    """The numbers of a line as printed (thousands separators kept)."""
    return NUMBER.findall(text)
