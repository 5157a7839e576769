"""Inverse square-root decay (the Transformer / fairseq / Hugging Face ``inverse_sqrt`` shape)."""

from __future__ import annotations

import math

from lrschedule.backends.dispatch import evaluate
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import Real, as_exact
from lrschedule.schedules.arguments import rate, schedule_name, steps
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps

__all__ = ["InverseSqrtDecay"]


class InverseSqrtDecay(Schedule):
    """Divide the learning rate by the square root of ``1 + step / decay_steps``.

    .. math:: \\eta(t) = \\frac{\\eta_0}{\\sqrt{1 + t / T}}

    In Python: ``initial_learning_rate / math.sqrt(1 + step / decay_steps)``. It starts at
    ``initial_learning_rate`` and halves every time the step quadruples (plus ``T``): the
    square-root sibling of Keras's ``InverseTimeDecay``. Put a :class:`~lrschedule.Warmup`
    in front for the usual warmup-then-``1/sqrt(t)`` schedule:

    * Hugging Face ``inverse_sqrt`` (``num_warmup_steps=W``, ``timescale=tau``, optimizer
      ``lr`` ``P``) is ``Warmup(InverseSqrtDecay(P, decay_steps=tau), W)``; Hugging Face's
      ``timescale`` defaults to ``W`` (or 10,000 when ``W`` is 0).
    * fairseq ``inverse_sqrt`` (``--lr P --warmup-updates W --warmup-init-lr a``), whose
      decay is ``P * sqrt(W / t)``, is ``Warmup(InverseSqrtDecay(P, decay_steps=W), W,
      initial_learning_rate=a)``.

    Args:
        initial_learning_rate: The learning rate at step 0 (``eta_0``).
        decay_steps: The time scale (``T``; Hugging Face ``timescale``); > 0.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``decay_steps <= 0``, or a NaN or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = InverseSqrtDecay(0.1, decay_steps=100)
        >>> schedule(0), schedule(300), schedule(1500)
        (0.1, 0.05, 0.025)
    """

    initial_learning_rate: Real = rate()
    decay_steps: Real = steps(above=0)
    name: str | None = schedule_name(default="InverseSqrtDecay")

    __slots__ = ("_lr0", "_steps")

    def _setup(self) -> None:
        self._lr0 = float(self.initial_learning_rate)
        self._steps = as_exact(self.decay_steps)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            try:
                return self._lr0 / math.sqrt(1.0 + step / self._steps)
            except OverflowError:  # a step past the float range: the limit
                return self._lr0 * 0.0
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        return self._lr0 / ops.sqrt(1.0 + ops.ratio(x, self._steps))

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """None: the schedule is one smooth piece."""
        step_range(start, stop)
        return iter(())
