"""Keras 3's exponential, piecewise-constant, polynomial and inverse-time decays.

Each ``__call__`` computes a Python ``int``/``float`` step inline with plain arithmetic
(the hot path) and hands any other step to :mod:`lrschedule.backends.dispatch`, which evaluates
``_array`` on it. Integer steps are divided as integers, so staircase floors and cycle
counts are exact at any step.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from lrschedule.backends.contract import ArrayOps
from lrschedule.backends.dispatch import evaluate
from lrschedule.backends.python import PYTHON_OPS
from lrschedule.core.ranges import multiples, step_range
from lrschedule.core.validation import (
    Real,
    as_exact,
    check_flag,
    check_increasing,
    check_name,
    check_number_list,
    check_one_more_value,
    check_positive,
    check_real,
    require,
)
from lrschedule.schedules.base import FrozenSchedule

__all__ = ["ExponentialDecay", "InverseTimeDecay", "PiecewiseConstantDecay", "PolynomialDecay"]


class ExponentialDecay(FrozenSchedule):
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
    ``q, r = divmod(step, decay_steps)``, so the value stays within a few ulp of exact
    at any step.

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

    __slots__ = (
        "initial_learning_rate",
        "decay_steps",
        "decay_rate",
        "staircase",
        "name",
        "_lr0",
        "_steps",
        "_rate",
        "_direct",
    )
    _config_keys = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")

    initial_learning_rate: Real
    decay_steps: Real
    decay_rate: Real
    staircase: bool
    name: str | None
    _lr0: float
    _steps: Real
    _rate: float
    _direct: int

    def __init__(
        self,
        initial_learning_rate: Real,
        decay_steps: Real,
        decay_rate: Real,
        staircase: bool = False,
        name: str | None = "ExponentialDecay",
    ) -> None:
        lr0 = check_real("initial_learning_rate", initial_learning_rate)
        steps = check_positive("decay_steps", decay_steps)
        rate = check_positive("decay_rate", decay_rate)
        flag = check_flag("staircase", staircase)
        self._assign(
            initial_learning_rate=lr0,
            decay_steps=steps,
            decay_rate=rate,
            staircase=flag,
            name=check_name(name),
            _lr0=float(lr0),
            _steps=as_exact(steps),
            _rate=float(rate),
            # Up to this step, rounding step / decay_steps costs at most an ulp in the power
            # (stairs have whole exponents: no limit). An int: the cheaper test on the hot path.
            _direct=_UNLIMITED if flag else _direct_limit(float(steps), float(rate)),
        )

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            try:
                if self.staircase:
                    return self._lr0 * self._rate ** (step // self._steps)
                if step <= self._direct:
                    return self._lr0 * self._rate ** (step / self._steps)
                # A large exponent: split the power at its integer part, exactly.
                whole, part = divmod(step, self._steps)
                return self._lr0 * self._rate**whole * self._rate ** (part / self._steps)
            except OverflowError:  # decay_rate > 1 at a huge step, or a step past the float range
                return self._lr0 * self._rate**math.inf
        return evaluate(self, step)

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
            return self._lr0 * ops.power(self._rate, ops.floor_ratio(x, self._steps))
        return self._lr0 * ops.power_ratio(self._rate, x, self._steps, self._direct)


class InverseTimeDecay(FrozenSchedule):
    """Divide the learning rate by ``1 + decay_rate * step / decay_steps``.

    .. math::

        \\eta(t) = \\frac{\\eta_0}{1 + r \\cdot t / T}
        \\qquad\\text{or, with staircase,}\\qquad
        \\eta(t) = \\frac{\\eta_0}{1 + r \\cdot \\lfloor t / T \\rfloor}

    In Python: ``initial_learning_rate / (1 + decay_rate * step / decay_steps)``, with
    ``step // decay_steps`` in place of ``step / decay_steps`` when ``staircase`` is true.

    Args:
        initial_learning_rate: The learning rate at step 0 (``eta_0``).
        decay_steps: How often to apply the decay (``T``); > 0.
        decay_rate: How fast the rate falls (``r``); >= 0 (a negative rate would divide by zero).
        staircase: Apply the decay in discrete steps when true.
        name: Name of the schedule; kept in the config, as in Keras.

    Raises:
        ValueError: ``decay_steps <= 0``, ``decay_rate < 0``, or a NaN or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = InverseTimeDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
        >>> schedule(9), schedule(10), schedule(20)
        (0.1, 0.06666666666666667, 0.05)
    """

    __slots__ = (
        "initial_learning_rate",
        "decay_steps",
        "decay_rate",
        "staircase",
        "name",
        "_lr0",
        "_steps",
        "_rate",
    )
    _config_keys = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")

    initial_learning_rate: Real
    decay_steps: Real
    decay_rate: Real
    staircase: bool
    name: str | None
    _lr0: float
    _steps: Real
    _rate: float

    def __init__(
        self,
        initial_learning_rate: Real,
        decay_steps: Real,
        decay_rate: Real,
        staircase: bool = False,
        name: str | None = "InverseTimeDecay",
    ) -> None:
        lr0 = check_real("initial_learning_rate", initial_learning_rate)
        steps = check_positive("decay_steps", decay_steps)
        rate = check_real("decay_rate", decay_rate)
        require(rate >= 0, "decay_rate", decay_rate, ">= 0")
        self._assign(
            initial_learning_rate=lr0,
            decay_steps=steps,
            decay_rate=rate,
            staircase=check_flag("staircase", staircase),
            name=check_name(name),
            _lr0=float(lr0),
            _steps=as_exact(steps),
            _rate=float(rate),
        )

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            try:
                if self.staircase:
                    return self._lr0 / (1.0 + self._rate * (step // self._steps))
                return self._lr0 / (1.0 + self._rate * (step / self._steps))
            except OverflowError:  # a step past the float range: the limit
                return self._lr0 / (1.0 + self._rate * math.inf) if self._rate else self._lr0
        return evaluate(self, step)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """With ``staircase``, every new stair: the first step ``>= k * decay_steps``, ``k >= 1``.

        The continuous decay has none.

        >>> list(InverseTimeDecay(0.1, 2.5, 0.5, staircase=True).breakpoints(0, 10))
        [3, 5, 8]
        """
        if self.staircase:
            yield from multiples(self._steps, start, stop, past=False)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        if self.staircase:
            progress = ops.floor_ratio(x, self._steps)
        else:
            progress = ops.ratio(x, self._steps)
        return self._lr0 / (1.0 + self._rate * progress)


class PolynomialDecay(FrozenSchedule):
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
    without cancellation (``-expm1(p * log1p(-done))``), so small steps keep every digit.

    Args:
        initial_learning_rate: The learning rate at step 0 (``eta_0``).
        decay_steps: Steps to decay over (``T``); > 0.
        end_learning_rate: The final learning rate (``eta_e``).
        power: The power of the polynomial (``p``); >= 0. 1.0 is a straight line.
        cycle: Whether to restart past ``decay_steps`` (see above).
        name: Name of the schedule; kept in the config, as in Keras.

    Raises:
        ValueError: ``decay_steps <= 0``, ``power < 0``, or a NaN or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.02)
        >>> schedule(0), schedule(5), schedule(10), schedule(15)
        (0.1, 0.06, 0.02, 0.02)
        >>> cycling = PolynomialDecay(0.1, 10, 0.01, cycle=True)
        >>> cycling(10), round(cycling(11), 12)
        (0.01, 0.0505)
    """

    __slots__ = (
        "initial_learning_rate",
        "decay_steps",
        "end_learning_rate",
        "power",
        "cycle",
        "name",
        "_lr0",
        "_steps",
        "_end",
        "_power",
        "_drop",
        "_lands",
        "_rise",
    )
    _config_keys = (
        "initial_learning_rate",
        "decay_steps",
        "end_learning_rate",
        "power",
        "cycle",
        "name",
    )

    initial_learning_rate: Real
    decay_steps: Real
    end_learning_rate: Real
    power: Real
    cycle: bool
    name: str | None
    _lr0: float
    _steps: Real
    _end: float
    _power: float
    _drop: float
    _lands: bool
    _rise: float | None

    def __init__(
        self,
        initial_learning_rate: Real,
        decay_steps: Real,
        end_learning_rate: Real = 0.0001,
        power: Real = 1.0,
        cycle: bool = False,
        name: str | None = "PolynomialDecay",
    ) -> None:
        lr0 = check_real("initial_learning_rate", initial_learning_rate)
        steps = check_positive("decay_steps", decay_steps)
        end = check_real("end_learning_rate", end_learning_rate)
        exponent = check_real("power", power)
        require(exponent >= 0, "power", power, ">= 0")
        drop = _difference_landing_on(float(lr0), float(end))
        self._assign(
            initial_learning_rate=lr0,
            decay_steps=steps,
            end_learning_rate=end,
            power=exponent,
            cycle=check_flag("cycle", cycle),
            name=check_name(name),
            _lr0=float(lr0),
            _steps=as_exact(steps),
            _end=float(end),
            _power=float(exponent),
            _drop=drop,
            _lands=float(end) + drop == float(lr0),
            # Rising schedules (and power 0, a constant) take the careful path.
            _rise=float(end) - float(lr0) if abs(end) > abs(lr0) and exponent > 0 else None,
        )

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
        rise = self._rise
        if rise is None:
            value = self._end + self._drop * weight
            return value if self._lands else ops.where(weight == 1.0, self._lr0, value)
        # A rising schedule: near the start the value is initial_learning_rate plus a small
        # part of the rise, 1 - weight, which is computed from the fraction done instead of
        # by subtraction: 1 - (1 - done) ** power == -expm1(power * log1p(-done)).
        done = ops.cycle_done(x, steps) if self.cycle else ops.ratio(ops.minimum(x, steps), steps)
        rest = -ops.expm1(power * ops.log1p(-done))
        return ops.where(weight >= 0.5, self._lr0 + rise * rest, self._end - rise * weight)


