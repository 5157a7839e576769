"""Keras 3's cosine decay, with its optional linear warmup.

Both use the half-cosine wave ``0.5 * (1 + cos(pi * f))`` for the fraction ``f`` of a
span done. With ``l = 1 - f`` the fraction left (found by subtracting integers), it is
computed as

* ``0.5 + 0.5 * sin(2 * (a - pi / 4))`` in the first half (``l >= 0.5``), and
* ``sin(a) ** 2`` in the second half, with ``a = l * pi / 2``:

the same numbers, but without the cancellation of ``1 + cos(...)`` near the end of a span:
Keras, in float32, returns exactly 0.0 at step 999,999 of ``CosineDecay(0.1, 10**6)``,
where the value is 2.5e-13; here every digit is kept. Both forms are exact at the start,
the middle and the end of a span (1, 0.5 and 0).
"""

from __future__ import annotations

import math

from lrschedule.backends.contract import HALF_PI, QUARTER_PI
from lrschedule.backends.dispatch import evaluate
from lrschedule.core.ranges import step_range
from lrschedule.core.sums import half_cosine_sum, triangular
from lrschedule.core.validation import Real, as_exact
from lrschedule.schedules.arguments import rate, real, schedule_name, steps
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["CosineDecay"]


_sin = math.sin


