"""Schedule edits for a run in progress, each continuous at the step where it takes over.

* :class:`CoolDown`: leave a schedule at step ``k`` and decay from its value there.
* :class:`TrainLonger`: the part not yet run stretched to a new total.
* :class:`RescaleTime`: the whole schedule stretched by an exact rational factor.

Each is a schedule of its own (serialized, compared, analysed like any other) and equals
the schedule it edits up to the step where the edit starts, so a run resumed from a
checkpoint with the edited schedule continues without a jump.
"""

from __future__ import annotations

import math

from lrschedule.backends.dispatch import evaluate
from lrschedule.backends.python import PYTHON_OPS
from lrschedule.core.ranges import step_range
from lrschedule.core.sums import geometric, sine_squares, triangular
from lrschedule.core.validation import Real, require
from lrschedule.schedules.arguments import child, choice, rate, real, schedule_name, steps
from lrschedule.schedules.base import Schedule
from lrschedule.schedules.children import child_at, child_breakpoints, has_kernel
from lrschedule.schedules.edits_clock import Stretched
from lrschedule.schedules.exponential import direct_power_limit
from lrschedule.schedules.wsd import WarmupStableDecay

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.contract import AreaOf

__all__ = ["CoolDown", "RescaleTime", "TrainLonger"]

COOL_DOWN_SHAPES = ("linear", "cosine", "1-sqrt", "exponential")
_FLOAT_MIN = math.ulp(0.0)
#: The range of a float32 base: past it a float32 power of ``e / v`` is not finite.
_FLOAT32_RANGE = (2.0**-126, 2.0**128)


