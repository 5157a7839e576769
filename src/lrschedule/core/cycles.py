"""Exact boundaries of cycles whose lengths grow (or shrink) geometrically.

``CosineDecayRestarts`` runs cycle ``k`` (from 0) for ``L_k = first * t**k`` steps,
starting at ``S_k = L_0 + ... + L_{k-1}``. Keras finds the cycle of a step with
``floor(log(1 - step / first * (1 - t)) / log(t))`` in float32, which puts restarts one
step early or late once steps grow (from step 81,910 with ``first=10, t=2``).

This module finds it exactly instead. Cycle starts are accumulated in fixed point with 256
fraction bits (below the first cycle's length, when that is shorter than a step), which is
exact for every whole ``t`` (2.0, 3.0) and whole ``first``, and
for fractional ``t`` until the fractions outgrow 256 bits (error below ``k * 2**-256``
steps afterwards). The table is built lazily, up to the largest step asked for, and a
step is located by bisection:

* an integer step ``s`` is in cycle ``k`` when ``ceil(S_k) <= s < ceil(S_{k+1})``;
* a float step when ``F_k <= s < F_{k+1}``, ``F_k`` the smallest float ``>= S_k`` (the
  same as ``S_k <= s`` for every float ``s``).

With ``t < 1`` the cycles shrink and the series ends at ``first / (1 - t)``; steps from
there on are "past the end" (``CosineDecayRestarts`` then holds its floor).
"""

from __future__ import annotations

import _thread
import math
from bisect import bisect_right

from lrschedule.core.floats import float_at_least_ratio

__all__ = ["MAX_CYCLES", "GeometricCycles"]

_BITS = 256

#: The table never grows past this many cycles (reached only with ``t`` within about 1e-5 of 1).
MAX_CYCLES = 100_000


def _fixed(value: int | float, bits: int) -> int:
    """``value * 2**bits``, rounded down."""
    numerator, denominator = value.as_integer_ratio()
    return (numerator << bits) // denominator


def _ceil_int(fixed: int, bits: int) -> int:
    return -((-fixed) >> bits)


def _to_float(fixed: int, one: int) -> float:
    """The float nearest to ``fixed / one`` (``inf`` if it is too large)."""
    try:
        return fixed / one
    except OverflowError:
        return math.inf


class GeometricCycles:
    """Cycle boundaries for lengths ``first * t**k``; ``t > 0`` and ``t != 1``.

    Per cycle ``k`` the table holds ``start_ceil[k]`` (smallest integer ``>= S_k``),
    ``start_float[k]`` (smallest float ``>= S_k``), ``end_floor[k]`` and
    ``end_fraction[k]`` (the whole and fractional parts of ``S_{k+1}``) and
    ``length[k]`` (``L_k`` as a float). ``remaining(k, s)`` is ``S_{k+1} - s``.

    The lists only ever grow, one whole cycle at a time under a lock, so readers in
    other threads always see a consistent prefix.
    """

    def __init__(self, first: int | float, t: float) -> None:
        self.first = first
        self.t = t
        # 256 fraction bits below the first cycle's length, however short it is: a first
        # cycle of 1e-300 steps must not round to nothing.
        self._bits = _BITS + (-math.frexp(first)[1] if first < 1 else 0)
        self._one = 1 << self._bits
        self._t_fixed = _fixed(t, self._bits)
        self._lock = _thread.allocate_lock()
        self._next_start = 0  # S_k of the next cycle to add, fixed point
        self._next_length = _fixed(first, self._bits)  # L_k of the next cycle to add, fixed point
        self.start_ceil: list[int] = []
        self.start_float: list[float] = []
        self.end_floor: list[int] = []
        self.end_fraction: list[float] = []
        self.length: list[float] = []
        #: Integer and float steps below these lie in a tabulated cycle.
        self.covered_int = 0
        self.covered_float = 0.0
        self.finite = t < 1
        #: With t < 1: the smallest integer and the smallest float at or past the end.
        self.end_ceil: int | None = None
        self.end_float: float | None = None
        if self.finite:
            # first / (1 - t), exactly: with first = a / b and t = c / e, a * e / (b * (e - c)).
            a, b = first.as_integer_ratio()
            c, e = t.as_integer_ratio()
            numerator, denominator = a * e, b * (e - c)
            self.end_ceil = -(-numerator // denominator)
            self.end_float = float_at_least_ratio(numerator, denominator)
        self._add()

    # ------------------------------------------------------------------ building
    def _add(self) -> bool:
        """Append the next cycle; False once cycles are shorter than 2**-256 steps."""
        length = self._next_length
        if length == 0:
            return False
        if len(self.length) >= MAX_CYCLES:
            raise ValueError(
                f"CosineDecayRestarts with t_mul={self.t!r} needs more than {MAX_CYCLES:,} "
                f"cycles of first_decay_steps={self.first!r} to reach this step; cycles that "
                "barely change length are not supported. Use t_mul=1.0 for equal cycles."
            )
        bits, one = self._bits, self._one
        start = self._next_start
        end = start + length
        whole = end >> bits
        self.start_ceil.append(_ceil_int(start, bits))
        self.start_float.append(float_at_least_ratio(start, one))
        self.end_floor.append(whole)
        self.end_fraction.append(_to_float(end - (whole << bits), one))
        self.length.append(_to_float(length, one))
        self._next_start = end
        self._next_length = (length * self._t_fixed) >> bits
        self.covered_int = _ceil_int(end, bits)
        self.covered_float = float_at_least_ratio(end, one)
        return True

    def cover(self, step: int | float) -> None:
        """Extend the table until it holds the cycle of ``step`` (or the cycles run out)."""
        limit = _fixed(step, self._bits)
        with self._lock:
            growing = True
            while growing and self._next_start <= limit:
                growing = self._add()

    # ------------------------------------------------------------------ lookups
    def locate_int(self, step: int) -> int:
        """The cycle of integer ``step``, or -1 when it is past the end of a finite series."""
        if step >= self.covered_int:
            if self.end_ceil is not None and step >= self.end_ceil:
                return -1
            self.cover(step)
            if step >= self.covered_int:
                return -1
        return bisect_right(self.start_ceil, step) - 1

    def locate_float(self, step: float) -> int:
        """The cycle of float ``step``, or -1 when it is past the end of a finite series."""
        if step >= self.covered_float:
            if self.end_float is not None and step >= self.end_float:
                return -1
            self.cover(step)
            if step >= self.covered_float:
                return -1
        return bisect_right(self.start_float, step) - 1

    def remaining(self, k: int, step: int | float) -> float:
        """``S_{k+1} - step``: the steps left in cycle ``k``, without cancellation."""
        return (self.end_floor[k] - step) + self.end_fraction[k]
