"""Keras 3's piecewise-constant decay: ``values[i]`` between ``boundaries``, compared exactly."""

from __future__ import annotations

import math
from bisect import bisect_left

from lrschedule.backends.dispatch import evaluate
from lrschedule.core.floats import float_at_most
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import Real, as_exact, check_increasing, check_one_more_value
from lrschedule.schedules.arguments import numbers, schedule_name
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["PiecewiseConstantDecay"]


class PiecewiseConstantDecay(Schedule):
    """A constant learning rate between boundaries: ``values[i]`` on the i-th interval.

    .. math::

        \\eta(t) = v_i \\quad\\text{where } i = \\#\\{\\, j : b_j < t \\,\\}

    In Python: ``values[bisect.bisect_left(boundaries, step)]``. The intervals are closed
    on the right, as in Keras: ``values[0]`` while ``step <= boundaries[0]``, ``values[i]``
    while ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` once
    ``step > boundaries[-1]``. At a boundary step the earlier value still applies; the
    new one starts one step later.

    Comparisons are exact for integer steps and boundaries of any size. The result is a
    float even when the values are ints (Keras would return an int tensor).

    Args:
        boundaries: Strictly increasing steps at which the value changes (list or tuple).
        values: The learning rates; exactly one more than ``boundaries``.
        name: Name of the schedule; kept in the config, as in Keras.

    Raises:
        ValueError: The lengths do not match, the boundaries are not strictly increasing,
            or a number is NaN or infinite.
        TypeError: ``boundaries`` or ``values`` is not a list or tuple of numbers.

    Example:
        >>> schedule = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
        >>> schedule(100), schedule(101), schedule(200), schedule(201)
        (1.0, 0.5, 0.5, 0.1)
    """

    boundaries: Sequence[Real] = numbers(element="steps", keep_container=True)
    values: Sequence[Real] = numbers(keep_container=True)
    name: str | None = schedule_name(default="PiecewiseConstant")

    __slots__ = ("_bounds", "_levels")

    def _setup(self) -> None:
        check_one_more_value(self.boundaries, self.values)
        check_increasing("boundaries", self.boundaries)
        self._bounds = tuple(as_exact(bound) for bound in self.boundaries)
        self._levels = tuple(float(level) for level in self.values)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            return self._levels[bisect_left(self._bounds, step)]
        return evaluate(self, step)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The step after each boundary, ``floor(boundary) + 1`` (the intervals are right-closed).

        Boundaries that share a step after them give one breakpoint.

        >>> list(PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1]).breakpoints(0, 1000))
        [101, 201]
        """
        start, stop = step_range(start, stop)
        bounds = self._bounds
        # floor(b) + 1 >= start  <=>  b >= start - 1, for an integer start.
        last = start - 1
        for index in range(bisect_left(bounds, start - 1), len(bounds)):
            step = math.floor(bounds[index]) + 1
            if step >= stop:
                return
            if step > last:
                yield step
                last = step

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        if not self._bounds:
            return ops.to_float(x) * 0.0 + self._levels[0]
        if ops.is_integer(x):
            # For an integer step, step <= b exactly when step <= floor(b).
            bounds = [math.floor(bound) for bound in self._bounds]
            table = self._table(ops, "bounds", bounds, x, integer=True)
        else:
            float_bounds = [float_at_most(bound) for bound in self._bounds]
            table = self._table(ops, "bounds", float_bounds, x, integer=False)
        index = ops.searchsorted(table, x, right=False)
        return ops.take(self._table(ops, "levels", self._levels, x, integer=False), index)

    def area(self, steps: int, area_of: AreaOf) -> float:
        """Each value times the number of steps it holds."""
        # values[i] holds on the whole steps t with floor(b[i-1]) < t <= floor(b[i]).
        edges = [-1, *(math.floor(bound) for bound in self._bounds), steps - 1]
        terms = []
        for index, level in enumerate(self._levels):
            count = min(edges[index + 1], steps - 1) - max(edges[index], -1)
            if count > 0:
                terms.append(count * level)
        return math.fsum(terms)
