"""Cyclical learning rates (Smith, 2017): triangular, triangular2 and exp_range, as PyTorch's
``CyclicLR`` computes them, without its state."""

from __future__ import annotations

import math

from lrschedule.backends.dispatch import evaluate
from lrschedule.core.floats import exact_sum
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import Real, as_exact, require
from lrschedule.schedules.arguments import choice, rate, real, schedule_name, steps
from lrschedule.schedules.base import Schedule
from lrschedule.schedules.step import _python_power, power_of_count

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from lrschedule.backends.contract import ArrayOps

__all__ = ["CyclicalLearningRate"]

MODES = ("triangular", "triangular2", "exp_range")


class CyclicalLearningRate(Schedule):
    """Cycle between ``initial_learning_rate`` and ``maximal_learning_rate`` in triangles.

    A cycle lasts ``C = step_size_up + step_size_down`` steps: the rate rises linearly for
    ``step_size_up`` steps, then falls linearly for ``step_size_down``. With ``q, r =
    divmod(t, C)`` (cycle ``q``, ``r`` steps into it), ``a = initial_learning_rate`` and
    ``b = maximal_learning_rate``:

    .. math::

        \\eta(t) = a + (b - a)\\, h(r)\\, s, \\qquad
        h(r) = \\begin{cases} r / U & r \\le U \\\\ (C - r) / D & r > U \\end{cases}

    In Python: ``a + (b - a) * h * s`` with ``h = r / up if r <= up else (C - r) / down``
    and the amplitude scale ``s`` by ``mode``:

    * ``"triangular"``: ``s = 1``;
    * ``"triangular2"``: ``s = 0.5 ** q``, halved every cycle;
    * ``"exp_range"``: ``s = gamma ** t``, shrinking every step.

    The cycle index and the position in the cycle are exact divisions (for a Python step
    and a fractional cycle, by the exact ``U + D``; computed in float64, by ``U + D`` held
    as two floats, :mod:`lrschedule.backends.wide_division`, at any integer step and float
    steps up to ``2**100 * C``, with ``r``, ``C - r`` and ``U - r`` each rounded once from
    the exact residual). Where ``s <=
    1``, the value is computed as ``a * ((1 - h) + h * (1 - s)) + b * (h * s)``, with ``1 -
    h`` from the step and ``1 - s`` from ``expm1``: for rates of one sign a sum of terms of
    one sign, within a few ulps of the exact value (``a + (b - a) * ...`` would lose the
    digits of ``b`` where ``|a|`` is much larger). A ``gamma > 1`` keeps the plain form; a
    value whose ``h`` is 0 is ``a`` even where ``s`` is past the float range.
    Computed in float32 (JAX without x64), the value is within 8 float32 ulps of the exact
    one for rates of one sign; the position in the cycle is found by exact division by
    ``C`` (:mod:`lrschedule.backends.division`), also where float32 cannot hold ``C``, and
    ``U - r`` near the top of a cycle from the exact division of ``t + D``. This is
    PyTorch's ``CyclicLR(optimizer, base_lr=a, max_lr=b, step_size_up=U,
    step_size_down=D, mode=..., gamma=...)`` stepped once per optimizer update (PyTorch's
    ``cycle = floor(1 + t / C)`` is our ``q + 1``; its ``scale_mode`` is ``"cycle"`` for
    the two triangular modes and ``"iterations"`` for ``exp_range``, as here). A custom
    ``scale_fn`` and momentum cycling are not part of a learning-rate schedule; the
    ``"iterations"`` scale of a custom function has no counterpart. (TensorFlow Addons
    called this ``CyclicalLearningRate(initial_learning_rate, maximal_learning_rate,
    step_size)``, with ``step_size`` the rising half.)

    Args:
        initial_learning_rate: The bottom of each triangle (``a``; PyTorch ``base_lr``).
        maximal_learning_rate: The top of the first triangle (``b``; PyTorch ``max_lr``).
        step_size_up: Steps of the rising half (``U``); > 0.
        step_size_down: Steps of the falling half (``D``); > 0, or ``None`` for
            ``step_size_up``.
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: The per-step factor of ``"exp_range"``; > 0. Other modes ignore it (a
            ``UserWarning`` says so when it is not 1.0).
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: A step size <= 0, an unknown ``mode``, ``gamma <= 0``, a
            ``maximal_learning_rate - initial_learning_rate`` past the float range, or a NaN
            or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = CyclicalLearningRate(0.001, 0.006, step_size_up=2000)
        >>> schedule(0), schedule(1000), schedule(2000), schedule(3000), schedule(4000)
        (0.001, 0.0035, 0.006, 0.0035, 0.001)
        >>> halving = CyclicalLearningRate(0.0, 1.0, step_size_up=10, mode="triangular2")
        >>> halving(10), halving(30), halving(50)
        (1.0, 0.5, 0.25)
    """

    initial_learning_rate: Real = rate()
    maximal_learning_rate: Real = rate()
    step_size_up: Real = steps(above=0)
    step_size_down: Real | None = steps(default=None, above=0, optional=True)
    mode: str = choice(MODES, default="triangular")
    gamma: Real = real(default=1.0, above=0)
    name: str | None = schedule_name(default="CyclicalLearningRate")

    __slots__ = (
        "_low",
        "_high",
        "_height",
        "_up",
        "_down",
        "_cycle",
        "_gamma",
        "_log_gamma",
        "_down_first",
        "_down_by_up",
    )

    def _setup(self) -> None:
        if self.mode != "exp_range" and self.gamma != 1:
            import warnings

            warnings.warn(
                f"CyclicalLearningRate: `gamma`={self.gamma!r} is ignored with "
                f"mode={self.mode!r}; it only scales mode='exp_range'.",
                UserWarning,
                stacklevel=4,  # the caller of CyclicalLearningRate(...)
            )
        self._low = float(self.initial_learning_rate)
        self._high = float(self.maximal_learning_rate)
        self._height = float(self.maximal_learning_rate) - self._low
        require(
            math.isfinite(self._height),
            "maximal_learning_rate",
            self.maximal_learning_rate,
            "within the float range of initial_learning_rate (their difference must be finite)",
        )
        self._up = as_exact(self.step_size_up)
        down = self.step_size_down
        self._down = self._up if down is None else as_exact(down)
        self._cycle = exact_sum(self._up, self._down)
        # In float32 a remainder by a C that float32 cannot hold is rounded.
        numerator = self._cycle.as_integer_ratio()[0]
        odd = numerator >> ((numerator & -numerator).bit_length() - 1)
        self._down_first = self._down < self._up and (
            odd.bit_length() > 24 or self._cycle > 2.0**127
        )
        (nd, dd), (nu, du) = self._down.as_integer_ratio(), self._up.as_integer_ratio()
        self._down_by_up = (nd * du) / (dd * nu)  # int / int: correctly rounded
        self._gamma = float(self.gamma)
        self._log_gamma = math.log(self._gamma)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            cycle = self._cycle
            if cycle.__class__ is not int:
                return self._fractional(step)
            count, into = divmod(step, cycle)
            up = self._up
            if into <= up:
                height, other = into / up, (up - into) / up
            else:
                height, other = (cycle - into) / self._down, (into - up) / self._down
            return self._value(step, count, height, other)
        if step.__class__ is float and 0.0 <= step < math.inf and self._cycle.__class__ is not int:
            return self._fractional(step)
        return evaluate(self, step)

    def _fractional(self, step: int | float) -> float:
        """The value for a cycle that is not a whole number: ``C = U + D`` exactly (the
        float ``C`` is rounded), the position in it by exact rational division."""
        from fractions import Fraction  # only here: it is slow to import

        up, down = Fraction(self._up), Fraction(self._down)
        count, into = divmod(Fraction(step), up + down)
        if into <= up:
            height, other = float(into / up), float((up - into) / up)
        else:
            height, other = float((up + down - into) / down), float((into - up) / down)
        return self._value(step, int(count), height, other)

    def _value(self, step: int | float, count: int, height: float, other: float) -> float:
        """The value from the cycle count, ``h`` and ``1 - h``, by ``mode``."""
        if self.mode == "triangular":
            return self._low * other + self._high * height
        if self.mode == "triangular2":
            scale = _python_power(0.5, count)
            return self._mix(height, other, scale, 1.0 - scale)
        scale = _python_power(self._gamma, step)
        if scale == 0.0 or self._gamma >= 1.0:  # 1 - s is 1, 0, or not used
            return self._mix(height, other, scale, 1.0 - scale)
        return self._mix(height, other, scale, -math.expm1(step * self._log_gamma))

    def _mix(self, height: float, other: float, scale: float, unscaled: float) -> float:
        """``a + (b - a) * h * s`` as ``a * ((1 - h) + h * (1 - s)) + b * (h * s)``."""
        if self._gamma > 1.0:  # s > 1: no sum of like signs; 0 * inf is 0 here (h is 0)
            return self._low + self._height * (height * scale if height else 0.0)
        return self._low * (other + height * unscaled) + self._high * (height * scale)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        cycle, up, down = self._cycle, self._up, self._down
        if ops.name == "python" and cycle.__class__ is not int:
            return self._fractional(x)  # a Python number: as __call__ computes it
        if cycle.__class__ is not int and not ops.narrow(x):
            from lrschedule.backends import wide_division as wide
            from lrschedule.backends.tensor import TensorOps

            if isinstance(ops, TensorOps):
                # C = U + D exactly (two floats): r, C - r and U - r from the exact residual,
                # for float steps below 2**100 cycles (the quotient past the float range
                # beyond: those take the float division below).
                reach = 2.0**100 * cycle
                far = None
                if not ops.is_integer(x) and ops.upper_bound(x) >= reach:
                    far = x >= reach
                near = x if far is None else ops.where(far, 0.0, x)
                place = wide.position(ops, near, wide.pair(up, down))
                ahead = wide.before(place, wide.pair(up))  # U - r
                rising = ahead >= 0.0
                height = ops.where(rising, (place.high + place.low) / up, place.rest / down)
                other = ops.where(rising, ahead / up, -ahead / down)
                value = self._scaled(near, ops, place.count, height, other)
                if far is None:
                    return value
                return ops.where(far, self._divided(x, ops), value)
        return self._divided(x, ops)

    def _divided(self, x: Any, ops: ArrayOps) -> Any:
        """The array formula from the library's division by ``C`` (exact where ``C`` is an
        integer, or in float32 by :mod:`~lrschedule.backends.division`)."""
        cycle, up, down = self._cycle, self._up, self._down
        # The falling half, (C - r) / D, from the rest of the cycle: in float32, C - r would
        # lose r's rounding (a fraction of C) against a small difference.
        count, into, falling = ops.divmod_rest(x, cycle, down)
        fractional = cycle.__class__ is not int or not ops.is_integer(x)
        if ops.narrow(x) and fractional:  # r is rounded, but in the first cycle it is the step
            into = ops.where(count == 0, ops.to_float(x), into)
        rising = ops.at_most(into, up)
        height = ops.where(rising, ops.ratio(into, up), falling)
        # 1 - h from the step as well: (U - r) / U rising, (r - U) / D falling. Near the top
        # (r = U) these are small; in float32, where r is rounded after the first cycle, with
        # D < U they come from the rest C - r there, which is finer than r (U - r = (C - r) -
        # D), else from r.
        other = ops.where(
            rising,
            ops.ratio(ops.taken_from(up, ops.minimum(into, up)), up),
            ops.ratio(ops.shifted(into, up), down),
        )
        if self._down_first and ops.narrow(x):
            from_rest = ops.where(rising, (falling - 1.0) * self._down_by_up, 1.0 - falling)
            other = ops.where(count > 0, from_rest, other)
        if ops.narrow(x) and fractional and cycle < 2.0**200:
            # Near the top of a cycle after the first (where r is rounded in float32), both
            # forms lose the small 1 - h: it comes from the exact division of x + D, whose
            # remainder is r - U falling and r + D rising (its rest C - (r + D) = U - r),
            # neither rounded against C; h takes its half from that same division (r could
            # put it in the other). In the first cycle r is the step, exact, and so are the
            # forms above; away from the top the two divisions may see a cycle's start apart.
            _, past, before_top = ops.divmod_rest(x, cycle, up, offset=down)
            descending = ops.below(past, down)
            near_top = (count > 0) & (into > 0.5 * up) & (into < up + 0.5 * down)
            other = ops.where(
                near_top, ops.where(descending, ops.ratio(past, down), before_top), other
            )
            rising = ops.where(near_top, ~descending, rising)
            height = ops.where(rising, ops.ratio(into, up), falling)
        return self._scaled(x, ops, count, height, other)

    def _scaled(self, x: Any, ops: ArrayOps, count: Any, height: Any, other: Any) -> Any:
        """The value from the cycle count, ``h`` and ``1 - h`` (arrays), by ``mode``."""
        low, high = self._low, self._high
        if self.mode == "triangular":
            return low * other + high * height
        if self.mode == "triangular2":
            scale = power_of_count(0.5, count, ops)
            unscaled = 1.0 - scale
        else:
            scale = power_of_count(self._gamma, x, ops)
            if self._gamma > 1.0:  # h * s is 0 where h is, though s may be inf
                return low + self._height * (height * ops.where(height > 0.0, scale, 0.0))
            unscaled = -ops.expm1(ops.to_float(x) * self._log_gamma)
        return low * (other + height * unscaled) + high * (height * scale)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """Each cycle's first step ``ceil(k * C)`` and the first step of each falling half,
        ``floor(k * C + step_size_up) + 1``."""
        start, stop = step_range(start, stop)
        from fractions import Fraction  # only here: it is slow to import

        up = Fraction(self._up)
        cycle = up + Fraction(self._down)  # exactly: the float C may be rounded
        index = max(0, math.floor(start / cycle) - 1)
        while True:
            begin = math.ceil(index * cycle)
            if begin >= stop:
                return
            after = math.ceil((index + 1) * cycle)
            falling = math.floor(index * cycle + up) + 1
            if index and begin < after and start <= begin:
                yield begin
            if begin < falling < after and start <= falling < stop:
                yield falling
            index += 1

    def monotone_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """The halves of each triangle; ``None`` for ``"exp_range"``, whose ``gamma**t``
        bends them (a rising half may turn down before its top)."""
        if self.mode == "exp_range":
            return None
        return super().monotone_pieces(start, stop)

    def smooth_pieces(self, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """The halves of each triangle; ``None`` for ``"exp_range"`` (see
        :meth:`monotone_pieces`)."""
        if self.mode == "exp_range":
            return None
        return super().smooth_pieces(start, stop)
