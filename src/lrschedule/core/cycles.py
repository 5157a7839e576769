"""Exact boundaries of cycles whose lengths grow (or shrink) geometrically.

``CosineDecayRestarts`` runs cycle ``k`` (from 0) for ``L_k = first * t**k`` steps,
starting at ``S_k = L_0 + ... + L_{k-1} = first * (t**k - 1) / (t - 1)``. Keras finds the
cycle of a step with ``floor(log(1 - step / first * (1 - t)) / log(t))`` in float32, which
puts restarts one step early or late once steps grow (from step 81,910 with ``first=10,
t=2``). This module finds it exactly, at any step, for any ``t > 0`` other than 1:

* an integer step ``s`` is in cycle ``k`` when ``ceil(S_k) <= s < ceil(S_{k+1})``;
* a float step when ``F_k <= s < F_{k+1}``, ``F_k`` the smallest float ``>= S_k``.

Both say ``S_k <= s < S_{k+1}``. With ``t < 1`` the cycles shrink and the series ends at
``first / (1 - t)``; steps from there on are "past the end" (the schedule's floor).

**The first cycles** (at most :data:`TABLE_ROWS`) are tabulated, lazily, up to the largest
step asked for: their starts are summed in fixed point with 256 fraction bits (below the
first cycle's length, when that is shorter than a step), with a bound on the rounding
carried along; a start whose ceiling, or smallest float above, the bound leaves open is
computed exactly. Steps in the table are located by bisection.

**Later cycles** are located from ``S_k <= s``, which is ``t**k <= R`` for ``t > 1`` and
``t**k >= R`` for ``t < 1``, with ``R = 1 + s * (t - 1) / first`` an exact fraction. A
float estimate ``log(R) / log(t)`` of ``k`` is corrected by Newton steps
``k += log(R / t**k) / log(t)`` (bisection after a few) until ``S_k <= s < S_{k+1}`` holds
exactly, against brackets of ``t**k`` from :mod:`lrschedule.core.powers` (``O(log k)``
multiplications of numbers of about 200 bits, plus the bits of ``1 / |t - 1|``); a
comparison a bracket leaves open is repeated with twice the bits, which ends, as ``t**k``
is a fraction whose denominator grows with ``k`` while ``R``'s does not. So every step is
located exactly, in time logarithmic in its cycle, with no limit on the number of cycles.
"""

from __future__ import annotations

import _thread
import math
from bisect import bisect_right

from lrschedule.core.floats import float_at_least_ratio
from lrschedule.core.powers import Bracket, Powers, compare, log_ratio

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable
    from typing import Any

__all__ = ["TABLE_ROWS", "GeometricCycles"]

_BITS = 256

#: The most cycles tabulated; later ones are located from exact powers of ``t``.
TABLE_ROWS = 4096
#: A float step this close to the end of its cycle, relatively, is placed in it exactly.
_CLOSE = 2.0**-50


def _fixed(value: int | float, bits: int) -> int:
    """``value * 2**bits``, rounded down."""
    numerator, denominator = value.as_integer_ratio()
    return (numerator << bits) // denominator


def _ceil_shift(fixed: int, bits: int) -> int:
    return -((-fixed) >> bits)


def _to_float(numerator: int, denominator: int) -> float:
    """The float nearest ``numerator / denominator`` (``inf`` if it is too large)."""
    try:
        return numerator / denominator
    except OverflowError:
        return math.inf if (numerator > 0) == (denominator > 0) else -math.inf


