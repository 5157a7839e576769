"""Keras 3's cosine decay with warm restarts (SGDR), its cycles located exactly.

The cycle of a Python or NumPy step comes from
:class:`~lrschedule.core.cycles.GeometricCycles` (integer arithmetic over the cycle
starts: a table of the first cycles, exact powers of ``t_mul`` past it); a tensor step's
from the table and, past it, from double-word arithmetic
(:mod:`lrschedule.schedules.restart_arrays`, starts within ``2**-100`` of their value in
float64, ``2**-45`` in float32). Within a cycle the rate is the half-cosine wave of
:mod:`lrschedule.schedules.cosine`.
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_right

from lrschedule.backends.contract import HALF_PI, QUARTER_PI
from lrschedule.backends.dispatch import evaluate
from lrschedule.core.contract import pieces_between_breakpoints
from lrschedule.core.cycle_walk import CycleWalk, cycles_from
from lrschedule.core.cycles import GeometricCycles
from lrschedule.core.ranges import multiples, step_range
from lrschedule.core.sums import geometric, half_cosine_sum
from lrschedule.core.validation import Real, as_exact
from lrschedule.schedules.arguments import rate, real, schedule_name, steps
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf
    from lrschedule.schedules.restart_tables import FarPlan

__all__ = ["CosineDecayRestarts"]


_sin = math.sin
_FLOAT_MAX = sys.float_info.max
_FLOAT32_MAX = float.fromhex("0x1.fffffep127")
#: The cycles whose start can be a float step (``S_k`` has more than 53 bits past these,
#: when ``t_mul`` is near enough 1 to need more than the table): kept in float32 arithmetic.
_EXACT_ROWS = 64
#: Cycles summed one by one in closed form for an area; past this many (short ones) the
#: analysis sums the run step by step or piecewise instead.
_AREA_CYCLES = 1 << 16


class CosineDecayRestarts(Schedule):
    """Cosine decay with warm restarts (SGDR): each cycle ``t_mul`` times longer, ``m_mul`` lower.

    Cycle ``k`` (from 0) lasts ``L_k = first_decay_steps * t_mul**k`` steps and starts at
    ``S_k = L_0 + ... + L_{k-1}``. Within it, with ``f = (t - S_k) / L_k``:

    .. math::

        \\eta(t) = \\eta_0 \\left[(1 - \\alpha)\\, m^k\\,
        \\tfrac12 (1 + \\cos \\pi f) + \\alpha\\right]

    In Python: ``initial_learning_rate * ((1 - alpha) * m_mul**k * 0.5 * (1 + cos(pi *
    f)) + alpha)``. Each restart returns to ``m_mul**k`` times the first peak; the floor
    ``alpha * initial_learning_rate`` is the same in every cycle (``alpha`` is not scaled
    by ``m_mul``), as in Keras.

    The cycle of a step is found exactly, by integer arithmetic over the cycle starts
    (Keras uses a float32 logarithm and misplaces restarts from step 81,910 on with
    ``first_decay_steps=10``), for any ``t_mul``, at any step, in time logarithmic in the
    cycle count: ``t_mul=1 + 2**-40`` reaches cycle 7.5e14 at the largest float. With
    ``t_mul < 1`` the cycles shrink and end at step ``first_decay_steps / (1 - t_mul)``;
    from there on the rate holds its floor ``alpha * initial_learning_rate`` (Keras
    returns NaN).

    Python numbers and NumPy arrays are located exactly. A tensor (PyTorch, JAX,
    TensorFlow) is never inspected: the first 4,096 cycles come from an exact table, later
    ones from double-word arithmetic (:mod:`lrschedule.schedules.restart_arrays`), whose
    cycle starts are within ``2**-100`` of their value in float64 (``2**-103.9`` the most
    measured): a tensor step can land in the wrong cycle only that close to a restart (no
    start past the first 64 cycles is itself a representable step). In float32 arithmetic
    (JAX without x64, PyTorch on MPS) starts are within ``2**-45`` (``2**-46`` measured),
    the fraction of a cycle left within ``2**-45 * S_k / L_k``, and cycle indexes above
    ``2**24`` are rounded to float32 (reached by float32 steps once ``t_mul`` is within
    about ``5e-6`` of 1, for ``first_decay_steps=1``).

    Args:
        initial_learning_rate: The first peak (``eta_0``).
        first_decay_steps: Length of the first cycle (``L_0``); > 0.
        t_mul: Each cycle is ``t_mul`` times as long as the previous one; > 0.
        m_mul: Each peak is ``m_mul`` times the previous one; >= 0.
        alpha: The floor as a fraction of ``initial_learning_rate``; >= 0.
        name: Name of the schedule; kept in the config, as in Keras.

    Raises:
        ValueError: ``first_decay_steps <= 0``, ``t_mul <= 0``, ``m_mul < 0``,
            ``alpha < 0``, or a NaN or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = CosineDecayRestarts(1.0, first_decay_steps=10, m_mul=0.5)
        >>> schedule(0), schedule(5), schedule(10), schedule(30)
        (1.0, 0.5, 0.5, 0.25)
    """

    initial_learning_rate: Real = rate()
    first_decay_steps: Real = steps(above=0)
    t_mul: Real = real(default=2.0, above=0)
    m_mul: Real = real(default=1.0, at_least=0)
    alpha: Real = real(default=0.0, at_least=0, rule=">= 0 (a fraction of the learning rate)")
    name: str | None = schedule_name(default="SGDRDecay")

    __slots__ = ("_lr0", "_first", "_m", "_alpha", "_keep", "_cycles")

    def _setup(self) -> None:
        self._lr0 = float(self.initial_learning_rate)
        self._first = as_exact(self.first_decay_steps)
        self._alpha = float(self.alpha)
        self._keep = 1.0 - self._alpha
        # With no wave (alpha = 1) or no rate at all, the peaks are not taken: m_mul**k past
        # the float range times 0 would be NaN where the rate is its floor.
        self._m = float(self.m_mul) if self._keep and self._lr0 else 1.0
        self._cycles = None if self.t_mul == 1 else GeometricCycles(self._first, float(self.t_mul))

    @property
    def _t_mul(self) -> Real:
        """Keras's name for :attr:`t_mul`."""
        return self.t_mul

    @property
    def _m_mul(self) -> Real:
        """Keras's name for :attr:`m_mul`."""
        return self.m_mul

    def _peak(self, cycle: int | float) -> float:
        # Overflow: m_mul > 1 after very many cycles, or a cycle count past the float range.
        try:
            return float(self._m**cycle)
        except OverflowError:
            return float(self._m**math.inf)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            cycles = self._cycles
            try:
                if cycles is None:
                    first = self._first
                    cycle, into = divmod(step, first)
                    left = (first - into) / first
                else:
                    if step < cycles.covered_int:
                        cycle = bisect_right(cycles.start_ceil, step) - 1
                        table_left = cycles.table_left(cycle, step)
                    if step >= cycles.covered_int or table_left is None:
                        cycle, table_left = cycles.position(step)
                        if cycle < 0:
                            return self._lr0 * self._alpha
                    left = table_left
            except OverflowError:
                raise ValueError(
                    f"Argument `step` is too large for {type(self).__name__}: its position in "
                    f"the cycle does not fit a float. Received: step={step!r}"
                ) from None
            return self._value(cycle, left)
        return evaluate(self, step)

    def _value(self, cycle: int | float, left: float) -> float:
        angle = left * HALF_PI
        if left >= 0.5:
            wave = 0.5 + 0.5 * _sin((angle - QUARTER_PI) * 2.0)
        else:
            wave = _sin(angle)
            wave *= wave
        peak = self._keep * self._peak(cycle)
        if wave or peak == 0 or math.isfinite(peak):
            return self._lr0 * (peak * wave + self._alpha)
        # A peak past the float range times a wave that rounds to 0 (but is not 0: the
        # cycle has not ended) is past the float range too, not NaN.
        return self._lr0 * (peak + self._alpha)

    def restart_count(self, stop: int) -> int | None:
        """The number of cycles that start before ``stop``, located exactly; ``None`` when
        ``stop`` is past the end of shrinking cycles (``t_mul < 1``).

        Analysis asks this before walking the cycles one by one.
        """
        stop = max(int(stop), 1)
        cycles = self._cycles
        if cycles is None:
            return int(-(-stop // self._first))  # equal cycles: ceil(stop / first)
        k = cycles.locate_int(stop - 1)
        return None if k < 0 else k + 1

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """Every restart (the first step of each cycle), and the step where cycles run out.

        Cycles are located exactly, as in ``__call__``. Cycles shorter than a step share a
        first step; with ``t_mul < 1`` the last breakpoint is the first step of the floor.

        >>> list(CosineDecayRestarts(1.0, 10).breakpoints(0, 100))
        [10, 30, 70]
        >>> list(CosineDecayRestarts(1.0, 10, t_mul=0.5).breakpoints(0, 100))
        [10, 15, 18, 19, 20]
        """
        cycles = self._cycles
        if cycles is None:
            yield from multiples(self._first, start, stop, past=False)
            return
        start, stop = step_range(start, stop)
        if start >= stop:
            return
        floor = cycles.end_ceil  # with t_mul < 1, the first step of the floor
        k = 0
        if start > 0:
            k = cycles.locate_int(start - 1) + 1  # the first cycle starting at or after `start`
            if k == 0:  # `start - 1` is past the end: so is the floor
                return
        walk = cycles_from(cycles, k)
        while True:
            _, step, _, length = next(walk)
            if floor is not None and step >= floor:
                if floor < stop:
                    yield floor
                return
            if step >= stop:
                return
            yield step
            if length < 2.0:
                # Cycles shorter than a step share a first step: on to the next later one
                # (a cycle of a step or more holds its own first step: on to the next).
                walk = cycles_from(cycles, cycles.locate_int(step) + 1)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        cycles = self._cycles
        if cycles is None:
            cycle, into = ops.divmod(x, self._first)
            cycle = ops.to_float(cycle)
            left = ops.left(into, self._first)
            past_end = None
        elif ops.name == "python":  # one number: located exactly
            k, fraction = cycles.position(x)
            return self._lr0 * self._alpha if k < 0 else self._value(k, fraction)
        else:
            cycle, left, past_end = self._locate(x, ops, cycles)
        wave = ops.half_cosine(left)
        if self._m > 1 or abs(self._lr0) > _FLOAT32_MAX:
            value = self._guarded(ops, cycle, wave)
        else:  # one expression: NumPy reuses its temporaries
            value = self._lr0 * (self._keep * ops.power(self._m, cycle) * wave + self._alpha)
        if past_end is None:
            return value
        return ops.where(past_end, self._lr0 * self._alpha, value)

    def _guarded(self, ops: ArrayOps, cycle: Any, wave: Any) -> Any:
        """The rate where ``inf * 0`` could arise: a peak past the float range times a wave
        that rounds to 0 (the peak, as in :meth:`_value`), or a rate past float32 (held as
        inf in float32 arithmetic) times a factor of exactly 0 (0)."""
        peak = self._keep * ops.power(self._m, cycle)
        peaked = peak * wave
        if self._m > 1:
            peaked = ops.where(peaked == peaked, peaked, peak)
        inner = peaked + self._alpha
        value = self._lr0 * inner
        if abs(self._lr0) > _FLOAT32_MAX:
            value = ops.where(inner == 0.0, 0.0, value)
        return value

    def _locate(self, x: Any, ops: ArrayOps, cycles: GeometricCycles) -> tuple[Any, Any, Any]:
        """The cycle index (as a float), the fraction of it left, and the past-the-end mask.

        When the table holds every cycle a step of the dtype (for NumPy: of the array)
        reaches, the cycle is looked up there; otherwise steps past it are located by
        :func:`~lrschedule.schedules.restart_arrays.far_locate`.
        """
        # Array steps only: the tables' module (and dataclasses) load when first needed.
        from lrschedule.schedules.restart_arrays import (
            compute_bits,
            locate_past_table,
            quietly,
            settle_exactly,
        )
        from lrschedule.schedules.restart_lookup import table_locate
        from lrschedule.schedules.restart_tables import far_plan, last_step

        integer = ops.is_integer(x)
        highest = ops.upper_bound(x)
        rows, covered_int, covered_float = cycles.cover(highest)
        covered: int | float = covered_int if integer else covered_float
        if last_step(cycles, integer, highest) < covered:
            return table_locate(self, x, ops, cycles, rows, whole=True)
        bits = compute_bits(ops, ops.to_float(x))
        top = ops.int_max(x) if integer else _FLOAT_MAX if bits == 53 else _FLOAT32_MAX
        key = (integer, highest if top is None else top, bits)
        cycles.cover(highest, key, far_plan)
        plan: FarPlan = cycles.plans[key]  # type: ignore[assignment]
        cycle, left, near = locate_past_table(self, ops, x, cycles, plan, key)
        with quietly(ops):  # lanes past the table may overflow there: no NumPy warning
            table_cycle, table_left, past_end = table_locate(
                self, x, ops, cycles, rows, whole=False
            )
        if bits == 24 and not integer and rows > _EXACT_ROWS:
            # float32 arithmetic holds a float step's table ends to float32 only: past the
            # cycles whose start can be a float, the double words are the more accurate.
            covered = cycles.start_float[_EXACT_ROWS]
        inside = x < covered  # within the dtype: the table does not reach its largest step
        cycle = ops.where(inside, table_cycle, cycle)
        left = ops.where(inside, table_left, left)
        if ops.name == "numpy":  # host data: the elements near a restart, exactly
            cycle, left = settle_exactly(x, cycle, left, near & ~inside, cycles)
        return cycle, left, past_end

    def area(self, steps: int, area_of: AreaOf) -> float | None:
        """Each cycle's cosines in closed form; for equal cycles of whole steps, one wave
        times a geometric series in ``m_mul``. ``None`` past :data:`_AREA_CYCLES` cycles of
        other lengths."""
        lr0, alpha, keep, first = self._lr0, self._alpha, self._keep, self._first
        cycles = self._cycles
        if cycles is None and isinstance(first, int):
            # Equal cycles of `first` steps: the same wave in each, scaled by m_mul**k.
            count, rest = divmod(steps, first)
            wave = half_cosine_sum(0.0, first, first)
            m = self._m
            scales = 1.0 if m == 0 and count else geometric(math.log(m), count) if m else 0.0
            whole = keep * wave * scales + alpha * first * count
            last = keep * self._peak(count) * half_cosine_sum(0.0, first, rest) + alpha * rest
            return lr0 * (whole + last)
        from fractions import Fraction  # only here: it is slow to import

        terms = []
        far = None if cycles is None else CycleWalk(cycles)
        for index, (a, b) in enumerate(pieces_between_breakpoints(self, 0, steps)):
            if index > _AREA_CYCLES:  # very many short cycles: summed another way instead
                return None
            if cycles is None:
                cycle = math.floor(a / Fraction(first))
                start, length = Fraction(first) * cycle, float(first)
            else:
                assert far is not None
                found = far.at(a)
                if found is None:  # past the end of shrinking cycles: the floor
                    terms.append(alpha * (b - a))
                    continue
                (cycle, _, _, length), phase = found
                if cycle >= len(cycles.length):  # past the table: from exact powers of t
                    wave = half_cosine_sum(phase, length, b - a)
                    terms.append(keep * self._peak(cycle) * wave + alpha * (b - a))
                    continue
                start = (
                    Fraction(cycles.end_floor[cycle - 1]) + Fraction(cycles.end_fraction[cycle - 1])
                    if cycle
                    else Fraction(0)
                )
                length = cycles.length[cycle]
            phase = float(a - start)
            wave = half_cosine_sum(phase, length, b - a)
            terms.append(keep * self._peak(cycle) * wave + alpha * (b - a))
        return lr0 * math.fsum(terms)
