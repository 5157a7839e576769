"""Array steps of ``CosineDecayRestarts`` located in its exact table of cycles.

The cycle of a step is found by ``searchsorted`` over the table's starts; the fraction of
it left is ``(S_{k+1} - s) / L_k``. For an integer step, ``S_{k+1} - s`` is the exact
integer difference to ``floor(S_{k+1})`` plus the fraction of ``S_{k+1}``. For a float
step it is ``(hi - s) + lo``, with ``S_{k+1} = hi + lo`` a double word of the compute
float: ``hi - s`` is exact wherever the two are within a factor 2 (Sterbenz), which is
wherever the difference is small, so the fraction keeps its digits even where cycles are
far shorter than a step (``t_mul < 1``, near the end of the series).
"""

from __future__ import annotations

import math
from bisect import bisect_right

from lrschedule.backends.division import float32_at_least
from lrschedule.schedules.restart_arrays import compute_bits
from lrschedule.schedules.restart_tables import pair

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.cycles import GeometricCycles

__all__ = ["table_locate"]

_FLOAT_MAX = 1.7976931348623157e308
_FLOAT32_MAX = float.fromhex("0x1.fffffep127")


def _shift(largest: float, last_end: int) -> int:
    """The power of two that keeps the table's last end within the compute float
    (``largest`` its largest value): 0 when it is well inside it already."""
    return max(0, (last_end + 1).bit_length() + 3 - math.frexp(largest)[1])


def _sum(a: float, b: float) -> tuple[int, int]:
    """``a + b`` exactly, as ``(numerator, denominator)``."""
    an, ad = a.as_integer_ratio()
    bn, bd = b.as_integer_ratio()
    return an * bd + bn * ad, ad * bd


def _float_ends(
    cycles: GeometricCycles, count: int, bits: int, cut: int, shift: int
) -> tuple[list[float], list[float]]:
    """``S_{k+1}`` of the first ``count`` rows as double words of ``bits`` mantissa bits,
    times ``2**-shift`` from row ``cut`` on."""
    highs, lows = cycles.end_hi[:count], cycles.end_lo[:count]
    if bits == 53 and not shift:
        return highs, lows
    key = ("float-ends", count, bits, cut, shift)
    cached = cycles.plans.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    out: tuple[list[float], list[float]] = ([], [])
    for row, (hi, lo) in enumerate(zip(highs, lows, strict=True)):
        if hi < math.inf:
            numerator, denominator = _sum(hi, lo)
        else:  # past the float range: the whole part is exact, the fraction is enough
            numerator, denominator = _sum(0.0, cycles.end_fraction[row])
            numerator += cycles.end_floor[row] * denominator
        if row >= cut:
            denominator <<= shift
        for column, value in zip(out, pair(numerator, denominator, bits), strict=True):
            column.append(value)
    cycles.plans[key] = out
    return out


def _integer_ends(
    end_floor: list[int], end_fraction: list[float], top: int | None, cut: int, shift: int
) -> tuple[list[int], list[float]]:
    """``floor(S_{k+1})`` clipped to the integer dtype's ``top``, and the rest of
    ``S_{k+1}`` (the fraction, plus what was clipped), times ``2**-shift`` from ``cut`` on."""
    if top is None and not shift:
        return end_floor, end_fraction
    clipped = end_floor if top is None else [min(end, top) for end in end_floor]
    if not shift:
        return clipped, [
            fraction + (end - kept)
            for end, fraction, kept in zip(end_floor, end_fraction, clipped, strict=True)
        ]
    rests = []
    for row, (end, fraction, kept) in enumerate(zip(end_floor, end_fraction, clipped, strict=True)):
        if row < cut:
            rests.append(fraction + (end - kept))
        else:  # exactly, then rounded once: the excess can be past the float range
            numerator, denominator = _sum(fraction, 0.0)
            rests.append((numerator + (end - kept) * denominator) / (denominator << shift))
    return clipped, rests


