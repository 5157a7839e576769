"""A warmup in front of any schedule: linear, cosine or exponential, on its own clock."""

from __future__ import annotations

import math

from lrschedule.backends.dispatch import evaluate
from lrschedule.backends.python import PYTHON_OPS
from lrschedule.core.ranges import step_range
from lrschedule.core.sums import geometric, sine_squares, triangular
from lrschedule.core.validation import Real, require
from lrschedule.schedules.arguments import child, choice, rate, schedule_name, steps
from lrschedule.schedules.base import Schedule
from lrschedule.schedules.children import child_at, child_breakpoints, has_kernel
from lrschedule.schedules.exponential import direct_power_limit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["Warmup"]


WARMUP_SHAPES = ("linear", "cosine", "exponential")
#: Starts below this take the ramp's log as a difference of logs (the ratio may overflow).
_FLOAT_MIN = math.ulp(0.0)  # the smallest positive float


class Warmup(Schedule):
    """Ramp from ``initial_learning_rate`` up to a schedule's first value, then run the schedule.

    With ``W = warmup_steps``, ``a = initial_learning_rate``, ``b = schedule(0)`` and
    ``f = t / W``:

    .. math::

        \\eta(t) = \\begin{cases}
            \\mathrm{ramp}(f) & t < W \\\\
            \\mathrm{schedule}(t - W) & t \\ge W
        \\end{cases}

    where the ramp has one of three shapes:

    * ``"linear"``: ``a + (b - a) * f``, computed as ``a * (1 - f) + b * f``;
    * ``"cosine"``: ``a + (b - a) * 0.5 * (1 - cos(pi * f))``, computed as
      ``a * 0.5 * (1 + cos(pi * f)) + b * 0.5 * (1 - cos(pi * f))`` (each half-cosine
      without cancellation);
    * ``"exponential"``: ``a * (b / a) ** f``, geometric from ``a`` to ``b``, computed as
      ``a * (b / a) ** f`` with the rounding of ``f`` corrected (as in
      :class:`ExponentialDecay`), or ``a * exp(f * (log(b) - log(a)))`` where ``b / a``
      is past the float range; needs ``a > 0`` and ``b > 0``.

    In Python: ``ramp(step / W) if step < W else schedule(step - W)``. The schedule runs on
    its own clock started at ``W``: it is *shifted*, not overlaid, so the total is ``W``
    plus the schedule's length (Keras's ``CosineDecay`` warmup convention). ``W = 0``
    is no warmup at all.

    Peers: Optax ``join_schedules([linear_schedule(a, b, W), s], [W])`` and its
    ``warmup_*`` schedules (linear shape); Hugging Face's warmup on every scheduler type
    is the linear shape with ``a = 0`` (so the first update gets a learning rate of 0);
    fairseq's ``inverse_sqrt`` warms up linearly from ``warmup_init_lr``; PyTorch
    ``SequentialLR([LinearLR(start_factor=a/b, total_iters=W), ...], [W])`` (needs
    ``a > 0``). See ``docs/peers.md``.

    Args:
        schedule: The schedule that follows the warmup (or its serialized dict).
        warmup_steps: Steps of warmup (``W``); a whole number >= 0.
        initial_learning_rate: The learning rate at step 0 (``a``).
        shape: ``"linear"``, ``"cosine"`` or ``"exponential"``.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``warmup_steps`` is negative or fractional, ``shape`` is unknown, or the
            exponential shape has ``initial_learning_rate <= 0`` or ``schedule(0) <= 0``.
        TypeError: ``schedule`` is not a schedule, or an argument has the wrong type.

    Example:
        >>> from lrschedule import CosineDecay
        >>> schedule = Warmup(CosineDecay(0.1, decay_steps=1000), warmup_steps=100)
        >>> schedule(0), schedule(50), schedule(100), schedule(600)
        (0.0, 0.05, 0.1, 0.05)
        >>> schedule
        Warmup(schedule=CosineDecay(initial_learning_rate=0.1, decay_steps=1000), warmup_steps=100)
    """

    schedule: Any = child()
    warmup_steps: int = steps(whole=True)
    initial_learning_rate: Real = rate(default=0.0)
    shape: str = choice(WARMUP_SHAPES, default="linear")
    name: str | None = schedule_name(default="Warmup")

    __slots__ = ("_kernel", "_lr0", "_ratio", "_direct")

    def _setup(self) -> None:
        if self.shape == "exponential":
            require(
                self.initial_learning_rate > 0,
                "initial_learning_rate",
                self.initial_learning_rate,
                "> 0 for shape='exponential'",
            )
            target = _first_value(self.schedule)
            if not target > 0:
                raise ValueError(
                    "Warmup with shape='exponential' needs a schedule whose value at step 0 is "
                    f"> 0 (it warms up geometrically to it). Received: schedule(0)={target!r}"
                )
        # The exponential ramp's base, target / initial_learning_rate, when it is a finite
        # float (else None: the ramp is taken as a difference of logs).
        ratio = target / float(self.initial_learning_rate) if self.shape == "exponential" else 0.0
        self._ratio = ratio if 0.0 < ratio < math.inf else None
        self._direct = direct_power_limit(self.warmup_steps, ratio) if self._ratio else -1
        self._kernel = has_kernel(self.schedule)
        self._lr0 = float(self.initial_learning_rate)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            warmup = self.warmup_steps
            if step >= warmup:
                return self.schedule(step - warmup)
            target = self.schedule(0)
            lr0 = self._lr0
            if self.shape == "linear":
                return lr0 * ((warmup - step) / warmup) + target * (step / warmup)
            if self.shape == "cosine":
                half_cosine = PYTHON_OPS.half_cosine
                left = (warmup - step) / warmup
                return lr0 * half_cosine(left) + target * half_cosine(step / warmup)
            if self._ratio is not None:  # the exponent step / warmup rounded, then corrected
                return lr0 * PYTHON_OPS.power_ratio(self._ratio, step, warmup, self._direct)
            # A ratio past the float range (a tiny start): its log as a difference of logs.
            return lr0 * math.exp(step / warmup * (math.log(target) - math.log(lr0)))
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        warmup = self.warmup_steps
        if not warmup:
            return child_at(self.schedule, self._kernel, x, ops)
        # During the warmup the child's clock stands at 0, so `after` is schedule(0) there.
        after = child_at(self.schedule, self._kernel, ops.shifted(x, warmup), ops)
        lr0 = self._lr0
        if self.shape == "linear":
            ramp = lr0 * ops.left(x, warmup) + after * ops.ratio(ops.minimum(x, warmup), warmup)
        elif self.shape == "cosine":
            done = ops.ratio(ops.minimum(x, warmup), warmup)
            ramp = lr0 * ops.half_cosine(ops.left(x, warmup)) + after * ops.half_cosine(done)
        elif self._ratio is not None:  # the power of a constant base, its exponent corrected
            ramp = lr0 * ops.power_ratio(self._ratio, ops.minimum(x, warmup), warmup, self._direct)
        else:  # target / lr0 is past the float range: a difference of logs
            done = ops.ratio(ops.minimum(x, warmup), warmup)
            # Past the warmup `after` may be anything (<= 0 included): keep the log finite there.
            end = ops.where(ops.below(x, warmup), after, lr0)
            log_ratio = ops.log(ops.maximum(end, _FLOAT_MIN)) - math.log(lr0)
            ramp = lr0 * ops.exp(done * log_ratio)
        return ops.where(ops.below(x, warmup), ramp, after)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        start, stop = step_range(start, stop)
        warmup = self.warmup_steps
        if warmup and start <= warmup < stop:
            yield warmup
        yield from child_breakpoints(self.schedule, warmup, max(start, warmup), stop)

    def _clocks(self) -> tuple[tuple[Any, int, int | None], ...]:
        return ((self.schedule, self.warmup_steps, None),)

    def area(self, steps: int, area_of: AreaOf) -> float:
        """The ramp in closed form (a line, sine squares or a geometric series), plus the
        schedule's area after it."""
        warmup = self.warmup_steps
        count = min(steps, warmup)
        lr0, target = self._lr0, float(self.schedule(0))
        if count == 0:
            ramp = 0.0
        elif self.shape == "linear":  # lr0 + (target - lr0) * t / warmup
            ramp = lr0 * count + (target - lr0) * triangular(count) / warmup
        elif self.shape == "cosine":  # lr0 * cos(pi t / 2W)**2 + target * sin(pi t / 2W)**2
            rising = sine_squares(math.pi / (2 * warmup), count)
            ramp = lr0 * (count - rising) + target * rising
        else:  # lr0 * (target / lr0) ** (t / warmup)
            ramp = lr0 * geometric((math.log(target) - math.log(lr0)) / warmup, count)
        return math.fsum([ramp, area_of(self.schedule, steps - warmup)])


def _first_value(child: Any) -> float:
    value = child(0)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(
            "Warmup with shape='exponential' needs the schedule's value at step 0 as a number. "
            f"Received: schedule(0)={value!r} of type {type(value).__name__}"
        ) from None
