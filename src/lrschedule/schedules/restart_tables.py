"""The constants with which arrays locate the cycles of ``CosineDecayRestarts`` past its table.

An array step is located by :mod:`lrschedule.schedules.restart_arrays` from ``S_k`` and
``L_k`` evaluated in double-word arithmetic (a value held as ``hi + lo``, two floats of
the compute dtype). Those come from exact constants prepared here, once per step kind
(integer or float), step dtype range and compute precision:

* the index ``k = h * B + r`` is split at ``B = 256**levels``, the largest such power with
  ``t**B`` within ``2**±500`` (``2**±63`` in float32), so that no partial product
  overflows however short the first cycle is;
* ``S_{hB}`` and ``L_{hB}`` for every ``h`` up to the last cycle ``K`` a step of the dtype
  reaches (at most about 1,100 rows, since ``K * |log t|`` is below 1,500);
* ``t**e`` and ``T_e = (t**e - 1) / (t - 1)`` for each digit ``e = d * 256**i`` of ``r``
  (``d < 256``, ``i < levels``); then ``T_{a+b} = T_a + t**a * T_b`` builds ``T_r``, and
  ``S_k = S_{hB} + L_{hB} * T_r``, ``L_k = L_{hB} * t**r``.

Every constant is the exact value (a bracket of ``t**e`` some 200 bits wide) rounded to
the nearest double word of the compute precision.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

from lrschedule.core.cycles import GeometricCycles

__all__ = ["FarPlan", "far_plan", "last_step", "pair"]

Pair = tuple[list[float], list[float]]

_FLOAT32_MAX = float.fromhex("0x1.fffffep127")
#: ``log`` of the largest partial power ``t**r`` allowed, per compute precision.
_POWER_LOG = {53: 346.0, 24: 44.0}


@dataclass(frozen=True)
class FarPlan:
    """What the array code needs to locate a step's cycle past the exact table."""

    bits: int  #: Mantissa bits of the compute float (53 or 24).
    growing: bool  #: ``t > 1``.
    last: int  #: The last cycle a step of the dtype reaches.
    levels: int  #: Base-256 digits of ``r``.
    rounds: int  #: Newton rounds (1 when the float estimate of ``k`` is within one cycle).
    high_steps: list[float]  #: ``h * B``.
    high_start: Pair  #: ``S_{hB}`` as (hi, lo) lists.
    high_length: Pair  #: ``L_{hB}``.
    digits: list[float]  #: ``0, 1, ..., 256 * levels - 1``: turns a float digit into an index.
    digit_power: Pair  #: ``t**(d * 256**i)`` at ``i * 256 + d``.
    digit_sum: Pair  #: ``T_(d * 256**i)``.
    log_t: float
    t: float
    t_minus_1: float
    rate: float  #: ``(t - 1) / first``, capped below the float range.
    log_rate: float  #: ``log(|t - 1| / first)``.
    end: tuple[float, float]  #: ``E = first / (1 - t)`` times the scale, as (hi, lo).
    log_end: float  #: ``log(E * scale)``.
    inverse_end: float  #: ``1 / E``.
    split: float  #: Veltkamp's splitting constant, ``2**ceil(bits / 2) + 1``.
    scale: float  #: A power of two applied to steps and starts: ``S_{K+1}`` stays finite.
    tolerance: float  #: A relative error of ``S_k`` that the arithmetic stays below...
    floor: float  #: ... or this absolute one, where its low word is subnormal.


def _round(numerator: int, denominator: int, bits: int) -> float:
    """The float of ``bits`` mantissa bits nearest ``numerator / denominator`` (ties to even),
    with float32's exponent range when ``bits == 24``."""
    if numerator == 0:
        return 0.0
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    sign = -1.0 if numerator < 0 else 1.0
    numerator = abs(numerator)
    if bits == 53:
        try:
            return sign * (numerator / denominator)
        except OverflowError:
            return sign * math.inf
    exponent = numerator.bit_length() - denominator.bit_length()
    if (numerator << max(-exponent, 0)) < (denominator << max(exponent, 0)):
        exponent -= 1  # now 2**exponent <= value < 2**(exponent + 1)
    quantum = max(exponent - (bits - 1), -149)
    if quantum >= 0:
        whole, rest = divmod(numerator, denominator << quantum)
        half = denominator << quantum
    else:
        whole, rest = divmod(numerator << -quantum, denominator)
        half = denominator
    if 2 * rest > half or (2 * rest == half and whole & 1):
        whole += 1
    value = math.ldexp(whole, quantum) if quantum < 1000 else math.inf
    return sign * (value if value <= _FLOAT32_MAX else math.inf)


