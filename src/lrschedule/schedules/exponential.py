"""Keras 3's exponential decay: ``initial_learning_rate * decay_rate ** (step / decay_steps)``.

The staircase exponent is an exact integer division for integer steps, however large,
and the continuous power is split at its integer part once rounding the exponent could
cost more than an ulp.
"""

from __future__ import annotations

import math

from lrschedule.backends.dispatch import evaluate
from lrschedule.backends.python import fraction_power
from lrschedule.core.ranges import multiples
from lrschedule.core.sums import geometric, geometric_stairs
from lrschedule.core.validation import Real, as_exact
from lrschedule.schedules.arguments import flag, rate, real, schedule_name, steps
from lrschedule.schedules.base import Schedule
from lrschedule.schedules.step import (
    plain_count_limit,
    scaled_power_of_count,
    scaled_python_power,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["ExponentialDecay", "direct_power_limit"]


class ExponentialDecay(Schedule):
    """Multiply the learning rate by ``decay_rate`` every ``decay_steps`` steps (or in stairs).

    .. math::

        \\eta(t) = \\eta_0 \\cdot r^{t / T}
        \\qquad\\text{or, with staircase,}\\qquad
        \\eta(t) = \\eta_0 \\cdot r^{\\lfloor t / T \\rfloor}

    In Python: ``initial_learning_rate * decay_rate ** (step / decay_steps)``, with
    ``step // decay_steps`` as the exponent when ``staircase`` is true (an exact integer
    division for integer steps, however large).

    Rounding the exponent ``p = step / decay_steps`` to a float costs a relative error of
    up to ``|ln(decay_rate)| * p * 2**-53`` in the power. Once that could exceed an ulp
    (``p > 2 / |ln(decay_rate)|``), the power is split at the integer part of the
    exponent, ``decay_rate ** q * decay_rate ** (r / decay_steps)`` with
    ``q, r = divmod(step, decay_steps)``, and the rounding of ``r / decay_steps`` is
    corrected (``fraction_power``), so the value stays within a few ulp of exact at any
    step, whatever the rate.

    Args:
        initial_learning_rate: The learning rate at step 0 (``eta_0``).
        decay_steps: Steps over which the rate is multiplied by ``decay_rate`` (``T``); > 0.
        decay_rate: The factor applied every ``decay_steps`` steps (``r``); > 0.
        staircase: Decay at discrete intervals (every ``decay_steps`` steps) when true.
        name: Name of the schedule; kept in the config, as in Keras.

    Raises:
        ValueError: ``decay_steps <= 0``, ``decay_rate <= 0``, or a number that is NaN or infinite.
        TypeError: An argument of the wrong type (a string, ``None``, a ``bool`` for a number).

    Example:
        >>> schedule = ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)
        >>> schedule(0), schedule(99999), schedule(100000)
        (0.1, 0.1, 0.096)
        >>> round(ExponentialDecay(0.05, 10, 0.96)(5), 12)
        0.048989794856
    """

    initial_learning_rate: Real = rate()
    decay_steps: Real = steps(above=0)
    decay_rate: Real = real(above=0)
    staircase: bool = flag(default=False)
    name: str | None = schedule_name(default="ExponentialDecay")

    __slots__ = ("_lr0", "_steps", "_rate", "_direct", "_plain")

    def _setup(self) -> None:
        self._lr0 = float(self.initial_learning_rate)
        self._steps = as_exact(self.decay_steps)
        # A zero rate stays zero at every step: its power is not taken (0 * inf would be NaN).
        self._rate = float(self.decay_rate) if self._lr0 else 1.0
        # Up to this step the continuous power is computed directly (an int: the cheaper
        # test on the hot path); -1 with stairs, which take the second path.
        self._direct = (
            -1 if self.staircase else direct_power_limit(float(self.decay_steps), self._rate)
        )
        self._plain = plain_count_limit(self._lr0, self._rate)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and 0 <= step <= self._direct:  # the hot path
            return self._lr0 * self._rate ** (step / self._steps)
        if step.__class__ is not int or step < 0:
            return evaluate(self, step)
        try:
            if self.staircase:
                count = step // self._steps
                if count <= self._plain:  # the hot path of stairs
                    return self._lr0 * self._rate**count
                return scaled_python_power(self._lr0, self._rate, count)
            # A large exponent: split the power at its integer part, exactly.
            whole, part = divmod(step, self._steps)
            return self._lr0 * (self._rate**whole * fraction_power(self._rate, part, self._steps))
        except OverflowError:  # decay_rate > 1 at a huge step, or a step past the float range
            return self._lr0 * self._rate**math.inf

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """With ``staircase``, every new stair: the first step ``>= k * decay_steps``, ``k >= 1``.

        The continuous decay has none.

        >>> list(ExponentialDecay(0.1, 100000, 0.96, staircase=True).breakpoints(0, 300001))
        [100000, 200000, 300000]
        """
        if self.staircase:
            yield from multiples(self._steps, start, stop, past=False)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        if self.staircase:
            count = ops.floor_ratio(x, self._steps)
            return scaled_power_of_count(self._lr0, self._rate, count, ops)
        return ops.scaled_power_ratio(self._lr0, self._rate, x, self._steps, self._direct)

    def monotone_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]]:
        """The whole run: a power of one rate is monotone, in stairs or not."""
        return iter(((start, stop),))

    def area(self, steps: int, area_of: AreaOf) -> float | None:
        """A geometric series: ``lr0 * sum(q**t)`` with ``q = decay_rate ** (1 /
        decay_steps)``, or stairs of ``decay_steps`` steps at ``decay_rate**k``; ``None``
        for stairs of a fractional number of steps."""
        lr0, rate, period = self._lr0, self._rate, self._steps
        if not self.staircase:
            return lr0 * geometric(math.log(rate) / period, steps)
        if not isinstance(period, int):
            return None
        return lr0 * geometric_stairs(rate, period, steps)


def direct_power_limit(steps: float, rate: float) -> int:
    """The last step at which ``rate ** (step / steps)`` loses at most an ulp to the rounding of
    its exponent, ``|ln(rate)| * step / steps <= 2``, and ``step / steps`` is a finite float
    (the only limit for ``rate == 1``)."""
    finite = min(steps, 1.0) * 2.0**1000
    if rate == 1:
        return math.floor(finite)
    return math.floor(min(2.0 * steps / abs(math.log(rate)), finite))