def table_locate(
    schedule: Any, x: Any, ops: ArrayOps, cycles: GeometricCycles, count: int, *, whole: bool
) -> tuple[Any, Any, Any]:
    """The cycle index (as a float), the fraction of it left and the past-the-end mask, from
    the table's first ``count`` rows (``whole``: they hold every cycle the steps reach)."""
    integer = ops.is_integer(x)
    limit: int | float | None = cycles.end_ceil if integer else cycles.end_float
    top = ops.int_max(x) if integer else None
    bits = compute_bits(ops, ops.to_float(x))
    largest = _FLOAT_MAX if bits == 53 else _FLOAT32_MAX
    if limit is not None and not integer and bits == 24:
        # The end as the smallest float32 at or past it: compared with a float32 step, the
        # float64 end would be rounded to nearest (a float32 step just before it was past).
        limit = float32_at_least(limit)
    if top is not None:
        count = min(count, bisect_right(cycles.start_ceil, top))  # cycles the dtype reaches
    else:
        # Cycles that start past the float range exist only when another caller's wider
        # dtype tabulated them: a float step never reaches them.
        count = min(count, bisect_right(cycles.start_float, largest))
    starts = (cycles.start_ceil if integer else cycles.start_float)[:count]
    end_floor = cycles.end_floor[:count]
    end_fraction = cycles.end_fraction[:count]
    # The last cycles may end (and last) past the compute float's range: their ends,
    # fractions and lengths are held times 2**-shift, and so is a step in them (rows well
    # inside the range, before `cut`, are kept as they are).
    shift, cut = _shift(largest, end_floor[-1]), count
    kind = "int" if integer else f"float{bits}"
    table = schedule._table
    starts_table = table(ops, f"starts-{kind}", starts, x, integer=integer)
    index = ops.searchsorted(starts_table, x, right=True) - 1
    index = ops.minimum(index, count - 1)
    lengths_values, lengths_name = cycles.length[:count], "lengths"
    factor: Any = 1.0
    if shift:
        cut = bisect_right(end_floor, int(largest) >> 4)
        factors = [1.0] * cut + [2.0**-shift] * (count - cut)
        lengths_values = lengths_values[:cut] + [
            cycles.length_at(k, shift) for k in range(cut, count)
        ]
        kind = lengths_name = f"{kind}-{shift}"
        factor = ops.take(table(ops, f"scales-{kind}", factors, x, integer=False), index)
    lengths = ops.take(table(ops, lengths_name, lengths_values, x, integer=False), index)
    if integer:
        ends_values, end_fraction = _integer_ends(end_floor, end_fraction, top, cut, shift)
        if top is not None and limit is not None and limit > top:
            limit = None  # no step of this dtype reaches the end
        ends = ops.take(table(ops, f"ends-{kind}", ends_values, x, integer=True), index)
        lows = ops.take(table(ops, f"fractions-{kind}", end_fraction, x, integer=False), index)
        # One expression: NumPy reuses its temporaries (a name would keep them alive).
        if shift:
            remaining = ops.to_float(ends - x) * factor + lows
        else:
            remaining = ops.to_float(ends - x) + lows
    else:  # S_{k+1} as a double word of the compute float
        highs, end_fraction = _float_ends(cycles, count, bits, cut, shift)
        ends = ops.take(table(ops, f"ends-{kind}", highs, x, integer=False), index)
        lows = ops.take(table(ops, f"fractions-{kind}", end_fraction, x, integer=False), index)
        remaining = (ends - (x * factor if shift else x)) + lows
    left = remaining / lengths
    past_end = None if limit is None else x >= limit
    if cycles.finite and whole:
        # Past the last tabulated cycle (cycles below 2**-256 steps) the series has ended.
        beyond = remaining <= 0
        past_end = beyond if past_end is None else past_end | beyond
        left = ops.maximum(left, 0.0)
    return ops.to_float(index), left, past_end