class CoolDown(Schedule):
    """Leave ``schedule`` at step ``k`` and decay from its value there to an end value.

    With ``k = start_step``, ``D = decay_steps``, ``v = schedule(k)``, ``e =
    end_learning_rate`` and ``p = (t - k) / D``:

    .. math::

        \\eta(t) = \\begin{cases}
            s(t) & t < k \\\\
            v \\cdot d(p) + e \\cdot (1 - d(p)) & k \\le t < k + D \\\\
            e & t \\ge k + D
        \\end{cases}

    with the decay weight ``d(p)``: ``"linear"`` ``1 - p``; ``"cosine"`` ``(1 + cos(pi
    p)) / 2``; ``"1-sqrt"`` ``1 - sqrt(p)``; ``"exponential"`` the geometric path ``v * (e /
    v) ** p`` (needs ``v > 0`` and ``e > 0``; computed with the rounding of ``p`` corrected,
    as in :class:`~lrschedule.ExponentialDecay`, or as ``v * exp(p * (log(e) - log(v)))``
    where ``e / v`` is past the float range). Each weight is computed without cancellation
    (as :class:`~lrschedule.WarmupStableDecay` does), so ``eta(k) = v`` exactly: the value
    at ``k`` is the schedule's own, and the run goes on without a jump. Before ``k`` it is
    the schedule itself. On arrays ``v`` is the schedule evaluated on the array's own
    backend at ``k``.

    Args:
        schedule: The schedule being run (or its serialized dict).
        start_step: The step ``k`` at which the cool-down starts; a whole number >= 0.
        decay_steps: Its length ``D``; a whole number > 0.
        end_learning_rate: The rate ``e`` it ends at, and holds after.
        shape: ``"linear"``, ``"cosine"``, ``"1-sqrt"`` or ``"exponential"``.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: A step count is negative or fractional, ``decay_steps`` is 0, the shape
            is unknown, ``schedule(k)`` is not finite, or the exponential shape has ``e <= 0``
            or ``schedule(k) <= 0``.
        TypeError: ``schedule`` is not a schedule, or an argument has the wrong type.

    Example:
        >>> from lrschedule import Constant
        >>> schedule = CoolDown(Constant(0.1), start_step=900, decay_steps=100)
        >>> schedule(899), schedule(900), schedule(950), schedule(1000)
        (0.1, 0.1, 0.05, 0.0)
    """

    schedule: Any = child()
    start_step: int = steps(whole=True)
    decay_steps: int = steps(whole=True, above=0)
    end_learning_rate: Real = rate(default=0.0)
    shape: str = choice(COOL_DOWN_SHAPES, default="linear")
    name: str | None = schedule_name(default="CoolDown")

    __slots__ = ("_direct", "_end", "_from", "_kernel", "_ratio")

    def _setup(self) -> None:
        self._kernel = has_kernel(self.schedule)
        self._end = float(self.end_learning_rate)
        value = self.schedule(self.start_step)
        try:
            self._from = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                "CoolDown needs the schedule's value at `start_step` as a number. "
                f"Received: schedule({self.start_step})={value!r} of type {type(value).__name__}"
            ) from None
        if not math.isfinite(self._from):
            raise ValueError(
                "CoolDown needs a schedule whose value at `start_step` is finite (it decays "
                f"from it to `end_learning_rate`). Received: schedule({self.start_step})={value!r}"
            )
        if self.shape == "exponential":
            require(
                self._end > 0,
                "end_learning_rate",
                self.end_learning_rate,
                "> 0 for shape='exponential'",
            )
            if not self._from > 0:
                raise ValueError(
                    "CoolDown with shape='exponential' needs a schedule whose value at "
                    "`start_step` is > 0 (it decays geometrically from it). "
                    f"Received: schedule({self.start_step})={value!r}"
                )
        # The geometric path's base e / v, when it is a finite float (else None: a difference
        # of logs), and the last step at which its plain power loses at most an ulp.
        ratio = self._end / self._from if self.shape == "exponential" else 0.0
        self._ratio = ratio if 0.0 < ratio < math.inf else None
        self._direct = direct_power_limit(self.decay_steps, ratio) if self._ratio else -1

    def _blend(self, ops: ArrayOps, start: Any, left: Any, done: Any) -> Any:
        """``start * d + e * (1 - d)`` for the decay weight ``d`` of the fraction ``done``."""
        end = self._end
        if self.shape == "linear":
            return start * left + end * done
        if self.shape == "cosine":
            return start * ops.half_cosine(left) + end * ops.half_cosine(done)
        if self.shape == "1-sqrt":  # 1 - sqrt(p) written as (1 - p) / (1 + sqrt(p))
            root = ops.sqrt(done)
            return start * (left / (1.0 + root)) + end * root
        return start * ops.exp(done * (math.log(end) - ops.log(start)))

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            start, length = self.start_step, self.decay_steps
            if step < start:
                return self.schedule(step)
            into = step - start
            if into >= length:
                return self._end
            if self._ratio is not None:  # the exponent into / length rounded, then corrected
                return self._from * PYTHON_OPS.power_ratio(self._ratio, into, length, self._direct)
            left = (length - into) / length
            return self._blend(PYTHON_OPS, self._from, left, into / length)
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        start, length = self.start_step, self.decay_steps
        # Before k the clock of the schedule is the step; from k on it stands at k.
        held = child_at(self.schedule, self._kernel, ops.minimum(x, start), ops)
        clock = ops.shifted(x, start)
        done = ops.ratio(ops.minimum(clock, length), length)
        origin = held
        ratio = self._ratio
        if ratio is not None and (
            not ops.narrow(x) or _FLOAT32_RANGE[0] < ratio < _FLOAT32_RANGE[1]
        ):
            # The power of a constant base, its exponent corrected.
            steps = ops.minimum(clock, length)
            decayed = held * ops.power_ratio(ratio, steps, length, self._direct)
            decayed = ops.where(ops.below(x, start + length), decayed, self._end)
            return ops.where(ops.below(x, start), held, decayed)
        if self.shape == "exponential":  # a log of the value only where it is the start
            origin = ops.maximum(ops.where(ops.below(x, start), 1.0, held), _FLOAT_MIN)
        decayed = self._blend(ops, origin, ops.left(clock, length), done)
        decayed = ops.where(ops.below(x, start + length), decayed, self._end)
        return ops.where(ops.below(x, start), held, decayed)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The schedule's breakpoints before ``k``, then ``k`` and ``k + D``."""
        start, stop = step_range(start, stop)
        cut = self.start_step
        yield from child_breakpoints(self.schedule, 0, start, min(stop, cut))
        for step in (cut, cut + self.decay_steps):
            if step >= 1 and start <= step < stop:
                yield step

    def _clocks(self) -> tuple[tuple[Any, int, int | None], ...]:
        return ((self.schedule, 0, self.start_step),)

    def area(self, steps: int, area_of: AreaOf) -> float | None:
        """The schedule's area before ``k``, the decay in closed form (a line, sine squares
        or a geometric series; none for ``"1-sqrt"``), then ``e`` per step."""
        cut, length = self.start_step, self.decay_steps
        head = area_of(self.schedule, min(steps, cut)) if cut else 0.0
        count = max(0, min(steps, cut + length) - cut)
        start, end = self._from, self._end
        if count == 0:
            ramp = 0.0
        elif self.shape == "linear":  # start + (end - start) * j / D
            ramp = start * count + (end - start) * triangular(count) / length
        elif self.shape == "cosine":  # start * cos(pi j / 2D)**2 + end * sin(pi j / 2D)**2
            falling = sine_squares(math.pi / (2 * length), count)
            ramp = start * (count - falling) + end * falling
        elif self.shape == "exponential":  # start * (end / start) ** (j / D)
            ramp = start * geometric((math.log(end) - math.log(start)) / length, count)
        else:
            return None
        tail = end * max(0, steps - cut - length)
        return math.fsum([head, ramp, tail])