class PiecewiseConstantDecay(FrozenSchedule):
    """A constant learning rate between boundaries: ``values[i]`` on the i-th interval.

    .. math::

        \\eta(t) = v_i \\quad\\text{where } i = \\#\\{\\, j : b_j < t \\,\\}

    In Python: ``values[bisect.bisect_left(boundaries, step)]``. The intervals are closed
    on the right, as in Keras: ``values[0]`` while ``step <= boundaries[0]``, ``values[i]``
    while ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` once
    ``step > boundaries[-1]``. At a boundary step the earlier value still applies; the
    new one starts one step later.

    Comparisons are exact for integer steps and boundaries of any size. The result is a
    float even when the values are ints (Keras would return an int tensor).

    Args:
        boundaries: Strictly increasing steps at which the value changes (list or tuple).
        values: The learning rates; exactly one more than ``boundaries``.
        name: Name of the schedule; kept in the config, as in Keras.

    Raises:
        ValueError: The lengths do not match, the boundaries are not strictly increasing,
            or a number is NaN or infinite.
        TypeError: ``boundaries`` or ``values`` is not a list or tuple of numbers.

    Example:
        >>> schedule = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
        >>> schedule(100), schedule(101), schedule(200), schedule(201)
        (1.0, 0.5, 0.5, 0.1)
    """

    __slots__ = ("boundaries", "values", "name", "_bounds", "_levels", "_containers")
    _config_keys = ("boundaries", "values", "name")

    boundaries: tuple[Real, ...]
    values: tuple[Real, ...]
    name: str | None
    _bounds: tuple[Real, ...]
    _levels: tuple[float, ...]
    _containers: tuple[type, type]

    def __init__(
        self,
        boundaries: list[Real] | tuple[Real, ...],
        values: list[Real] | tuple[Real, ...],
        name: str | None = "PiecewiseConstant",
    ) -> None:
        bounds = check_number_list("boundaries", boundaries)
        levels = check_number_list("values", values)
        check_one_more_value(bounds, levels)
        check_increasing("boundaries", bounds)
        self._assign(
            boundaries=tuple(bounds),
            values=tuple(levels),
            name=check_name(name),
            _bounds=tuple(as_exact(bound) for bound in bounds),
            _levels=tuple(float(level) for level in levels),
            _containers=(type(bounds), type(levels)),
        )

    def _arguments(self) -> dict[str, Any]:
        bounds_type, levels_type = self._containers
        return {
            "boundaries": bounds_type(self.boundaries),
            "values": levels_type(self.values),
            "name": self.name,
        }

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            return self._levels[bisect_left(self._bounds, step)]
        return evaluate(self, step)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The step after each boundary, ``floor(boundary) + 1`` (the intervals are right-closed).

        Boundaries that share a step after them give one breakpoint.

        >>> list(PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1]).breakpoints(0, 1000))
        [101, 201]
        """
        start, stop = step_range(start, stop)
        bounds = self._bounds
        # floor(b) + 1 >= start  <=>  b >= start - 1, for an integer start.
        last = start - 1
        for index in range(bisect_left(bounds, start - 1), len(bounds)):
            step = math.floor(bounds[index]) + 1
            if step >= stop:
                return
            if step > last:
                yield step
                last = step

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        if not self._bounds:
            return ops.to_float(x) * 0.0 + self._levels[0]
        if ops.is_integer(x):
            # For an integer step, step <= b exactly when step <= floor(b).
            bounds = [math.floor(bound) for bound in self._bounds]
            table = self._table(ops, "bounds", bounds, x, integer=True)
        else:
            float_bounds = [_float_at_most(bound) for bound in self._bounds]
            table = self._table(ops, "bounds", float_bounds, x, integer=False)
        index = ops.searchsorted(table, x, right=False)
        return ops.take(self._table(ops, "levels", self._levels, x, integer=False), index)


def _direct_limit(steps: float, rate: float) -> int:
    """The last step at which ``rate ** (step / steps)`` loses at most an ulp to the rounding of
    its exponent: ``|ln(rate)| * step / steps <= 2``; every step for ``rate == 1``."""
    if rate == 1:
        return _UNLIMITED
    return math.floor(min(2.0 * steps / abs(math.log(rate)), 2.0**1023))


#: Larger than any step a float can express: "no limit".
_UNLIMITED = 2**1024


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


def _float_at_most(value: Real) -> float:
    """The largest float that is ``<= value`` (``value`` itself for a float)."""
    nearest = float(value)
    return math.nextafter(nearest, -math.inf) if nearest > value else nearest
