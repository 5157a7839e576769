"""Exact floor division in float64 by a constant that float64 cannot hold.

A cycle of ``C = U + D`` steps with a fractional ``U`` (``0.9 + 147``) is not a float64
number: ``x - q * float(C)`` misses ``q * (C - float(C))``, most of a step at a step of
2**53, and an integer step past 2**53 is rounded when it is converted. Here ``C`` is
held exactly as two floats, ``C = high + low`` (Knuth's TwoSum of ``U`` and ``D``), and
the step ``x`` exactly as ``x_high + x_low`` (an integer step past 2**53 split at its low
11 bits, both parts exact floats). Then, in float64 arithmetic only:

1. ``q = floor(x / high)``, rounded; the residual ``x - q * C`` is a sum of exact terms:
   the products ``q * high`` and ``q * low`` split into two floats each (Dekker's
   product, over Veltkamp's split), and ``x_high - q * high`` exact (Sterbenz). The
   terms are added with Knuth's TwoSum into a pair ``s + e`` (Ogita, Rump and Oishi's
   Sum2): within ``2**-100 * C`` of the exact residual, whatever cancels.
2. Where ``q`` was rounded (steps past ``2**50 * C``), the residual is up to
   ``2**-51 * x`` and a second round divides it the same way.
3. A residual just below 0 or at ``C`` moves ``q`` by one.

The remainder ``r = s + e``, the rest of the cycle ``C - r`` and any ``V - r`` (for a
constant ``V`` held as two floats) are then rounded once, each from the exact pair: so
within an ulp (and ``2**-100 * C``) also where they are tiny, at the start, the end or
the top of a cycle. This holds for integer steps of any 64-bit dtype and for float steps
up to ``2**100 * C``. The cycle count ``q`` is a float, rounded past 2**53.

Only arithmetic, ``floor``, ``where``, exact integer ``divmod`` by a power of two and
:meth:`~lrschedule.backends.contract.ArrayOps.separate` (which keeps XLA from fusing a
product into the difference that must see it rounded) are used.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any, NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lrschedule.backends.tensor import TensorOps

__all__ = ["Pair", "Position", "before", "pair", "position"]

#: Veltkamp's constant for float64: ``2**27 + 1``.
_SPLIT = 134217729.0
#: Integer steps from here are split into exact floats before the division.
_EXACT_INTEGERS = 2**53
#: An integer step is split at this power of two: both parts are exact floats below 2**63.
_LOW_BITS = 2048
#: NumPy steps evaluated at a time.
_BLOCK = 16384


class Pair(NamedTuple):
    """An exact constant ``high + low`` (``|low| <= ulp(high) / 2``), with Veltkamp's halves."""

    high: float
    low: float
    high_halves: tuple[float, float]
    low_halves: tuple[float, float]


def _halves(value: float) -> tuple[float, float]:
    """``value`` as two floats of at most 26 significant bits each (Veltkamp)."""
    spread = value * _SPLIT
    high = spread - (spread - value)
    return high, value - high


@functools.lru_cache(maxsize=256)
def pair(*values: int | float) -> Pair:
    """``sum(values)`` (>= 0) as the two floats that hold it (to 2**-106 of it, where two
    cannot)."""
    exact = sum((Fraction(value) for value in values), Fraction(0))
    high = float(exact)
    low = float(exact - Fraction(high))
    return Pair(high, low, _halves(high), _halves(low))


def _two_sum(a: Any, b: Any) -> tuple[Any, Any]:
    """``a + b`` as ``s + e`` exactly, ``s`` the rounded sum (Knuth)."""
    s = a + b
    virtual = s - a
    return s, (a - (s - virtual)) + (b - virtual)


def _times(ops: TensorOps, q: Any, halves: tuple[Any, Any], value: float) -> tuple[Any, Any]:
    """``q * value`` as ``high + low`` exactly (Dekker), ``halves`` those of ``q``."""
    (high,) = ops.separate((q * value,))
    q1, q2 = halves
    v1, v2 = _halves(value)
    return high, ((q1 * v1 - high) + q1 * v2 + q2 * v1) + q2 * v2


