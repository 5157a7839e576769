"""Schedules run one after another, each on its own clock (Optax's ``join_schedules``)."""

from __future__ import annotations

import math
from bisect import bisect_right

from lrschedule.backends.dispatch import evaluate
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import describe_sequence
from lrschedule.schedules.arguments import children, numbers, schedule_name
from lrschedule.schedules.base import Schedule
from lrschedule.schedules.children import child_at, child_breakpoints, has_kernel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["Join"]


class Join(Schedule):
    """Run schedules one after another, each on its own clock, switching at ``boundaries``.

    With boundaries ``b_1 < ... < b_n`` (and ``b_0 = 0``), schedule ``i`` runs on
    ``[b_i, b_{i+1})`` and sees the step ``t - b_i``:

    .. math:: \\eta(t) = s_i(t - b_i) \\quad\\text{for } b_i \\le t < b_{i+1}

    In Python: ``i = bisect.bisect_right(boundaries, step)`` and
    ``schedules[i](step - ([0] + boundaries)[i])``. At a boundary step ``b`` the *next*
    schedule already applies, at its step 0: ``t = b - 1`` is the last step of the earlier
    schedule, ``t = b`` the first of the later one. This is Optax's
    ``join_schedules(schedules, boundaries)`` rule (Keras's ``PiecewiseConstantDecay``
    switches one step later, at ``b + 1``; see ``docs/peers.md``). Unlike PyTorch's
    ``SequentialLR`` it is stateless: nesting a ``Join`` in a ``Join`` or resuming at any
    step gives the same values.

    Args:
        schedules: The schedules, in order (or their serialized dicts); at least one.
        boundaries: The steps at which the next schedule starts: whole numbers > 0,
            strictly increasing, one fewer than ``schedules``.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: The lengths do not match, or a boundary is not a whole number > 0, or
            the boundaries are not strictly increasing.
        TypeError: A schedule is not a schedule, or an argument has the wrong type.

    Example:
        >>> from lrschedule import Constant, LinearDecay
        >>> schedule = Join([Constant(0.1), LinearDecay(0.1, 100, 0.0)], boundaries=[900])
        >>> schedule(899), schedule(900), schedule(950), schedule(1000)
        (0.1, 0.1, 0.05, 0.0)
    """

    schedules: Sequence[Any] = children()
    boundaries: Sequence[int] = numbers(
        element="steps", whole=True, positive=True, order="increasing"
    )
    name: str | None = schedule_name(default="Join")

    __slots__ = ("_kernels", "_offsets")

    def _setup(self) -> None:
        if len(self.boundaries) != len(self.schedules) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of schedules. "
                f"Received: boundaries={describe_sequence(self.boundaries)}, "
                f"and schedules of length {len(self.schedules)}."
            )
        self._kernels = tuple(has_kernel(child) for child in self.schedules)
        self._offsets: tuple[int, ...] = (0, *self.boundaries)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            index = bisect_right(self.boundaries, step)
            return self.schedules[index](step - self._offsets[index])
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        schedules, kernels = self.schedules, self._kernels
        value = child_at(schedules[0], kernels[0], x, ops)
        for index, bound in enumerate(self.boundaries, start=1):
            later = child_at(schedules[index], kernels[index], ops.shifted(x, bound), ops)
            value = ops.where(ops.below(x, bound), value, later)
        return value

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        start, stop = step_range(start, stop)
        ends = (*self.boundaries, None)
        for child, offset, end in zip(self.schedules, self._offsets, ends, strict=True):
            if offset >= stop:
                return
            if end is not None and end <= start:
                continue
            if offset and offset >= start:
                yield offset
            limit = stop if end is None else min(stop, end)
            yield from child_breakpoints(child, offset, max(start, offset), limit)

    def _clocks(self) -> tuple[tuple[Any, int, int | None], ...]:
        ends = (*self.boundaries, None)
        return tuple(zip(self.schedules, self._offsets, ends, strict=True))

    def area(self, steps: int, area_of: AreaOf) -> float:
        """The schedules' areas, each over its own span on its own clock."""
        ends = (*self.boundaries, steps)
        return math.fsum(
            area_of(child, min(end, steps) - offset)
            for child, offset, end in zip(self.schedules, self._offsets, ends, strict=True)
            if offset < steps
        )
