"""Step decay and multi-step decay: PyTorch's ``StepLR`` and ``MultiStepLR`` as stateless schedules.

Both multiply the learning rate by ``decay_rate`` at discrete steps; the number of decays so
far is found by exact integer arithmetic (a floor division, a count of milestones), so a
switch happens at exactly the same step however large the step is.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from lrschedule.backends.dispatch import evaluate
from lrschedule.core.floats import float_at_least
from lrschedule.core.ranges import multiples, step_range
from lrschedule.core.sums import geometric_stairs
from lrschedule.core.validation import Real, as_exact, require
from lrschedule.schedules.arguments import numbers, rate, real, schedule_name, steps
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = [
    "MultiStepDecay",
    "StepDecay",
    "plain_count_limit",
    "power_of_count",
    "scaled_power_of_count",
    "scaled_python_power",
]

#: Counts are split at this power of two so that each part converts to a float exactly.
_SPLIT = 2**26


def power_of_count(base: float, count: Any, ops: ArrayOps) -> Any:
    """``base ** count`` for a whole-number ``count`` (an integer array, or floats holding
    whole numbers), without rounding ``count`` to a float first.

    An integer ``count`` is split as ``high * 2**26 + low``; both parts are exact floats, so
    the result is two correctly rounded powers and a product (below ``2**26`` the first is
    exactly 1).
    """
    if ops.is_integer(count):
        high, low = ops.divmod(count, _SPLIT)
        return ops.power(base, ops.to_float(high) * float(_SPLIT)) * ops.power(
            base, ops.to_float(low)
        )
    return ops.power(base, count)


def scaled_power_of_count(factor: float, base: float, count: Any, ops: ArrayOps) -> Any:
    """``factor * base ** count`` (``count`` as in :func:`power_of_count`), also where
    ``base ** count`` alone is subnormal or past the float range and the product is not.

    Past ``|count * log2(base)| = 1000`` (100 in float32) the power is taken in two halves
    and the factor ``m * 2**k`` split between them,
    ``(base ** h * m * 2**(k - j)) * (base ** (count - h) * 2**j)`` with ``j = k // 2``:
    both parts are normal floats wherever the result is (for ``|factor| < 2**969``), so
    only their product rounds into the subnormal range, once.
    """
    plain = factor * power_of_count(base, count, ops)
    if factor == 0.0 or base == 1.0:
        return plain
    limit = (100.0 if ops.narrow(count) else 1000.0) / abs(math.log2(base))
    if ops.upper_bound(count) <= limit:  # known from the values (NumPy): no split needed
        return plain
    mantissa, exponent = math.frexp(factor)
    if ops.is_integer(count):
        half, odd = ops.divmod(count, 2)
        rest = half + odd
    else:
        half = ops.floor(count * 0.5)
        rest = ops.where(count == half, half, count - half)  # an inf count: inf - inf
    low = exponent // 2
    first = power_of_count(base, half, ops) * math.ldexp(mantissa, exponent - low)
    scaled = first * (power_of_count(base, rest, ops) * math.ldexp(1.0, low))
    return ops.where(ops.to_float(count) > limit, scaled, plain)


def plain_count_limit(factor: float, base: float) -> float:
    """The counts up to which :func:`scaled_python_power` is the plain ``factor * base **
    count`` (no split: the power stays well inside the normal floats), for the hot path."""
    if factor == 0.0 or base == 1.0:
        return _SPLIT - 1
    return min(_SPLIT - 1, 1000.0 / abs(math.log2(base)))


def scaled_python_power(factor: float, base: float, count: int | float) -> float:
    """``factor * base ** count`` for a whole number ``count`` >= 0 (a Python int, or a
    float from a fractional ``decay_steps``), as
    :func:`scaled_power_of_count` computes it."""
    power = _python_power(base, count)
    if factor == 0.0 or base == 1.0 or not count > 1000.0 / abs(math.log2(base)):
        return factor * power
    mantissa, exponent = math.frexp(factor)
    half, low = count // 2, exponent // 2
    first = _python_power(base, half) * math.ldexp(mantissa, exponent - low)
    return first * (_python_power(base, count - half) * math.ldexp(1.0, low))


def _python_power(base: float, count: int | float) -> float:
    """``base ** count`` for a Python int ``count`` >= 0, split as in :func:`power_of_count`."""
    try:
        if count < _SPLIT:
            return float(base**count)
        high, low = divmod(count, _SPLIT)
        return float(base ** float(high * _SPLIT) * base**low)
    except OverflowError:  # a growing rate after very many decays
        return float(base**math.inf)


class StepDecay(Schedule):
    """Multiply the learning rate by ``decay_rate`` every ``decay_steps`` steps.

    .. math:: \\eta(t) = \\eta_0 \\cdot r^{\\lfloor t / T \\rfloor}

    In Python: ``initial_learning_rate * decay_rate ** (step // decay_steps)`` (an exact
    integer division for integer steps). The same values as Keras's
    ``ExponentialDecay(..., staircase=True)``, under PyTorch's name.

    PyTorch: ``StepLR(optimizer, step_size=T, gamma=r)`` with the optimizer's ``lr`` set to
    ``initial_learning_rate``, stepped once per optimizer update: after ``t`` calls to
    ``scheduler.step()`` the optimizer holds ``StepDecay(lr, T, r)(t)``. ``step_size`` is
    ``decay_steps``, ``gamma`` is ``decay_rate``.

    Args:
        initial_learning_rate: The learning rate at step 0 (``eta_0``).
        decay_steps: Steps between decays (``T``; PyTorch's ``step_size``); > 0.
        decay_rate: The factor applied at each decay (``r``; PyTorch's ``gamma``); > 0.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``decay_steps <= 0``, ``decay_rate <= 0``, or a NaN or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = StepDecay(0.1, decay_steps=30, decay_rate=0.1)
        >>> schedule(29), schedule(30), schedule(60)
        (0.1, 0.010000000000000002, 0.0010000000000000002)
    """

    initial_learning_rate: Real = rate()
    decay_steps: Real = steps(above=0)
    decay_rate: Real = real(default=0.1, above=0)
    name: str | None = schedule_name(default="StepDecay")

    __slots__ = ("_lr0", "_steps", "_rate", "_plain")

    def _setup(self) -> None:
        self._lr0 = float(self.initial_learning_rate)
        self._steps = as_exact(self.decay_steps)
        self._rate = float(self.decay_rate)
        self._plain = plain_count_limit(self._lr0, self._rate)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            count = step // self._steps
            if count.__class__ is not int:  # a fractional decay_steps: an exact integer count
                from fractions import Fraction

                count = int(Fraction(step) // Fraction(self._steps))
            if count <= self._plain:  # the hot path
                return self._lr0 * self._rate**count
            return scaled_python_power(self._lr0, self._rate, count)
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        steps = self._steps
        if ops.is_integer(x) and type(steps) is int:
            count, _ = ops.divmod(x, steps)
        else:
            count = ops.floor_ratio(x, steps)
        return scaled_power_of_count(self._lr0, self._rate, count, ops)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The steps ``ceil(k * decay_steps)`` for ``k >= 1``: where each decay happens."""
        return multiples(self._steps, start, stop, past=False)

    def monotone_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]]:
        """The whole run: the powers ``decay_rate**k`` of a growing ``k`` are monotone."""
        return iter(((start, stop),))

    def area(self, steps: int, area_of: AreaOf) -> float | None:
        """Stairs of ``decay_steps`` steps at ``decay_rate**k``, a geometric series; ``None``
        for a fractional ``decay_steps``."""
        period = self._steps
        if not isinstance(period, int):
            return None
        return self._lr0 * geometric_stairs(self._rate, period, steps)


