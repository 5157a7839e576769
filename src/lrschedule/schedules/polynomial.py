"""Keras 3's polynomial decay, to ``end_learning_rate`` over ``decay_steps`` (optionally cycling).

The fraction of the span left is found by subtracting integers before dividing, so it
is exact for integer steps and does not cancel near the end.
"""

from __future__ import annotations

import math

from lrschedule.backends.dispatch import evaluate
from lrschedule.backends.python import PYTHON_OPS
from lrschedule.core.ranges import multiples, step_range
from lrschedule.core.sums import power_sum
from lrschedule.core.validation import Real, as_exact, require
from lrschedule.schedules.arguments import flag, rate, real, schedule_name, steps
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["PolynomialDecay"]


class PolynomialDecay(Schedule):
    """Decay polynomially to ``end_learning_rate`` over ``decay_steps``, then hold it.

    .. math::

        \\eta(t) = (\\eta_0 - \\eta_e) \\left(1 - \\frac{\\min(t, T)}{T}\\right)^p + \\eta_e

    In Python: ``(initial_learning_rate - end_learning_rate) * (1 - min(step, decay_steps)
    / decay_steps) ** power + end_learning_rate``. It then stays at ``end_learning_rate``.

    With ``cycle=True`` the span is stretched to the next multiple of ``decay_steps``
    instead, ``T' = decay_steps * max(1, ceil(step / decay_steps))``, and the fraction is
    ``(T' - step) / T'``: the rate reaches ``end_learning_rate`` at every multiple of
    ``decay_steps`` and jumps back up one step later (to a lower peak each time).

    The fraction left, ``(T - min(t, T)) / T``, is computed by subtracting before
    dividing: exact for integer steps, with no cancellation near the end. The value is
    Keras's ``eta_e + (eta_0 - eta_e) * w`` with ``w = left ** p``, and exactly
    ``initial_learning_rate`` where ``w`` is 1. When the rate rises
    (``|end_learning_rate| > |initial_learning_rate|``), the first half is computed from
    the start instead, ``eta_0 + (eta_e - eta_0) * (1 - w)``, with ``1 - w`` found
    without cancellation (``-expm1(p * log1p(-done))``, and ``-expm1(p * log(left))`` past
    half the span, where ``1 - done`` would cancel), so small steps keep every digit.

    Computed in float32 (JAX without x64), the value is within 8 float32 ulps of the
    exact one, 16 for a ``power`` that is not a whole number (XLA's float32 ``pow``); a
    power that float32 rounds to 0 still gives ``end_learning_rate`` at the end.

    Args:
        initial_learning_rate: The learning rate at step 0 (``eta_0``).
        decay_steps: Steps to decay over (``T``); > 0.
        end_learning_rate: The final learning rate (``eta_e``).
        power: The power of the polynomial (``p``); >= 0. 1.0 is a straight line.
        cycle: Whether to restart past ``decay_steps`` (see above).
        name: Name of the schedule; kept in the config, as in Keras.

    Raises:
        ValueError: ``decay_steps <= 0``, ``power < 0``, an
            ``initial_learning_rate - end_learning_rate`` past the float range, or a NaN or
            infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.02)
        >>> schedule(0), schedule(5), schedule(10), schedule(15)
        (0.1, 0.06, 0.02, 0.02)
        >>> cycling = PolynomialDecay(0.1, 10, 0.01, cycle=True)
        >>> cycling(10), round(cycling(11), 12)
        (0.01, 0.0505)
    """

    initial_learning_rate: Real = rate()
    decay_steps: Real = steps(above=0)
    end_learning_rate: Real = rate(default=0.0001)
    power: Real = real(default=1.0, at_least=0)
    cycle: bool = flag(default=False)
    name: str | None = schedule_name(default="PolynomialDecay")

    __slots__ = ("_lr0", "_steps", "_end", "_power", "_drop", "_lands", "_rise")

    def _setup(self) -> None:
        lr0, end = float(self.initial_learning_rate), float(self.end_learning_rate)
        self._lr0 = lr0
        self._steps = as_exact(self.decay_steps)
        self._end = end
        self._power = float(self.power)
        require(
            math.isfinite(lr0 - end),
            "end_learning_rate",
            self.end_learning_rate,
            "within the float range of initial_learning_rate (their difference must be finite)",
        )
        self._drop = _difference_landing_on(lr0, end)
        self._lands = end + self._drop == lr0
        # Rising schedules (and power 0, a constant) take the careful path.
        rising = abs(self.end_learning_rate) > abs(self.initial_learning_rate)
        self._rise: float | None = end - lr0 if rising and self.power > 0 else None

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            steps = self._steps
            if self.cycle:
                try:
                    spans, into = divmod(step, steps)
                    if into:
                        left = (steps - into) / ((spans + 1) * steps)
                    else:  # the end of a span, or step 0
                        left = 0.0 if spans else 1.0
                except OverflowError:  # a step past the float range, fractional decay_steps
                    left = 0.0
            elif step < steps:
                left = (steps - step) / steps
            else:
                left = 0.0
            if self._rise is None:
                weight = left**self._power
                if weight == 1.0:  # the start (the sum below can miss it by an ulp)
                    return self._lr0
                return self._end + self._drop * weight
            return self._compute(step, PYTHON_OPS)
        return evaluate(self, step)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The first step of the hold, ``ceil(decay_steps)``; with ``cycle``, every new span.

        A span ends at a multiple of ``decay_steps`` (where the rate reaches
        ``end_learning_rate``), so with ``cycle`` the breakpoints are
        ``floor(k * decay_steps) + 1`` for ``k >= 1``, where the rate jumps back up.

        >>> list(PolynomialDecay(0.1, 10).breakpoints(0, 100))
        [10]
        >>> list(PolynomialDecay(0.1, 10, cycle=True).breakpoints(0, 35))
        [11, 21, 31]
        """
        if self.cycle:
            yield from multiples(self._steps, start, stop, past=True)
            return
        start, stop = step_range(start, stop)
        end = math.ceil(self._steps)
        if start <= end < stop:
            yield end

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        steps, power = self._steps, self._power
        left = ops.cycle_left(x, steps) if self.cycle else ops.left(x, steps)
        weight = left**power
        if power > 0.0:  # 0 ** p is 0, also where p rounds to 0 (a float32 7.5e-278)
            weight = ops.where(left > 0.0, weight, 0.0)
        rise = self._rise
        if rise is None:
            value = self._end + self._drop * weight
            return value if self._lands else ops.where(weight == 1.0, self._lr0, value)
        # A rising schedule: near the start the value is initial_learning_rate plus a small
        # part of the rise, 1 - weight, which is computed from the fraction done instead of
        # by subtraction: 1 - (1 - done) ** power == -expm1(power * log1p(-done)). Past
        # half the span the logarithm is taken of the fraction left instead: 1 - done
        # would cancel (a float32 done of 0.9987 leaves 170 ulps of error in 1 - done).
        done = ops.cycle_done(x, steps) if self.cycle else ops.ratio(ops.minimum(x, steps), steps)
        log_left = ops.where(done < 0.5, ops.log1p(-done), ops.log(left))
        rest = -ops.expm1(power * log_left)
        return ops.where(weight >= 0.5, self._lr0 + rise * rest, self._end - rise * weight)

    def monotone_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """The whole run (a decay, then its hold); with ``cycle``, each span."""
        if self.cycle:
            return super().monotone_pieces(start, stop)
        return iter(((start, stop),))

    def area(self, steps: int, area_of: AreaOf) -> float | None:
        """The hold plus a power sum (Euler-Maclaurin with the power's exact derivatives);
        ``None`` with ``cycle`` or a power above 64."""
        if self.cycle or self._power > 64:
            return None
        lr0, end, exponent, period = self._lr0, self._end, self._power, self._steps
        if exponent == 0:  # 0 ** 0 == 1: the rate stays at initial_learning_rate
            return lr0 * steps
        decaying = min(steps, math.ceil(period))
        return end * steps + (lr0 - end) * power_sum(period, decaying, exponent)


def _difference_landing_on(start: float, end: float) -> float:
    """``start - end``, nudged by an ulp or two so that ``end + difference == start`` exactly.

    Not always possible (the sum can round past ``start`` from both sides); the rounded
    difference is returned then.
    """
    difference = start - end
    for _ in range(4):
        total = end + difference
        if total == start:
            return difference
        difference = math.nextafter(difference, math.inf if total < start else -math.inf)
    return start - end