def pair(numerator: int, denominator: int, bits: int) -> tuple[float, float]:
    """``numerator / denominator`` as a double word ``hi + lo`` (``lo`` 0 when ``hi`` is inf)."""
    hi = _round(numerator, denominator, bits)
    if not math.isfinite(hi):
        return hi, 0.0
    top, bottom = hi.as_integer_ratio()
    return hi, _round(numerator * bottom - top * denominator, denominator * bottom, bits)


def last_step(cycles: GeometricCycles, integer: bool, top: int | float) -> int | float:
    """The largest step of the dtype before the end of the series (``top`` itself if none)."""
    end = cycles.end_ceil if integer else cycles.end_float
    if end is None or top < end:
        return top
    return end - 1 if integer else math.nextafter(end, 0.0)


def far_plan(cycles: GeometricCycles, key: tuple[bool, int | float, int]) -> FarPlan:
    """The :class:`FarPlan` for ``key = (integer, top, bits)``: integer or float steps up to
    ``top``, located in ``bits`` precision (``GeometricCycles.cover`` caches it)."""
    return _build(cycles, *key)


def _build(cycles: GeometricCycles, integer: bool, top: int | float, bits: int) -> FarPlan:
    reach = last_step(cycles, integer, top)
    last = cycles.locate_int(reach) if integer else cycles.locate_float(reach)  # type: ignore[arg-type]
    last = max(last, 0)
    a, b = cycles.first.as_integer_ratio()
    c, d = cycles.t.as_integer_ratio()
    log_t = cycles.log_t
    levels = 1
    while levels < 8 and 256 ** (levels + 1) * abs(log_t) <= _POWER_LOG[bits]:
        if 256**levels > last:
            break
        levels += 1
    block = 256**levels

    def value(k: int) -> tuple[int, int]:  # t**k as m * 2**e -> (numerator, denominator)
        m, _, e = cycles.power(k)
        return (m << e, 1) if e >= 0 else (m, 1 << -e)

    # Steps and starts are scaled by 2**-shift, so that S_{K+1} (past the float range when
    # K is the cycle of the largest float) and the sums near it stay 8 times below it.
    x_num, x_den = value(last + 1)
    magnitude = (a * (x_num - x_den) * d).bit_length() - abs(b * x_den * (c - d)).bit_length()
    shift = max(0, magnitude + 5 - (1024 if bits == 53 else 128))
    high_steps: list[float] = []
    high: tuple[list[float], list[float], list[float], list[float]] = ([], [], [], [])
    for h in range(last // block + 1):
        x_num, x_den = value(h * block)
        start = pair(a * (x_num - x_den) * d, (b * x_den * (c - d)) << shift, bits)
        length = pair(a * x_num, (b * x_den) << shift, bits)
        high_steps.append(float(h * block))
        for column, entry in zip(high, (*start, *length), strict=True):
            column.append(entry)
    digits: tuple[list[float], list[float], list[float], list[float]] = ([], [], [], [])
    for level in range(levels):
        for digit in range(256):
            x_num, x_den = value(digit * 256**level)
            power = pair(x_num, x_den, bits)
            total = pair((x_num - x_den) * d, x_den * (c - d), bits)
            for column, entry in zip(digits, (*power, *total), strict=True):
                column.append(entry)
    estimate_error = (4.0 / abs(log_t) + 8.0 * last) * 2.0**-bits
    largest = sys.float_info.max if bits == 53 else _FLOAT32_MAX
    rate = _round((c - d) * b, d * a, bits)
    end, log_end, inverse_end = (math.inf, 0.0), math.inf, 0.0
    if cycles.finite:
        end = pair(a * d, (b * (d - c)) << shift, bits)
        log_end = math.log(a * d) - math.log((b * (d - c)) << shift)
        inverse_end = _round(b * (d - c), a * d, bits)
    half = -(-bits // 2)
    return FarPlan(
        bits=bits,
        growing=cycles.t > 1,
        last=last,
        levels=levels,
        rounds=1 if estimate_error < 0.25 else 2,
        high_steps=high_steps,
        high_start=(high[0], high[1]),
        high_length=(high[2], high[3]),
        digits=[float(i) for i in range(256 * levels)],
        digit_power=(digits[0], digits[1]),
        digit_sum=(digits[2], digits[3]),
        log_t=_round(*log_t.as_integer_ratio(), bits),
        t=_round(c, d, bits),
        t_minus_1=_round(c - d, d, bits),
        rate=min(abs(rate), largest / 4) * (1.0 if rate > 0 else -1.0),
        log_rate=math.log(abs(c - d) * b) - math.log(d * a),
        end=end,
        log_end=log_end,
        inverse_end=inverse_end,
        split=2.0**half + 1.0,
        scale=2.0**-shift,
        tolerance=2.0 ** (10 - 2 * bits),
        floor=2.0 ** (-1050 if bits == 53 else -135),
    )