class TrainLonger(Stretched):
    """A schedule run to ``new_total_steps`` instead of ``total_steps``, from ``current_step`` on.

    Equal to ``schedule`` up to ``current_step`` ``c``; what follows is one of two rules:

    * a :class:`~lrschedule.WarmupStableDecay` that has not started its decay by ``c``
      (``c <= W + S``, and ``c <= W + S'`` for the new plateau ``S' = S + M - N``) keeps
      its shape with the plateau lengthened (or shortened) by ``M - N``: it is that
      ``WarmupStableDecay``, the decay moved to the new end;
    * any other schedule has the part not yet run, ``[c, N)``, stretched in time onto
      ``[c, M)``: ``eta(t) = s(c + (t - c) * (N - c) / (M - c))`` for ``t >= c``, on the
      clock of :mod:`~lrschedule.schedules.edits_clock` (a whole inner step is given to the
      schedule exactly, a fractional one as its continuation). Every stair, restart and
      phase after ``c`` is that much longer; ``eta(c) = s(c)``.

    ``new_total_steps < total_steps`` shortens the rest the same way.

    Args:
        schedule: The schedule being run (or its serialized dict).
        current_step: The step ``c`` the run has reached; a whole number >= 0.
        total_steps: The planned number of steps ``N``; a whole number > ``c``.
        new_total_steps: The new number of steps ``M``; a whole number > ``c``.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: A step count is negative or fractional, or a total is not > ``c``.
        TypeError: ``schedule`` is not a schedule, or an argument has the wrong type.

    Example:
        >>> from lrschedule import LinearDecay
        >>> schedule = TrainLonger(LinearDecay(1.0, 100, 0.0), current_step=50,
        ...                        total_steps=100, new_total_steps=150)
        >>> schedule(50), schedule(100), schedule(150)
        (0.5, 0.25, 0.0)
    """

    schedule: Any = child()
    current_step: int = steps(whole=True)
    total_steps: int = steps(whole=True, above=0)
    new_total_steps: int = steps(whole=True, above=0)
    name: str | None = schedule_name(default="TrainLonger")

    __slots__ = ()

    def _setup(self) -> None:
        now, total, new = self.current_step, self.total_steps, self.new_total_steps
        require(total > now, "total_steps", total, f"> current_step={now!r}")
        require(new > now, "new_total_steps", new, f"> current_step={now!r}")
        plateau = _longer_plateau(self.schedule, now, new - total)
        if plateau is not None:
            config = {**self.schedule._arguments(), "stable_steps": plateau}
            self._set_clock(WarmupStableDecay(**config), 0, 1, 1)
        else:
            common = math.gcd(total - now, new - now)
            self._set_clock(self.schedule, now, (total - now) // common, (new - now) // common)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            return self._at_int(step)
        return evaluate(self, step)

    def area(self, steps: int, area_of: AreaOf) -> float | None:
        """The lengthened ``WarmupStableDecay``'s area; no closed form for a stretch."""
        if self._p == self._q:
            return area_of(self._inner, steps)
        return None


def _longer_plateau(schedule: Any, now: int, extra: int) -> int | None:
    """The new plateau of a ``WarmupStableDecay`` whose decay has not started, or ``None``."""
    if type(schedule) is not WarmupStableDecay:
        return None
    warmup, plateau = schedule.warmup_steps, schedule.stable_steps
    longer = plateau + extra
    if longer < 0 or now > warmup + min(plateau, longer):
        return None
    return longer


class RescaleTime(Stretched):
    """A schedule that takes ``ratio`` times as many steps: ``eta(t) = s(t / ratio)``.

    Composer's ``scale_schedule_ratio``: ``ratio=2`` runs every phase twice as long,
    ``ratio=0.5`` half as long. ``ratio`` is taken as the exact decimal it is written as
    (``1.1`` is ``11/10``, not the nearest binary float), ``r = p / q`` in lowest terms,
    and the inner step ``t * q / p`` is a ``Fraction``: where it is a whole number the
    schedule is evaluated at that whole number exactly (``t = p`` gives ``s(q)`` bit for
    bit), elsewhere at its continuation between whole steps, the inner step rounded once
    (see :mod:`~lrschedule.schedules.edits_clock`). A stair at step ``B`` moves to the
    first step with ``t * q / p >= B``.

    Args:
        schedule: The schedule to stretch (or its serialized dict).
        ratio: The factor ``r`` on every length; a finite number > 0.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``ratio`` is not a finite number > 0.
        TypeError: ``schedule`` is not a schedule, or ``ratio`` not a real number.

    Example:
        >>> from lrschedule import StepDecay
        >>> schedule = RescaleTime(StepDecay(1.0, 10, 0.5), ratio=1.5)
        >>> schedule(14), schedule(15), schedule(30)
        (1.0, 0.5, 0.25)
    """

    schedule: Any = child()
    ratio: Real = real(above=0)
    name: str | None = schedule_name(default="RescaleTime")

    __slots__ = ()

    def _setup(self) -> None:
        from fractions import Fraction  # only here: it is slow to import

        ratio = self.ratio
        exact = Fraction(ratio) if isinstance(ratio, int) else Fraction(repr(float(ratio)))
        self._set_clock(self.schedule, 0, exact.denominator, exact.numerator)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            return self._at_int(step)
        return evaluate(self, step)
