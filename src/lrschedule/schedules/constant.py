"""The same learning rate at every step."""

from __future__ import annotations

from lrschedule.backends.dispatch import evaluate
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import Real
from lrschedule.schedules.arguments import rate, schedule_name
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["Constant"]


class Constant(Schedule):
    """The same learning rate at every step.

    .. math:: \\eta(t) = v

    In Python: ``value``. Useful as a piece of a :class:`Join` (a hold between two phases)
    or after a :class:`Warmup`. Optax: ``constant_schedule(value)``; PyTorch has no
    counterpart (its ``ConstantLR`` is a temporary factor).

    Args:
        value: The learning rate (``v``).
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``value`` is NaN or infinite.
        TypeError: ``value`` is not a real number.

    Example:
        >>> schedule = Constant(0.01)
        >>> schedule(0), schedule(10**12)
        (0.01, 0.01)
    """

    value: Real = rate()
    name: str | None = schedule_name(default="Constant")

    __slots__ = ("_value",)

    def _setup(self) -> None:
        self._value = float(self.value)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            return self._value
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        return ops.to_float(x) * 0.0 + self._value

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        step_range(start, stop)
        return iter(())

    def area(self, steps: int, area_of: AreaOf) -> float:
        """``value * steps``."""
        return self._value * steps
