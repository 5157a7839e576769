"""Keras 3's inverse-time decay: ``lr0 / (1 + decay_rate * step / decay_steps)``."""

from __future__ import annotations

import math

from lrschedule.backends.dispatch import evaluate
from lrschedule.core.ranges import multiples
from lrschedule.core.sums import harmonic
from lrschedule.core.validation import Real, as_exact
from lrschedule.schedules.arguments import flag, rate, real, schedule_name, steps
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["InverseTimeDecay"]


class InverseTimeDecay(Schedule):
    """Divide the learning rate by ``1 + decay_rate * step / decay_steps``.

    .. math::

        \\eta(t) = \\frac{\\eta_0}{1 + r \\cdot t / T}
        \\qquad\\text{or, with staircase,}\\qquad
        \\eta(t) = \\frac{\\eta_0}{1 + r \\cdot \\lfloor t / T \\rfloor}

    In Python: ``initial_learning_rate / (1 + decay_rate * step / decay_steps)``, with
    ``step // decay_steps`` in place of ``step / decay_steps`` when ``staircase`` is true.

    Args:
        initial_learning_rate: The learning rate at step 0 (``eta_0``).
        decay_steps: How often to apply the decay (``T``); > 0.
        decay_rate: How fast the rate falls (``r``); >= 0 (a negative rate would divide by zero).
        staircase: Apply the decay in discrete steps when true.
        name: Name of the schedule; kept in the config, as in Keras.

    Raises:
        ValueError: ``decay_steps <= 0``, ``decay_rate < 0``, or a NaN or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
        >>> schedule(9), schedule(10), schedule(20)
        (0.1, 0.06666666666666667, 0.05)
    """

    initial_learning_rate: Real = rate()
    decay_steps: Real = steps(above=0)
    decay_rate: Real = real(at_least=0)
    staircase: bool = flag(default=False)
    name: str | None = schedule_name(default="InverseTimeDecay")

    __slots__ = ("_lr0", "_steps", "_rate")

    def _setup(self) -> None:
        self._lr0 = float(self.initial_learning_rate)
        self._steps = as_exact(self.decay_steps)
        self._rate = float(self.decay_rate)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            try:
                if self.staircase:
                    return self._lr0 / (1.0 + self._rate * (step // self._steps))
                return self._lr0 / (1.0 + self._rate * (step / self._steps))
            except OverflowError:  # a step past the float range: the limit
                return self._lr0 / (1.0 + self._rate * math.inf) if self._rate else self._lr0
        return evaluate(self, step)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """With ``staircase``, every new stair: the first step ``>= k * decay_steps``, ``k >= 1``.

        The continuous decay has none.

        >>> list(InverseTimeDecay(0.1, 2.5, 0.5, staircase=True).breakpoints(0, 10))
        [3, 5, 8]
        """
        if self.staircase:
            yield from multiples(self._steps, start, stop, past=False)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        if self.staircase:
            progress = ops.floor_ratio(x, self._steps)
        else:
            progress = ops.ratio(x, self._steps)
        return self._lr0 / (1.0 + self._rate * progress)

    def monotone_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]]:
        """The whole run: the rate only falls, in stairs or not."""
        return iter(((start, stop),))

    def area(self, steps: int, area_of: AreaOf) -> float | None:
        """A harmonic sum, ``psi(x + N) - psi(x)`` (digamma), over the steps or the stairs;
        ``None`` for stairs of a fractional number of steps."""
        lr0, rate, period = self._lr0, self._rate, self._steps
        if rate == 0:
            return lr0 * steps
        if not self.staircase:
            x = period / rate  # lr0 / (1 + rate * t / period) == lr0 * x / (x + t)
            return lr0 * x * harmonic(x, steps)
        if not isinstance(period, int):
            return None
        stairs, rest = divmod(steps, period)
        full = period / rate * harmonic(1.0 / rate, stairs)
        return lr0 * (full + rest / (1.0 + rate * stairs))
