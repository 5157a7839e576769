"""A schedule scaled by a constant factor, or held between bounds."""

from __future__ import annotations

import math

from lrschedule.backends.dispatch import evaluate
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import Real, require
from lrschedule.schedules.arguments import child, rate, real, schedule_name
from lrschedule.schedules.base import Schedule
from lrschedule.schedules.bounds import rate_bound
from lrschedule.schedules.children import child_at, has_kernel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["Clip", "Scale"]


class Scale(Schedule):
    """A schedule multiplied by a constant factor: ``factor * schedule(step)``.

    .. math:: \\eta(t) = c \\cdot s(t)

    ``factor * schedule`` and ``schedule * factor`` build one. A factor of 0 gives 0 at
    every step, also where a growing schedule has overflowed to infinity. Useful to reuse a shape
    at another peak (a multiplier, as PyTorch's and Hugging Face's ``LambdaLR`` factors
    multiply the optimizer's base learning rate).

    Args:
        schedule: The schedule to scale (or its serialized dict).
        factor: The factor (``c``), a finite real number.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``factor`` is NaN or infinite, or takes the schedule's largest rate
            (see :func:`~lrschedule.schedules.bounds.rate_bound`) past the float range.
        TypeError: ``schedule`` is not a schedule or ``factor`` not a real number.

    Example:
        >>> from lrschedule import ExponentialDecay
        >>> schedule = 0.5 * ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
        >>> schedule(0), schedule(10)
        (0.05, 0.025)
        >>> schedule
        Scale(schedule=ExponentialDecay(initial_learning_rate=0.1, decay_steps=10,
              decay_rate=0.5), factor=0.5)
    """

    schedule: Any = child()
    factor: Real = real()
    name: str | None = schedule_name(default="Scale")

    __slots__ = ("_kernel", "_factor")

    def _setup(self) -> None:
        self._kernel = has_kernel(self.schedule)
        self._factor = float(self.factor)
        bound = rate_bound(self.schedule)
        require(
            bound is None or math.isfinite(bound * abs(self._factor)),
            "factor",
            self.factor,
            f"small enough that the scaled rates stay finite (the schedule reaches {bound!r})",
        )

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            value = self._factor * self.schedule(step)
            # NaN only from a factor of 0 times a child that overflowed to infinity: 0.
            return value if value == value else 0.0
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        value = self._factor * child_at(self.schedule, self._kernel, x, ops)
        return ops.where(value == value, value, 0.0) if self._factor == 0.0 else value

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        start, stop = step_range(start, stop)
        method = getattr(self.schedule, "breakpoints", None)
        return iter(()) if method is None else method(start, stop)

    def _clocks(self) -> tuple[tuple[Any, int, int | None], ...]:
        return ((self.schedule, 0, None),)

    def area(self, steps: int, area_of: AreaOf) -> float:
        """``factor`` times the schedule's area."""
        return self._factor * area_of(self.schedule, steps)


class Clip(Schedule):
    """A schedule held in ``[minimum, maximum]``: ``min(max(schedule(step), minimum), maximum)``.

    .. math:: \\eta(t) = \\min(\\max(s(t), \\eta_{min}), \\eta_{max})

    Either bound may be ``None`` (no bound on that side); at least one is given. A floor
    under a decay that would otherwise reach 0 (Optax's ``end_value`` clamp on
    ``exponential_decay``, PyTorch's ``eta_min``/``min_lr``) is ``Clip(schedule,
    minimum=...)``. Clipping is continuous, so the steps where a bound starts to hold are
    not breakpoints; the schedule's own are.

    Args:
        schedule: The schedule to clip (or its serialized dict).
        minimum: The lowest learning rate, or ``None``.
        maximum: The highest learning rate, or ``None``.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: Both bounds are ``None``, ``minimum > maximum``, or a bound is NaN or
            infinite.
        TypeError: ``schedule`` is not a schedule or a bound is not a real number.

    Example:
        >>> from lrschedule import ExponentialDecay
        >>> schedule = Clip(ExponentialDecay(0.1, decay_steps=10, decay_rate=0.1), minimum=0.002)
        >>> schedule(0), round(schedule(10), 12), schedule(20)
        (0.1, 0.01, 0.002)
    """

    schedule: Any = child()
    minimum: Real | None = rate(default=None, optional=True)
    maximum: Real | None = rate(default=None, optional=True)
    name: str | None = schedule_name(default="Clip")

    __slots__ = ("_kernel", "_low", "_high")

    def _setup(self) -> None:
        low, high = self.minimum, self.maximum
        if low is None and high is None:
            raise ValueError(
                "At least one of `minimum` and `maximum` must be given. "
                "Received: minimum=None, maximum=None"
            )
        if low is not None and high is not None:
            require(low <= high, "minimum", low, f"<= maximum={high!r}")
        self._kernel = has_kernel(self.schedule)
        self._low = None if low is None else float(low)
        self._high = None if high is None else float(high)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            value = self.schedule(step)
            if self._low is not None and value < self._low:
                value = self._low
            if self._high is not None and value > self._high:
                value = self._high
            return value
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        value = child_at(self.schedule, self._kernel, x, ops)
        if self._low is not None:
            value = ops.maximum(value, self._low)
        if self._high is not None:
            value = ops.minimum(value, self._high)
        return value

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        start, stop = step_range(start, stop)
        method = getattr(self.schedule, "breakpoints", None)
        return iter(()) if method is None else method(start, stop)

    def _clocks(self) -> tuple[tuple[Any, int, int | None], ...]:
        return ((self.schedule, 0, None),)

    def smooth_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """Unknown: a piece bends where a bound starts to hold (it stays monotone)."""
        return None
