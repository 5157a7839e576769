"""Linear warmup, then cosine decay to an absolute floor (Optax's and Hugging Face's shape)."""

from __future__ import annotations

import math
import struct

from lrschedule.backends.dispatch import evaluate
from lrschedule.backends.python import PYTHON_OPS
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import Real, as_exact
from lrschedule.schedules.arguments import rate, real, schedule_name, steps
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps

__all__ = ["WarmupCosineDecay"]


class WarmupCosineDecay(Schedule):
    """Warm up linearly to ``warmup_target``, then cosine-decay to ``end_learning_rate``.

    With ``a = initial_learning_rate``, ``P = warmup_target``, ``e = end_learning_rate``,
    ``W = warmup_steps``, ``D = decay_steps`` and ``p = exponent``:

    .. math::

        \\eta(t) = \\begin{cases}
            a + (P - a)\\, t / W & t < W \\\\
            e + (P - e) \\left[\\tfrac12 \\left(1 + \\cos \\frac{\\pi \\min(t - W, D)}{D}
            \\right)\\right]^p & t \\ge W
        \\end{cases}

    In Python: ``a + (P - a) * step / W`` during the warmup, then ``e + (P - e) * (0.5 * (1 +
    cos(pi * min(step - W, D) / D))) ** p``; from ``W + D`` on it holds ``e``. The floor
    ``e`` is absolute (Keras's ``alpha`` is a fraction of the peak), and ``decay_steps``
    counts the steps *after* the warmup, as in Keras (the schedule lasts ``W + D``).

    Peers (see ``docs/peers.md``):

    * Optax ``warmup_cosine_decay_schedule(init_value=a, peak_value=P, warmup_steps=W,
      decay_steps=W + D, end_value=e, exponent=p)``: Optax's ``decay_steps`` *includes* the
      warmup, so ours is Optax's minus ``warmup_steps``.
    * Hugging Face ``cosine_with_min_lr`` (``num_warmup_steps=W``,
      ``num_training_steps=N``, ``min_lr_rate=m``, optimizer ``lr`` ``P``) is
      ``WarmupCosineDecay(0.0, P, W, N - W, m * P)`` up to step ``N``; Hugging Face's warmup
      starts at 0 and its cosine rises again after ``N`` (ours holds the floor).
    * Keras ``CosineDecay(a, D, alpha, warmup_target=P, warmup_steps=W)`` is
      ``WarmupCosineDecay(a, P, W, D, alpha * P)``.

    Args:
        initial_learning_rate: The learning rate at step 0 (``a``; Optax ``init_value``).
        warmup_target: The peak reached at the end of the warmup (``P``; Optax
            ``peak_value``).
        warmup_steps: Steps of linear warmup (``W``); a whole number >= 0.
        decay_steps: Steps of cosine decay after the warmup (``D``); > 0.
        end_learning_rate: The floor the decay ends at (``e``; Optax ``end_value``).
        exponent: Power of the half-cosine (``p``; Optax ``exponent``); > 0.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``warmup_steps`` negative or fractional, ``decay_steps <= 0``,
            ``exponent <= 0``, or a NaN or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = WarmupCosineDecay(0.0, 0.1, warmup_steps=100, decay_steps=1000,
        ...                              end_learning_rate=0.01)
        >>> schedule(50), schedule(100), schedule(600), schedule(1100)
        (0.05, 0.1, 0.055, 0.01)
    """

    initial_learning_rate: Real = rate()
    warmup_target: Real = rate()
    warmup_steps: int = steps(whole=True)
    decay_steps: Real = steps(above=0)
    end_learning_rate: Real = rate(default=0.0)
    exponent: Real = real(default=1.0, above=0)
    name: str | None = schedule_name(default="WarmupCosineDecay")

    __slots__ = ("_lr0", "_peak", "_steps", "_end", "_power", "_power_miss")

    def _setup(self) -> None:
        self._lr0 = float(self.initial_learning_rate)
        self._peak = float(self.warmup_target)
        self._steps = as_exact(self.decay_steps)
        self._end = float(self.end_learning_rate)
        self._power = float(self.exponent)
        # What float32 misses of the power: w ** p32 is off by |log(w) * (p - p32)|, 15
        # float32 ulps near the end of the decay (log(w) = -10), given back in float32.
        (narrow,) = struct.unpack("<f", struct.pack("<f", self._power))
        self._power_miss = self._power - narrow

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            warmup = self.warmup_steps
            if step < warmup:
                return self._lr0 * ((warmup - step) / warmup) + self._peak * (step / warmup)
            step -= warmup
            steps = self._steps
            if step >= steps:
                return self._end
            left = (steps - step) / steps
            return self._mix(PYTHON_OPS, left, step / steps)
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        warmup, steps = self.warmup_steps, self._steps
        clock = ops.shifted(x, warmup) if warmup else x
        done = ops.ratio(ops.minimum(clock, steps), steps)
        decayed = self._mix(ops, ops.left(clock, steps), done)
        if not warmup:
            return decayed
        done = ops.ratio(ops.minimum(x, warmup), warmup)
        rising = self._lr0 * ops.left(x, warmup) + self._peak * done
        return ops.where(ops.below(x, warmup), rising, decayed)

    def _mix(self, ops: ArrayOps, left: Any, done: Any) -> Any:
        """``P * w ** p + e * (1 - w ** p)`` with ``w`` the half-cosine of the fraction left.

        Both weights are found without cancellation: ``w = 0.5 * (1 + cos(pi * done))`` and
        ``1 - w = 0.5 * (1 - cos(pi * done))`` are each a half-cosine. For ``p != 1``, with
        ``L = log(w)`` (taken as ``log1p(-(1 - w))`` where ``w >= 0.5``), ``1 - w ** p =
        -expm1(p * L)``, and ``w ** p`` is ``w ** p`` where ``w < 0.5``, ``exp(p * L)``
        elsewhere (where ``|p * L|`` is small).
        """
        wave, rest = ops.half_cosine(left), ops.half_cosine(done)
        power = self._power
        if power != 1.0:
            small = wave < 0.5
            positive = wave > 0.0
            log_positive = ops.log(ops.where(positive, wave, 1.0))
            log_small = ops.where(positive, log_positive, -math.inf)
            log_wave = ops.where(small, log_small, ops.log1p(-rest))
            powered = wave**power
            if self._power_miss and ops.narrow(wave):
                powered = powered + powered * (log_positive * self._power_miss)
            wave = ops.where(small, powered, ops.exp(power * log_wave))
            rest = -ops.expm1(power * log_wave)
        return self._peak * wave + self._end * rest

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The end of the warmup ``W`` and the end of the decay ``W + ceil(D)``."""
        start, stop = step_range(start, stop)
        for step in (self.warmup_steps, self.warmup_steps + math.ceil(self._steps)):
            if step > 0 and start <= step < stop:
                yield step
