"""Exact comparisons between floats and the integers or fractions they stand for.

A step table compared with float steps must give the same answer as the exact value it
stands for: ``value <= s`` for every float ``s`` exactly when ``float_at_least(value) <= s``.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fractions import Fraction

    Exact = int | float | Fraction

__all__ = [
    "exact_difference",
    "exact_sum",
    "float_at_least",
    "float_at_least_ratio",
    "float_at_most",
]


def float_at_least(value: Exact) -> float:
    """The smallest float that is ``>= value`` (``inf`` past the largest float).

    >>> float_at_least(2**53 + 1) == 2.0**53 + 2
    True
    """
    try:
        nearest = float(value)
    except OverflowError:
        return math.inf
    # Python compares a float with an int or a Fraction exactly.
    return math.nextafter(nearest, math.inf) if nearest < value else nearest


def float_at_least_ratio(numerator: int, denominator: int) -> float:
    """The smallest float that is ``>= numerator / denominator`` (``denominator > 0``).

    Integer arithmetic only: the division is correctly rounded, and the comparison of the
    float with the ratio is exact.

    >>> float_at_least_ratio(1, 3) > 1 / 3, float_at_least_ratio(1, 4)
    (True, 0.25)
    """
    try:
        nearest = numerator / denominator
    except OverflowError:
        return math.inf
    top, bottom = nearest.as_integer_ratio()
    return math.nextafter(nearest, math.inf) if top * denominator < numerator * bottom else nearest


def float_at_most(value: Exact) -> float:
    """The largest float that is ``<= value`` (``-inf`` below the most negative float)."""
    try:
        nearest = float(value)
    except OverflowError:
        return -math.inf if value < 0 else math.nextafter(math.inf, 0.0)
    return math.nextafter(nearest, -math.inf) if nearest > value else nearest


def exact_sum(a: int | float, b: int | float) -> int | float:
    """``a + b`` as an ``int`` when it is a whole number, else the float nearest the exact sum.

    >>> exact_sum(2, 3), exact_sum(2.5, 0.5), exact_sum(0.1, 0.2), exact_sum(2**60, 0.5)
    (5, 3, 0.30000000000000004, 1.152921504606847e+18)
    """
    if type(a) is int and type(b) is int:
        return a + b
    (na, da), (nb, db) = a.as_integer_ratio(), b.as_integer_ratio()
    numerator, denominator = na * db + nb * da, da * db
    if numerator % denominator == 0:
        return numerator // denominator
    return numerator / denominator  # int / int: correctly rounded


def exact_difference(a: int | float, b: int | float) -> float:
    """The float nearest ``a - b``, computed exactly (``float(a) - b`` would round ``a`` first).

    >>> exact_difference(2**53 + 1, 1.0), float(2**53 + 1) - 1.0
    (9007199254740992.0, 9007199254740991.0)
    """
    (na, da), (nb, db) = a.as_integer_ratio(), b.as_integer_ratio()
    return (na * db - nb * da) / (da * db)
