"""Linear decay: a straight line from one learning rate to another, then held."""

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

__all__ = ["LinearDecay"]


class LinearDecay(Schedule):
    """Go linearly from ``initial_learning_rate`` to ``end_learning_rate`` over ``decay_steps``.

    .. math::

        \\eta(t) = \\eta_0 + (\\eta_e - \\eta_0) \\frac{\\min(t, T)}{T}

    In Python: ``initial_learning_rate + (end_learning_rate - initial_learning_rate) *
    min(step, decay_steps) / decay_steps``; from ``decay_steps`` on it holds
    ``end_learning_rate``. It is computed as the weighted mean ``eta_0 * (1 - f) + eta_e * f``
    with ``1 - f = (T - min(t, T)) / T`` found by subtracting integers, so both ends are
    exact and nothing cancels near the end. The line may rise (``end_learning_rate >
    initial_learning_rate``), as a linear warmup does.

    It is Keras's ``PolynomialDecay(..., power=1.0)`` with an end of 0 by default (Keras's
    default is 1e-4). Peers: Optax ``linear_schedule(init_value, end_value,
    transition_steps)`` (``transition_begin=B`` is ``Join([Constant(init_value), ...],
    [B])``); Hugging Face ``linear`` is ``Warmup(LinearDecay(lr, N - W, 0.0), W)``;
    PyTorch ``LinearLR(start_factor, end_factor, total_iters)`` on a base ``lr`` is
    ``LinearDecay(lr * start_factor, total_iters, lr * end_factor)``. See ``docs/peers.md``.

    Args:
        initial_learning_rate: The learning rate at step 0 (``eta_0``; Optax ``init_value``).
        decay_steps: Steps to go from one to the other (``T``; Optax ``transition_steps``);
            > 0.
        end_learning_rate: The learning rate from ``decay_steps`` on (``eta_e``; Optax
            ``end_value``).
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``decay_steps <= 0``, or a NaN or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = LinearDecay(1.0, decay_steps=100, end_learning_rate=0.5)
        >>> schedule(0), schedule(50), schedule(100), schedule(1000)
        (1.0, 0.75, 0.5, 0.5)
    """

    initial_learning_rate: Real = rate()
    decay_steps: Real = steps(above=0)
    end_learning_rate: Real = rate(default=0.0)
    name: str | None = schedule_name(default="LinearDecay")

    __slots__ = ("_lr0", "_steps", "_end")

    def _setup(self) -> None:
        self._lr0 = float(self.initial_learning_rate)
        self._steps = as_exact(self.decay_steps)
        self._end = float(self.end_learning_rate)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            steps = self._steps
            if step >= steps:
                return self._end
            return self._lr0 * ((steps - step) / steps) + self._end * (step / steps)
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        steps = self._steps
        done = ops.ratio(ops.minimum(x, steps), steps)
        return self._lr0 * ops.left(x, steps) + self._end * done

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The end of the line, ``ceil(decay_steps)``."""
        start, stop = step_range(start, stop)
        end = math.ceil(self._steps)
        if start <= end < stop:
            yield end