class CosineDecay(Schedule):
    """Cosine decay from a peak to ``alpha * peak``, with an optional linear warmup first.

    Without warmup (``warmup_target=None``) the peak is ``initial_learning_rate`` and

    .. math::

        \\eta(t) = \\eta_0 \\left[(1 - \\alpha)\\,
        \\tfrac12\\left(1 + \\cos\\frac{\\pi \\min(t, D)}{D}\\right) + \\alpha\\right]

    In Python: ``initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step,
    decay_steps) / decay_steps)) + alpha)``.

    With ``warmup_target`` set, the rate first rises linearly from
    ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``
    (``initial_learning_rate + (warmup_target - initial_learning_rate) * step /
    warmup_steps``), then decays as above from ``warmup_target``, on a clock started at
    ``warmup_steps`` (computed as the weighted mean ``initial_learning_rate * (1 - f) +
    warmup_target * f`` with ``f = step / warmup_steps``, which does not cancel when the
    warmup goes down); the whole schedule lasts ``warmup_steps + decay_steps`` steps, then
    holds ``alpha * warmup_target``. As in Keras, ``warmup_target`` with
    ``warmup_steps=0`` decays from ``warmup_target`` at once, and ``alpha`` is a fraction
    of the peak, not an absolute floor.

    Args:
        initial_learning_rate: The starting learning rate (``eta_0``).
        decay_steps: Steps to decay over (``D``); > 0.
        alpha: The final rate as a fraction of the peak; >= 0.
        name: Name of the schedule; kept in the config, as in Keras.
        warmup_target: The peak reached after warmup, or ``None`` for no warmup.
        warmup_steps: Steps of linear warmup; >= 0. Ignored, with a ``UserWarning``, when
            ``warmup_target`` is ``None`` (Keras ignores it silently).

    Raises:
        ValueError: ``decay_steps <= 0``, ``alpha < 0``, ``warmup_steps < 0``, or a NaN or
            infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = CosineDecay(1.0, decay_steps=1000, alpha=0.1)
        >>> schedule(0), schedule(500), schedule(1000), schedule(5000)
        (1.0, 0.55, 0.1, 0.1)
        >>> warm = CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=100)
        >>> warm(50), warm(100), warm(600)
        (0.05, 0.1, 0.05)
    """

    initial_learning_rate: Real = rate()
    decay_steps: Real = steps(above=0)
    alpha: Real = real(default=0.0, at_least=0, rule=">= 0 (a fraction of the learning rate)")
    name: str | None = schedule_name(default="CosineDecay")
    warmup_target: Real | None = rate(default=None, optional=True)
    warmup_steps: Real = steps(default=0, at_least=0)

    __slots__ = ("_lr0", "_steps", "_alpha", "_keep", "_peak", "_warmup")

    def _setup(self) -> None:
        target, warmup = self.warmup_target, self.warmup_steps
        if target is None and warmup > 0:
            import warnings

            warnings.warn(
                f"CosineDecay: `warmup_steps`={warmup!r} is ignored because "
                "`warmup_target` is None; set `warmup_target` to the learning rate to warm "
                "up to, or drop `warmup_steps`.",
                UserWarning,
                stacklevel=4,  # the caller of CosineDecay(...)
            )
        self._lr0 = float(self.initial_learning_rate)
        self._steps = as_exact(self.decay_steps)
        self._alpha = float(self.alpha)
        self._keep = 1.0 - self._alpha
        self._peak = self._lr0 if target is None else float(target)
        self._warmup = None if target is None else as_exact(warmup)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            warmup = self._warmup
            if warmup is not None:
                if step < warmup:
                    return self._lr0 * ((warmup - step) / warmup) + self._peak * (step / warmup)
                step = step - warmup
            steps = self._steps
            if step >= steps:
                return self._peak * self._alpha
            left = (steps - step) / steps
            angle = left * HALF_PI
            if left >= 0.5:
                wave = 0.5 + 0.5 * _sin((angle - QUARTER_PI) * 2.0)
            else:
                wave = _sin(angle)
                wave *= wave
            return self._peak * (self._keep * wave + self._alpha)
        return evaluate(self, step)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The first step of the decay after a warmup, and the first step of the hold.

        The warmup runs while ``step < warmup_steps``; the decay ends (and the rate holds
        ``alpha`` times the peak) from the first step with ``step - warmup_steps >=
        decay_steps``, compared as the formula computes it.

        >>> list(CosineDecay(0.0, 1000, warmup_target=0.1, warmup_steps=100).breakpoints(0, 10**6))
        [100, 1100]
        """
        start, stop = step_range(start, stop)
        warmup = self._warmup
        found: list[int] = []
        if warmup:  # a warmup of 0 steps decays at once
            found.append(math.ceil(warmup))
            shift = warmup
        else:
            shift = 0
        # The decay ends at the first step s with s - shift >= decay_steps, as computed in floats.
        from fractions import Fraction  # only here: it is slow to import

        end = math.ceil(Fraction(shift) + Fraction(self._steps))
        while end > 1 and (end - 1) - shift >= self._steps:
            end -= 1
        while end - shift < self._steps:
            end += 1
        if not found or end > found[0]:
            found.append(end)
        yield from (step for step in found if start <= step < stop)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        warmup = self._warmup
        clock = x if not warmup else ops.shifted(x, warmup)
        wave = ops.half_cosine(ops.left(clock, self._steps))
        decayed = self._peak * (self._keep * wave + self._alpha)
        if not warmup:
            return decayed
        left = ops.left(x, warmup)  # > 0 exactly while step < warmup_steps
        rising = self._lr0 * left + self._peak * ops.ratio(x, warmup)
        return ops.where(left > 0, rising, decayed)

    def monotone_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]]:
        """The warmup (a straight line), then the decay and its hold (falling together)."""
        if self._warmup:
            rise = math.ceil(self._warmup)
            if start < rise < stop:
                return iter(((start, rise), (rise, stop)))
        return iter(((start, stop),))

    def area(self, steps: int, area_of: AreaOf) -> float:
        """The warmup's straight line, the decay's cosines over an arithmetic progression
        (``sum(cos(a + j d))`` in closed form), and the hold's constant."""
        peak, alpha, keep = self._peak, self._alpha, self._keep
        found = list(self.breakpoints(1, _BEYOND))
        warmup = self._warmup
        terms = []
        if warmup:
            from fractions import Fraction  # only here: it is slow to import

            rise = found[0]  # the first step of the decay, ceil(warmup_steps)
            count = min(steps, rise)
            # lr0 * (warmup - t) / warmup + peak * t / warmup, summed over t < count.
            terms.append(self._lr0 * count)
            terms.append((peak - self._lr0) * triangular(count) / warmup)
            phase = float(rise - Fraction(warmup))  # the decay's clock at step `rise`
        else:
            rise, phase = 0, 0.0
        end = found[-1]  # the first step of the hold
        count = max(0, min(steps, end) - rise)
        terms.append(peak * (alpha * count + keep * half_cosine_sum(phase, self._steps, count)))
        terms.append(peak * alpha * max(0, steps - max(end, rise)))
        return math.fsum(terms)


#: A step past any breakpoint (the hold starts before step 2**1024, beyond every float).
_BEYOND = 2**1025
