"""Exact floor division in float32 by a constant that float32 cannot hold.

Where a schedule computes in float32 (JAX without x64, PyTorch on devices without
float64), a constant such as ``decay_steps=34814834`` or ``91157.2`` has no float32
representation: ``floor(x / d)`` computed with ``d`` rounded takes a stair a step early or
late, and the remainder ``x - q * d`` loses every digit of ``q * (d - float32(d))``. Here
the step ``x`` (a float32 array, or an integer array split into exact float32 pieces) is
divided by the exact constant ``d``:

1. ``d`` is split exactly into pieces ``c_1 + ... + c_K`` of at most 12 significant bits
   (``K <= 5`` for a float64 ``d``), and a whole-number quotient ``q < 2**24`` into two
   halves of 12 bits, ``q = qh + ql``: every product of a half and a piece is exact.
2. A first quotient, ``round(x / float32(d))``, is refined once with an approximate
   residual (within ``0.02 * d``), so that ``floor(x / d)`` is the refined ``q`` or
   ``q - 1``.
3. The residual ``x - q * d``, a sum of exact terms, is summed without error into a
   nonoverlapping expansion (Shewchuk's Grow-Expansion over Knuth's TwoSum, which uses
   only additions: a fused multiply-add changes nothing, every product being exact). The
   sign of its largest nonzero component is the sign of the residual: it decides between
   ``q`` and ``q - 1``.

The remainder ``r = x - floor(x / d) * d`` and the rest ``d - r`` then come out within a
few float32 ulps, neither of them by cancellation. This holds while ``x / d < 2**24`` (the
whole numbers of float32); past that no float32 quotient is exact, and the library's own
float division by the rounded ``d`` is used. A constant outside ``[2**-60, 2**100]`` is
first scaled by a power of two, with the step (the quotient does not change); one past
``2**220`` is vast: no float32 step comes near it (``x / d < 2**-92``).

Only the arithmetic operators, ``floor`` and ``where`` of an :class:`ArrayOps` are used,
so any float32 array library runs this code.
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple

from lrschedule.backends.contract import ArrayOps

__all__ = [
    "Constant",
    "Division",
    "constant",
    "difference",
    "divide",
    "float32_at_least",
    "float32_at_most",
    "float32_nearest",
    "ratio_of",
    "shifted",
    "step_terms",
    "two_product",
]

#: Quotients below this are whole float32 numbers; past it the division is not exact.
_QUOTIENTS = 2.0**24 - 8
_HALF = 2.0**12
#: Constants from 2**_SMALLEST to 2**(_LARGEST + 1) are used as they are; others are scaled
#: into that range by at most 2**_SCALES, so that the scale is a float32 number.
_SMALLEST, _LARGEST, _SCALES = -60, 100, 120
#: Float32's smallest normal number; pieces below 2**-100 are dropped (only integers past
#: 2**100, which no float32 step tells apart, have them).
_TINY = 2.0**-126
_LARGEST_FLOAT32 = (2.0 - 2.0**-23) * 2.0**127
_FINEST = 2.0**-100


def float32_nearest(value: float) -> float:
    """``value`` rounded to the nearest float32 (``+-inf`` past the float32 range)."""
    try:
        return float(struct.unpack("<f", struct.pack("<f", value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


def _float32_next(value: float, up: bool) -> float:
    """The float32 next to the float32 ``value``, toward ``+inf`` when ``up``."""
    if value == 0.0:
        tiny = float(struct.unpack("<f", struct.pack("<I", 1))[0])
        return tiny if up else -tiny
    (bits,) = struct.unpack("<I", struct.pack("<f", value))
    bits += 1 if (value > 0) == up else -1
    return float(struct.unpack("<f", struct.pack("<I", bits))[0])


def float32_at_least(value: int | float) -> float:
    """The smallest float32 ``>= value`` (``inf`` past the float32 range)."""
    nearest = float32_nearest(float(value)) if abs(value) < 2.0**129 else math.inf
    return _float32_next(nearest, True) if nearest < value else nearest


def float32_at_most(value: int | float) -> float:
    """The largest float32 ``<= value`` (``-inf`` below the float32 range)."""
    nearest = float32_nearest(float(value)) if abs(value) < 2.0**129 else math.inf
    return _float32_next(nearest, False) if nearest > value else nearest


class Constant(NamedTuple):
    """A positive constant ``d`` prepared for float32: ``d * scale`` as exact pieces."""

    #: A power of two: the arithmetic is on ``x * scale`` and ``d * scale``.
    scale: float
    #: ``d * scale`` rounded to float32 (at least float32's smallest normal number, ``inf``
    #: for a vast ``d``), and the float32 nearest what that misses.
    nearest: float
    tail: float
    #: ``d * scale`` exactly, in pieces of at most 12 significant bits, largest first;
    #: empty for a ``d`` below 2**-180 (every quotient is past 2**24 then) or a vast one.
    pieces: tuple[float, ...]
    #: ``d > 2**220``: every float32 step is below ``d / 2**92``.
    vast: bool


def _floor_log2(value: Fraction) -> int:
    """The ``e`` with ``2**e <= value < 2**(e + 1)``, for ``value > 0``."""
    e = value.numerator.bit_length() - value.denominator.bit_length()
    return e if Fraction(2) ** e <= value else e - 1


@functools.lru_cache(maxsize=256)
def constant(d: int | float) -> Constant:
    """``d`` (> 0) prepared for :func:`divide` and :func:`difference`."""
    value = Fraction(d)
    exponent = _floor_log2(value)
    shift = 0
    if exponent < _SMALLEST:
        shift = min(_SMALLEST - exponent, _SCALES)
    elif exponent > _LARGEST:
        shift = max(_LARGEST - exponent, -_SCALES)
    scale = math.ldexp(1.0, shift)
    value *= Fraction(scale)
    vast = exponent + shift > _LARGEST
    pieces = _split(value) if exponent + shift >= _SMALLEST and not vast else ()
    nearest = math.inf if vast else max(float32_nearest(float(value)), _TINY)
    tail = 0.0 if vast else float32_nearest(float(value - Fraction(nearest)))
    return Constant(scale, nearest, tail, pieces, vast)


def _split(value: Fraction) -> tuple[float, ...]:
    """``value >= 0`` in pieces of at most 12 significant bits, largest first (exactly,
    but for pieces below 2**-100)."""
    pieces = []
    while value:
        unit = Fraction(2) ** (_floor_log2(value) - 11)
        piece = value // unit * unit
        if piece < _FINEST:
            break
        pieces.append(float(piece))
        value -= piece
    return tuple(pieces)


@functools.lru_cache(maxsize=256)
def _residues(d: int | float, limbs: int) -> tuple[tuple[float, tuple[float, ...]], ...]:
    """For each 12-bit limb ``i >= 1``: ``a = floor(2**(12 i) / d)`` and ``2**(12 i) - a * d``
    (scaled by ``constant(d).scale``, in 12-bit pieces)."""
    exact, scale = Fraction(d), Fraction(constant(d).scale)
    out = []
    for i in range(1, limbs):
        whole = Fraction(2 ** (12 * i)) // exact
        times = float(whole) if whole < _LARGEST_FLOAT32 else _LARGEST_FLOAT32
        out.append((times, _split((2 ** (12 * i) - whole * exact) * scale)))
    return tuple(out)


def ratio_of(d: int | float, e: int | float) -> float:
    """``d / e`` correctly rounded (``inf`` past the float range)."""
    try:
        return float(Fraction(d) / Fraction(e))
    except OverflowError:
        return math.inf


@functools.lru_cache(maxsize=256)
def _offset_pieces(offset: int | float, d: int | float) -> tuple[float, ...]:
    return _split(Fraction(offset) * Fraction(constant(d).scale))


def shifted(terms: list[Any], offset: int | float, d: int | float) -> list[Any]:
    """``terms`` (scaled for ``d``) with ``offset >= 0`` added exactly, still an expansion."""
    for piece in reversed(_offset_pieces(offset, d) if offset else ()):
        terms = _grow(terms, piece)
    return terms


def reduced_terms(ops: ArrayOps, x: Any, d: int | float) -> tuple[Any, list[Any]]:
    """A step ``x`` as ``w * d + y``: ``w`` a whole number, ``y < 2**16 * d`` exact terms.

    With ``x = sum(x_i * 2**(12 i))`` (limbs ``x_i < 2**12``; for a float32 step, ``x_0``
    holds its fraction) and ``2**(12 i) = a_i * d + rho_i``: ``w = sum(x_i * a_i)`` (exact
    while it is below 2**24) and ``y = x_0 + sum(x_i * rho_i)``, every product of a limb
    and a 12-bit piece of ``rho_i`` exact. The quotient of ``y`` is below 2**16 / d + 2**16,
    so ``floor(x / d) = w + floor(y / d)`` is exact at any step whose quotient float32
    holds, and for ``d > 2**-10`` the remainder is within a few ulps at every step. A float
    ``x`` needs ``d.scale == 1``.
    """
    if ops.is_integer(x):
        top = ops.int_max(x)
        count = 1
        while top is not None and top >> (12 * count):
            count += 1
    else:
        count = 11  # float32 steps are below 2**128 = 2**(12 * 10) * 2**8
    scale = constant(d).scale
    limbs = []
    for i in range(count - 1, 0, -1):
        if ops.is_integer(x):
            high, x = ops.divmod(x, 2 ** (12 * i))
            limbs.append(ops.to_float(high))
        else:  # the bits of x above 2**(12 i), and the rest: both exact
            high = ops.floor(x * 2.0 ** (-12 * i))
            x = x - high * 2.0 ** (12 * i)
            limbs.append(high)
    limbs.append(ops.to_float(x))
    limbs.reverse()  # limbs[i] is x_i
    whole = limbs[0] * 0.0
    terms = [limbs[0] * scale]
    for limb, (times, pieces) in zip(limbs[1:], _residues(d, count), strict=True):
        whole = whole + limb * times
        for piece in pieces:
            terms = _grow(terms, limb * piece)
    return whole, terms


class Division(NamedTuple):
    """``floor(x / d)`` and, scaled by :attr:`Constant.scale`, the remainder and the rest."""

    quotient: Any
    remainder: Any
    rest: Any


def two_product(a: Any, b: float) -> tuple[Any, Any]:
    """``a * b`` as ``high + low`` exactly (Dekker's split into 12-bit halves), in float32."""
    high = a * b
    spread = a * 4097.0  # 2**12 + 1
    a1 = spread - (spread - a)
    b1 = float32_nearest(b * 4097.0)
    b1 = float32_nearest(b1 - float32_nearest(b1 - b))
    a2, b2 = a - a1, float32_nearest(b - b1)
    return high, ((a1 * b1 - high) + a1 * b2 + a2 * b1) + a2 * b2


def _two_sum(a: Any, b: Any) -> tuple[Any, Any]:
    """``a + b`` as ``s + e`` exactly, ``s`` the rounded sum (Knuth)."""
    s = a + b
    virtual = s - a
    return s, (a - (s - virtual)) + (b - virtual)


def _grow(expansion: list[Any], value: Any) -> list[Any]:
    """The nonoverlapping expansion of ``sum(expansion) + value`` (Shewchuk), smallest first."""
    out = []
    for component in expansion:
        value, error = _two_sum(value, component)
        out.append(error)
    out.append(value)
    return out


def _sum_and_lead(ops: ArrayOps, expansion: list[Any]) -> tuple[Any, Any]:
    """The rounded sum of a nonoverlapping expansion and its largest nonzero component.

    The component has the sign of the exact sum; the rounded sum is made to have it too.
    """
    total, lead = expansion[0], expansion[0]
    for component in expansion[1:]:
        total = total + component
        lead = ops.where(component != 0.0, component, lead)
    total = ops.where((lead > 0.0) & (total <= 0.0), _TINY, total)
    return ops.where((lead < 0.0) & (total >= 0.0), -_TINY, total), lead


def step_terms(ops: ArrayOps, x: Any, scale: float) -> list[Any]:
    """``x * scale`` as exact float32 terms, a nonoverlapping expansion (smallest first).

    A float32 ``x`` is one term; an integer ``x`` is cut into 24-bit limbs, each exact.
    """
    if not ops.is_integer(x):
        return [x * scale]
    top = ops.int_max(x)
    limbs = []
    shift = 0
    while top is not None and top >> shift:
        shift += 24
    for position in range(shift - 24, -1, -24):
        high, x = ops.divmod(x, 2**position) if position else (x, None)
        limbs.append(ops.to_float(high) * 2.0**position * scale)
    expansion = [limbs[0]]
    for limb in limbs[1:]:
        expansion = _grow(expansion, limb)
    return expansion


def _products(ops: ArrayOps, quotient: Any, pieces: tuple[float, ...]) -> list[Any]:
    """``-quotient * piece`` for every piece, as exact products (largest first)."""
    high = ops.floor(quotient * (1.0 / _HALF)) * _HALF
    low = quotient - high
    return [-(half * piece) for piece in pieces for half in (high, low)]


def divide(
    ops: ArrayOps, terms: list[Any], d: Constant, spare: Callable[[Any, float], tuple[Any, Any]]
) -> Division:
    """``floor(X / d)``, ``X - q * d`` and ``(q + 1) * d - X`` for ``X = sum(terms) >= 0``.

    ``terms`` (from :func:`step_terms`) and the remainders are scaled by ``d.scale``. The
    quotient is exact below 2**24; past it, ``spare(X, d.nearest)`` (the library's float
    division) gives it.
    """
    top = terms[0]
    for term in terms[1:]:
        top = top + term
    # A step scaled past the float32 range (by a tiny d) is a quotient past it too.
    spare_quotient, spare_remainder = spare(ops.minimum(top, _LARGEST_FLOAT32), d.nearest)
    if not d.pieces:
        return Division(spare_quotient, spare_remainder, d.nearest - spare_remainder)
    estimate = top / d.nearest
    usable = estimate < _QUOTIENTS
    guess = ops.minimum(ops.floor(estimate + 0.5), _QUOTIENTS)
    # An approximate residual, the products largest first: the first difference cancels
    # exactly, and every later partial sum is below 2**15 * d.
    products = _products(ops, guess, d.pieces)
    approximate = terms[-1] + products[0]
    for term in [*terms[-2::-1], *products[1:]]:
        approximate = approximate + term
    quotient = guess + ops.floor(approximate / d.nearest + 0.5)
    quotient = ops.maximum(ops.minimum(quotient, _QUOTIENTS), 0.0)
    expansion = list(terms)
    for product in _products(ops, quotient, d.pieces):
        expansion = _grow(expansion, product)
    residual, lead = _sum_and_lead(ops, expansion)
    # |residual| <= 0.52 d: the other side, d - |residual|, is at least 0.48 d.
    below = lead < 0.0
    size = ops.absolute(residual)
    other = (d.nearest - size) + d.tail
    quotient = ops.where(below, quotient - 1.0, quotient)
    remainder = ops.where(below, other, size)
    rest = ops.where(below, size, other)
    return Division(
        ops.where(usable, quotient, spare_quotient),
        ops.where(usable, remainder, spare_remainder),
        ops.where(usable, rest, d.nearest - spare_remainder),
    )


def difference(ops: ArrayOps, terms: list[Any], d: Constant) -> tuple[Any, Any]:
    """``d - X`` rounded, and whether it is positive, exactly, for ``X = sum(terms)``.

    Scaled by ``d.scale``, as ``terms`` are.
    """
    expansion = [-terms[0]]
    for term in [*(-term for term in terms[1:]), *reversed(d.pieces)]:
        expansion = _grow(expansion, term)
    value, lead = _sum_and_lead(ops, expansion)
    return value, lead > 0.0