class GeometricCycles:
    """Cycle boundaries for lengths ``first * t**k``; ``t > 0`` and ``t != 1``.

    The table's rows ``k < len(length)`` hold ``start_ceil[k]`` (the smallest integer
    ``>= S_k``), ``start_float[k]`` (the smallest float ``>= S_k``), ``end_floor[k]`` and
    ``end_fraction[k]`` (the whole and fractional parts of ``S_{k+1}``) and ``length[k]``
    (``L_k`` as a float). The lists only ever grow, one whole row at a time under a lock,
    so readers in other threads always see a consistent prefix. Every cycle, tabulated or
    not, is reached through :meth:`position`, :meth:`locate_int`, :meth:`locate_float`,
    :meth:`start_ceil_at`, :meth:`offset` and :meth:`length_at`.
    """

    def __init__(self, first: int | float, t: float) -> None:
        self.first = first
        self.t = t
        self._a, self._b = first.as_integer_ratio()  # first = a / b
        self._c, self._d = t.as_integer_ratio()  # t = c / d, d a power of two
        self.finite = t < 1
        #: ``log(t)``, to about an ulp.
        self.log_t = math.log1p(t - 1.0) if 0.5 <= t <= 2.0 else math.log(t)
        self._powers = Powers(t)
        #: Brackets of ``t**k``, and of ``t**(k + 1)`` from that of ``t**k`` (``Powers``).
        self.power = self._powers.power
        self.times_t = self._powers.times_t
        self._bits_for = self._powers.bits_for
        #: Constants derived from the cycles by array code, cached here by its own keys.
        self.plans: dict[Hashable, object] = {}
        # 256 fraction bits below the first cycle's length, however short it is: a first
        # cycle of 1e-300 steps must not round to nothing.
        self._bits = _BITS + (-math.frexp(first)[1] if first < 1 else 0)
        self._one = 1 << self._bits
        self._t_fixed = _fixed(t, self._bits)
        self._t_exact = (self._c << self._bits) % self._d == 0
        self._lock = _thread.allocate_lock()
        # The next row: S_k (fixed point, rounded down) and the bound on its rounding,
        # L_k and its bound, and the exact ceiling and float of S_k.
        self._next_start, self._start_slack = 0, 0
        self._next_length, self._length_slack = _fixed(first, self._bits), 0
        self.start_ceil: list[int] = []
        self.start_float: list[float] = []
        self.end_floor: list[int] = []
        self.end_fraction: list[float] = []
        #: ``S_{k+1}`` as a double word ``end_hi[k] + end_lo[k]`` (``end_lo`` 0 past the
        #: float range): a float step's distance to it, without cancellation.
        self.end_hi: list[float] = []
        self.end_lo: list[float] = []
        self.length: list[float] = []
        #: Integer and float steps below these lie in a tabulated cycle.
        self.covered_int = 0
        self.covered_float = 0.0
        #: With t < 1: the smallest integer and the smallest float at or past the end.
        self.end_ceil: int | None = None
        self.end_float: float | None = None
        if self.finite:
            # first / (1 - t), exactly: a * d / (b * (d - c)).
            numerator, denominator = self._a * self._d, self._b * (self._d - self._c)
            self.end_ceil = -(-numerator // denominator)
            self.end_float = float_at_least_ratio(numerator, denominator)
        self._add()

    # ------------------------------------------------------------------ the table
    def _exact_start(self, k: int) -> tuple[int, int]:
        """``S_k`` as a fraction (positive denominator), for the few starts the table's
        bound leaves open: ``a * (c**k - d**k) / (b * d**(k - 1) * (c - d))``."""
        if k == 0:
            return 0, 1
        a, b, c, d = self._a, self._b, self._c, self._d
        numerator, denominator = a * (c**k - d**k), b * d ** (k - 1) * (c - d)
        return (-numerator, -denominator) if denominator < 0 else (numerator, denominator)

    def _settle(self, k: int, start: int, slack: int) -> tuple[int, float]:
        """The smallest integer and the smallest float ``>= S_k``, for ``S_k`` within
        ``[start, start + slack]`` in fixed point."""
        bits, one = self._bits, self._one
        ceil, least = _ceil_shift(start, bits), float_at_least_ratio(start, one)
        if slack:
            top = start + slack
            if least == math.inf:
                exact_float = True
            else:
                numerator, denominator = least.as_integer_ratio()
                exact_float = top * denominator <= numerator * one
            if _ceil_shift(top, bits) != ceil or not exact_float:
                numerator, denominator = self._exact_start(k)
                ceil = -(-numerator // denominator)
                least = float_at_least_ratio(numerator, denominator)
        return ceil, least

    def _add(self) -> bool:
        """Append the next row; False once the table is full or cycles round to nothing."""
        length = self._next_length
        rows = len(self.length)
        if length == 0 or rows >= TABLE_ROWS:
            return False
        bits, one = self._bits, self._one
        end = self._next_start + length
        if rows == 0:
            self.start_ceil.append(0)
            self.start_float.append(0.0)
        else:
            self.start_ceil.append(self.covered_int)
            self.start_float.append(self.covered_float)
        whole = end >> bits
        self.end_floor.append(whole)
        self.end_fraction.append(_to_float(end - (whole << bits), one))
        hi = _to_float(end, one)
        self.end_hi.append(hi)
        self.end_lo.append(_to_float(end - _fixed(hi, bits), one) if hi < math.inf else 0.0)
        self.length.append(_to_float(length, one))
        # The true L_{k+1} lies in [next, next + slack]: t * L_k less the rounding of the
        # product (and of t, when t has more than `bits` fraction bits).
        product = length * self._t_fixed
        slack = -((-self._length_slack * self._c) // self._d) + (product & (one - 1) != 0)
        if not self._t_exact:
            slack += _ceil_shift(length, bits) + 1
        self._start_slack += self._length_slack
        self._next_start, self._next_length, self._length_slack = end, product >> bits, slack
        self.covered_int, self.covered_float = self._settle(rows + 1, end, self._start_slack)
        return True

    def cover(
        self,
        step: int | float,
        key: Hashable = None,
        build: Callable[[GeometricCycles, Any], object] | None = None,
    ) -> tuple[int, int, float]:
        """Extend the table until it holds the cycle of ``step`` (or it is full); return its
        rows and the integer and float steps they cover, read together.

        With ``key`` and ``build``, also cache ``build(self, key)`` in :attr:`plans` (array
        code's constants), unless it is there already. For ``torch.compile`` this method is
        a constant computation: it runs as the graph is traced, so the plan is ready then.
        """
        limit = _fixed(step, self._bits)
        with self._lock:
            growing = True
            while growing and self._next_start <= limit:
                growing = self._add()
            snapshot = len(self.length), self.covered_int, self.covered_float
        if build is not None and key not in self.plans:
            self.plans[key] = build(self, key)
        return snapshot

    def remaining(self, k: int, step: int | float) -> float:
        """``S_{k+1} - step`` for a tabulated cycle ``k``, without cancellation: an integer
        step's difference to ``floor(S_{k+1})`` is exact, a float step's to the double
        word's high part too where they are within a factor 2 (Sterbenz), and the rest
        is below an ulp of the result plus ``2**-106 * S_{k+1}``."""
        if step.__class__ is int:
            return (self.end_floor[k] - step) + self.end_fraction[k]
        return (self.end_hi[k] - step) + self.end_lo[k]

    def table_left(self, k: int, step: int | float) -> float | None:
        """``remaining(k, step) / length[k]``; None where a float overflows (a cycle of
        ``first * t**k`` steps, or ending, past the float range), or where a float step is
        within ``2**-50 * S_{k+1}`` of the cycle's end (there the double word's error could
        show: :meth:`position` takes it exactly)."""
        length = self.length[k]
        try:
            remaining = self.remaining(k, step)
            left = remaining / length
        except OverflowError:
            return None
        if step.__class__ is not int and remaining < _CLOSE * self.end_hi[k]:
            return None
        return left if length < math.inf and math.isfinite(left) else None

    # ------------------------------------------------------------------ far cycles
    def ratio(self, step: int | float) -> tuple[int, int]:
        """``R = 1 + step * (t - 1) / first`` as ``(numerator, denominator > 0)``."""
        sn, sd = step.as_integer_ratio()
        a, b, c, d = self._a, self._b, self._c, self._d
        return sd * d * a + sn * (c - d) * b, sd * d * a

    def _sign(self, k: int, x: Bracket, ratio: tuple[int, int]) -> tuple[int, Bracket]:
        """The sign of ``S_k - step`` (``ratio`` is the step's :meth:`ratio`), exactly, and
        the bracket of ``t**k`` that settled it."""
        bits = self._bits_for(k)
        while True:
            sign = compare(x[0], x[2], *ratio)
            if sign <= 0:
                high = compare(x[1], x[2], *ratio)
                if high >= 0 and x[0] != x[1]:  # the bracket holds R: more bits
                    bits *= 2
                    x = self.power(k, bits)
                    continue
                sign = high if x[0] == x[1] else -1
            return (sign if self.t > 1 else -sign), x

    def _jump(self, x: Bracket, ratio: tuple[int, int]) -> float:
        """``log(R / t**k) / log(t)``: the distance in cycles from ``k`` to the step."""
        m, e = x[0], x[2]
        numerator, denominator = ratio
        if e >= 0:
            top, bottom = numerator, (denominator * m) << e
        else:
            top, bottom = numerator << -e, denominator * m
        return log_ratio(top, bottom) / self.log_t

    def _far(self, step: int | float, low: int) -> tuple[int, Bracket, tuple[int, int]]:
        """The cycle of a step before the end, known to be at least ``low``: ``k``, the
        bracket of ``t**k`` and the step's :meth:`ratio`."""
        ratio = self.ratio(step)
        high = -1  # S_low <= step; S_high > step once high >= 0
        k = max(low, math.floor(self._jump((1, 1, 0), ratio)))
        for tries in range(10_000):
            if high >= 0 and (tries > 8 or not low <= k < high):
                k = (low + high) // 2  # Newton did not settle it: bisect
            x = self.power(k)
            sign, x = self._sign(k, x, ratio)
            if sign <= 0:
                after, _ = self._sign(k + 1, self.times_t(x, k), ratio)
                if after > 0:
                    return k, x, ratio
                low = k + 1
            else:
                high = k
            jump = self._jump(x, ratio)
            guess = k + math.floor(jump) if math.isfinite(jump) else k
            if guess == k:
                guess = k + 1 if sign <= 0 else k - 1
            if tries > 8 and high < 0:
                guess = max(guess, 2 * k)  # gallop
            k = max(low, guess if high < 0 else min(guess, high - 1))
        raise AssertionError("unreachable: the bracket halves from the tenth try on")

    # ------------------------------------------------------------------ lookups
    def _lookup(self, step: int | float) -> tuple[int, Bracket | None, tuple[int, int]]:
        """The cycle of ``step`` (-1 past the end) and, past the table, the bracket of
        ``t**k`` and the step's :meth:`ratio`."""
        integer = step.__class__ is int
        starts = self.start_ceil if integer else self.start_float
        if step >= (self.covered_int if integer else self.covered_float):
            end = self.end_ceil if integer else self.end_float
            if end is not None and step >= end:
                return -1, None, (0, 1)
            self.cover(step)
            if step >= (self.covered_int if integer else self.covered_float):
                # The rows only grow, each start before the cover: the last start <= step
                # is a valid lower bound even while another thread extends the table.
                return self._far(step, bisect_right(starts, step) - 1)
        return bisect_right(starts, step) - 1, None, (0, 1)

    def locate_int(self, step: int) -> int:
        """The cycle of integer ``step``, or -1 when it is past the end of a finite series."""
        if step < self.covered_int:
            return bisect_right(self.start_ceil, step) - 1
        return self._lookup(step)[0]

    def locate_float(self, step: float) -> int:
        """The cycle of float ``step``, or -1 when it is past the end of a finite series."""
        if step < self.covered_float:
            return bisect_right(self.start_float, step) - 1
        return self._lookup(step)[0]

    def position(self, step: int | float) -> tuple[int, float]:
        """The cycle of ``step`` and the fraction of it still ahead, ``(S_{k+1} - s) / L_k``;
        ``(-1, 0.0)`` past the end of a finite series."""
        k, x, ratio = self._lookup(step)
        if k < 0:
            return -1, 0.0
        if x is None:
            left = self.table_left(k, step)
            if left is not None:
                return k, left
            x, ratio = self.power(k), self.ratio(step)  # past the float range: exactly
        # (t**(k+1) - R) / ((t - 1) * t**k), from the lower ends of the brackets.
        m, e = x[0], x[2]
        m1, _, e1 = self.times_t(x, k)
        shift = -min(e, e1, 0)
        numerator, denominator = ratio
        top = ((m1 << (e1 + shift)) * denominator - (numerator << shift)) * self._d
        bottom = denominator * (self._c - self._d) * (m << (e + shift))
        return k, min(max(_to_float(top, bottom), 0.0), 1.0)

    def start_ceil_at(self, k: int) -> int:
        """``ceil(S_k)``: the first integer step of cycle ``k``."""
        if k < len(self.length):
            return self.start_ceil[k]
        bits = self._bits_for(k)
        while True:
            found = self.start_from(self.power(k, bits))
            if found is not None:
                return found[0]
            bits *= 2

    def start_from(self, x: Bracket) -> tuple[int, float] | None:
        """``ceil(S_k)`` and ``ceil(S_k) - S_k`` (a float) from a bracket ``x`` of ``t**k``;
        None where the bracket's ends give two ceilings (ask again with more bits)."""
        lo, hi, e = x
        scale, bottom = self._a * self._d, self._b * (self._c - self._d) << max(-e, 0)
        sign = -1 if bottom < 0 else 1  # S_k = a * (m * 2**e - 1) * d / (b * (c - d))
        tops = [sign * scale * ((m << e) - 1 if e >= 0 else m - (1 << -e)) for m in (lo, hi)]
        bottom *= sign
        ceil = -(-tops[0] // bottom)
        if ceil != -(-tops[1] // bottom):
            return None
        return ceil, _to_float(ceil * bottom - tops[0], bottom)

    def length_from(self, x: Bracket) -> float:
        """``first * t**k`` as a float, from the lower end of a bracket of ``t**k``."""
        m, _, e = x
        if e >= 0:
            return _to_float((self._a * m) << e, self._b)
        return _to_float(self._a * m, self._b << -e)

    def offset(self, k: int, step: int | float) -> float:
        """``step - S_k``, the steps already done in cycle ``k``, as a float."""
        if k < len(self.length):
            if k == 0:
                return float(step)
            start_whole, start_fraction = self.end_floor[k - 1], self.end_fraction[k - 1]
            return (step - start_whole) - start_fraction
        # first * (R - t**k) / (t - 1)
        m, _, e = self.power(k)
        numerator, denominator = self.ratio(step)
        shift = max(-e, 0)
        top = ((numerator << shift) - ((denominator * m) << (e + shift))) * self._a * self._d
        bottom = (denominator << shift) * self._b * (self._c - self._d)
        return _to_float(top, bottom)

    def length_at(self, k: int, shift: int = 0) -> float:
        """``L_k = first * t**k`` as a float, times ``2**-shift``."""
        if k < len(self.length) and self.length[k] < math.inf:
            return math.ldexp(self.length[k], -shift)
        m, hi, e = self.power(k)
        return self.length_from((m, hi, e - shift))