class MultiStepDecay(Schedule):
    """Multiply the learning rate by ``decay_rate`` at each milestone step.

    .. math:: \\eta(t) = \\eta_0 \\cdot r^{\\#\\{\\, i : m_i \\le t \\,\\}}

    In Python: ``initial_learning_rate * decay_rate ** bisect.bisect_right(milestones,
    step)``. The decay applies *at* the milestone: ``schedule(m)`` is already decayed
    (PyTorch's ``MultiStepLR`` rule; Keras's ``PiecewiseConstantDecay`` switches one step
    later, at ``b + 1``). A milestone listed twice decays twice, as in PyTorch.

    PyTorch: ``MultiStepLR(optimizer, milestones, gamma=r)`` with the optimizer's ``lr`` set
    to ``initial_learning_rate``, stepped once per optimizer update. ``gamma`` is
    ``decay_rate``.

    Args:
        initial_learning_rate: The learning rate at step 0 (``eta_0``).
        milestones: Steps at which to decay: whole numbers >= 0, in non-decreasing order.
        decay_rate: The factor applied at each milestone (``r``; PyTorch's ``gamma``); > 0.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: A milestone is negative or fractional, the milestones decrease,
            ``decay_rate <= 0``, a ``decay_rate`` whose last level
            ``initial_learning_rate * decay_rate**len(milestones)`` is infinite, or a number
            is NaN or infinite.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = MultiStepDecay(0.05, milestones=[30, 80], decay_rate=0.1)
        >>> schedule(29), schedule(30), schedule(80)
        (0.05, 0.005000000000000001, 0.0005000000000000001)
    """

    initial_learning_rate: Real = rate()
    milestones: Sequence[int] = numbers(element="steps", whole=True, order="non-decreasing")
    decay_rate: Real = real(default=0.1, above=0)
    name: str | None = schedule_name(default="MultiStepDecay")

    __slots__ = ("_marks", "_levels")

    def _setup(self) -> None:
        lr0, rate = float(self.initial_learning_rate), float(self.decay_rate)
        self._marks: tuple[int, ...] = tuple(self.milestones)
        try:
            levels = tuple(
                scaled_python_power(lr0, rate, count) for count in range(len(self._marks) + 1)
            )
        except OverflowError:
            levels = (math.inf,)
        require(
            all(map(math.isfinite, levels)),
            "decay_rate",
            self.decay_rate,
            f"small enough that every level initial_learning_rate * decay_rate**k is finite "
            f"(k up to {len(self._marks)}, the number of milestones)",
        )
        self._levels = levels

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            return self._levels[bisect_right(self._marks, step)]
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        levels = self._table(ops, "levels", self._levels, x, integer=False)
        if not self._marks:
            return ops.to_float(x) * 0.0 + self._levels[0]
        if ops.is_integer(x):
            # A milestone past the integer dtype is never reached: clipped to the dtype's
            # largest value, it would count as passed at that step.
            top = ops.int_max(x)
            kept = self._marks if top is None else [m for m in self._marks if m <= top]
            if not kept:
                return ops.to_float(x) * 0.0 + self._levels[0]
            table = self._table(ops, "marks", kept, x, integer=True)
        else:
            marks = [float_at_least(mark) for mark in self._marks]
            table = self._table(ops, "marks", marks, x, integer=False)
        return ops.take(levels, ops.searchsorted(table, x, right=True))

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The distinct milestones > 0 in ``[start, stop)``."""
        start, stop = step_range(start, stop)
        previous = None
        for mark in self._marks:
            if mark >= stop:
                return
            if mark > 0 and mark >= start and mark != previous:
                yield mark
            previous = mark

    def monotone_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]]:
        """The whole run: the powers ``decay_rate**k`` of a growing ``k`` are monotone."""
        return iter(((start, stop),))
