"""Keras 3's cosine decay (with its optional linear warmup) and cosine decay with restarts.

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
import warnings
from bisect import bisect_right
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from lrschedule.backends.contract import HALF_PI, QUARTER_PI, ArrayOps
from lrschedule.backends.dispatch import evaluate
from lrschedule.core.cycles import GeometricCycles
from lrschedule.core.ranges import multiples, step_range
from lrschedule.core.validation import (
    Real,
    as_exact,
    check_name,
    check_optional_real,
    check_positive,
    check_real,
    require,
)
from lrschedule.schedules.base import FrozenSchedule

__all__ = ["CosineDecay", "CosineDecayRestarts"]

_sin = math.sin


def _fraction_alpha(value: Any) -> Real:
    alpha = check_real("alpha", value)
    require(alpha >= 0, "alpha", value, ">= 0 (a fraction of the learning rate)")
    return alpha


class CosineDecay(FrozenSchedule):
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

    __slots__ = (
        "initial_learning_rate",
        "decay_steps",
        "alpha",
        "name",
        "warmup_target",
        "warmup_steps",
        "_lr0",
        "_steps",
        "_alpha",
        "_keep",
        "_peak",
        "_warmup",
    )
    _config_keys = (
        "initial_learning_rate",
        "decay_steps",
        "alpha",
        "name",
        "warmup_target",
        "warmup_steps",
    )

    initial_learning_rate: Real
    decay_steps: Real
    alpha: Real
    name: str | None
    warmup_target: Real | None
    warmup_steps: Real
    _lr0: float
    _steps: Real
    _alpha: float
    _keep: float
    _peak: float
    _warmup: Real | None

    def __init__(
        self,
        initial_learning_rate: Real,
        decay_steps: Real,
        alpha: Real = 0.0,
        name: str | None = "CosineDecay",
        warmup_target: Real | None = None,
        warmup_steps: Real = 0,
    ) -> None:
        lr0 = check_real("initial_learning_rate", initial_learning_rate)
        steps = check_positive("decay_steps", decay_steps)
        fraction = _fraction_alpha(alpha)
        target = check_optional_real("warmup_target", warmup_target)
        warmup = check_real("warmup_steps", warmup_steps)
        require(warmup >= 0, "warmup_steps", warmup_steps, ">= 0")
        if target is None and warmup > 0:
            warnings.warn(
                f"CosineDecay: `warmup_steps`={warmup_steps!r} is ignored because "
                "`warmup_target` is None; set `warmup_target` to the learning rate to warm "
                "up to, or drop `warmup_steps`.",
                UserWarning,
                stacklevel=2,
            )
        peak = float(lr0) if target is None else float(target)
        self._assign(
            initial_learning_rate=lr0,
            decay_steps=steps,
            alpha=fraction,
            name=check_name(name),
            warmup_target=target,
            warmup_steps=warmup,
            _lr0=float(lr0),
            _steps=as_exact(steps),
            _alpha=float(fraction),
            _keep=1.0 - float(fraction),
            _peak=peak,
            _warmup=None if target is None else as_exact(warmup),
        )

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


class CosineDecayRestarts(FrozenSchedule):
    """Cosine decay with warm restarts (SGDR): each cycle ``t_mul`` times longer, ``m_mul`` lower.

    Cycle ``k`` (from 0) lasts ``L_k = first_decay_steps * t_mul**k`` steps and starts at
    ``S_k = L_0 + ... + L_{k-1}``. Within it, with ``f = (t - S_k) / L_k``:

    .. math::

        \\eta(t) = \\eta_0 \\left[(1 - \\alpha)\\, m^k\\,
        \\tfrac12 (1 + \\cos \\pi f) + \\alpha\\right]

    In Python: ``initial_learning_rate * ((1 - alpha) * m_mul**k * 0.5 * (1 + cos(pi *
    f)) + alpha)``. Each restart returns to ``m_mul**k`` times the first peak; the floor
    ``alpha * initial_learning_rate`` is the same in every cycle (``alpha`` is not scaled
    by ``m_mul``), as in Keras.

    The cycle of a step is found exactly, by integer arithmetic over the cycle starts
    (Keras uses a float32 logarithm and misplaces restarts from step 81,910 on with
    ``first_decay_steps=10``). With ``t_mul < 1`` the cycles shrink and end at step
    ``first_decay_steps / (1 - t_mul)``; from there on the rate holds its floor
    ``alpha * initial_learning_rate`` (Keras returns NaN).

    Args:
        initial_learning_rate: The first peak (``eta_0``).
        first_decay_steps: Length of the first cycle (``L_0``); > 0.
        t_mul: Each cycle is ``t_mul`` times as long as the previous one; > 0.
        m_mul: Each peak is ``m_mul`` times the previous one; >= 0.
        alpha: The floor as a fraction of ``initial_learning_rate``; >= 0.
        name: Name of the schedule; kept in the config, as in Keras.

    Raises:
        ValueError: ``first_decay_steps <= 0``, ``t_mul <= 0``, ``m_mul < 0``,
            ``alpha < 0``, or a NaN or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = CosineDecayRestarts(1.0, first_decay_steps=10, m_mul=0.5)
        >>> schedule(0), schedule(5), schedule(10), schedule(30)
        (1.0, 0.5, 0.5, 0.25)
    """

    __slots__ = (
        "initial_learning_rate",
        "first_decay_steps",
        "t_mul",
        "m_mul",
        "alpha",
        "name",
        "_lr0",
        "_first",
        "_m",
        "_alpha",
        "_keep",
        "_cycles",
    )
    _config_keys = (
        "initial_learning_rate",
        "first_decay_steps",
        "t_mul",
        "m_mul",
        "alpha",
        "name",
    )

    initial_learning_rate: Real
    first_decay_steps: Real
    t_mul: Real
    m_mul: Real
    alpha: Real
    name: str | None
    _lr0: float
    _first: Real
    _m: float
    _alpha: float
    _keep: float
    _cycles: GeometricCycles | None

    def __init__(
        self,
        initial_learning_rate: Real,
        first_decay_steps: Real,
        t_mul: Real = 2.0,
        m_mul: Real = 1.0,
        alpha: Real = 0.0,
        name: str | None = "SGDRDecay",
    ) -> None:
        lr0 = check_real("initial_learning_rate", initial_learning_rate)
        first = check_positive("first_decay_steps", first_decay_steps)
        growth = check_positive("t_mul", t_mul)
        decay = check_real("m_mul", m_mul)
        require(decay >= 0, "m_mul", m_mul, ">= 0")
        fraction = _fraction_alpha(alpha)
        exact_first = as_exact(first)
        self._assign(
            initial_learning_rate=lr0,
            first_decay_steps=first,
            t_mul=growth,
            m_mul=decay,
            alpha=fraction,
            name=check_name(name),
            _lr0=float(lr0),
            _first=exact_first,
            _m=float(decay),
            _alpha=float(fraction),
            _keep=1.0 - float(fraction),
            _cycles=None if growth == 1 else GeometricCycles(exact_first, float(growth)),
        )

    @property
    def _t_mul(self) -> Real:
        """Keras's name for :attr:`t_mul`."""
        return self.t_mul

    @property
    def _m_mul(self) -> Real:
        """Keras's name for :attr:`m_mul`."""
        return self.m_mul

    def _peak(self, cycle: int | float) -> float:
        # Overflow: m_mul > 1 after very many cycles, or a cycle count past the float range.
        try:
            return float(self._m**cycle)
        except OverflowError:
            return float(self._m**math.inf)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            cycles = self._cycles
            try:
                if cycles is None:
                    first = self._first
                    cycle, into = divmod(step, first)
                    left = (first - into) / first
                else:
                    cycle = cycles.locate_int(step)
                    if cycle < 0:
                        return self._lr0 * self._alpha
                    left = cycles.remaining(cycle, step) / cycles.length[cycle]
            except OverflowError:
                raise ValueError(
                    f"Argument `step` is too large for {type(self).__name__}: its position in "
                    f"the cycle does not fit a float. Received: step={step!r}"
                ) from None
            angle = left * HALF_PI
            if left >= 0.5:
                wave = 0.5 + 0.5 * _sin((angle - QUARTER_PI) * 2.0)
            else:
                wave = _sin(angle)
                wave *= wave
            return self._lr0 * (self._keep * self._peak(cycle) * wave + self._alpha)
        return evaluate(self, step)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """Every restart (the first step of each cycle), and the step where cycles run out.

        Cycles are located exactly, as in ``__call__``. Cycles shorter than a step share a
        first step; with ``t_mul < 1`` the last breakpoint is the first step of the floor.

        >>> list(CosineDecayRestarts(1.0, 10).breakpoints(0, 100))
        [10, 30, 70]
        >>> list(CosineDecayRestarts(1.0, 10, t_mul=0.5).breakpoints(0, 100))
        [10, 15, 18, 19, 20]
        """
        cycles = self._cycles
        if cycles is None:
            yield from multiples(self._first, start, stop, past=False)
            return
        start, stop = step_range(start, stop)
        if start >= stop:
            return
        starts = cycles.start_ceil
        cycles.cover(start)
        index = bisect_right(starts, start - 1)  # the first cycle starting at or after `start`
        last = start - 1
        while True:
            if index >= len(starts):
                count = len(starts)
                cycles.cover(cycles.covered_int)
                if len(starts) == count:  # no more cycles: the floor begins
                    floor = cycles.covered_int
                    if last < floor < stop:
                        yield floor
                    return
            step = starts[index]
            if step >= stop:
                return
            if step > last:
                yield step
                last = step
            index += 1

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        cycles = self._cycles
        if cycles is None:
            cycle, into = ops.divmod(x, self._first)
            cycle = ops.to_float(cycle)
            left = ops.left(into, self._first)
            past_end = None
        else:
            cycle, left, past_end = self._locate(x, ops, cycles)
        wave = ops.half_cosine(left)
        value = self._lr0 * (self._keep * ops.power(self._m, cycle) * wave + self._alpha)
        if past_end is None:
            return value
        return ops.where(past_end, self._lr0 * self._alpha, value)

    def _locate(self, x: Any, ops: ArrayOps, cycles: GeometricCycles) -> tuple[Any, Any, Any]:
        """The cycle index (as a float), the fraction of it left, and the past-the-end mask."""
        integer = ops.is_integer(x)
        cycles.cover(ops.upper_bound(x))
        count = len(cycles.length)  # the tables only grow: their first `count` rows are final
        limit: int | float | None = cycles.end_ceil if integer else cycles.end_float
        top = ops.int_max(x) if integer else None
        if top is not None:
            count = min(count, bisect_right(cycles.start_ceil, top))  # cycles the dtype reaches
        starts = (cycles.start_ceil if integer else cycles.start_float)[:count]
        end_floor = cycles.end_floor[:count]
        end_fraction = cycles.end_fraction[:count]
        if top is not None:
            # Ends beyond the integer dtype's range are clipped; the excess moves to the fraction.
            clipped = [min(end, top) for end in end_floor]
            end_fraction = [
                fraction + (end - kept)
                for end, fraction, kept in zip(end_floor, end_fraction, clipped, strict=True)
            ]
            end_floor = clipped
            if limit is not None and limit > top:
                limit = None  # no step of this dtype reaches the end
        kind = "int" if integer else "float"
        starts_table = self._table(ops, f"starts-{kind}", starts, x, integer=integer)
        index = ops.searchsorted(starts_table, x, right=True) - 1
        index = ops.minimum(index, count - 1)
        ends = ops.take(self._table(ops, f"ends-{kind}", end_floor, x, integer=integer), index)
        fractions = ops.take(
            self._table(ops, f"fractions-{kind}", end_fraction, x, integer=False), index
        )
        remaining = ops.to_float(ends - x) + fractions
        lengths = ops.take(
            self._table(ops, "lengths", cycles.length[:count], x, integer=False), index
        )
        left = remaining / lengths
        past_end = None if limit is None else x >= limit
        if cycles.finite:
            # Past the last tabulated cycle (cycles below 2**-256 steps) the series has ended.
            beyond = remaining <= 0
            past_end = beyond if past_end is None else past_end | beyond
            left = ops.maximum(left, 0.0)
        return ops.to_float(index), left, past_end