def _stage(ops: TensorOps, lead: Any, terms: list[Any], c: Pair, exact: bool) -> tuple[Any, ...]:
    """``q = floor((lead + sum(terms)) / C)`` (to a few units) and the residual as ``s + e``.

    ``lead - q * high`` is exact where ``exact`` (Sterbenz: ``lead`` is the step, far
    larger than the terms), else it is one more TwoSum.
    """
    approximate = lead
    for term in terms:
        approximate = approximate + term
    count = ops.floor(approximate / c.high)
    spread = count * _SPLIT
    q1 = spread - (spread - count)
    halves = (q1, count - q1)
    high, low = _times(ops, count, halves, c.high)
    parts = [*terms, -low]
    if c.low:
        parts.extend(-part for part in _times(ops, count, halves, c.low))
    if exact:
        s, e = lead - high, None
    else:
        s, e = _two_sum(lead, -high)
    for part in parts:
        s, error = _two_sum(s, part)
        e = error if e is None else e + error
    return count, s, e


class Position(NamedTuple):
    """``q = floor(x / C)`` (a float) and ``r = x - q * C`` as the pair ``high + low``, with
    ``C - r`` rounded (:attr:`rest`)."""

    count: Any
    high: Any
    low: Any
    rest: Any


def position(ops: TensorOps, x: Any, c: Pair) -> Position:
    """The position of step ``x`` (``>= 0``, computed in float64) in cycles of ``C``."""
    if ops.name == "numpy" and x.size > 2 * _BLOCK:
        return _blocks(ops, x, c)
    bound = ops.upper_bound(x)
    if ops.is_integer(x) and bound >= _EXACT_INTEGERS:
        whole, part = ops.divmod(x, _LOW_BITS)
        lead, terms = ops.to_float(whole) * float(_LOW_BITS), [ops.to_float(part)]
    else:
        lead, terms = ops.to_float(x), []
    if not terms and bound * 2.0**-25 < c.high:
        count, s, e = _small_stage(ops, lead, c)
    else:
        count, s, e = _stage(ops, lead, terms, c, True)
    if bound * 2.0**-50 >= c.high:  # q was rounded: a second round
        more, s, e = _stage(ops, s, [e], c, False)
        count = count + more
    # r = s + e is within a few ulps of C outside [0, C): one step back or forth.
    negative = (s < 0.0) | ((s == 0.0) & (e < 0.0))
    back, error = _two_sum(s, c.high)
    ahead = s - c.high  # exact where it is used (s is near C)
    over = ~negative & (ahead + (e - c.low) >= 0.0)
    rest = ops.where(negative, -(s + e), (c.high - s) + (c.low - e))
    rest = ops.where(over, c.high - ahead + (c.low - (e - c.low)), rest)
    count = ops.where(negative, count - 1.0, ops.where(over, count + 1.0, count))
    high = ops.where(negative, back, ops.where(over, ahead, s))
    low = ops.where(negative, e + c.low + error, ops.where(over, e - c.low, e))
    return Position(count, high, low, rest)


def _small_stage(ops: TensorOps, lead: Any, c: Pair) -> tuple[Any, ...]:
    """:func:`_stage` for a quotient below 2**26: its products with the halves are exact."""
    count = ops.floor(lead / c.high)
    (top,) = ops.separate((count * c.high_halves[0],))
    s, e = lead - top, None  # exact (Sterbenz, or a difference below 2 C)
    halves = (c.high_halves[1], *(c.low_halves if c.low else ()))
    for half in halves:
        s, error = _two_sum(s, -(count * half))
        e = error if e is None else e + error
    return count, s, e


def _blocks(ops: TensorOps, x: Any, c: Pair) -> Position:
    """:func:`position` of a large NumPy array, :data:`_BLOCK` steps at a time (its many
    temporaries stay in the cache)."""
    import numpy as np

    flat = x.reshape(-1)
    out = [np.empty(flat.shape) for _ in Position._fields]
    for start in range(0, flat.size, _BLOCK):
        found = position(ops, flat[start : start + _BLOCK], c)
        for array, part in zip(out, found, strict=True):
            array[start : start + _BLOCK] = part
    return Position(*(array.reshape(x.shape) for array in out))


def before(place: Position, value: Pair) -> Any:
    """``V - r`` rounded once from the exact pair, for ``V = value.high + value.low``."""
    return (value.high - place.high) + (value.low - place.low)
