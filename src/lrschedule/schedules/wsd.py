"""Warmup-stable-decay (WSD, "trapezoidal"): warm up, hold, decay, as Hugging Face's
``warmup_stable_decay`` does, with its three warmup and three decay shapes."""

from __future__ import annotations

from lrschedule.backends.dispatch import evaluate
from lrschedule.backends.python import PYTHON_OPS
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import Real
from lrschedule.schedules.arguments import choice, rate, schedule_name, steps
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps

__all__ = ["WarmupStableDecay"]

SHAPES = ("linear", "cosine", "1-sqrt")


class WarmupStableDecay(Schedule):
    """Warm up to ``warmup_target``, hold it for ``stable_steps``, then decay to the end value.

    With ``a = initial_learning_rate``, ``P = warmup_target``, ``e = end_learning_rate``
    and phase lengths ``W``, ``S``, ``D``:

    .. math::

        \\eta(t) = \\begin{cases}
            a + (P - a)\\, u(t / W) & t < W \\\\
            P & W \\le t < W + S \\\\
            e + (P - e)\\, d((t - W - S) / D) & W + S \\le t < W + S + D \\\\
            e & t \\ge W + S + D
        \\end{cases}

    The warmup weight ``u(p)`` and the decay weight ``d(p)`` have three shapes each:

    ========== ====================== ==========================
    shape      ``u(p)`` (warmup)      ``d(p)`` (decay)
    ========== ====================== ==========================
    linear     ``p``                  ``1 - p``
    cosine     ``(1 - cos(pi p)) / 2`` ``(1 + cos(pi p)) / 2``
    1-sqrt     ``1 - sqrt(1 - p)``    ``1 - sqrt(p)``
    ========== ====================== ==========================

    In Python, the warmup is ``a + (P - a) * u(step / W)`` and the decay ``e + (P - e) *
    d((step - W - S) / D)``. Every weight and its complement are computed without
    cancellation (``1 - sqrt(1 - p)`` as ``p / (1 + sqrt(1 - p))``, half-cosines as sines),
    so the ends of each phase are exact. A phase of length 0 is skipped.

    Hugging Face ``get_wsd_schedule(optimizer, num_warmup_steps=W, num_decay_steps=D,
    num_stable_steps=S, warmup_type=..., decay_type=..., min_lr_ratio=m)`` with optimizer
    ``lr`` ``P`` is ``WarmupStableDecay(m * P, P, W, S, D, m * P, warmup_type,
    decay_type)``: its warmup starts at ``min_lr_ratio`` times the peak (0 by default) and
    its decay ends there. Given ``num_training_steps=N`` instead, ``S = N - W - D``.
    Its ``num_cycles`` other than the default 0.5 (a cosine that turns back up) has no
    counterpart here.

    Args:
        initial_learning_rate: The learning rate at step 0 (``a``).
        warmup_target: The plateau (``P``; Hugging Face: the optimizer's ``lr``).
        warmup_steps: Steps of warmup (``W``; ``num_warmup_steps``); a whole number >= 0.
        stable_steps: Steps at the plateau (``S``; ``num_stable_steps``); a whole number >= 0.
        decay_steps: Steps of decay (``D``; ``num_decay_steps``); a whole number >= 0.
        end_learning_rate: The learning rate after the decay (``e``).
        warmup_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"`` (``warmup_type``).
        decay_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"`` (``decay_type``).
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: A phase length is negative or fractional, a shape is unknown, or a
            number is NaN or infinite.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = WarmupStableDecay(0.0, 0.1, warmup_steps=100, stable_steps=800,
        ...                              decay_steps=100, decay_shape="linear")
        >>> schedule(50), schedule(100), schedule(899), schedule(950), schedule(1000)
        (0.05, 0.1, 0.1, 0.05, 0.0)
    """

    initial_learning_rate: Real = rate()
    warmup_target: Real = rate()
    warmup_steps: int = steps(whole=True)
    stable_steps: int = steps(whole=True)
    decay_steps: int = steps(whole=True)
    end_learning_rate: Real = rate(default=0.0)
    warmup_shape: str = choice(SHAPES, default="linear")
    decay_shape: str = choice(SHAPES, default="cosine")
    name: str | None = schedule_name(default="WarmupStableDecay")

    __slots__ = ("_lr0", "_peak", "_end", "_decay_start", "_decay_end")

    def _setup(self) -> None:
        self._lr0 = float(self.initial_learning_rate)
        self._peak = float(self.warmup_target)
        self._end = float(self.end_learning_rate)
        self._decay_start = self.warmup_steps + self.stable_steps
        self._decay_end = self._decay_start + self.decay_steps

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            warmup = self.warmup_steps
            if step < warmup:
                return self._warmup(PYTHON_OPS, (warmup - step) / warmup, step / warmup)
            if step < self._decay_start:
                return self._peak
            if step < self._decay_end:
                into, decay = step - self._decay_start, self.decay_steps
                return self._decay(PYTHON_OPS, (decay - into) / decay, into / decay)
            return self._end
        return evaluate(self, step)

    def _warmup(self, ops: ArrayOps, left: Any, done: Any) -> Any:
        """``a * (1 - u) + P * u`` for the warmup weight ``u`` of the fraction ``done``."""
        if self.warmup_shape == "linear":
            rise, stay = done, left
        elif self.warmup_shape == "cosine":
            rise, stay = ops.half_cosine(done), ops.half_cosine(left)
        else:  # 1 - sqrt(1 - p), written without cancellation
            root = ops.sqrt(left)
            rise, stay = done / (1.0 + root), root
        return self._lr0 * stay + self._peak * rise

    def _decay(self, ops: ArrayOps, left: Any, done: Any) -> Any:
        """``e * (1 - d) + P * d`` for the decay weight ``d`` of the fraction ``done``."""
        if self.decay_shape == "linear":
            keep, drop = left, done
        elif self.decay_shape == "cosine":
            keep, drop = ops.half_cosine(left), ops.half_cosine(done)
        else:  # 1 - sqrt(p), written without cancellation
            root = ops.sqrt(done)
            keep, drop = left / (1.0 + root), root
        return self._peak * keep + self._end * drop

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        warmup, decay = self.warmup_steps, self.decay_steps
        if decay:
            # Before the decay starts its clock stands at 0, where the decay gives P exactly.
            clock = ops.shifted(x, self._decay_start)
            done = ops.ratio(ops.minimum(clock, decay), decay)
            held = self._decay(ops, ops.left(clock, decay), done)
        else:
            held = ops.to_float(x) * 0.0 + self._peak
        value = ops.where(ops.below(x, self._decay_end), held, self._end)
        if not warmup:
            return value
        done = ops.ratio(ops.minimum(x, warmup), warmup)
        return ops.where(ops.below(x, warmup), self._warmup(ops, ops.left(x, warmup), done), value)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The ends of the warmup, the plateau and the decay (phases of length 0 skipped)."""
        start, stop = step_range(start, stop)
        previous = 0
        for step in (self.warmup_steps, self._decay_start, self._decay_end):
            if step > previous and start <= step < stop:
                yield step
            previous = max(previous, step)
