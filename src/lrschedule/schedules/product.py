"""Schedules multiplied step by step (PyTorch's ``ChainedScheduler`` of multiplicative ones)."""

from __future__ import annotations

import heapq
import math
from itertools import pairwise

from lrschedule.backends.dispatch import evaluate
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import require
from lrschedule.schedules.arguments import children, schedule_name
from lrschedule.schedules.arithmetic import Clip, Scale
from lrschedule.schedules.base import Schedule
from lrschedule.schedules.bounds import rate_bound
from lrschedule.schedules.children import child_at, has_kernel
from lrschedule.schedules.constant import Constant
from lrschedule.schedules.exponential import ExponentialDecay
from lrschedule.schedules.inverse_time import InverseTimeDecay
from lrschedule.schedules.join import Join
from lrschedule.schedules.piecewise import PiecewiseConstantDecay
from lrschedule.schedules.step import MultiStepDecay, StepDecay

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["Product"]

#: A closed-form area sums the other factors over at most this many stairs of one factor.
MAX_AREA_STAIRS = 4096


class Product(Schedule):
    """Schedules multiplied step by step: ``schedules[0](step) * schedules[1](step) * ...``.

    .. math:: \\eta(t) = \\prod_i s_i(t)

    ``a * b`` builds one from two schedules (``a * 0.5``, with a number, is a
    :class:`~lrschedule.Scale`). Every factor sees the same step. A shape times a decay
    is PyTorch's ``ChainedScheduler`` of multiplicative schedulers, stateless:
    ``ChainedScheduler([ExponentialLR(opt, g), StepLR(opt, T, r)])`` on ``lr=P`` is
    ``ExponentialDecay(P, 1, g) * StepDecay(1.0, T, r)``.

    A factor of 0 makes the rate 0, even where another factor has overflowed to
    infinity (a growing decay at a huge step), where floating point would give NaN.

    The value is the product of the factors' values, rounded once per factor; the
    breakpoints are the union of the factors'. The area has a closed form where all
    factors but one are piecewise constant (stairs, milestones, constants) with at most
    :data:`MAX_AREA_STAIRS` stairs over the run, and the remaining one has a closed form:
    the sum over each stair of its value times the remaining factor's area there.

    Args:
        schedules: The factors (or their serialized dicts); at least one.
        name: Name of the schedule; kept in the config.

    Raises:
        TypeError: A factor is not a schedule.
        ValueError: No factors, or factors whose largest rates (see
            :func:`~lrschedule.schedules.bounds.rate_bound`) multiply past the float range.

    Example:
        >>> from lrschedule import ExponentialDecay, StepDecay
        >>> schedule = ExponentialDecay(1.0, 1, 0.5) * StepDecay(1.0, 2, 0.5)
        >>> schedule(0), schedule(1), schedule(2)
        (1.0, 0.5, 0.125)
        >>> schedule
        Product(schedules=[ExponentialDecay(initial_learning_rate=1.0, decay_steps=1,
              decay_rate=0.5), StepDecay(initial_learning_rate=1.0, decay_steps=2,
              decay_rate=0.5)])
    """

    schedules: Sequence[Any] = children()
    name: str | None = schedule_name(default="Product")

    __slots__ = ("_kernels",)

    #: Its largest rate is the product of its factors' (see :mod:`~lrschedule.schedules.bounds`).
    _multiplies_children = True

    def _setup(self) -> None:
        self._kernels = tuple(has_kernel(child) for child in self.schedules)
        bound = rate_bound(self)
        require(
            bound is None or math.isfinite(bound),
            "schedules",
            list(self.schedules),
            "factors whose largest rates multiply to a finite number",
        )

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            value = 1.0
            for child in self.schedules:
                factor = child(step)
                if not factor:  # a factor of 0 stops the rate, even against an overflowed one
                    return 0.0
                value = value * factor
            return value
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        schedules, kernels = self.schedules, self._kernels
        value = child_at(schedules[0], kernels[0], x, ops)
        for child, kernel in zip(schedules[1:], kernels[1:], strict=True):
            factor = child_at(child, kernel, x, ops)
            # 0 * inf: a factor of 0 stops the rate, even against one that overflowed.
            value = ops.where((value == 0.0) | (factor == 0.0), 0.0, value * factor)
        return value

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """Every factor's breakpoints, merged in order, each once."""
        start, stop = step_range(start, stop)
        streams = []
        for child in self.schedules:
            method = getattr(child, "breakpoints", None)
            if method is not None:
                streams.append(method(start, stop))
        last = None
        for step in heapq.merge(*streams):
            if step != last:
                yield step
                last = step

    def _clocks(self) -> tuple[tuple[Any, int, int | None], ...]:
        return tuple((child, 0, None) for child in self.schedules)

    def area(self, steps: int, area_of: AreaOf) -> float | None:
        """``sum(stair value * area of the other factor over the stair)`` when all factors but
        one are stairs (at most :data:`MAX_AREA_STAIRS` of them); ``None`` otherwise."""
        stairs = [child for child in self.schedules if is_stairs(child)]
        others = [child for child in self.schedules if not is_stairs(child)]
        if len(others) > 1 or (others and _closed_area(others[0], steps, area_of) is None):
            return None
        cuts = [0]
        for step in self.breakpoints(1, steps):
            if len(cuts) > MAX_AREA_STAIRS:
                return None
            cuts.append(step)
        cuts.append(steps)
        total = []
        for low, high in pairwise(cuts):
            level = math.prod(float(child(low)) for child in stairs)
            if not others:
                total.append(level * (high - low))
            elif level:
                rest = others[0]
                total.append(level * (area_of(rest, high) - area_of(rest, low)))
        return math.fsum(total)


def _closed_area(schedule: Any, steps: int, area_of: AreaOf) -> float | None:
    """The schedule's own closed-form area over ``steps`` (its prefix areas are then cheap)."""
    method = getattr(schedule, "area", None)
    return None if method is None else method(steps, area_of)


def is_stairs(schedule: Any) -> bool:
    """Whether ``schedule`` is constant between its breakpoints (stairs, milestones, a constant).

    >>> from lrschedule import ExponentialDecay, StepDecay
    >>> is_stairs(StepDecay(0.1, 10)), is_stairs(ExponentialDecay(0.1, 10, 0.5))
    (True, False)
    """
    if isinstance(schedule, (Constant, StepDecay, MultiStepDecay, PiecewiseConstantDecay)):
        return True
    if isinstance(schedule, (ExponentialDecay, InverseTimeDecay)):
        return bool(schedule.staircase)
    if isinstance(schedule, (Scale, Clip)):
        return is_stairs(schedule.schedule)
    if isinstance(schedule, (Join, Product)):
        return all(is_stairs(child) for child in schedule.schedules)
    return False
