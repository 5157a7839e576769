"""Step decay and multi-step decay: PyTorch's ``StepLR`` and ``MultiStepLR`` as stateless schedules.

Both multiply the learning rate by ``decay_rate`` at discrete steps; the number of decays so
far is found by exact integer arithmetic (a floor division, a count of milestones), so a
switch happens at exactly the same step however large the step is.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from lrschedule.backends.contract import ArrayOps
from lrschedule.backends.dispatch import evaluate
from lrschedule.core.ranges import multiples, step_range
from lrschedule.core.validation import (
    Real,
    as_exact,
    check_increasing,
    check_name,
    check_positive,
    check_real,
)
from lrschedule.schedules.base import FrozenSchedule
from lrschedule.schedules.compose import whole_steps

__all__ = ["MultiStepDecay", "StepDecay", "power_of_count"]

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


def _python_power(base: float, count: int) -> float:
    """``base ** count`` for a Python int ``count`` >= 0, split as in :func:`power_of_count`."""
    try:
        if count < _SPLIT:
            return float(base**count)
        high, low = divmod(count, _SPLIT)
        return float(base ** float(high * _SPLIT) * base**low)
    except OverflowError:  # a growing rate after very many decays
        return float(base**math.inf)


class StepDecay(FrozenSchedule):
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

    __slots__ = (
        "initial_learning_rate",
        "decay_steps",
        "decay_rate",
        "name",
        "_lr0",
        "_steps",
        "_rate",
    )
    _config_keys = ("initial_learning_rate", "decay_steps", "decay_rate", "name")

    initial_learning_rate: Real
    decay_steps: Real
    decay_rate: Real
    name: str | None
    _lr0: float
    _steps: Real
    _rate: float

    def __init__(
        self,
        initial_learning_rate: Real,
        decay_steps: Real,
        decay_rate: Real = 0.1,
        name: str | None = "StepDecay",
    ) -> None:
        lr0 = check_real("initial_learning_rate", initial_learning_rate)
        steps = check_positive("decay_steps", decay_steps)
        rate = check_positive("decay_rate", decay_rate)
        self._assign(
            initial_learning_rate=lr0,
            decay_steps=steps,
            decay_rate=rate,
            name=check_name(name),
            _lr0=float(lr0),
            _steps=as_exact(steps),
            _rate=float(rate),
        )

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            count = step // self._steps
            if count.__class__ is not int:  # a fractional decay_steps: an exact integer count
                count = int(Fraction(step) // Fraction(self._steps))
            return self._lr0 * _python_power(self._rate, count)
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        steps = self._steps
        if ops.is_integer(x) and type(steps) is int:
            count, _ = ops.divmod(x, steps)
        else:
            count = ops.floor_ratio(x, steps)
        return self._lr0 * power_of_count(self._rate, count, ops)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The steps ``ceil(k * decay_steps)`` for ``k >= 1``: where each decay happens."""
        return multiples(self._steps, start, stop, past=False)


class MultiStepDecay(FrozenSchedule):
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
            ``decay_rate <= 0``, or a number is NaN or infinite.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = MultiStepDecay(0.05, milestones=[30, 80], decay_rate=0.1)
        >>> schedule(29), schedule(30), schedule(80)
        (0.05, 0.005000000000000001, 0.0005000000000000001)
    """

    __slots__ = ("initial_learning_rate", "milestones", "decay_rate", "name", "_marks", "_levels")
    _config_keys = ("initial_learning_rate", "milestones", "decay_rate", "name")

    initial_learning_rate: Real
    milestones: tuple[int, ...]
    decay_rate: Real
    name: str | None
    _marks: tuple[int, ...]
    _levels: tuple[float, ...]

    def __init__(
        self,
        initial_learning_rate: Real,
        milestones: list[int] | tuple[int, ...],
        decay_rate: Real = 0.1,
        name: str | None = "MultiStepDecay",
    ) -> None:
        lr0 = check_real("initial_learning_rate", initial_learning_rate)
        if type(milestones).__module__ == "numpy" and getattr(milestones, "ndim", 0) == 1:
            milestones = milestones.tolist()  # type: ignore[union-attr]
        if isinstance(milestones, str) or not isinstance(milestones, (list, tuple)):
            raise TypeError(
                "Argument `milestones` must be a list or tuple of whole numbers. "
                f"Received: milestones={milestones!r} of type {type(milestones).__name__}"
            )
        marks = tuple(
            whole_steps(f"milestones[{index}]", mark) for index, mark in enumerate(milestones)
        )
        check_increasing("milestones", marks, strict=False)
        rate = check_positive("decay_rate", decay_rate)
        self._assign(
            initial_learning_rate=lr0,
            milestones=marks,
            decay_rate=rate,
            name=check_name(name),
            _marks=marks,
            _levels=tuple(float(lr0) * float(rate) ** count for count in range(len(marks) + 1)),
        )

    def _arguments(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "milestones": list(self.milestones),
            "decay_rate": self.decay_rate,
            "name": self.name,
        }

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            return self._levels[bisect_right(self._marks, step)]
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        levels = self._table(ops, "levels", self._levels, x, integer=False)
        if not self._marks:
            return ops.to_float(x) * 0.0 + self._levels[0]
        if ops.is_integer(x):
            table = self._table(ops, "marks", self._marks, x, integer=True)
        else:
            marks = [_float_at_least(mark) for mark in self._marks]
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


def _float_at_least(value: int) -> float:
    """The smallest float ``>= value``, so that ``value <= s`` exactly when ``float <= s``."""
    nearest = float(value)
    return math.nextafter(nearest, math.inf) if nearest < value else nearest
